package io.tarmo.bench;

import io.tarmo.cli.Sessions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;
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
}
