package io.tarmo.cli;

import static io.tarmo.testing.InProcessTarmo.tarmo;
import static org.assertj.core.api.Assertions.assertThat;

import io.tarmo.testing.InProcessTarmo.Run;
import io.tarmo.lake.DeltaStore;
import io.tarmo.lake.JobRuns;
import io.tarmo.lake.Lake;
import io.tarmo.lake.Tables;
import io.tarmo.testing.SparkTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a scheduler relies on: {@code --in-order} refuses a day whose day before was not processed
 * (exit 2, nothing written), and {@code erase --check-deadlines} exits 1 while an erasure request is
 * open close to its legal deadline.
 */
@SparkTest
class SchedulerGuardsTest {

  private final SparkSession spark;
  @TempDir Path root;
  private String lake;
  private DeltaStore store;

  SchedulerGuardsTest(SparkSession spark) {
    this.spark = spark;
  }

  @BeforeEach
  void lake() throws Exception {
    lake = Files.createDirectories(root.resolve("lake")).toString();
    store = new DeltaStore(spark, Lake.at(lake));
  }

  private void identitySucceeded(String... days) {
    JobRuns runs = new JobRuns(store, Clock.systemUTC());
    for (String day : days) {
      runs.finish(runs.start("identity", LocalDate.parse(day)), JobRuns.Status.SUCCEEDED, Map.of(), null);
    }
  }

  private long jobRuns(String command) {
    return store.read(Tables.JOB_RUNS).where("command = '" + command + "'").count();
  }

  @Test
  void aDayAfterAGapIsRefusedBeforeAnythingIsWritten() throws Exception {
    identitySucceeded("2026-11-25", "2026-11-26");
    Path conf = root.resolve("tarmo.conf");
    Files.writeString(conf, "tarmo.segments.file = \""
        + Path.of("..", "conf", "segments.conf").toAbsolutePath().normalize() + "\"\n");

    for (String command : List.of("ingest", "nightly")) {
      Run refused = tarmo(command, "--in-order", "--lake", lake, "--config", conf.toString(), "--date", "2026-11-28");
      assertThat(refused.exitCode()).as(refused.err()).isEqualTo(2);
      assertThat(refused.err().strip()).isEqualTo("tarmo " + command + ": " + command + " 2026-11-28 refused"
          + " (--in-order): the day before, 2026-11-27, was not processed (the last day processed before it is"
          + " 2026-11-26); process the days in between first, in date order");
    }
    assertThat(jobRuns("ingest") + jobRuns("nightly")).isZero();
  }

  @Test
  void theNextDayARerunAndAFirstDayAreInOrder() throws Exception {
    identitySucceeded("2026-11-25", "2026-11-26");
    // Each passes the order check and stops only at the missing landing files.
    for (String day : List.of("2026-11-27", "2026-11-26", "2026-11-20")) {
      Run run = tarmo("ingest", "--in-order", "--lake", lake, "--date", day);
      assertThat(run.err()).as(day).doesNotContain("refused").contains("no landing folder");
    }
    Path empty = Files.createDirectories(root.resolve("empty"));
    Run first = tarmo("ingest", "--in-order", "--lake", empty.toString(), "--date", "2026-11-28");
    assertThat(first.err()).doesNotContain("refused").contains("no landing folder");
  }

  private static Row request(String id, String status, Instant due) {
    Object[] fields = new Object[Tables.ERASURE_LOG.schema().size()];
    fields[Tables.ERASURE_LOG.schema().fieldIndex("request_id")] = id;
    fields[Tables.ERASURE_LOG.schema().fieldIndex("status")] = status;
    fields[Tables.ERASURE_LOG.schema().fieldIndex("due_at")] = Timestamp.from(due);
    return RowFactory.create(fields);
  }

  @Test
  void openRequestsNearTheirDeadlineFailTheCheck() {
    Instant now = Instant.now();
    Instant inThreeDays = now.plus(Duration.ofDays(3));
    store.append(Tables.ERASURE_LOG, spark.createDataFrame(List.of(
        request("done", "COMPLETED", now.minus(Duration.ofDays(1))),
        request("invalid", "REJECTED", now.minus(Duration.ofDays(1))),
        request("soon", "IN_PROGRESS", inThreeDays),
        request("late", "FAILED", now.minus(Duration.ofDays(2))),
        request("later", "IN_PROGRESS", now.plus(Duration.ofDays(20)))), Tables.ERASURE_LOG.schema()), "test");

    Run week = tarmo("erase", "--lake", lake, "--check-deadlines", "7");
    assertThat(week.exitCode()).isEqualTo(1);
    assertThat(week.err().strip()).isEqualTo("tarmo erase: erase --check-deadlines: 2 erasure request(s) not COMPLETED"
        + " are due within 7 day(s) (1 past due, earliest due " + LocalDate.ofInstant(now.minus(Duration.ofDays(2)),
        ZoneOffset.UTC) + "): see erasure_log");

    Run month = tarmo("erase", "--lake", lake, "--check-deadlines", "30");
    assertThat(month.err()).contains("3 erasure request(s) not COMPLETED are due within 30 day(s)");
    assertThat(tarmo("erase", "--lake", lake, "--check-deadlines", "-1").exitCode()).isEqualTo(2);
  }

  @Test
  void noOpenRequestNearItsDeadlinePassesTheCheck() {
    Run none = tarmo("erase", "--lake", lake, "--check-deadlines", "7");
    assertThat(none.exitCode()).as(none.err()).isZero();
    assertThat(none.out().strip()).isEqualTo("erasure deadlines: 0 request(s) open, none due within 7 day(s)");
  }
}
