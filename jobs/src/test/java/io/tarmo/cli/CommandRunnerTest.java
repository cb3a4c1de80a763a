package io.tarmo.cli;

import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tarmo.TarmoException;
import io.tarmo.lake.Tables;
import io.tarmo.testing.SparkTest;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@SparkTest
class CommandRunnerTest {

  private static final LocalDate DAY = LocalDate.of(2026, 11, 28);

  private final SparkSession spark;
  @TempDir Path root;

  CommandRunnerTest(SparkSession spark) {
    this.spark = spark;
  }

  private CommandRunner runner() {
    GlobalOptions global = new GlobalOptions();
    global.lake = root.resolve("lake").toString();
    return new CommandRunner(global, new PrintWriter(new StringWriter()));
  }

  private static void await(CountDownLatch latch) {
    try {
      assertThat(latch.await(60, TimeUnit.SECONDS)).as("the other step got there").isTrue();
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Waits for the step beside to get to {@code latch}, or throws its failure if it ended first. */
  private static void awaitBeside(CountDownLatch latch, Future<String> beside) {
    try {
      for (int i = 0; i < 600 && !latch.await(100, TimeUnit.MILLISECONDS); i++) {
        if (beside.isDone()) {
          CommandRunner.Session.await(beside);
        }
      }
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
    assertThat(latch.getCount()).as("the step beside got there").isZero();
  }

  @Test
  void aStepBesideRunsDuringAnotherWithItsOwnConfigurationAndHandsOverWhatItPrinted() {
    CountDownLatch besideRunning = new CountDownLatch(1);
    CountDownLatch stepChecked = new CountDownLatch(1);
    try (CommandRunner.Session session = runner().open(true, true)) {
      Future<String> beside = session.stepBeside("ingest", DAY, out -> context -> {
        context.spark().conf().set("spark.databricks.delta.commitInfo.userMetadata", "beside");
        besideRunning.countDown();
        await(stepChecked);
        out.println("ingest printed this");
        return Outcome.of(Map.of("events.read", 3L));
      });
      session.step("segments", DAY, context -> {
        awaitBeside(besideRunning, beside);
        assertThat(context.spark().conf().getOption("spark.databricks.delta.commitInfo.userMetadata").isEmpty())
            .as("a note set beside is not this step's").isTrue();
        stepChecked.countDown();
        return Outcome.of(Map.of("segment.members", 1L));
      });

      assertThat(CommandRunner.Session.await(beside)).isEqualTo("ingest printed this" + System.lineSeparator());
      List<Row> runs = session.readOnlyContext().store().read(Tables.JOB_RUNS).orderBy(col("command")).collectAsList();
      assertThat(runs).extracting(row -> row.getAs("command") + " " + row.getAs("status"))
          .containsExactly("ingest SUCCEEDED", "segments SUCCEEDED");
      assertThat(runs.get(0).getJavaMap(runs.get(0).fieldIndex("counts"))).containsEntry("events.read", 3L);
    }
    assertThat(spark.conf().getOption("spark.databricks.delta.commitInfo.userMetadata").isEmpty()).isTrue();
  }

  @Test
  void aFailedStepBesideIsRecordedAndItsFailureComesBackFromAwait() {
    try (CommandRunner.Session session = runner().open(true, true)) {
      Future<String> beside = session.stepBeside("ingest", DAY, out -> context -> {
        out.println("half a report");
        throw TarmoException.job("Cannot ingest 2026-11-28: the landing folder is unreadable");
      });

      assertThatThrownBy(() -> CommandRunner.Session.await(beside)).isInstanceOf(TarmoException.class)
          .hasMessage("Cannot ingest 2026-11-28: the landing folder is unreadable");
      Row run = session.readOnlyContext().store().read(Tables.JOB_RUNS).first();
      assertThat(run.<String>getAs("status")).isEqualTo("FAILED");
      assertThat(run.<String>getAs("message")).isEqualTo("Cannot ingest 2026-11-28: the landing folder is unreadable");
    }
  }
}
