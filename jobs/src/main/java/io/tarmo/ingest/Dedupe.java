package io.tarmo.ingest;

import static org.apache.spark.sql.functions.broadcast;
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
   * The keys that occur more than once: column {@code _key}. A hash aggregation over every row,
   * small when duplicates are rare, whatever the input size.
   */
  public static Dataset<Row> repeatedKeys(Dataset<Row> rows, String key) {
    return rows.groupBy(col(key)).agg(count(lit(1)).as(COPIES))
        .filter(col(COPIES).gt(1))
        .select(col(key).as(KEY));
  }

  /**
   * Each of the {@code repeatedKeys} (from {@link #repeatedKeys}) with the ranking tuple of the
   * copy to keep: columns {@code _key} and {@code _chosen}. The minimum of a struct needs a sort
   * aggregation, so only the rows of repeated keys go through it; pass the keys broadcast when they
   * are few, so the rows are not shuffled to meet them.
   */
  public static Dataset<Row> chosenCopies(Dataset<Row> rows, Dataset<Row> repeatedKeys, String key, Keep keep,
      Column... ranking) {
    Column rank = struct(ranking);
    return rows.join(repeatedKeys, col(key).equalTo(col(KEY)))
        .groupBy(col(KEY))
        .agg((keep == Keep.LOWEST ? min(rank) : max(rank)).as(CHOSEN));
  }

  /**
   * Keeps rows whose key is not in {@code chosen} (from {@link #chosenCopies}), and of those that
   * are, the chosen copy: one filter over one pass. The ranking must be unique per row (end it with
   * a line id). The chosen copies may come from another pass over the same input (a narrower one),
   * since the ranking columns are deterministic.
   */
  public static Dataset<Row> keepChosen(Dataset<Row> rows, Dataset<Row> chosen, String key, Column... ranking) {
    // The key is renamed on the chosen side: both sides may descend from the same rows, and a
    // self-join on same-named columns would resolve them to the same attribute.
    return rows.join(chosen, col(key).equalTo(col(KEY)), "left")
        .filter(col(CHOSEN).isNull().or(struct(ranking).equalTo(col(CHOSEN))))
        .drop(KEY, CHOSEN);
  }

  /**
   * Removes rows whose {@code key} an earlier delivery (a smaller {@code ingest_date}) already
   * brought; {@code observation} receives {@code seen} and {@code fresh} counts once the result
   * has been written. With {@code fewKeys} (the rows' keys fit in a broadcast) the table's keys are
   * only scanned, against the broadcast keys of the delivery, and the few repeated ones broadcast
   * back: the stored keys are never shuffled, so a delivery costs about the same however long the
   * table's history. Otherwise both sides are joined as they are.
   */
  public static Dataset<Row> excludeEarlierDeliveries(Dataset<Row> rows, Dataset<Row> table, String key,
      LocalDate day, boolean fewKeys, Observation observation) {
    Dataset<Row> earlier = table.filter(col("ingest_date").lt(lit(java.sql.Date.valueOf(day))))
        .select(col(key).as(SEEN + key));
    Dataset<Row> seen = fewKeys
        ? broadcast(earlier.join(broadcast(rows.select(col(key).as(SEEN + key))), SEEN + key, "left_semi")
            .distinct().withColumn(SEEN, lit(true)))
        : earlier.withColumn(SEEN, lit(true));
    return rows.join(seen, col(key).equalTo(col(SEEN + key)), "left")
        .observe(observation,
            count_if(col(SEEN).isNotNull()).as("seen"),
            count_if(col(SEEN).isNull()).as("fresh"))
        .filter(col(SEEN).isNull())
        .drop(SEEN, SEEN + key);
  }
}
