package io.tarmo;

import java.lang.management.ManagementFactory;
import java.time.Clock;
import org.apache.spark.SparkContext;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The steps of one job run: each is named in the Spark UI while it runs ({@link #describe}) and
 * its wall and process CPU time are logged when it is done ({@link #done}, shown with
 * {@code --verbose}). Closing restores the job description that was there before, so a job run
 * inside another step (a command's job group, a nightly run) never wipes the outer one.
 */
public final class Phases implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(Phases.class);
  private static final String JOB_DESCRIPTION = "spark.job.description";

  private final SparkContext context;
  private final String run;
  private final Clock clock;
  private final String outerDescription;
  private final long started;
  private long stepStarted;
  private long stepCpuStarted;

  private Phases(SparkContext context, String run, Clock clock) {
    this.context = context;
    this.run = run;
    this.clock = clock;
    this.outerDescription = context.getLocalProperty(JOB_DESCRIPTION);
    this.started = clock.millis();
    this.stepStarted = started;
    this.stepCpuStarted = cpuNanos();
  }

  /** Starts timing {@code run}, e.g. {@code "ingest 2026-11-28"}, on the system clock. */
  public static Phases start(SparkSession spark, String run) {
    return new Phases(spark.sparkContext(), run, Clock.systemUTC());
  }

  /** Starts timing {@code run} on {@code clock} (a fixed clock in tests gives zero durations). */
  public static Phases start(SparkSession spark, String run, Clock clock) {
    return new Phases(spark.sparkContext(), run, clock);
  }

  /** Names the Spark jobs that follow {@code "<run>: <step>"}, until the next step or {@link #close}. */
  public void describe(String step) {
    context.setJobDescription(run + ": " + step);
  }

  /**
   * Logs the time since the previous step was done (or since the start) under {@code step}, and
   * returns it in milliseconds.
   */
  public long done(String step) {
    long now = clock.millis();
    long cpu = cpuNanos();
    long millis = now - stepStarted;
    LOG.info("{} {}: {} ms (process CPU {} ms)", run, step, millis, (cpu - stepCpuStarted) / 1_000_000);
    stepStarted = now;
    stepCpuStarted = cpu;
    return millis;
  }

  /** Milliseconds since the start. */
  public long elapsedMillis() {
    return clock.millis() - started;
  }

  @Override
  public void close() {
    context.setJobDescription(outerDescription);
  }

  private static long cpuNanos() {
    return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
        ? os.getProcessCpuTime() : 0L;
  }
}
