package io.tarmo.bench;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.date_sub;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;

import io.tarmo.Phases;
import io.tarmo.generate.GeneratorSettings;
import io.tarmo.generate.LandingGenerator;
import io.tarmo.ingest.IngestJob;
import io.tarmo.ingest.IngestResult;
import io.tarmo.ingest.IngestSettings;
import io.tarmo.ingest.IpPolicy;
import io.tarmo.ingest.PrivacySettings;
import io.tarmo.ingest.SourceCounts;
import io.tarmo.lake.DeltaStore;
import io.tarmo.lake.Lake;
import io.tarmo.lake.Lake.Source;
import io.tarmo.lake.LandingReader;
import io.tarmo.lake.TableSpec;
import io.tarmo.lake.Tables;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configurator;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * {@code tarmo ingest} of one generated landing day, in one of two modes. Usage:
 * {@code IngestBenchmark WORKDIR CUSTOMERS [REPEATS] [HISTORY_DAYS]}; prints Markdown tables.
 *
 * <p><b>Whole day</b> ({@code HISTORY_DAYS} 0, the default): ingest of the day's events, CRM and
 * consent extracts against its floor, a bare Spark copy of the same three landing folders into
 * three Delta tables ({@code read.json} for events and consent, {@code read.option("header",
 * "true").csv} for CRM), in the same JVM and run, alternating floor and ingest each repeat after an
 * untimed warm-up of both. Also the floor per source and ingest's own phases ({@link Phases}, read
 * from its log), so a source or step that stands out is seen.
 *
 * <p><b>History</b> ({@code HISTORY_DAYS} N &gt; 0): the same day ingested into an empty lake
 * ("day 1") and into a lake that already holds N earlier days ("day N+1"), alternating after an
 * untimed warm-up of both. The N days are the day's own ingested rows shifted back k = 1..N days
 * ({@code ts}, {@code event_date}, {@code ingest_date}; the keys suffixed {@code -k}, so nothing is
 * a duplicate) for {@code events} and {@code consent_events}, and the day's CRM versions one day
 * older for {@code crm_customers}. Before each day-(N+1) run the lake's tables are restored to the
 * seeded history (Delta restore), so every timed run is a first ingest of the day.
 */
public final class IngestBenchmark {

  private static final LocalDate DAY = LocalDate.of(2026, 11, 28);
  private static final String RUN = "ingest " + DAY;
  /** Ingest's phases in the order it runs them; "other" is the rest of the run's wall time. */
  private static final List<String> PHASES = List.of("events tally", "events write", "crm tally", "crm merge",
      "consent tally", "consent write", "quarantine write");

  private final SparkSession spark;
  private final Path work;
  private final Path landingRoot;
  private final PhaseLog phaseLog;
  private final IngestSettings settings = new IngestSettings(65536, 400, Duration.ofDays(1), "DE", 0.05, 20);
  private final PrivacySettings privacy = new PrivacySettings(IpPolicy.TRUNCATE, "analytics");

  private IngestBenchmark(SparkSession spark, Path work, PhaseLog phaseLog) {
    this.spark = spark;
    this.work = work;
    this.landingRoot = work.resolve("landing-lake");
    this.phaseLog = phaseLog;
  }

  public static void main(String[] args) throws IOException {
    Path work = Path.of(args.length > 0 ? args[0] : "bench/out/ingest").toAbsolutePath();
    long customers = args.length > 1 ? Long.parseLong(args[1]) : 1_000_000L;
    int repeats = args.length > 2 ? Integer.parseInt(args[2]) : 2;
    int historyDays = args.length > 3 ? Integer.parseInt(args[3]) : 0;
    BenchSupport.deleteTree(work);
    Files.createDirectories(work);

    SparkSession spark = BenchSupport.session();
    boolean verbose = Boolean.getBoolean("tarmo.bench.phases");
    if (verbose) {
      Configurator.setLevel("io.tarmo", Level.INFO);
      spark.sparkContext().addSparkListener(new BenchSupport.JobTimes());
    }
    IngestBenchmark bench = new IngestBenchmark(spark, work, PhaseLog.install(verbose));

    long started = System.nanoTime();
    new LandingGenerator(new GeneratorSettings(DAY, 1, customers, 7L), Lake.at(bench.landingRoot.toString()),
        spark.sparkContext().hadoopConfiguration()).run();
    System.out.printf(Locale.ROOT, "Generated 1 day for %,d customers in %.1f s.%n%n", customers,
        BenchSupport.seconds(started));
    if (historyDays > 0) {
      bench.history(repeats, historyDays);
    } else {
      bench.wholeDay(repeats);
    }
    spark.stop();
  }

