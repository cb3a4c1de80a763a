package io.tarmo.report;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;

import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The identity graph over time: the statistics each identity run recorded ({@code identity_stats},
 * counts only), merges from {@code identity_merges} and rule decisions from
 * {@code identity_decisions}, counted per day. {@code identity_map} itself is not read: it is
 * personal and large, and the statistics already describe it per day.
 */
final class IdentityAggregates {

  /** The metrics of {@code identity_stats} the report shows. */
  static final List<String> METRICS =
      List.of("customers", "components", "largest_component", "component_size", "identifiers", "rejected");

  private IdentityAggregates() {}

  /** {@code day, metric, label, value} of the shown metrics, per day in the window. */
  static Dataset<Row> statistics(Dataset<Row> identityStats, ReportWindow window) {
    return identityStats.where(window.holds(col("business_date")).and(col("metric").isin(METRICS.toArray())))
        .select(col("business_date").as("day"), col("metric"), col("label"), col("value"))
        .orderBy(col("day"), col("metric"), col("label"));
  }

  /** {@code day, merges}: customer_keys that stopped existing, per business day of the merge. */
  static Dataset<Row> merges(Dataset<Row> identityMerges, ReportWindow window) {
    return identityMerges.where(window.holds(col("merged_date")))
        .groupBy(col("merged_date").as("day"))
        .agg(count(lit(1)).as("merges"))
        .orderBy(col("day"));
  }

  /** {@code day, rule, decisions}: identifiers the rules kept from joining two customers, or cut by a limit. */
  static Dataset<Row> decisions(Dataset<Row> identityDecisions, ReportWindow window) {
    return identityDecisions.where(window.holds(col("business_date")))
        .groupBy(col("business_date").as("day"), col("rule"))
        .agg(count(lit(1)).as("decisions"))
        .orderBy(col("day"), col("rule"));
  }
}
