package io.tarmo.bench;

import io.tarmo.generate.GeneratorSettings;
import io.tarmo.generate.LandingGenerator;
import io.tarmo.ingest.IngestJob;
import io.tarmo.ingest.IngestResult;
import io.tarmo.ingest.IngestSettings;
import io.tarmo.ingest.IpPolicy;
import io.tarmo.ingest.PrivacySettings;
import io.tarmo.lake.DeltaStore;
import io.tarmo.lake.Lake.Source;
import io.tarmo.lake.Lake;
import io.tarmo.lake.LandingReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.SparkSession;

/**
 * Ingest throughput next to its floor: a bare {@code spark.read.json(files).write.format("delta")}
 * of the same landing files, in the same JVM and run. Usage:
 * {@code IngestBenchmark WORKDIR CUSTOMERS [REPEATS]}; prints a Markdown table.
 */
public final class IngestBenchmark {

  private static final LocalDate DAY = LocalDate.of(2026, 11, 28);

  public static void main(String[] args) throws IOException {
    Path work = Path.of(args.length > 0 ? args[0] : "bench/out/ingest").toAbsolutePath();
    long customers = args.length > 1 ? Long.parseLong(args[1]) : 1_000_000L;
    int repeats = args.length > 2 ? Integer.parseInt(args[2]) : 2;
    BenchSupport.deleteTree(work);
    Files.createDirectories(work);

    SparkSession spark = BenchSupport.session();
    if (Boolean.getBoolean("tarmo.bench.phases")) {
      org.apache.logging.log4j.core.config.Configurator.setLevel("io.tarmo", org.apache.logging.log4j.Level.INFO);
      spark.sparkContext().addSparkListener(new BenchSupport.JobTimes());
    }

    Lake landing = Lake.at(work.resolve("landing-lake").toString());
    long started = System.nanoTime();
    new LandingGenerator(new GeneratorSettings(DAY, 1, customers, 7L), landing,
        spark.sparkContext().hadoopConfiguration()).run();
    double generateSeconds = BenchSupport.seconds(started);
    // The events of a day on their own: the CRM and consent extracts of a first day are moved aside.
    Path landingRoot = work.resolve("landing-lake");
    Path aside = work.resolve("aside");
    Files.createDirectories(aside);
    Files.move(landingRoot.resolve("landing/crm"), aside.resolve("crm"));
    Files.move(landingRoot.resolve("landing/consent"), aside.resolve("consent"));
    List<String> files = new LandingReader(spark, landing).files(Source.EVENTS, DAY).readable();

    IngestSettings settings = new IngestSettings(65536, 400, Duration.ofDays(1), "DE", 0.05, 20);
    PrivacySettings privacy = new PrivacySettings(IpPolicy.TRUNCATE, "analytics");

    List<double[]> timings = new ArrayList<>();
    long lines = 0;
    long stored = 0;
    for (int run = 0; run <= repeats; run++) {
      Path floorTable = work.resolve("floor-" + run);
      long t0 = System.nanoTime();
      long c0 = cpuNanos();
      spark.read().json(files.toArray(String[]::new)).write().format("delta").save(floorTable.toUri().toString());
      double floor = BenchSupport.seconds(t0);
      double floorCpu = (cpuNanos() - c0) / 1e9;

      Path lakeRoot = work.resolve("lake-" + run);
      Files.createDirectories(lakeRoot.resolve("landing"));
      Files.createSymbolicLink(lakeRoot.resolve("landing/events"), landingRoot.resolve("landing/events"));
      DeltaStore store = new DeltaStore(spark, Lake.at(lakeRoot.toString()));
      long t1 = System.nanoTime();
      long c1 = cpuNanos();
      IngestResult result = new IngestJob(store, settings, privacy).run(DAY, "bench");
      double tarmo = BenchSupport.seconds(t1);
      double tarmoCpu = (cpuNanos() - c1) / 1e9;
      lines = result.events().read();
      stored = result.events().stored();
      if (run > 0) {
        timings.add(new double[] {floor, tarmo, floorCpu, tarmoCpu});
      }
      BenchSupport.deleteTree(floorTable);
      BenchSupport.deleteTree(lakeRoot.resolve("tables"));
    }
    spark.stop();

    System.out.printf(Locale.ROOT, "Generated 1 day for %,d customers in %.1f s: %,d event lines in %d gzip files (%,d stored).%n%n",
        customers, generateSeconds, lines, files.size(), stored);
    System.out.println("| run | floor: read.json → delta (s) | tarmo ingest (s) | ingest / floor | ingest lines/s "
        + "| floor CPU (s) | ingest CPU (s) | CPU ratio |");
    System.out.println("| --- | --- | --- | --- | --- | --- | --- | --- |");
    double[] sums = new double[4];
    for (int i = 0; i < timings.size(); i++) {
      double[] t = timings.get(i);
      for (int k = 0; k < sums.length; k++) {
        sums[k] += t[k];
      }
      System.out.printf(Locale.ROOT, "| %d | %.1f | %.1f | %.2f× | %,.0f | %.1f | %.1f | %.2f× |%n",
          i + 1, t[0], t[1], t[1] / t[0], lines / t[1], t[2], t[3], t[3] / t[2]);
    }
    int n = timings.size();
    System.out.printf(Locale.ROOT, "| mean | %.1f | %.1f | **%.2f×** | %,.0f | %.1f | %.1f | %.2f× |%n",
        sums[0] / n, sums[1] / n, sums[1] / sums[0], lines * n / sums[1], sums[2] / n, sums[3] / n, sums[3] / sums[2]);
  }

  /** CPU time of this JVM (driver and local executors): a fairer measure on a shared machine. */
  private static long cpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
        .getOperatingSystemMXBean()).getProcessCpuTime();
  }
}
