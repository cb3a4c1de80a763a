package io.tarmo.lake;

import io.delta.tables.DeltaTable;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import scala.jdk.javaapi.CollectionConverters;

/**
 * The {@code job_runs} table: a RUNNING row when a command starts, completed with its status,
 * counts and duration when it ends. A run that crashed stays RUNNING, which is how the report
 * tells a crash from a failure.
 */
public final class JobRuns {

  /** Final states of a run. */
  public enum Status {
    RUNNING,
    SUCCEEDED,
    FAILED,
    QUALITY_FAILED
  }

  /** A started run. */
  public record Run(String runId, String command, LocalDate businessDate, Instant startedAt) {}

  private final DeltaStore store;
  private final Clock clock;

  public JobRuns(DeltaStore store, Clock clock) {
    this.store = store;
    this.clock = clock;
  }

  public Run start(String command, LocalDate businessDate) {
    Run run = new Run(UUID.randomUUID().toString(), command, businessDate, clock.instant());
    store.append(Tables.JOB_RUNS, rows(run, Status.RUNNING, null, Map.of(), null),
        "tarmo job_runs start " + run.runId());
    return run;
  }

  public void finish(Run run, Status status, Map<String, Long> counts, String message) {
    Dataset<Row> update = DeltaStore.conform(rows(run, status, clock.instant(), counts, message), Tables.JOB_RUNS);
    DeltaTable table = store.table(Tables.JOB_RUNS);
    table.as("t")
        .merge(update.as("s"), "t.run_id = s.run_id")
        .whenMatched().updateAll()
        .whenNotMatched().insertAll()
        .execute();
  }

  private Dataset<Row> rows(Run run, Status status, Instant finishedAt, Map<String, Long> counts, String message) {
    Row row = RowFactory.create(
        run.runId(),
        run.command(),
        run.businessDate() == null ? null : Date.valueOf(run.businessDate()),
        Timestamp.from(run.startedAt()),
        finishedAt == null ? null : Timestamp.from(finishedAt),
        status.name(),
        finishedAt == null ? null : finishedAt.toEpochMilli() - run.startedAt().toEpochMilli(),
        CollectionConverters.asScala(counts),
        message);
    return store.spark().createDataFrame(List.of(row), Tables.JOB_RUNS.schema());
  }
}
