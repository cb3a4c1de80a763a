package io.tarmo.report;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.row_number;

import java.time.LocalDate;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;

/**
 * What {@code job_runs} tells the report: the window's first day with a run, and the latest run of
 * each command per business day with its status and duration (a re-run replaces what the run
 * before it showed, as it replaced what that run wrote).
 */
final class RunAggregates {

  private RunAggregates() {}

  /**
   * The report's window: from the first business day with a run among the {@code days} days ending at
   * {@code day}, through {@code day}; just {@code day} when none of them has a run.
   */
  static ReportWindow window(Dataset<Row> jobRuns, LocalDate day, int days) {
    ReportWindow widest = new ReportWindow(day.minusDays(days - 1L), day);
    Row first = jobRuns.where(widest.holds(col("business_date"))).agg(min("business_date")).head();
    return new ReportWindow(first.isNullAt(0) ? day : first.getDate(0).toLocalDate(), day);
  }

  /** The latest run per business day and command in the window: every column of {@code job_runs}. */
  static Dataset<Row> latestRuns(Dataset<Row> jobRuns, ReportWindow window) {
    return jobRuns.where(window.holds(col("business_date")))
        .withColumn("_latest", row_number().over(
            Window.partitionBy("business_date", "command").orderBy(col("started_at").desc(), col("run_id"))))
        .where(col("_latest").equalTo(1))
        .drop("_latest");
  }

  /**
   * The steps of each day: {@code day, command, status, duration_ms} (null while RUNNING or after a
   * crash), ordered by day and start.
   */
  static Dataset<Row> steps(Dataset<Row> jobRuns, ReportWindow window) {
    return latestRuns(jobRuns, window)
        .orderBy(col("business_date"), col("started_at"))
        .select(col("business_date").as("day"), col("command"), col("status"), col("duration_ms"));
  }
}