  // ---------------------------------------------------------------------------------------------
  // Whole day against its floor

  private void wholeDay(int repeats) throws IOException {
    Lake landing = Lake.at(landingRoot.toString());
    Map<Source, List<String>> files = new EnumMap<>(Source.class);
    for (Source source : Source.values()) {
      files.put(source, new LandingReader(spark, landing).files(source, DAY).readable());
    }
    List<double[]> timings = new ArrayList<>();
    List<Map<Source, double[]>> floors = new ArrayList<>();
    List<Map<String, double[]>> phases = new ArrayList<>();
    IngestResult result = null;
    for (int run = 0; run <= repeats; run++) {
      Path floorRoot = work.resolve("floor-" + run);
      Map<Source, double[]> floor = new EnumMap<>(Source.class);
      long t0 = System.nanoTime();
      long c0 = cpuNanos();
      for (Source source : Source.values()) {
        long s0 = System.nanoTime();
        long sc0 = cpuNanos();
        copy(source, files.get(source), floorRoot.resolve(source.folder()));
        floor.put(source, new double[] {BenchSupport.seconds(s0), (cpuNanos() - sc0) / 1e9});
      }
      double floorWall = BenchSupport.seconds(t0);
      double floorCpu = (cpuNanos() - c0) / 1e9;

      Path lakeRoot = lakeWithLanding("lake-" + run);
      Timed ingest = ingest(lakeRoot);
      result = ingest.result;
      if (run > 0) {
        timings.add(new double[] {floorWall, ingest.wall, floorCpu, ingest.cpu});
        floors.add(floor);
        phases.add(ingest.phases);
      }
      BenchSupport.deleteTree(floorRoot);
      BenchSupport.deleteTree(lakeRoot.resolve("tables"));
    }

    System.out.printf(Locale.ROOT, "Landing day %s: %s.%n%n", DAY, describe(result, files));
    System.out.println("| run | floor: copy of the 3 folders → delta (s) | tarmo ingest (s) | ingest / floor "
        + "| floor CPU (s) | ingest CPU (s) | CPU ratio |");
    System.out.println("| --- | --- | --- | --- | --- | --- | --- |");
    printPairs(timings);

    // Per source: the floor's copy against ingest's phases of that source (tally + write or merge).
    Map<String, double[]> phaseMeans = mean(phases);
    System.out.println("Per source, mean of the timed runs (ingest's quarantine write and the rest of the run "
        + "are in the phase table only):");
    System.out.println();
    System.out.println("| source | floor copy (s) | ingest phases (s) | ingest / floor | floor CPU (s) "
        + "| ingest CPU (s) | CPU ratio |");
    System.out.println("| --- | --- | --- | --- | --- | --- | --- |");
    for (Source source : Source.values()) {
      double floorWall = 0;
      double floorCpu = 0;
      for (Map<Source, double[]> floor : floors) {
        floorWall += floor.get(source)[0] / floors.size();
        floorCpu += floor.get(source)[1] / floors.size();
      }
      double ingestWall = 0;
      double ingestCpu = 0;
      for (Map.Entry<String, double[]> phase : phaseMeans.entrySet()) {
        if (phase.getKey().startsWith(source.folder() + " ")) {
          ingestWall += phase.getValue()[0];
          ingestCpu += phase.getValue()[1];
        }
      }
      System.out.printf(Locale.ROOT, "| %s | %.1f | %.1f | %s | %.1f | %.1f | %s |%n", source.folder(),
          floorWall, ingestWall, ratio(ingestWall, floorWall), floorCpu, ingestCpu, ratio(ingestCpu, floorCpu));
    }
    System.out.println();
    System.out.println("Ingest's phases, mean of the timed runs:");
    System.out.println();
    System.out.println("| phase | wall (s) | process CPU (s) |");
    System.out.println("| --- | --- | --- |");
    phaseMeans.forEach((phase, t) -> System.out.printf(Locale.ROOT, "| %s | %.1f | %.1f |%n", phase, t[0], t[1]));
  }

