package io.tarmo.cli;

import io.tarmo.TarmoException;
import io.tarmo.config.SettingsLoader;
import io.tarmo.config.TarmoSettings;
import io.tarmo.lake.DeltaStore;
import io.tarmo.lake.JobRuns;
import io.tarmo.lake.Lake;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDate;
import java.util.Map;
import org.apache.spark.SparkThrowable;
import org.apache.spark.sql.SparkSession;

/**
 * Runs one command the same way every time: settings validated first, the lake checked, one
 * SparkSession, a {@code job_runs} row around the work, and every failure turned into its exit
 * code and a single readable line on stderr (a stack trace only with {@code --verbose}).
 */
final class CommandRunner {

  private final GlobalOptions global;
  private final PrintWriter err;

  CommandRunner(GlobalOptions global, PrintWriter err) {
    this.global = global;
    this.err = err;
  }

  /** Settings from {@code --config} (or conf/local.conf when present) with the global overrides. */
  TarmoSettings settings() {
    TarmoSettings settings = SettingsLoader.load(configFile());
    if (global.lake != null) {
      settings = settings.withLakeRoot(global.lake);
    }
    if (global.master != null) {
      settings = settings.withMaster(global.master);
    }
    return settings;
  }

  private Path configFile() {
    if (global.config != null) {
      return global.config;
    }
    String home = System.getenv("TARMO_HOME");
    Path local = home == null ? Path.of("conf", "local.conf") : Path.of(home, "conf", "local.conf");
    return Files.isRegularFile(local) ? local : null;
  }

  /**
   * Runs {@code body} as the command {@code command} for {@code businessDate}, recording it in
   * {@code job_runs}. With {@code createLake}, a missing lake root is created instead of refused.
   */
  int run(String command, LocalDate businessDate, boolean createLake, CommandJob body) {
    SparkSession spark = null;
    try {
      TarmoSettings settings = settings();
      Lake lake = Lake.at(settings.lakeRoot());
      spark = Sessions.create(settings.spark(), lake);
      if (!global.verbose) {
        spark.sparkContext().setLogLevel("ERROR");
      }
      lake.checkUsable(spark.sparkContext().hadoopConfiguration(), createLake);
      DeltaStore store = new DeltaStore(spark, lake);
      body.check(new JobContext(settings, lake, spark, store, null));
      JobRuns runs = new JobRuns(store, Clock.systemUTC());
      JobRuns.Run run = runs.start(command, businessDate);
      JobContext context = new JobContext(settings, lake, spark, store, run);
      spark.sparkContext().setJobGroup(run.runId(), "tarmo " + command, false);
      Outcome outcome;
      try {
        outcome = body.run(context);
      } catch (RuntimeException e) {
        runs.finish(run, JobRuns.Status.FAILED, Map.of(), safeMessage(command, e));
        throw e;
      }
      if (outcome.qualityFailure() != null) {
        runs.finish(run, JobRuns.Status.QUALITY_FAILED, outcome.counts(), outcome.qualityFailure());
        throw TarmoException.qualityGate(outcome.qualityFailure());
      }
      runs.finish(run, JobRuns.Status.SUCCEEDED, outcome.counts(), null);
      return 0;
    } catch (RuntimeException e) {
      return fail(command, e);
    } finally {
      if (spark != null) {
        spark.stop();
      }
    }
  }

  /**
   * Runs a read-only command: no {@code job_runs} row (a query must not write to the lake, and
   * its text may hold personal data), and a lake that only needs to exist.
   */
  int runReadOnly(String command, java.util.function.Consumer<JobContext> body) {
    SparkSession spark = null;
    try {
      TarmoSettings settings = settings();
      Lake lake = Lake.at(settings.lakeRoot());
      spark = Sessions.create(settings.spark(), lake);
      if (!global.verbose) {
        spark.sparkContext().setLogLevel("ERROR");
      }
      lake.checkExists(spark.sparkContext().hadoopConfiguration());
      body.accept(new JobContext(settings, lake, spark, new DeltaStore(spark, lake), null));
      return 0;
    } catch (RuntimeException e) {
      return fail(command, e);
    } finally {
      if (spark != null) {
        spark.stop();
      }
    }
  }

  int fail(String command, RuntimeException e) {
    err.println("tarmo " + command + ": " + safeMessage(command, e));
    if (global.verbose) {
      e.printStackTrace(err);
    }
    err.flush();
    return e instanceof TarmoException tarmo ? tarmo.failure().exitCode() : 1;
  }

  /**
   * A failure's one line. Tarmo's own messages are written without personal data; messages from
   * Spark or elsewhere may quote data values, so only their error class is shown.
   */
  static String safeMessage(String command, RuntimeException e) {
    if (e instanceof TarmoException) {
      return e.getMessage();
    }
    Throwable cause = e;
    while (cause != null) {
      if (cause instanceof SparkThrowable spark && spark.getCondition() != null) {
        return "Cannot complete " + command + ": Spark failed with " + spark.getCondition()
            + " (re-run with --verbose for details)";
      }
      cause = cause.getCause();
    }
    return "Cannot complete " + command + ": " + e.getClass().getSimpleName()
        + " (re-run with --verbose for details)";
  }
}
