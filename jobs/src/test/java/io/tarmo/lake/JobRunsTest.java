package io.tarmo.lake;

import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;

import io.tarmo.testing.SparkTest;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@SparkTest
class JobRunsTest {

  private static final LocalDate DAY = LocalDate.of(2026, 11, 28);

  private final SparkSession spark;
  @TempDir Path root;

  JobRunsTest(SparkSession spark) {
    this.spark = spark;
  }

  @Test
  void aFinishedRunCompletesItsOwnRowOnly() {
    DeltaStore store = new DeltaStore(spark, Lake.at(root.toString()));
    JobRuns runs = new JobRuns(store, Clock.fixed(Instant.parse("2026-11-29T02:00:00Z"), ZoneOffset.UTC));
    JobRuns.Run first = runs.start("ingest", DAY);
    JobRuns.Run second = runs.start("identity", DAY);

    runs.finish(first, JobRuns.Status.SUCCEEDED, Map.of("events.read", 10L, "events.stored", 9L), null);

    List<Row> rows = store.read(Tables.JOB_RUNS).orderBy(col("command")).collectAsList();
    assertThat(rows).hasSize(2);
    Row identity = rows.get(0);
    Row ingest = rows.get(1);
    assertThat(ingest.<String>getAs("status")).isEqualTo("SUCCEEDED");
    assertThat(ingest.<Long>getAs("duration_ms")).isZero();
    assertThat(ingest.getJavaMap(ingest.fieldIndex("counts")))
        .containsExactlyInAnyOrderEntriesOf(Map.of("events.read", 10L, "events.stored", 9L));
    assertThat(identity.<String>getAs("status")).as("another run stays as it was").isEqualTo("RUNNING");
    assertThat(identity.<Object>getAs("finished_at")).isNull();

    runs.finish(second, JobRuns.Status.FAILED, Map.of(), "Cannot complete identity: Spark failed");
    Row failed = store.read(Tables.JOB_RUNS).filter(col("run_id").equalTo(second.runId())).first();
    assertThat(failed.<String>getAs("status")).isEqualTo("FAILED");
    assertThat(failed.<String>getAs("message")).isEqualTo("Cannot complete identity: Spark failed");
    assertThat(failed.getJavaMap(failed.fieldIndex("counts"))).isEmpty();
  }

  @Test
  void aRunWhoseRowIsGoneIsRecordedWhenItFinishes() {
    DeltaStore store = new DeltaStore(spark, Lake.at(root.toString()));
    JobRuns runs = new JobRuns(store, Clock.systemUTC());
    runs.start("ingest", DAY);
    JobRuns.Run lost = new JobRuns.Run("not-started", "profiles", DAY, Instant.now());

    runs.finish(lost, JobRuns.Status.SUCCEEDED, Map.of("customers", 3L), null);

    List<Row> rows = store.read(Tables.JOB_RUNS).filter(col("run_id").equalTo("not-started")).collectAsList();
    assertThat(rows).hasSize(1);
    assertThat(rows.get(0).<String>getAs("status")).isEqualTo("SUCCEEDED");
    assertThat(store.read(Tables.JOB_RUNS).count()).isEqualTo(2);
  }

  @Test
  void aFinishIsOneDeltaUpdateThatNamesOnlyTheRun() {
    DeltaStore store = new DeltaStore(spark, Lake.at(root.toString()));
    JobRuns runs = new JobRuns(store, Clock.systemUTC());
    JobRuns.Run run = runs.start("segments", DAY);
    long started = store.version(Tables.JOB_RUNS);

    runs.finish(run, JobRuns.Status.SUCCEEDED, Map.of("members", 5L), null);

    assertThat(store.version(Tables.JOB_RUNS)).as("one commit").isEqualTo(started + 1);
    Row commit = io.delta.tables.DeltaTable.forPath(spark, store.lake().tablePath(Tables.JOB_RUNS)).history(1)
        .select(col("operation"), col("operationParameters").getItem("predicate"), col("userMetadata")).first();
    assertThat(commit.getString(0)).isEqualTo("UPDATE");
    assertThat(commit.getString(1)).contains(run.runId());
    assertThat(commit.getString(2)).startsWith("tarmo job_runs finish " + run.runId() + " write=");
    List<Row> rows = store.read(Tables.JOB_RUNS).collectAsList();
    assertThat(rows).hasSize(1);
    assertThat(rows.get(0).<String>getAs("status")).isEqualTo("SUCCEEDED");
    assertThat(rows.get(0).getJavaMap(rows.get(0).fieldIndex("counts"))).containsEntry("members", 5L);
  }

