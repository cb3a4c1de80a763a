package io.tarmo.bench;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.date_add;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.pmod;
import static org.apache.spark.sql.functions.rand;
import static org.apache.spark.sql.functions.round;
import static org.apache.spark.sql.functions.timestamp_seconds;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.xxhash64;

import io.tarmo.lake.DeltaStore;
import io.tarmo.lake.Lake;
import io.tarmo.lake.Tables;
import io.tarmo.profiles.CustomerEvents;
import io.tarmo.profiles.ProfilesJob;
import io.tarmo.segments.SegmentCatalog;
import io.tarmo.segments.SegmentPlan;
import io.tarmo.segments.SegmentsJob;
import io.tarmo.segments.SegmentsLoader;
import io.tarmo.segments.SegmentsResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * {@code segments} with 20 definitions against 1, and {@code profiles} + {@code segments} against a
 * bare scan of the same window. The events are synthetic (written straight into the {@code events}
 * table, shaped like the generator's: product views, adds, orders, finance pages, appointments, one
 * cookie per customer, half of the events logged in), because generating, ingesting and resolving
 * identity for 30 million events would take hours on a 2-core machine. Usage:
 * {@code SegmentsBenchmark WORKDIR EVENTS_PER_DAY DAYS [REPEATS]}; prints a Markdown table.
 */
public final class SegmentsBenchmark {

  private static final LocalDate DAY = LocalDate.of(2026, 11, 28);

  public static void main(String[] args) throws IOException {
    Path work = Path.of(args.length > 0 ? args[0] : "bench/out/segments").toAbsolutePath();
    long perDay = args.length > 1 ? Long.parseLong(args[1]) : 1_000_000L;
    int days = args.length > 2 ? Integer.parseInt(args[2]) : 30;
    int repeats = args.length > 3 ? Integer.parseInt(args[3]) : 1;
    boolean reuse = "1".equals(System.getenv("BENCH_REUSE")) && Files.isDirectory(work.resolve("lake/tables/events"));
    if (!reuse) {
      BenchSupport.deleteTree(work);
      Files.createDirectories(work);
    }

    SparkSession spark = BenchSupport.session();
    BenchSupport.CpuTime cpu = new BenchSupport.CpuTime();
    spark.sparkContext().addSparkListener(cpu);
    DeltaStore store = new DeltaStore(spark, Lake.at(work.resolve("lake").toString()));

    long customers = Math.max(1000, perDay);
    long t0 = System.nanoTime();
    if (!reuse) {
      store.append(Tables.EVENTS, syntheticEvents(spark, perDay * days, days, customers), "bench");
      store.append(Tables.IDENTITY_MAP, identityMap(spark, customers), "bench");
    }
    double setup = BenchSupport.seconds(t0);
    long events = store.read(Tables.EVENTS).count();

    SegmentCatalog twenty = twentyDefinitions();
    SegmentCatalog one = twenty.only(List.of("avocado-regulars"));
    int cores = 2;
    LocalDate start = DAY.minusDays(days - 1L);

    System.out.printf(Locale.ROOT, "%nSynthetic lake: %,d events over %d days, %,d customers, %s%n%n",
        events, days, customers, reuse ? "left by an earlier run (BENCH_REUSE=1)"
            : String.format(Locale.ROOT, "written in %.1f s", setup));
    System.out.println("| run | step | seconds | events in window | rows/s per core |");
    System.out.println("| --- | --- | --- | --- | --- |");
    // BENCH_SEGMENTS_ONLY=1 (with BENCH_REUSE=1): only the two segments runs, on the profiles left.
    boolean segmentsOnly = reuse && "1".equals(System.getenv("BENCH_SEGMENTS_ONLY"));
    if ("1".equals(System.getenv("BENCH_EXPLAIN"))) {
      SegmentsJob.members(SegmentPlan.compile(twenty, DAY), store.read(Tables.EVENTS), store.read(Tables.IDENTITY_MAP),
          store.read(Tables.CUSTOMER_PROFILES)).explain();
    }
    double oneTotal = 0;
    double twentyTotal = 0;
    double oneCpuTotal = 0;
    double twentyCpuTotal = 0;
    for (int run = 1; run <= repeats; run++) {
      double bare = 0;
      long windowRows = events;
      if (!segmentsOnly) {
        long t = System.nanoTime();
        Row scan = CustomerEvents.filterKnownBy(store.read(Tables.EVENTS), start, DAY)
            .agg(count(lit(1)), max(col("ts")), max(col("product_id")), max(col("anonymous_id")), max(col("user_id")))
            .head();
        bare = BenchSupport.seconds(t);
        windowRows = scan.getLong(0);
        row(run, "bare scan of the window (count, max of 4 columns)", bare, windowRows, cores);

        t = System.nanoTime();
        new ProfilesJob(store, Clock.systemUTC()).run(DAY, "bench");
        row(run, "profiles (all history up to the day)", BenchSupport.seconds(t), events, cores);
      }
      if (run == 1) {
        // Untimed: the first segments run of a JVM compiles and warms up its code, which made the
        // first timed 1-definition run 25-30 s slower than the later ones. They run for the day
        // before, so that the timed runs find the previous night's 20 segments, as a nightly run
        // does, and write that night's entries and exits, not every membership as an entry.
        new SegmentsJob(store, one, Clock.systemUTC()).run(DAY.minusDays(1), "bench warm-up");
        new SegmentsJob(store, twenty, Clock.systemUTC()).run(DAY.minusDays(1), "bench warm-up");
      }

      double cpuBefore = cpu.seconds(spark);
      long t = System.nanoTime();
      SegmentsResult single = new SegmentsJob(store, one, Clock.systemUTC()).run(DAY, "bench");
      double oneSeconds = BenchSupport.seconds(t);
      double oneCpu = cpu.seconds(spark) - cpuBefore;
      row(run, "segments, 1 definition (" + single.aggregates() + " aggregate)", oneSeconds, windowRows, cores);

      cpuBefore = cpu.seconds(spark);
      t = System.nanoTime();
      SegmentsResult all = new SegmentsJob(store, twenty, Clock.systemUTC()).run(DAY, "bench");
      double twentySeconds = BenchSupport.seconds(t);
      double twentyCpu = cpu.seconds(spark) - cpuBefore;
      row(run, "segments, 20 definitions (" + all.aggregates() + " aggregates)", twentySeconds, windowRows, cores);
      System.out.printf(Locale.ROOT, "| %d | ratio 20 / 1 definitions | %.2f× | | |%n", run, twentySeconds / oneSeconds);
      System.out.printf(Locale.ROOT, "| %d | executor CPU s, 1 / 20 definitions (ratio) | %.1f / %.1f (%.2f×) | | |%n",
          run, oneCpu, twentyCpu, twentyCpu / oneCpu);
      oneTotal += oneSeconds;
      twentyTotal += twentySeconds;
      oneCpuTotal += oneCpu;
      twentyCpuTotal += twentyCpu;
      if (!segmentsOnly) {
        System.out.printf(Locale.ROOT, "| %d | ratio segments (20) / bare scan | %.2f× | | |%n", run, twentySeconds / bare);
      }
      System.out.printf(Locale.ROOT, "| %d | memberships written (20 definitions) | %,d | | |%n", run, all.memberships());
      System.out.printf(Locale.ROOT, "| %d | entries and exits since the day before (20 definitions) | %,d | | |%n", run,
          all.sizes().stream().mapToLong(size -> size.entered() + size.exited()).sum());
    }
    if (repeats > 1) {
      // On this machine the same run took from 31.5 s to 47.8 s minutes apart: the means say more.
      System.out.printf(Locale.ROOT, "| mean | segments, 1 definition / 20 definitions | %.1f / %.1f | | |%n",
          oneTotal / repeats, twentyTotal / repeats);
      System.out.printf(Locale.ROOT, "| mean | ratio 20 / 1 definitions (of the mean times) | %.2f× | | |%n",
          twentyTotal / oneTotal);
      System.out.printf(Locale.ROOT, "| mean | ratio 20 / 1 definitions (of the executor CPU) | %.2f× | | |%n",
          twentyCpuTotal / oneCpuTotal);
    }
    spark.stop();
  }

