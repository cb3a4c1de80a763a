package io.tarmo.ingest;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.count_if;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.struct;

import java.time.LocalDate;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Observation;
import org.apache.spark.sql.Row;

/**
 * Deterministic de-duplication. Only keys that repeat are shuffled whole: the common case, a
 * unique key, costs one small aggregation of keys, not a sort of every row.
 */
public final class Dedupe {

  private static final String COPIES = "_copies";
  private static final String CHOSEN = "_chosen";
  private static final String SEEN = "_seen";
  private static final String KEY = "_key";

  private Dedupe() {}

  /** Which copy of a repeated key survives. */
  public enum Keep {
    /** The copy with the lowest ranking tuple. */
    LOWEST,
    /** The copy with the highest ranking tuple. */
    HIGHEST
  }

  /**
   * One row per {@code key}: the one whose {@code ranking} columns (compared as a tuple) are
   * lowest or highest; among exact ties any one, since tied copies carry the same line hash.
   */
  public static Dataset<Row> onePerKey(Dataset<Row> rows, String key, Keep keep, Column... ranking) {
    Column rank = struct(ranking);
    Dataset<Row> repeated = rows.groupBy(col(key))
        .agg(count(lit(1)).as(COPIES), (keep == Keep.LOWEST ? min(rank) : max(rank)).as(CHOSEN))
        .filter(col(COPIES).gt(1))
        .select(col(key).as(KEY), col(CHOSEN));
    // The key is renamed on one side: both sides descend from `rows`, and a self-join on
    // same-named columns would resolve them to the same attribute.
    Dataset<Row> joined = rows.join(repeated, col(key).equalTo(col(KEY)), "left").drop(KEY);
    Dataset<Row> unique = joined.filter(col(CHOSEN).isNull()).drop(CHOSEN);
    Dataset<Row> firstOfRepeated = joined.filter(col(CHOSEN).isNotNull().and(rank.equalTo(col(CHOSEN))))
        .drop(CHOSEN)
        .dropDuplicates(key);
    return unique.unionByName(firstOfRepeated);
  }

  /**
   * Removes rows whose {@code key} an earlier delivery (a smaller {@code ingest_date}) already
   * brought; {@code observation} receives {@code seen} and {@code fresh} counts once the result
   * has been written.
   */
  public static Dataset<Row> excludeEarlierDeliveries(Dataset<Row> rows, Dataset<Row> table, String key,
      LocalDate day, Observation observation) {
    Dataset<Row> earlier = table.filter(col("ingest_date").lt(lit(java.sql.Date.valueOf(day))))
        .select(col(key).as(SEEN + key), lit(true).as(SEEN));
    return rows.join(earlier, col(key).equalTo(col(SEEN + key)), "left")
        .observe(observation,
            count_if(col(SEEN).isNotNull()).as("seen"),
            count_if(col(SEEN).isNull()).as("fresh"))
        .filter(col(SEEN).isNull())
        .drop(SEEN, SEEN + key);
  }
}