  @Test
  void aRunningRowRewrittenByACompactionIsStillCompletedOnce() {
    DeltaStore store = new DeltaStore(spark, Lake.at(root.toString()));
    JobRuns runs = new JobRuns(store, Clock.systemUTC());
    JobRuns.Run first = runs.start("ingest", DAY);
    JobRuns.Run second = runs.start("identity", DAY);
    io.delta.tables.DeltaTable.forPath(spark, store.lake().tablePath(Tables.JOB_RUNS)).optimize().executeCompaction();

    runs.finish(first, JobRuns.Status.SUCCEEDED, Map.of(), null);
    runs.finish(second, JobRuns.Status.FAILED, Map.of(), "Cannot complete identity: Spark failed");

    List<Row> rows = store.read(Tables.JOB_RUNS).orderBy(col("command")).collectAsList();
    assertThat(rows).extracting(row -> row.<String>getAs("command") + " " + row.<String>getAs("status"))
        .containsExactly("identity FAILED", "ingest SUCCEEDED");
  }

  @Test
  void aNightOfRunsWritesNoCheckpoint() throws Exception {
    DeltaStore store = new DeltaStore(spark, Lake.at(root.toString()));
    JobRuns runs = new JobRuns(store, Clock.systemUTC());
    for (int i = 0; i < 6; i++) {
      runs.finish(runs.start("step" + i, DAY), JobRuns.Status.SUCCEEDED, Map.of("n", (long) i), null);
    }

    assertThat(store.version(Tables.JOB_RUNS)).as("table creation and two commits per run").isEqualTo(12);
    try (var log = java.nio.file.Files.list(root.resolve("tables/job_runs/_delta_log"))) {
      assertThat(log.map(path -> path.getFileName().toString())).noneMatch(name -> name.contains("checkpoint"));
    }
    assertThat(store.read(Tables.JOB_RUNS).where(col("status").equalTo("SUCCEEDED")).count()).isEqualTo(6);
  }

  @Test
  void aJobRunsTableCreatedWithoutTheIntervalGetsIt() {
    String path = Lake.at(root.toString()).tablePath(Tables.JOB_RUNS);
    io.delta.tables.DeltaTable.createIfNotExists(spark).location(path).addColumns(Tables.JOB_RUNS.schema()).execute();
    DeltaStore store = new DeltaStore(spark, Lake.at(root.toString()));

    new JobRuns(store, Clock.systemUTC()).start("ingest", DAY);

    Map<String, String> properties = io.delta.tables.DeltaTable.forPath(spark, path).detail()
        .select(col("properties")).first().getJavaMap(0);
    assertThat(properties).containsEntry("delta.checkpointInterval", "100")
        .containsEntry(TableSpec.STATS_COLUMNS_PROPERTY, String.join(",", Tables.JOB_RUNS.statsColumns()));
    assertThat(store.read(Tables.JOB_RUNS).count()).isEqualTo(1);
  }

  @Test
  void aJobRunsTableOfAnEarlierVersionGetsTheNewColumnAndKeepsItsRows() {
    String path = Lake.at(root.toString()).tablePath(Tables.JOB_RUNS);
    org.apache.spark.sql.types.StructType earlier = new org.apache.spark.sql.types.StructType(
        java.util.Arrays.stream(Tables.JOB_RUNS.schema().fields())
            .filter(field -> !field.name().equals("delta_versions")).toArray(org.apache.spark.sql.types.StructField[]::new));
    io.delta.tables.DeltaTable.createIfNotExists(spark).location(path).addColumns(earlier).execute();
    spark.createDataFrame(List.of(org.apache.spark.sql.RowFactory.create("old-run", "ingest", null, null, null,
        "SUCCEEDED", 5L, null, null)), earlier).write().format("delta").mode("append").save(path);
    DeltaStore store = new DeltaStore(spark, Lake.at(root.toString()));
    JobRuns runs = new JobRuns(store, Clock.systemUTC());

    runs.finish(runs.start("segments", DAY), JobRuns.Status.SUCCEEDED, Map.of("n", 1L),
        Map.of("segment_membership", 4L, "segment_sizes", 2L), null);

    assertThat(store.read(Tables.JOB_RUNS).schema()).isEqualTo(Tables.JOB_RUNS.schema());
    List<Row> rows = store.read(Tables.JOB_RUNS).orderBy("command").collectAsList();
    assertThat(rows).extracting(row -> row.<String>getAs("run_id").equals("old-run") ? "old-run" : row.getAs("command"))
        .containsExactly("old-run", "segments");
    assertThat(rows.get(0).isNullAt(rows.get(0).fieldIndex("delta_versions"))).isTrue();
    assertThat(rows.get(1).getJavaMap(rows.get(1).fieldIndex("delta_versions")))
        .isEqualTo(Map.of("segment_membership", 4L, "segment_sizes", 2L));
  }
}