  private static void row(int run, String step, double seconds, long rows, int cores) {
    System.out.printf(Locale.ROOT, "| %d | %s | %.1f | %,d | %,.0f |%n", run, step, seconds, rows, rows / seconds / cores);
  }

  /** Events shaped like the generator's, {@code total} rows over {@code days} days ending at DAY. */
  static Dataset<Row> syntheticEvents(SparkSession spark, long total, int days, long customers) {
    long start = DAY.minusDays(days - 1L).atStartOfDay(ZoneOffset.UTC).toEpochSecond();
    Column u = rand(11);
    Column customer = pmod(xxhash64(col("id")), lit(customers));
    Column kind = col("__k");
    Column product = element_at(expr("array('sku-avo-organic','sku-ban-001','sku-tom-cherry','sku-app-elstar',"
        + "'sku-mil-3-5','sku-yog-greek','sku-bre-rye','sku-cof-beans','sku-tea-green','sku-oil-olive',"
        + "'sku-win-riesling','sku-dia-size4','sku-dog-dry','sku-cho-dark','sku-pas-spag')"),
        pmod(xxhash64(col("id"), lit(3)), lit(15)).plus(1).cast("int"));
    Column category = element_at(expr("array('Fruit & Vegetables','Dairy','Bakery','Coffee & Tea','Pantry',"
        + "'Wine','Baby','Pets','Sweets')"), pmod(xxhash64(col("id"), lit(5)), lit(9)).plus(1).cast("int"));
    Dataset<Row> base = spark.range(total)
        .withColumn("__k", u)
        .withColumn("__c", customer)
        .withColumn("ts", timestamp_seconds(lit(start).plus(pmod(xxhash64(col("id"), lit(7)), lit(86_400L * days)))));
    return base
        .withColumn("message_id", concat(lit("m-"), col("id").cast("string")))
        .withColumn("type", when(kind.lt(0.35), "page").when(kind.lt(0.40), "identify").otherwise("track"))
        .withColumn("event_name", when(kind.lt(0.40), lit(null).cast("string"))
            .when(kind.lt(0.75), "Product Viewed").when(kind.lt(0.88), "Product Added")
            .when(kind.lt(0.91), "Checkout Started").when(kind.lt(0.93), "Order Completed")
            .when(kind.lt(0.935), "Appointment Booked").otherwise("Products Searched"))
        .withColumn("page_path", when(kind.lt(0.02), "/finance/interest-rate-caps").when(kind.lt(0.35), "/p/x"))
        .withColumn("page_name", when(kind.lt(0.35), "Page"))
        .withColumn("event_date", expr("to_date(ts)"))
        .withColumn("anonymous_id", concat(lit("a"), col("__c").cast("string")))
        .withColumn("user_id", when(pmod(xxhash64(col("id"), lit(9)), lit(2)).equalTo(0),
            concat(lit("C"), col("__c").cast("string"))))
        .withColumn("product_id", when(kind.geq(0.40).and(kind.lt(0.93)), product))
        .withColumn("category", when(kind.geq(0.40).and(kind.lt(0.93)), category))
        .withColumn("price", when(kind.geq(0.40).and(kind.lt(0.93)), round(u.multiply(20), 2)))
        .withColumn("order_id", when(kind.geq(0.91).and(kind.lt(0.93)), concat(lit("o-"), col("id").cast("string"))))
        .withColumn("revenue", when(kind.geq(0.91).and(kind.lt(0.93)), round(u.multiply(1000), 2)))
        .withColumn("properties", when(kind.geq(0.93).and(kind.lt(0.935)), lit("{\"topic\":\"interest-rate-caps\"}")))
        .withColumn("ingest_date", col("event_date"))
        .withColumn("previous_id", lit(null).cast("string")).withColumn("email", lit(null).cast("string"))
        .withColumn("phone", lit(null).cast("string")).withColumn("traits", lit(null).cast("string"))
        .withColumn("quantity", lit(null).cast("int")).withColumn("page_url", lit(null).cast("string"))
        .withColumn("page_referrer", lit(null).cast("string")).withColumn("page_title", lit(null).cast("string"))
        .withColumn("ip", lit(null).cast("string")).withColumn("user_agent", lit(null).cast("string"));
  }

