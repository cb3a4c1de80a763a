package io.tarmo.identity;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.row_number;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;

/**
 * Persistent customer keys for freshly resolved components. A key is a number from a sequence
 * (never derived from personal data): keys are allocated in increasing order, so the lowest key
 * is the oldest.
 *
 * <p>Each previous key goes to the one new component that holds its anchor: its
 * highest-priority identifier (its customer_id when it has one), then its earliest seen, then
 * the most of its identifiers. A component that receives several keys keeps the oldest; the
 * others stop existing and are returned as merges. A component that receives none gets a new key.
 * So a component that grows keeps its key, merged components keep the oldest, and of a split
 * component the piece with the anchor keeps the key.
 */
public final class CustomerKeys {

  public static final String PREVIOUS_KEY = "previous_key";
  public static final String CUSTOMER_KEY = "customer_key";
  public static final String OLD_KEY = "old_key";
  public static final String NEW_KEY = "new_key";

  /** {@code keys}: component → customer_key; {@code merges}: old_key → new_key. */
  public record Keys(Dataset<Row> keys, Dataset<Row> merges) {}

  private CustomerKeys() {}

  /**
   * Keys for the components of {@code assignments} (needs {@code node, component, rank,
   * first_seen, previous_key}); new keys are numbered from {@code nextKey} in component order.
   */
  public static Keys assign(Dataset<Row> assignments, long nextKey) {
    Dataset<Row> choices = assignments.where(col(PREVIOUS_KEY).isNotNull())
        .groupBy(col(PREVIOUS_KEY), col(IdentityGraph.COMPONENT))
        .agg(min(col(IdentityGraph.RANK)).as("best_rank"), min(col(IdentityGraph.FIRST_SEEN)).as("earliest"),
            count(lit(1)).as("n"))
        .withColumn("r", row_number().over(Window.partitionBy(col(PREVIOUS_KEY))
            .orderBy(col("best_rank").asc(), col("earliest").asc(), col("n").desc(),
                col(IdentityGraph.COMPONENT).asc())))
        .where(col("r").equalTo(1))
        .select(col(PREVIOUS_KEY), col(IdentityGraph.COMPONENT));
    Dataset<Row> kept = choices.groupBy(col(IdentityGraph.COMPONENT)).agg(min(col(PREVIOUS_KEY)).as(CUSTOMER_KEY));
    Dataset<Row> merges = choices.join(kept, IdentityGraph.COMPONENT)
        .where(col(PREVIOUS_KEY).notEqual(col(CUSTOMER_KEY)))
        .select(col(PREVIOUS_KEY).as(OLD_KEY), col(CUSTOMER_KEY).as(NEW_KEY));
    Dataset<Row> fresh = assignments.select(col(IdentityGraph.COMPONENT)).distinct()
        .join(kept, IdentityGraph.COMPONENT, "left_anti")
        .withColumn(CUSTOMER_KEY, row_number().over(Window.orderBy(col(IdentityGraph.COMPONENT)))
            .cast("long").plus(nextKey - 1));
    return new Keys(kept.unionByName(fresh), merges);
  }
}
