package io.tarmo.lake;

import io.tarmo.TarmoException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * One lake table: its name, its schema (the contract), how its files are laid out, and which of
 * its columns identify a person. Personal columns never get Delta file statistics, so their
 * values never reach the transaction log.
 *
 * @param name the table's name, also its folder under {@code <lake>/tables} and its SQL view name
 * @param schema the columns, with their comments, in order
 * @param partitionColumns Hive-style partition columns (non-personal only)
 * @param clusterColumns liquid clustering columns (non-personal only)
 * @param personalColumns columns whose values identify or describe a person
 * @param comment what the table holds, shown to analysts
 * @param properties further Delta table properties set when the table is created, e.g. a
 *     {@code delta.checkpointInterval} for a table written many times a night
 */
public record TableSpec(
    String name,
    StructType schema,
    List<String> partitionColumns,
    List<String> clusterColumns,
    Set<String> personalColumns,
    String comment,
    Map<String, String> properties) {

  public TableSpec {
    partitionColumns = List.copyOf(partitionColumns);
    clusterColumns = List.copyOf(clusterColumns);
    personalColumns = Set.copyOf(personalColumns);
    properties = Map.copyOf(properties);
    if (properties.containsKey(STATS_COLUMNS_PROPERTY)) {
      throw TarmoException.job("Cannot declare table " + name + ": " + STATS_COLUMNS_PROPERTY
          + " follows from its personal columns");
    }
    Set<String> names = Set.of(schema.fieldNames());
    for (String column : concat(partitionColumns, clusterColumns, List.copyOf(personalColumns))) {
      if (!names.contains(column)) {
        throw TarmoException.job("Cannot declare table " + name + ": no column " + column);
      }
    }
    for (String column : concat(partitionColumns, clusterColumns)) {
      if (personalColumns.contains(column)) {
        throw TarmoException.job(
            "Cannot declare table " + name + ": personal column " + column + " would be in file statistics");
      }
    }
  }

  /** A table with no further Delta properties. */
  public TableSpec(String name, StructType schema, List<String> partitionColumns, List<String> clusterColumns,
      Set<String> personalColumns, String comment) {
    this(name, schema, partitionColumns, clusterColumns, personalColumns, comment, Map.of());
  }

  /** The Delta property that names the columns with file statistics ({@link #statsColumns}). */
  public static final String STATS_COLUMNS_PROPERTY = "delta.dataSkippingStatsColumns";

  /**
   * Columns Delta keeps min/max statistics for: the non-personal, non-partition columns of a
   * type that has them. Passed to the table as {@code delta.dataSkippingStatsColumns}.
   */
  public List<String> statsColumns() {
    return Arrays.stream(schema.fields())
        .filter(field -> !personalColumns.contains(field.name()))
        .filter(field -> !partitionColumns.contains(field.name()))
        .filter(field -> !(field.dataType() instanceof org.apache.spark.sql.types.MapType))
        .filter(field -> !(field.dataType() instanceof org.apache.spark.sql.types.ArrayType))
        .map(StructField::name)
        .toList();
  }

  @SafeVarargs
  private static List<String> concat(List<String>... lists) {
    return Arrays.stream(lists).flatMap(List::stream).toList();
  }
}