  static Dataset<Row> identityMap(SparkSession spark, long customers) {
    Dataset<Row> ids = spark.range(customers).withColumn("customer_key", col("id").plus(1));
    Dataset<Row> cookies = ids.select(lit("anonymous_id").as("identifier_type"),
        concat(lit("a"), col("id").cast("string")).as("identifier_value"), col("customer_key"));
    Dataset<Row> users = ids.select(lit("customer_id").as("identifier_type"),
        concat(lit("C"), col("id").cast("string")).as("identifier_value"), col("customer_key"));
    return cookies.union(users)
        .withColumn("cluster_id", col("customer_key"))
        .withColumn("first_seen", lit(null).cast("timestamp")).withColumn("last_seen", lit(null).cast("timestamp"))
        .withColumn("added_date", date_add(lit(java.sql.Date.valueOf(DAY)), -30))
        .withColumn("updated_date", lit(null).cast("date"));
  }

  /** The shipped definitions (eleven) plus variations of them: 20 in all. */
  static SegmentCatalog twentyDefinitions() throws IOException {
    String shipped = Files.readString(Path.of("conf", "segments.conf"));
    String extra = String.join(",\n", List.of(
        "{ id = x-dairy-7d, condition { event { event = \"Product Viewed\", where { category = Dairy }, within = 7d, count { gte = 3 } } } }",
        "{ id = x-wine-30d, condition { event { event = \"Product Added\", where { category = Wine }, within = 30d } } }",
        "{ id = x-pricey-views, condition { event { event = \"Product Viewed\", where { price { gt = 15 } }, within = 14d, count { gte = 2 } } } }",
        "{ id = x-spend-200, condition { event { event = \"Order Completed\", within = 30d, sum { of = revenue, gte = 200 } } } }",
        "{ id = x-searchers, condition { event { event = \"Products Searched\", within = 7d, count { gte = 2 } } } }",
        "{ id = x-checkout-no-order, condition { sequence { did { event = \"Checkout Started\", within = 14d }, then-did-not { event = \"Order Completed\" }, follow-up = 2d } } }",
        "{ id = x-baby-or-pets, condition { any = [ { event { where { category = Baby }, within = 30d } }, { event { where { category = Pets }, within = 30d } } ] } }",
        "{ id = x-active-no-order, condition { all = [ { event { within = 7d, count { gte = 5 } } }, { not { event { event = \"Order Completed\", within = 30d } } } ] } }",
        "{ id = x-variety-30d, condition { event { within = 30d, distinct { of = category, gte = 5 } } } }"));
    int close = shipped.lastIndexOf(']');
    String hocon = shipped.substring(0, close) + ",\n" + extra + "\n]\n";
    SegmentCatalog catalog = SegmentsLoader.parse(hocon, "bench");
    if (catalog.segments().size() != 20) {
      throw new IllegalStateException("expected 20 definitions, have " + catalog.segments().size());
    }
    return catalog;
  }
}
