package io.tarmo.lake;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.map_from_arrays;

import java.sql.Date;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
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

  /** The business days on which {@code command} SUCCEEDED (alone or as a step of a night); none without the table. */
  public static Set<LocalDate> succeededDays(DeltaStore store, String command) {
    if (!store.exists(Tables.JOB_RUNS)) {
      return Set.of();
    }
    return succeededRunDates(store, command).where(col("business_date").isNotNull()).distinct()
        .collectAsList().stream()
        .map(row -> row.getDate(0).toLocalDate())
        .collect(Collectors.toSet());
  }

  /** {@code business_date} of every SUCCEEDED run of {@code command}, to query further; job_runs must exist. */
  public static Dataset<Row> succeededRunDates(DeltaStore store, String command) {
    return store.read(Tables.JOB_RUNS)
        .where(col("command").equalTo(command).and(col("status").equalTo(Status.SUCCEEDED.name())))
        .select(col("business_date"));
  }

  /**
   * A run that writes no row until it ends ({@link #complete}): for the steps of a run that has a
   * row of its own (a nightly run), whose RUNNING row already marks the run in progress, so that
   * a step costs one commit instead of two.
   */
  public Run begin(String command, LocalDate businessDate) {
    return new Run(UUID.randomUUID().toString(), command, businessDate, clock.instant());
  }

  /** Records a run {@link #begin begun} without a row: its one row, finished, in one append. */
  public void complete(Run run, Status status, Map<String, Long> counts, Map<String, Long> versions, String message) {
    store.append(Tables.JOB_RUNS, rows(run, status, clock.instant(), counts, versions, message),
        "tarmo job_runs finish " + run.runId());
  }

  public Run start(String command, LocalDate businessDate) {
    Run run = begin(command, businessDate);
    store.append(Tables.JOB_RUNS, rows(run, Status.RUNNING, null, Map.of(), Map.of(), null),
        "tarmo job_runs start " + run.runId());
    return run;
  }

  /**
   * Completes the run's row with Delta's update by {@code run_id}: file statistics on
   * {@code run_id} point it to the one file holding that row, and the predicate recorded in the
   * Delta log names the run id only. A row that has gone missing is appended instead.
   */
  public void finish(Run run, Status status, Map<String, Long> counts, String message) {
    finish(run, status, counts, Map.of(), message);
  }

  /** Completes the run's row as {@link #finish(Run, Status, Map, String)} does, with the Delta versions it wrote. */
  public void finish(Run run, Status status, Map<String, Long> counts, Map<String, Long> versions, String message) {
    Instant finishedAt = clock.instant();
    String note = "tarmo job_runs finish " + run.runId();
    Map<String, Column> set = new LinkedHashMap<>();
    set.put("finished_at", lit(Timestamp.from(finishedAt)));
    set.put("status", lit(status.name()));
    set.put("duration_ms", lit(finishedAt.toEpochMilli() - run.startedAt().toEpochMilli()));
    set.put("counts", mapLiteral(counts));
    set.put("message", lit(message).cast(DataTypes.StringType));
    set.put("delta_versions", mapLiteral(versions));
    if (store.update(Tables.JOB_RUNS, col("run_id").equalTo(lit(run.runId())), set, note) == 0L) {
      store.append(Tables.JOB_RUNS, rows(run, status, finishedAt, counts, versions, message), note);
    }
  }

  private static Column mapLiteral(Map<String, Long> counts) {
    List<String> names = counts.keySet().stream().sorted().toList();
    Column keys = array(names.stream().map(functions::lit).toArray(Column[]::new)).cast("array<string>");
    Column values = array(names.stream().map(name -> lit(counts.get(name))).toArray(Column[]::new))
        .cast("array<bigint>");
    return map_from_arrays(keys, values);
  }

  private Dataset<Row> rows(Run run, Status status, Instant finishedAt, Map<String, Long> counts,
      Map<String, Long> versions, String message) {
    Row row = RowFactory.create(
        run.runId(),
        run.command(),
        run.businessDate() == null ? null : Date.valueOf(run.businessDate()),
        Timestamp.from(run.startedAt()),
        finishedAt == null ? null : Timestamp.from(finishedAt),
        status.name(),
        finishedAt == null ? null : finishedAt.toEpochMilli() - run.startedAt().toEpochMilli(),
        CollectionConverters.asScala(counts),
        message,
        CollectionConverters.asScala(versions));
    return store.spark().createDataFrame(List.of(row), Tables.JOB_RUNS.schema());
  }
}
