package io.tarmo.report;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.datediff;
import static org.apache.spark.sql.functions.floor;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.when;

import io.tarmo.erasure.ErasureRequests;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Erasure requests against their deadline (GDPR Art. 12(3): one month, {@code erasure_log.due_at} =
 * received_at + 30 days). A request's age is the days from its receipt to its completion, or, while
 * it is open, to the end of D (the window's last day); requests received after D are left out. Statuses are as recorded
 * when the report is written.
 */
final class ErasureAggregates {

  /** Days per age bucket: 0-4, 5-9, ..., 25-29, then 30+ (past the deadline). */
  static final int BUCKET_DAYS = 5;
  static final int DEADLINE_DAYS = (int) ErasureRequests.DEADLINE.toDays();

  private ErasureAggregates() {}

  /**
   * {@code status, age, past_due, requests}: requests per status, age bucket and whether past their
   * deadline. A request rejected for an unreadable received_at has the age {@code unknown}.
   */
  static Dataset<Row> requests(Dataset<Row> erasureLog, ReportWindow window) {
    Column end = lit(window.end());
    Column until = coalesce(col("completed_at"), end);
    Column age = datediff(until, col("received_at"));
    Column from = floor(age.divide(BUCKET_DAYS)).multiply(BUCKET_DAYS).cast("int");
    Column bucket = when(age.isNull(), lit("unknown"))
        .when(age.geq(DEADLINE_DAYS), lit(DEADLINE_DAYS + "+"))
        .otherwise(concat(from.cast("string"), lit("-"), from.plus(BUCKET_DAYS - 1).cast("string")));
    return erasureLog.where(col("received_at").isNull().or(col("received_at").lt(end)))
        .groupBy(col("status"), bucket.as("age"), coalesce(until.gt(col("due_at")), lit(false)).as("past_due"))
        .agg(count(lit(1)).as("requests"))
        .orderBy(col("status"), col("age"), col("past_due"));
  }
}
