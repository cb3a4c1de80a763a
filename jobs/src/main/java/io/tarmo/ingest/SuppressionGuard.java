package io.tarmo.ingest;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.udf;
import static org.apache.spark.sql.functions.unix_micros;

import io.tarmo.subject.IdentifierType;
import io.tarmo.subject.Pseudonyms;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.api.java.UDF2;
import org.apache.spark.sql.types.DataTypes;

/**
 * The resurrection guard (CONTRACT 5): a landing line that carries an erased identifier and is
 * dated at or before that identifier's {@code suppressed_at} is about the erased person, and is
 * never stored or quarantined. Later lines are ingested as usual.
 *
 * <p>{@code suppression_list} holds keyed hashes ({@link Pseudonyms}), so each identifier a line
 * carries, normalised as ingest stores it, is hashed and looked up by type and hash in the list,
 * which is small and sent to every executor once (a broadcast). An identifier erased twice keeps
 * its latest {@code suppressed_at}: everything before the later erasure was erased by it. With no
 * list, or an empty one, the guard is {@link #NONE}: nothing is hashed and no column added.
 *
 * <p>{@link #mark} adds the boolean {@value LineChecks#SUPPRESSED_FLAG}, which
 * {@link LineChecks#finish} turns into the outcome {@value LineChecks#SUPPRESSED}.
 */
public final class SuppressionGuard implements AutoCloseable {

  /** The guard of an empty or missing suppression list: marks nothing. */
  public static final SuppressionGuard NONE = new SuppressionGuard(null, null);

  /** Separates an identifier's type from its value; no normalised value holds a control character. */
  private static final String SEPARATOR = "\u0000";

  /** An identifier a line carries: its type (a column, for the consent ledger's subject_type) and normalised value. */
  public record Identifier(Column type, Column value) {

    public static Identifier of(IdentifierType type, String valueColumn) {
      return new Identifier(lit(type.key()), col(valueColumn));
    }
  }

  private final Broadcast<Map<String, Long>> suppressedAt;
  private final Pseudonyms pseudonyms;

  private SuppressionGuard(Broadcast<Map<String, Long>> suppressedAt, Pseudonyms pseudonyms) {
    this.suppressedAt = suppressedAt;
    this.pseudonyms = pseudonyms;
  }

  /**
   * The guard of {@code suppressionList} ({@code identifier_type, identifier_hash, suppressed_at});
   * {@link #NONE} when it has no rows.
   */
  public static SuppressionGuard of(Dataset<Row> suppressionList, Pseudonyms pseudonyms) {
    List<Row> rows = suppressionList
        .groupBy(col("identifier_type"), col("identifier_hash"))
        .agg(max(unix_micros(col("suppressed_at"))))
        .collectAsList();
    if (rows.isEmpty()) {
      return NONE;
    }
    Map<String, Long> latest = new HashMap<>();
    for (Row row : rows) {
      if (!row.anyNull()) {
        latest.put(key(row.getString(0), row.getString(1)), row.getLong(2));
      }
    }
    JavaSparkContext context = JavaSparkContext.fromSparkContext(suppressionList.sparkSession().sparkContext());
    return new SuppressionGuard(context.broadcast(latest), pseudonyms);
  }

  public boolean active() {
    return suppressedAt != null;
  }

  /**
   * Adds {@value LineChecks#SUPPRESSED_FLAG} to {@code checked}: true when one of {@code identifiers}
   * is suppressed and {@code datedAt} (a timestamp) is null or not after its {@code suppressed_at}.
   * A line that could not be dated counts as dated before. Returns {@code checked} unchanged when
   * the guard is {@link #NONE}.
   */
  public Dataset<Row> mark(Dataset<Row> checked, List<Identifier> identifiers, Column datedAt) {
    if (!active()) {
      return checked;
    }
    Column[] typed = identifiers.stream()
        .map(identifier -> concat(identifier.type(), lit(SEPARATOR), identifier.value()))
        .toArray(Column[]::new);
    Broadcast<Map<String, Long>> list = suppressedAt;
    Pseudonyms keyed = pseudonyms;
    UDF2<scala.collection.Seq<String>, Long, Boolean> suppressed = (values, micros) ->
        isSuppressed(values, micros, list.value(), keyed);
    return checked.withColumn(LineChecks.SUPPRESSED_FLAG,
        udf(suppressed, DataTypes.BooleanType).asNonNullable().withName("tarmo_suppressed")
            .apply(array(typed), unix_micros(datedAt)));
  }

  /**
   * Whether one of {@code typedValues} ({@code type \0 value}, null for an absent value) is in
   * {@code list} with a {@code suppressed_at} not before {@code datedAtMicros}. Each distinct value
   * is hashed once, however many types it is tried as.
   */
  static boolean isSuppressed(scala.collection.Seq<String> typedValues, Long datedAtMicros, Map<String, Long> list,
      Pseudonyms pseudonyms) {
    int n = typedValues.length();
    String[] values = new String[n];
    String[] hashes = new String[n];
    for (int i = 0; i < n; i++) {
      String typed = typedValues.apply(i);
      if (typed == null) {
        continue;
      }
      int cut = typed.indexOf(SEPARATOR);
      String value = typed.substring(cut + 1);
      values[i] = value;
      hashes[i] = hashOf(value, values, hashes, i, pseudonyms);
      Long suppressedAt = list.get(key(typed.substring(0, cut), hashes[i]));
      if (suppressedAt != null && (datedAtMicros == null || datedAtMicros <= suppressedAt)) {
        return true;
      }
    }
    return false;
  }

  private static String hashOf(String value, String[] values, String[] hashes, int upTo, Pseudonyms pseudonyms) {
    for (int j = 0; j < upTo; j++) {
      if (value.equals(values[j])) {
        return hashes[j];
      }
    }
    return pseudonyms.of(value);
  }

  private static String key(String type, String hash) {
    return type + SEPARATOR + hash;
  }

  /** Frees the broadcast list on the executors and the driver. */
  @Override
  public void close() {
    if (suppressedAt != null) {
      suppressedAt.destroy();
    }
  }
}
