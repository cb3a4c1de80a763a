package io.tarmo.lake;

import io.tarmo.TarmoException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.BooleanType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DateType;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.types.TimestampType;

/**
 * One lake table: its name, its schema (the contract), how its files are laid out, where personal
 * data can be in it and how one person's rows are found. Personal and free-text columns never get
 * Delta file statistics, so their values never reach the transaction log.
 *
 * @param name the table's name, also its folder under {@code <lake>/tables} and its SQL view name
 * @param schema the columns, with their comments, in order
 * @param partitionColumns Hive-style partition columns (neither personal nor free text)
 * @param clusterColumns liquid clustering columns (neither personal nor free text)
 * @param personalColumns columns whose values identify or describe a person
 * @param freeTextColumns columns of text the sender chose (names, URLs, titles, ids), which can
 *     quote personal data however a contract names them: an email in a page path, a name in a title
 * @param lookups every way one data subject's rows are found (at least one; {@link SubjectLookup.None}
 *     alone for a table about no one)
 * @param retention which retention rule applies
 * @param aging for a table of an {@link Retention#aged aged} retention class, the column that dates
 *     each row (and the rows never aged); null for the other classes
 * @param comment what the table holds, shown to analysts
 * @param properties further Delta table properties, e.g. a {@code delta.checkpointInterval} for a
 *     table written many times a night
 */
