package io.tarmo.cli;

import io.tarmo.config.TarmoSettings.SparkSettings;
import io.tarmo.lake.Lake;
import io.tarmo.lake.NioLocalFileSystem;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/**
 * Builds the one SparkSession a command runs in: Delta enabled, UTC, and the settings that
 * matter on a small machine. Under spark-submit the master and resources are the submitter's.
 */
public final class Sessions {

  private Sessions() {}

  /** The settings every Tarmo session needs, before the user's {@code tarmo.spark.conf}. */
  public static Map<String, String> baseConf(int shufflePartitions) {
    Map<String, String> conf = new LinkedHashMap<>();
    conf.put("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension");
    conf.put("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog");
    conf.put("spark.sql.session.timeZone", "UTC");
    conf.put("spark.sql.shuffle.partitions", String.valueOf(shufflePartitions));
    conf.put("spark.databricks.delta.snapshotPartitions", String.valueOf(shufflePartitions));
    // VACUUM and file listing otherwise plan 10000 tasks: ~35 s of overhead per call on 2 cores.
    conf.put("spark.sql.sources.parallelPartitionDiscovery.parallelism", "4");
    conf.put("spark.sql.files.maxPartitionBytes", String.valueOf(64L * 1024 * 1024));
    conf.put("spark.delta.logStore.s3a.impl", "io.delta.storage.S3SingleDriverLogStore");
    // Spark's progress bar for long stages on a terminal; never in a log or a scheduler's output.
    conf.put("spark.ui.showConsoleProgress", String.valueOf(System.console() != null));
    // A partitioned write keeps a file open per partition value (up to this many per task)
    // instead of sorting its rows by partition first; a day of events spans only a few dates.
    conf.put("spark.sql.maxConcurrentOutputFileWriters", "8");
    // A nightly run plans a few hundred distinct queries; with Spark's default of 100 cached
    // generated classes each day compiled the same code again (a fifth of a small run's time).
    conf.put("spark.sql.codegen.cache.maxEntries", "2000");
    // An aggregation over rows already sorted by its keys streams them instead of hashing them.
    conf.put("spark.sql.execution.replaceHashWithSortAgg", "true");
    // A shuffle into more than 32 partitions sorts its rows by partition and writes them in one
    // stream, instead of keeping an output stream per partition (Spark's default up to 200): the
    // segments fold of 1,000,000 customers shuffles 20 million rows into 123 partitions, and 123
    // open compressed streams per task made its scan slower (BENCHMARKS.md, segments).
    conf.put("spark.shuffle.sort.bypassMergeThreshold", "32");
    // Local paths without a chmod or readlink process per file and commit (see NioLocalFileSystem).
    conf.put("spark.hadoop.fs.file.impl", NioLocalFileSystem.class.getName());
    conf.put("spark.hadoop.fs.AbstractFileSystem.file.impl", NioLocalFileSystem.Fs.class.getName());
    return conf;
  }

  /**
   * Every setting of a session Tarmo starts: the base ones, the lake's warehouse folder, Spark's
   * scratch folder {@code localDir} (none for a session that already runs: Spark reads
   * {@code spark.local.dir} only when it starts), then the user's {@code tarmo.spark.conf}. Outside
   * spark-submit, where the driver is the only machine, S3A's upload buffers (the data being written
   * to an {@code s3a://} lake, on local disk until uploaded) go under {@code localDir} too, so they
   * are removed with it; on a cluster that folder would not exist on the executors' machines.
   */
  public static Map<String, String> conf(SparkSettings settings, Lake lake, Path localDir) {
    Map<String, String> conf = baseConf(settings.shufflePartitions());
    conf.put("spark.sql.warehouse.dir", lake.internalPath("warehouse"));
    if (localDir != null) {
      conf.put("spark.local.dir", localDir.toString());
      if (!underSparkSubmit()) {
        conf.put("spark.hadoop.fs.s3a.buffer.dir", localDir.resolve("s3a").toString());
      }
    }
    conf.putAll(settings.conf());
    return conf;
  }

  /**
   * Whether this JVM was started by {@code spark-submit}, which passes the master (and every other
   * setting of its command line) as system properties: a cluster run, where the master, the
   * resources and the lake are the submitter's to say.
   */
  public static boolean underSparkSubmit() {
    return System.getProperty("spark.master") != null;
  }

  /**
   * The session, or the one already running in this JVM; {@code localDir} is the folder a new
   * session keeps its scratch files in ({@link io.tarmo.lake.ScratchSpace}).
   */
  public static SparkSession create(SparkSettings settings, Lake lake, Path localDir) {
    SparkSession.Builder builder = SparkSession.builder().appName("tarmo");
    if (!underSparkSubmit()) {
      builder = builder.master(settings.master())
          .config("spark.ui.enabled", "false")
          .config("spark.driver.bindAddress", "127.0.0.1")
          .config("spark.driver.host", "127.0.0.1");
    }
    for (Map.Entry<String, String> entry : conf(settings, lake, localDir).entrySet()) {
      builder = builder.config(entry.getKey(), entry.getValue());
    }
    return builder.getOrCreate();
  }
}
