package io.tarmo.bench;

import io.tarmo.cli.Sessions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobEnd;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.apache.spark.scheduler.SparkListenerStageCompleted;
import org.apache.spark.sql.SparkSession;

/** What the benchmarks share: their SparkSession, timing and clearing their work folders. */
final class BenchSupport {

  private BenchSupport() {}

  /** {@code local[2]} with Tarmo's base settings and 4 shuffle partitions, quiet logs, no UI. */
  static SparkSession session() {
    SparkSession.Builder builder = SparkSession.builder().master("local[2]").appName("tarmo-bench")
        .config("spark.ui.enabled", "false");
    for (Map.Entry<String, String> entry : Sessions.baseConf(4).entrySet()) {
      builder = builder.config(entry.getKey(), entry.getValue());
    }
    SparkSession spark = builder.getOrCreate();
    spark.sparkContext().setLogLevel("ERROR");
    return spark;
  }

  static double seconds(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }

  static void deleteTree(Path path) throws IOException {
    if (!Files.exists(path)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(path)) {
      for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  /**
   * The executor CPU time of every stage completed so far: on a shared machine whose speed moves
   * by a fifth between runs, a steadier measure of the work a run did than its wall time.
   */
  static final class CpuTime extends SparkListener {
    private final AtomicLong nanos = new AtomicLong();

    @Override
    public void onStageCompleted(SparkListenerStageCompleted completed) {
      nanos.addAndGet(completed.stageInfo().taskMetrics().executorCpuTime());
    }

    /** Seconds of executor CPU of the stages completed so far, once every event has been delivered. */
    double seconds(SparkSession spark) {
      try {
        spark.sparkContext().listenerBus().waitUntilEmpty();
      } catch (TimeoutException e) {
        throw new IllegalStateException("Spark's listener bus did not empty", e);
      }
      return nanos.get() / 1e9;
    }
  }

  /** Every Spark job's duration and the line of code that started it, on stderr. */
  static final class JobTimes extends SparkListener {
    private final Map<Integer, Long> started = new ConcurrentHashMap<>();
    private final Map<Integer, String> sites = new ConcurrentHashMap<>();

    @Override
    public void onJobStart(SparkListenerJobStart start) {
      started.put(start.jobId(), start.time());
      String site = start.properties() == null ? "?" : start.properties().getProperty("callSite.short", "?");
      sites.put(start.jobId(), site);
    }

    @Override
    public void onJobEnd(SparkListenerJobEnd end) {
      Long t0 = started.remove(end.jobId());
      System.err.printf(Locale.ROOT, "job %d %6d ms %s%n", end.jobId(), t0 == null ? -1 : end.time() - t0,
          sites.remove(end.jobId()));
    }
  }
}