  /** The floor of one source: a bare read of its landing files written to a new Delta table. */
  private void copy(Source source, List<String> files, Path table) {
    if (files.isEmpty()) {
      return;
    }
    String[] paths = files.toArray(String[]::new);
    Dataset<Row> rows = source == Source.CRM
        ? spark.read().option("header", "true").csv(paths)
        : spark.read().json(paths);
    rows.write().format("delta").save(table.toUri().toString());
  }

  // ---------------------------------------------------------------------------------------------
  // Day 1 against day N+1

  private void history(int repeats, int historyDays) throws IOException {
    Path firstRoot = lakeWithLanding("day-1");
    Path historyRoot = lakeWithLanding("day-" + (historyDays + 1));
    List<double[]> timings = new ArrayList<>();
    List<Map<String, double[]>> firstPhases = new ArrayList<>();
    List<Map<String, double[]>> laterPhases = new ArrayList<>();
    Map<TableSpec, Long> seeded = null;
    IngestResult first = null;
    for (int run = 0; run <= repeats; run++) {
      BenchSupport.deleteTree(firstRoot.resolve("tables"));
      Timed day1 = ingest(firstRoot);
      first = day1.result;
      if (seeded == null) {
        long s0 = System.nanoTime();
        seeded = seedHistory(new DeltaStore(spark, Lake.at(firstRoot.toString())),
            new DeltaStore(spark, Lake.at(historyRoot.toString())), historyDays);
        System.out.printf(Locale.ROOT, "Seeded %d earlier days in %.1f s.%n%n", historyDays,
            BenchSupport.seconds(s0));
      }
      restore(historyRoot, seeded);
      Timed later = ingest(historyRoot);
      checkSameCounts(day1.result, later.result);
      if (run > 0) {
        timings.add(new double[] {day1.wall, later.wall, day1.cpu, later.cpu});
        firstPhases.add(day1.phases);
        laterPhases.add(later.phases);
      }
    }

    String dayN = "day " + (historyDays + 1);
    System.out.printf(Locale.ROOT, "Landing day %s: %s.%n%n", DAY, describe(first, null));
    System.out.printf(Locale.ROOT, "| run | day 1: empty lake (s) | %s: %d days held (s) | %s / day 1 "
        + "| day 1 CPU (s) | %s CPU (s) | CPU ratio |%n", dayN, historyDays, dayN, dayN);
    System.out.println("| --- | --- | --- | --- | --- | --- | --- |");
    printPairs(timings);

    Map<String, double[]> a = mean(firstPhases);
    Map<String, double[]> b = mean(laterPhases);
    System.out.println("Ingest's phases, mean of the timed runs:");
    System.out.println();
    System.out.printf(Locale.ROOT, "| phase | day 1 (s) | %s (s) | %s / day 1 | day 1 CPU (s) | %s CPU (s) |%n",
        dayN, dayN, dayN);
    System.out.println("| --- | --- | --- | --- | --- | --- |");
    for (String phase : a.keySet()) {
      double[] x = a.get(phase);
      double[] y = b.getOrDefault(phase, new double[2]);
      System.out.printf(Locale.ROOT, "| %s | %.1f | %.1f | %s | %.1f | %.1f |%n", phase, x[0], y[0],
          ratio(y[0], x[0]), x[1], y[1]);
    }
  }

