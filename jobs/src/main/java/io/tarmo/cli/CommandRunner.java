package io.tarmo.cli;

import io.tarmo.TarmoException;
import io.tarmo.config.SettingsLoader;
import io.tarmo.config.TarmoSettings;
import io.tarmo.lake.DeltaStore;
import io.tarmo.lake.JobRuns;
import io.tarmo.lake.Lake;
import io.tarmo.lake.ScratchSpace;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDate;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.spark.SparkThrowable;
import org.apache.spark.sql.SparkSession;

/**
 * Runs commands the same way every time: settings validated first, the lake checked, one
 * SparkSession, a {@code job_runs} row around each step, and every failure turned into its exit
 * code and a single readable line on stderr (a stack trace only with {@code --verbose}).
 */
final class CommandRunner {

  /** What {@code SparkContext.setJobGroup} sets. */
  private static final List<String> JOB_GROUP_PROPERTIES =
      List.of("spark.jobGroup.id", "spark.job.description", "spark.job.interruptOnCancel");

  private final GlobalOptions global;
  private final PrintWriter err;

  CommandRunner(GlobalOptions global, PrintWriter err) {
    this.global = global;
    this.err = err;
  }

  /** An open session on a checked lake, in which steps run and are recorded. */
  final class Session implements AutoCloseable {
    private final TarmoSettings settings;
    private final Lake lake;
    private final SparkSession spark;
    private final DeltaStore store;
    /** Spark's scratch folder of a session this runner started; null for a borrowed session. */
    private final ScratchSpace scratch;
    /** How many steps are running, one inside the other. */
    private int depth;

    private Session(TarmoSettings settings, Lake lake, SparkSession spark, ScratchSpace scratch) {
      this.settings = settings;
      this.lake = lake;
      this.spark = spark;
      this.store = new DeltaStore(spark, lake);
      this.scratch = scratch;
    }

    /**
     * Runs one step as command {@code command} for {@code businessDate}: its checks first (exit 2
     * before anything is written), then the work inside a {@code job_runs} row.
     *
     * @throws TarmoException when the step fails or its quality gate does (after recording it)
     */
    void step(String command, LocalDate businessDate, CommandJob job) {
      JobContext before = new JobContext(settings, lake, spark, store, null, global.environment);
      job.validate(before);
      JobRuns runs = new JobRuns(store, Clock.systemUTC());
      // A step inside another (the steps of a nightly run) writes its row once, when it ends: the
      // outer run's RUNNING row already shows that work is under way (and, after a crash, the
      // first step without a row is the one that was running). It reports its own versions; the
      // outer run gets them added to its own when the step ends.
      boolean inner = depth > 0;
      if (!inner) {
        job.check(before);
      }
      JobRuns.Run run = inner ? runs.begin(command, businessDate) : runs.start(command, businessDate);
      if (inner) {
        // Inside a night, whose row is already written, a step refused by its checks gets its own
        // FAILED row too: job_runs shows which step stopped the night and why.
        try {
          job.check(before);
        } catch (RuntimeException e) {
          runs.complete(run, JobRuns.Status.FAILED, Map.of(), Map.of(), safeMessage(command, e));
          throw e;
        }
      }
      Map<String, Long> outerVersions = store.committedVersions();
      store.clearCommitted();
      depth++;
      try {
        record(inner ? runs::complete : runs::finish, run, job);
      } finally {
        depth--;
        store.addCommitted(outerVersions);
      }
    }

    /** How a run's row is completed: {@link JobRuns#finish} or {@link JobRuns#complete}. */
    private interface Ending {
      void end(JobRuns.Run run, JobRuns.Status status, Map<String, Long> counts, Map<String, Long> versions,
          String message);
    }

    private void record(Ending runs, JobRuns.Run run, CommandJob job) {
      String command = run.command();
      Map<String, String> outerGroup = jobGroup();
      spark.sparkContext().setJobGroup(run.runId(), "tarmo " + command
          + (run.businessDate() == null ? "" : " " + run.businessDate()), false);
      Outcome outcome;
      try {
        outcome = job.run(new JobContext(settings, lake, spark, store, run, global.environment));
      } catch (Exception e) {
        // Scala code throws checked exceptions (AnalysisException) undeclared: catch them too.
        runs.end(run, JobRuns.Status.FAILED, Map.of(), store.committedVersions(), safeMessage(command, e));
        throw unchecked(e);
      } finally {
        // A step run inside another (a nightly run, an embedding application) gives the outer
        // group back rather than clearing it.
        outerGroup.forEach(spark.sparkContext()::setLocalProperty);
      }
      if (outcome.failure() != null) {
        runs.end(run, JobRuns.Status.FAILED, outcome.counts(), store.committedVersions(), outcome.failure());
        throw TarmoException.job(outcome.failure());
      }
      if (outcome.qualityFailure() != null) {
        runs.end(run, JobRuns.Status.QUALITY_FAILED, outcome.counts(), store.committedVersions(),
            outcome.qualityFailure());
        throw TarmoException.qualityGate(outcome.qualityFailure());
      }
      runs.end(run, JobRuns.Status.SUCCEEDED, outcome.counts(), store.committedVersions(), null);
    }

