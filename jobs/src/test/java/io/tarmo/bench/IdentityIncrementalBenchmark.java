package io.tarmo.bench;

import io.tarmo.config.SettingsLoader;
import io.tarmo.config.TarmoSettings;
import io.tarmo.generate.GeneratorSettings;
import io.tarmo.generate.LandingGenerator;
import io.tarmo.identity.IdentityJob;
import io.tarmo.identity.IdentityResult;
import io.tarmo.ingest.IngestJob;
import io.tarmo.lake.DeltaStore;
import io.tarmo.lake.Lake;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDate;
import java.util.Locale;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;
import org.apache.spark.sql.SparkSession;

/**
 * An incremental identity night against a {@code --full} rebuild of the same night, after DAYS
 * generated days were ingested and resolved night by night, in one JVM (so neither side pays for
 * starting Spark). Both sides are timed twice, alternating, and each ends with the same
 * {@code identity_map}. Usage: {@code IdentityIncrementalBenchmark WORKDIR CUSTOMERS DAYS}.
 */
public final class IdentityIncrementalBenchmark {

  private static final LocalDate END = LocalDate.of(2026, 11, 28);

  public static void main(String[] args) throws IOException {
    Path work = Path.of(args.length > 0 ? args[0] : "bench/out/identity").toAbsolutePath();
    long customers = args.length > 1 ? Long.parseLong(args[1]) : 100_000L;
    int days = args.length > 2 ? Integer.parseInt(args[2]) : 30;
    boolean reuse = "1".equals(System.getenv("BENCH_REUSE")) && Files.isDirectory(work.resolve("lake/tables"));
    if (!reuse) {
      BenchSupport.deleteTree(work);
      Files.createDirectories(work);
    }
    if ("1".equals(System.getenv("BENCH_PHASES"))) {
      Configurator.setLevel(IdentityJob.class.getName(), Level.INFO);
    }

    SparkSession spark = BenchSupport.session();
    TarmoSettings settings = SettingsLoader.load(null);
    Lake lake = Lake.at(work.resolve("lake").toString());
    DeltaStore store = new DeltaStore(spark, lake);
    if ("1".equals(System.getenv("BENCH_PHASES"))) {
      spark.sparkContext().addSparkListener(new BenchSupport.JobTimes());
    }
    IngestJob ingest = new IngestJob(store, settings.ingest(), settings.privacy());
    IdentityJob identity = new IdentityJob(store, settings.identity(), Clock.systemUTC());
    double generateSeconds = 0;
    double historySeconds = 0;
    long events = 0;
    if (!reuse) {
      long started = System.nanoTime();
      new LandingGenerator(new GeneratorSettings(END, days, customers, 7L), lake,
          spark.sparkContext().hadoopConfiguration()).run();
      generateSeconds = BenchSupport.seconds(started);
      started = System.nanoTime();
      for (LocalDate day = END.minusDays(days - 1L); day.isBefore(END); day = day.plusDays(1)) {
        events += ingest.run(day, "bench").events().stored();
        identity.run(day, false, "bench");
      }
      events += ingest.run(END, "bench").events().stored();
      historySeconds = BenchSupport.seconds(started);
    }

    if (reuse) {
      identity.run(END, false, "bench");  // warm-up: a fresh history warms the JVM, a reused lake does not
    }
    int runs = Integer.parseInt(System.getenv().getOrDefault("BENCH_RUNS", "2"));
    double[] night = new double[runs];
    double[] full = new double[runs];
    IdentityResult last = null;
    for (int run = 0; run < runs; run++) {
      long t0 = System.nanoTime();
      IdentityResult incremental = identity.run(END, false, "bench");
      night[run] = BenchSupport.seconds(t0);
      long t1 = System.nanoTime();
      last = identity.run(END, true, "bench");
      full[run] = BenchSupport.seconds(t1);
      System.out.printf(Locale.ROOT, "run %d: incremental %.1f s (%s)%n         full %.1f s (%s)%n", run + 1,
          night[run], incremental.summary(), full[run], last.summary());
    }
    long identifiers = spark.read().format("delta").load(lake.root() + "/tables/identity_map").count();
    spark.stop();

    if (reuse) {
      System.out.printf(Locale.ROOT, "%nReused the lake of an earlier run (BENCH_REUSE=1): the timed night is a re-run "
          + "of its last day; identity_map holds %,d identifiers.%n%n", identifiers);
    } else {
      System.out.printf(Locale.ROOT, "%nGenerated %d days for %,d customers in %.1f s; %,d events stored; "
        + "ingest + identity of the first %d nights took %.1f s; identity_map holds %,d identifiers.%n%n",
          days, customers, generateSeconds, events, days - 1, historySeconds, identifiers);
    }
    System.out.println("| run | incremental night (s) | --full (s) | incremental / full |");
    System.out.println("| --- | --- | --- | --- |");
    for (int run = 0; run < runs; run++) {
      System.out.printf(Locale.ROOT, "| %d | %.1f | %.1f | %.2f× |%n", run + 1, night[run], full[run],
          night[run] / full[run]);
    }
    double nights = java.util.Arrays.stream(night).sum();
    double fulls = java.util.Arrays.stream(full).sum();
    System.out.printf(Locale.ROOT, "| mean | %.1f | %.1f | **%.2f×** |%n", nights / runs, fulls / runs, nights / fulls);
  }
}