  /**
   * Writes N earlier days into {@code history} from the day ingested into {@code day}: events and
   * consent shifted back k = 1..N days with their keys suffixed {@code -k}, CRM one day older.
   *
   * @return the version of each seeded table, to restore before each timed run
   */
  private Map<TableSpec, Long> seedHistory(DeltaStore day, DeltaStore history, int days) {
    Dataset<Row> k = spark.range(1, days + 1L).select(col("id").cast("int").as("_k"));
    Column back = expr("make_dt_interval(_k, 0, 0, 0)");
    Dataset<Row> events = day.read(Tables.EVENTS).crossJoin(k)
        .withColumn("message_id", concat(col("message_id"), lit("-"), col("_k")))
        .withColumn("ts", col("ts").minus(back))
        .withColumn("event_date", date_sub(col("event_date"), col("_k")))
        .withColumn("ingest_date", date_sub(col("ingest_date"), col("_k")))
        .drop("_k");
    history.append(Tables.EVENTS, events, "bench history");
    Dataset<Row> consent = day.read(Tables.CONSENT_EVENTS).crossJoin(k)
        .withColumn("consent_id", concat(col("consent_id"), lit("-"), col("_k")))
        .withColumn("ts", col("ts").minus(back))
        .withColumn("expires_at", col("expires_at").minus(back))
        .withColumn("ingest_date", date_sub(col("ingest_date"), col("_k")))
        .drop("_k");
    history.append(Tables.CONSENT_EVENTS, consent, "bench history");
    Column dayBack = expr("INTERVAL 1 DAY");
    Dataset<Row> crm = day.read(Tables.CRM_CUSTOMERS)
        .withColumn("created_at", col("created_at").minus(dayBack))
        .withColumn("updated_at", col("updated_at").minus(dayBack))
        .withColumn("ingest_date", date_sub(col("ingest_date"), 1));
    history.append(Tables.CRM_CUSTOMERS, crm, "bench history");
    Map<TableSpec, Long> versions = new LinkedHashMap<>();
    for (TableSpec table : List.of(Tables.EVENTS, Tables.CONSENT_EVENTS, Tables.CRM_CUSTOMERS)) {
      versions.put(table, history.version(table));
    }
    return versions;
  }

  /** Brings the lake back to its seeded history: seeded tables restored, every other table deleted. */
  private void restore(Path lakeRoot, Map<TableSpec, Long> seeded) throws IOException {
    DeltaStore store = new DeltaStore(spark, Lake.at(lakeRoot.toString()));
    for (TableSpec table : Tables.ALL) {
      if (seeded.containsKey(table)) {
        if (store.version(table) != seeded.get(table)) {
          store.table(table).restoreToVersion(seeded.get(table));
        }
      } else {
        BenchSupport.deleteTree(lakeRoot.resolve("tables").resolve(table.name()));
      }
    }
    for (TableSpec table : List.of(Tables.EVENTS, Tables.CONSENT_EVENTS)) {
      if (!store.read(table).filter(col("ingest_date").equalTo(lit(java.sql.Date.valueOf(DAY)))).isEmpty()) {
        throw new IllegalStateException("The restored " + table.name() + " still holds rows of " + DAY);
      }
    }
  }

  /** Every day-(N+1) run stores what the day-1 run stored: the history holds no duplicate of the day. */
  private static void checkSameCounts(IngestResult first, IngestResult later) {
    if (!first.counts().equals(later.counts())) {
      throw new IllegalStateException("The day ingested on its history counts differently: " + first.counts()
          + " against " + later.counts());
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Shared

  /** One timed ingest: wall and process CPU seconds, its phases, its result. */
  private record Timed(double wall, double cpu, Map<String, double[]> phases, IngestResult result) {}

  private Timed ingest(Path lakeRoot) {
    DeltaStore store = new DeltaStore(spark, Lake.at(lakeRoot.toString()));
    phaseLog.take();
    long t0 = System.nanoTime();
    long c0 = cpuNanos();
    IngestResult result = new IngestJob(store, settings, privacy).run(DAY, "bench");
    double wall = BenchSupport.seconds(t0);
    double cpu = (cpuNanos() - c0) / 1e9;
    Map<String, double[]> phases = phaseLog.take();
    double rest = wall;
    double restCpu = cpu;
    for (double[] t : phases.values()) {
      rest -= t[0];
      restCpu -= t[1];
    }
    phases.put("other", new double[] {Math.max(rest, 0), Math.max(restCpu, 0)});
    return new Timed(wall, cpu, phases, result);
  }

  /** A lake folder whose {@code landing} is the generated landing folder. */
  private Path lakeWithLanding(String name) throws IOException {
    Path lakeRoot = work.resolve(name);
    Files.createDirectories(lakeRoot);
    Files.createSymbolicLink(lakeRoot.resolve("landing"), landingRoot.resolve("landing"));
    return lakeRoot;
  }

  private static String describe(IngestResult result, Map<Source, List<String>> files) {
    List<String> parts = new ArrayList<>();
    for (Source source : Source.values()) {
      SourceCounts counts = switch (source) {
        case EVENTS -> result.events();
        case CRM -> result.crm();
        case CONSENT -> result.consent();
      };
      parts.add(String.format(Locale.ROOT, "%s %,d lines in %d files (%,d stored)", source.folder(), counts.read(),
          files == null ? counts.files() : files.get(source).size(), counts.stored()));
    }
    return String.join(", ", parts);
  }

  /** The mean of each phase over runs, in ingest's order, phases no run had left out. */
  private static Map<String, double[]> mean(List<Map<String, double[]>> runs) {
    Map<String, double[]> means = new LinkedHashMap<>();
    List<String> order = new ArrayList<>(PHASES);
    order.add("other");
    for (Map<String, double[]> run : runs) {
      for (String phase : run.keySet()) {
        if (!order.contains(phase)) {
          order.add(order.size() - 1, phase);
        }
      }
    }
    for (String phase : order) {
      double[] sum = new double[2];
      boolean seen = false;
      for (Map<String, double[]> run : runs) {
        double[] t = run.get(phase);
        if (t != null) {
          seen = true;
          sum[0] += t[0] / runs.size();
          sum[1] += t[1] / runs.size();
        }
      }
      if (seen) {
        means.put(phase, sum);
      }
    }
    return means;
  }

  private static String ratio(double x, double y) {
    return y < 0.05 ? "–" : String.format(Locale.ROOT, "%.2f×", x / y);
  }

  /** CPU time of this JVM (driver and local executors): a fairer measure on a shared machine. */
  private static long cpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
        .getOperatingSystemMXBean()).getProcessCpuTime();
  }