    /** The job group's local properties as they are now; a missing one maps to null (unset). */
    private Map<String, String> jobGroup() {
      Map<String, String> group = new HashMap<>();
      for (String key : JOB_GROUP_PROPERTIES) {
        group.put(key, spark.sparkContext().getLocalProperty(key));
      }
      return group;
    }

    JobContext readOnlyContext() {
      return new JobContext(settings, lake, spark, store, null, global.environment);
    }

    @Override
    public void close() {
      if (scratch != null) {
        stop(spark, scratch);
      }
    }
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
    requireChosenLake(settings, Sessions.underSparkSubmit());
    return settings;
  }

  /**
   * Refuses a cluster run ({@code underSparkSubmit}) on the built-in lake root {@code ./lake}: a
   * folder on whichever machine the driver landed on, which no executor and no later run would see.
   */
  static void requireChosenLake(TarmoSettings settings, boolean underSparkSubmit) {
    if (underSparkSubmit && !settings.lakeRootGiven()) {
      throw TarmoException.usage("Cannot start under spark-submit without a lake: pass --lake s3a://bucket/prefix"
          + " or set tarmo.lake.root in the --config file (the default ./lake is a folder on the driver's machine)");
    }
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
   * Opens a session; with {@code writable} the lake must be writable (and is created when
   * {@code create}), otherwise it only has to exist.
   */
  Session open(boolean writable, boolean create) {
    TarmoSettings settings = settings();
    Lake lake = Lake.at(settings.lakeRoot());
    // A session that already runs in this JVM (an embedding application, a test) is borrowed,
    // with its scratch folder: nothing under tarmo.spark.local-dir is touched.
    boolean owned = SparkSession.getDefaultSession().isEmpty();
    ScratchSpace scratch = owned ? ScratchSpace.claim(settings.spark().localDir()) : null;
    SparkSession spark;
    try {
      spark = Sessions.create(settings.spark(), lake, scratch == null ? null : scratch.folder());
    } catch (RuntimeException e) {
      if (scratch != null) {
        closeAfterFailure(e, scratch::close);
      }
      throw e;
    }
    try {
      if (global.verbose) {
        org.apache.logging.log4j.core.config.Configurator.setLevel("io.tarmo", org.apache.logging.log4j.Level.INFO);
      } else {
        spark.sparkContext().setLogLevel("ERROR");
      }
      lake.checkReachable(spark.sparkContext().hadoopConfiguration());
      if (writable) {
        lake.checkUsable(spark.sparkContext().hadoopConfiguration(), create);
      } else {
        lake.checkExists(spark.sparkContext().hadoopConfiguration());
      }
      return new Session(settings, lake, spark, scratch);
    } catch (RuntimeException e) {
      if (scratch != null) {
        closeAfterFailure(e, () -> stop(spark, scratch));
      }
      throw e;
    }
  }

  /** Runs {@code cleanUp} after {@code failure}; a failure of its own is added to it, not lost. */
  private static void closeAfterFailure(RuntimeException failure, Runnable cleanUp) {
    try {
      cleanUp.run();
    } catch (RuntimeException e) {
      failure.addSuppressed(e);
    }
  }

  /** Stops a session this runner started, then removes its scratch folder, also when stopping fails. */
  private static void stop(SparkSession spark, ScratchSpace scratch) {
    try {
      spark.stop();
    } finally {
      scratch.close();
    }
  }

  /** Runs a single-step command; returns its exit code. */
  int run(String command, LocalDate businessDate, boolean createLake, CommandJob job) {
    return run(command, true, createLake, session -> session.step(command, businessDate, job));
  }

  /**
   * Runs a read-only command: no {@code job_runs} row (a query must not write to the lake, and
   * its text may hold personal data), and a lake that only needs to exist.
   */
  int runReadOnly(String command, Consumer<JobContext> body) {
    return run(command, false, false, session -> body.accept(session.readOnlyContext()));
  }

  /** Opens a session, runs {@code steps} in it, and turns failures into exit codes. */
  int run(String command, boolean writable, boolean createLake, Consumer<Session> steps) {
    try (Session session = open(writable, createLake)) {
      steps.accept(session);
      return 0;
    } catch (Exception e) {
      return fail(command, unchecked(e));
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
  static RuntimeException unchecked(Exception e) {
    return e instanceof RuntimeException runtime ? runtime : new IllegalStateException(e);
  }

  static String safeMessage(String command, Exception e) {
    if (e instanceof TarmoException) {
      return e.getMessage();
    }
    Throwable cause = e;
    while (cause instanceof IllegalStateException && cause.getCause() != null) {
      cause = cause.getCause();
    }
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
