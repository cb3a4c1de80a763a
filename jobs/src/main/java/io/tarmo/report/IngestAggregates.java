package io.tarmo.report;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;

import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Volumes and quality of ingestion: each landing line's fate per source and day, from the counts
 * {@code ingest} recorded in {@code job_runs} (Delta's own operation metrics), and the reasons lines
 * were quarantined, from {@code quarantine}.
 */
final class IngestAggregates {

  /** The landing sources, in the order ingest reads them. */
  static final List<String> SOURCES = List.of("events", "crm", "consent");
  /** The fates a line can have, as {@code job_runs.counts} names them ({@code <source>.<fate>}). */
  static final List<String> FATES = List.of("read", "stored", "duplicates", "dropped", "quarantined", "suppressed");

  private IngestAggregates() {}

  /**
   * One row per day and source: {@code day, source} and a column per fate, from the latest ingest
   * of the day that wrote its rows (succeeded, or stopped by the quality gate after writing).
   */
  static Dataset<Row> volumes(Dataset<Row> jobRuns, ReportWindow window) {
    Dataset<Row> ingests = RunAggregates.latestRuns(
        jobRuns.where(col("command").equalTo("ingest").and(col("status").isin("SUCCEEDED", "QUALITY_FAILED"))),
        window);
    Dataset<Row> volumes = null;
    for (String source : SOURCES) {
      Column[] columns = new Column[FATES.size() + 2];
      columns[0] = col("business_date").as("day");
      columns[1] = lit(source).as("source");
      for (int i = 0; i < FATES.size(); i++) {
        String fate = FATES.get(i);
        columns[i + 2] = coalesce(col("counts").getItem(source + "." + fate), lit(0L)).as(fate);
      }
      Dataset<Row> perSource = ingests.select(columns);
      volumes = volumes == null ? perSource : volumes.unionByName(perSource);
    }
    return volumes.orderBy(col("day"), col("source"));
  }

  /**
   * Quarantined rows per delivery day, source and reason: {@code day, source, reason, rows}. A
   * reason is the fixed text of the check that failed, never a value of the line.
   */
  static Dataset<Row> quarantineReasons(Dataset<Row> quarantine, ReportWindow window) {
    return quarantine.where(window.holds(col("ingest_date")))
        .groupBy(col("ingest_date").as("day"), col("source"), col("reason"))
        .agg(count(lit(1)).as("rows"))
        .orderBy(col("day"), col("source"), col("rows").desc(), col("reason"));
  }
}