  /**
   * The wall and process CPU time of each phase of {@link #RUN}, from {@link Phases}' log lines
   * ({@code "<run> <step>: <ms> ms (process CPU <ms> ms)"}), caught by a log4j appender on the
   * {@code io.tarmo.Phases} logger. The lines also reach the console only with
   * {@code -Dtarmo.bench.phases=true}.
   */
  private static final class PhaseLog extends AbstractAppender {
    private static final Pattern LINE = Pattern.compile("(.+): (\\d+) ms \\(process CPU (\\d+) ms\\)");

    private final Map<String, double[]> phases = new LinkedHashMap<>();

    private PhaseLog() {
      super("bench-phases", null, null, true, Property.EMPTY_ARRAY);
    }

    static PhaseLog install(boolean echo) {
      PhaseLog log = new PhaseLog();
      log.start();
      LoggerContext context = LoggerContext.getContext(false);
      LoggerConfig config = new LoggerConfig(Phases.class.getName(), Level.INFO, echo);
      config.addAppender(log, Level.INFO, null);
      context.getConfiguration().addLogger(Phases.class.getName(), config);
      context.updateLoggers();
      return log;
    }

    @Override
    public void append(LogEvent event) {
      String message = event.getMessage().getFormattedMessage();
      if (!message.startsWith(RUN + " ")) {
        return;
      }
      Matcher m = LINE.matcher(message.substring(RUN.length() + 1));
      if (!m.matches()) {
        throw new IllegalStateException("Phases logs a line the benchmark cannot read: " + message);
      }
      synchronized (phases) {
        phases.merge(m.group(1), new double[] {Long.parseLong(m.group(2)) / 1e3, Long.parseLong(m.group(3)) / 1e3},
            (x, y) -> new double[] {x[0] + y[0], x[1] + y[1]});
      }
    }

    /** The phases logged since the last call, and forgets them. */
    Map<String, double[]> take() {
      synchronized (phases) {
        Map<String, double[]> taken = new LinkedHashMap<>(phases);
        phases.clear();
        return taken;
      }
    }
  }

  /** Rows of {a wall, b wall, a CPU, b CPU}, each with its ratios, and their mean: one Markdown table body. */
  private static void printPairs(List<double[]> timings) {
    double[] sums = new double[4];
    for (int i = 0; i < timings.size(); i++) {
      double[] t = timings.get(i);
      for (int k = 0; k < sums.length; k++) {
        sums[k] += t[k];
      }
      System.out.printf(Locale.ROOT, "| %d | %.1f | %.1f | %.2f× | %.1f | %.1f | %.2f× |%n",
          i + 1, t[0], t[1], t[1] / t[0], t[2], t[3], t[3] / t[2]);
    }
    int n = timings.size();
    System.out.printf(Locale.ROOT, "| mean | %.1f | %.1f | **%.2f×** | %.1f | %.1f | %.2f× |%n%n",
        sums[0] / n, sums[1] / n, sums[1] / sums[0], sums[2] / n, sums[3] / n, sums[3] / sums[2]);
  }
}