public record TableSpec(
    String name,
    StructType schema,
    List<String> partitionColumns,
    List<String> clusterColumns,
    Set<String> personalColumns,
    Set<String> freeTextColumns,
    List<SubjectLookup> lookups,
    Retention retention,
    Aging aging,
    String comment,
    Map<String, String> properties) {

  /** The Delta property that names the columns with file statistics ({@link #statsColumns}). */
  public static final String STATS_COLUMNS_PROPERTY = "delta.dataSkippingStatsColumns";

  public TableSpec {
    partitionColumns = List.copyOf(partitionColumns);
    clusterColumns = List.copyOf(clusterColumns);
    personalColumns = Set.copyOf(personalColumns);
    freeTextColumns = Set.copyOf(freeTextColumns);
    lookups = List.copyOf(lookups);
    properties = Map.copyOf(properties);
    if (properties.containsKey(STATS_COLUMNS_PROPERTY)) {
      throw refused(name, STATS_COLUMNS_PROPERTY + " follows from its personal and free-text columns");
    }
    Set<String> names = Set.of(schema.fieldNames());
    List<String> named = Stream.of(partitionColumns, clusterColumns, List.copyOf(personalColumns),
            List.copyOf(freeTextColumns), lookups.stream().flatMap(lookup -> lookup.columns().stream()).toList())
        .flatMap(List::stream).toList();
    for (String column : named) {
      if (!names.contains(column)) {
        throw refused(name, "no column " + column);
      }
    }
    for (String column : concat(partitionColumns, clusterColumns)) {
      if (personalColumns.contains(column) || freeTextColumns.contains(column)) {
        throw refused(name, "personal or free-text column " + column + " would be in file statistics");
      }
    }
    if (lookups.isEmpty()) {
      throw refused(name, "it does not say how a person's rows are found (or that it holds none)");
    }
    boolean aboutNoOne = lookups.stream().anyMatch(SubjectLookup.None.class::isInstance);
    if (aboutNoOne && (lookups.size() > 1 || !personalColumns.isEmpty())) {
      throw refused(name, "a table about no one has no personal columns and no other lookup");
    }
    // A row found by a key or an identifier is found with all of its personal columns; without
    // such a lookup, each personal column must be searched itself.
    boolean findsRows = lookups.stream().anyMatch(lookup -> lookup instanceof SubjectLookup.ByCustomerKey
        || lookup instanceof SubjectLookup.ByIdentifier || lookup instanceof SubjectLookup.ByTypedIdentifier);
    Set<String> found = lookups.stream().flatMap(lookup -> lookup.columns().stream()).collect(Collectors.toSet());
    for (String column : personalColumns) {
      if (!findsRows && !found.contains(column)) {
        throw refused(name, "personal column " + column + " is in no row a lookup can find");
      }
    }
    Set<String> searched = lookups.stream().filter(SubjectLookup.ByRawText.class::isInstance)
        .flatMap(lookup -> lookup.columns().stream()).collect(Collectors.toSet());
    for (String column : freeTextColumns) {
      if (!searched.contains(column)) {
        throw refused(name, "free-text column " + column + " is searched by no lookup");
      }
    }
    if (retention == null) {
      throw refused(name, "it has no retention class");
    }
    checkAging(name, schema, retention, aging, personalColumns, freeTextColumns);
  }

  /**
   * Rule "an aged table says what dates its rows": a table of a retention class that deletes by age
   * names the DATE or TIMESTAMP column retention compares with its cutoff, neither personal nor free
   * text (it is in the recorded DELETE predicate); a table of any other class names none, as
   * retention never ages it.
   */
  private static void checkAging(String name, StructType schema, Retention retention, Aging aging,
      Set<String> personalColumns, Set<String> freeTextColumns) {
    if (retention.aged() && aging == null) {
      throw refused(name, "retention class " + retention + " deletes rows by age, so the table must say which "
          + "date or timestamp column dates them (agedBy)");
    }
    if (!retention.aged() && aging != null) {
      throw refused(name, "retention class " + retention + " does not delete rows by age; agedBy("
          + aging.column() + ") would never apply");
    }
    if (aging == null) {
      return;
    }
    if (!Set.of(schema.fieldNames()).contains(aging.column())) {
      throw refused(name, "no column " + aging.column() + " to age its rows by");
    }
    DataType type = schema.apply(aging.column()).dataType();
    if (!(type instanceof DateType) && !(type instanceof TimestampType)) {
      throw refused(name, "its rows are aged by " + aging.column() + ", which is not a DATE or TIMESTAMP column");
    }
    if (personalColumns.contains(aging.column()) || freeTextColumns.contains(aging.column())) {
      throw refused(name, "its rows are aged by the personal or free-text column " + aging.column()
          + ", which would be in a recorded DELETE predicate");
    }
  }

  /**
   * How retention ages a table's rows.
   *
   * @param column the DATE or TIMESTAMP column that dates each row; a row dated before the cutoff
   *     (for a timestamp: before 00:00 UTC of the cutoff day) is deleted
   * @param keptWhen a SQL condition over non-personal columns of rows retention never deletes, e.g.
   *     what a later run needs to stay correct; null for none. It is recorded in the Delta log.
   */
  public record Aging(String column, String keptWhen) {}

  private static TarmoException refused(String name, String why) {
    return TarmoException.job("Cannot declare table " + name + ": " + why);
  }

  /** Starts the declaration of a table named {@code name} with {@code columns}. */
  public static Builder named(String name, StructField... columns) {
    return new Builder(name, new StructType(columns));
  }

  /**
   * Columns Delta keeps min/max statistics for: the columns that are neither personal, free text
   * nor partition columns, of a type that has them (not maps, arrays or booleans). Passed to the table as
   * {@code delta.dataSkippingStatsColumns}.
   */
  public List<String> statsColumns() {
    return Arrays.stream(schema.fields())
        .filter(field -> !personalColumns.contains(field.name()))
        .filter(field -> !freeTextColumns.contains(field.name()))
        .filter(field -> !partitionColumns.contains(field.name()))
        .filter(field -> !(field.dataType() instanceof MapType))
        .filter(field -> !(field.dataType() instanceof ArrayType))
        // Delta keeps no min/max for booleans and refuses a table that names one.
        .filter(field -> !(field.dataType() instanceof BooleanType))
        .map(StructField::name)
        .toList();
  }

  /** Every Delta property the table must have: {@link #properties} and its statistics columns. */
  public Map<String, String> deltaProperties() {
    Map<String, String> all = new HashMap<>(properties);
    all.put(STATS_COLUMNS_PROPERTY, String.join(",", statsColumns()));
    return Map.copyOf(all);
  }

  /** Whether any row of the table can be about a person. */
  public boolean personal() {
    return lookups.stream().noneMatch(SubjectLookup.None.class::isInstance);
  }

  @SafeVarargs
  private static List<String> concat(List<String>... lists) {
    return Arrays.stream(lists).flatMap(List::stream).toList();
  }

  /** Declares a table step by step; {@link #build} validates it. */
  public static final class Builder {
    private final String name;
    private final StructType schema;
    private List<String> partitionColumns = List.of();
    private List<String> clusterColumns = List.of();
    private final Set<String> personalColumns = new LinkedHashSet<>();
    private final Set<String> freeTextColumns = new LinkedHashSet<>();
    private final List<SubjectLookup> lookups = new ArrayList<>();
    private Retention retention;
    private Aging aging;
    private final Map<String, String> properties = new HashMap<>();

    private Builder(String name, StructType schema) {
      this.name = name;
      this.schema = schema;
    }

    public Builder partitionedBy(String... columns) {
      partitionColumns = List.of(columns);
      return this;
    }

    public Builder clusteredBy(String... columns) {
      clusterColumns = List.of(columns);
      return this;
    }

    public Builder personal(String... columns) {
      personalColumns.addAll(List.of(columns));
      return this;
    }

    public Builder freeText(String... columns) {
      freeTextColumns.addAll(List.of(columns));
      return this;
    }

    public Builder findBy(SubjectLookup... found) {
      lookups.addAll(List.of(found));
      return this;
    }

    public Builder aboutNoOne(String why) {
      lookups.add(new SubjectLookup.None(why));
      return this;
    }

    public Builder retention(Retention value) {
      retention = value;
      return this;
    }

    /** Retention deletes rows whose {@code column} (DATE or TIMESTAMP) is older than the class's period. */
    public Builder agedBy(String column) {
      aging = new Aging(column, null);
      return this;
    }

    /**
     * As {@link #agedBy(String)}, but rows matching {@code keptWhen} (SQL over non-personal columns;
     * it is recorded in the Delta log) are never deleted by age.
     */
    public Builder agedBy(String column, String keptWhen) {
      aging = new Aging(column, keptWhen);
      return this;
    }

    public Builder property(String key, String value) {
      properties.put(key, value);
      return this;
    }

    public TableSpec build(String comment) {
      return new TableSpec(name, schema, partitionColumns, clusterColumns, personalColumns, freeTextColumns, lookups,
          retention, aging, comment, properties);
    }
  }
}
