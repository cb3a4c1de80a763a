package io.tarmo.bench;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.date_sub;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;

import io.tarmo.config.SettingsLoader;
import io.tarmo.erasure.ErasureJob;
import io.tarmo.erasure.ErasureResult;
import io.tarmo.generate.GeneratorSettings;
import io.tarmo.generate.LandingGenerator;
import io.tarmo.identity.IdentityJob;
import io.tarmo.ingest.IngestJob;
import io.tarmo.ingest.IngestSettings;
import io.tarmo.ingest.IpPolicy;
import io.tarmo.ingest.PrivacySettings;
import io.tarmo.lake.DeltaStore;
import io.tarmo.lake.Lake;
import io.tarmo.lake.Tables;
import io.tarmo.subject.Pseudonyms;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Erasing a batch of customers from a lake of many days, next to rewriting the whole {@code events}
 * table once in the same run. One landing day is generated, ingested and linked; {@code events} then
 * gets DAYS-1 earlier days (the day's rows shifted back, message ids suffixed), so its files are
 * the size of real days. The batch names SUBJECTS customers by customer_id.
 *
 * <p>Prints the share of the events table's data files the erasure rewrote and their bytes, the time
 * of each stage of the batch (delete in every table, file rewrites, vacuum, the verifying scan of
 * every file of the lake), and the ratio of the erasure's events delete to the full rewrite.
 */
public final class ErasureBenchmark {

  private static final LocalDate DAY = LocalDate.of(2026, 11, 28);
  private static final String KEY = "bench-only-pseudonym-key-0123456789abcdef";

  public static void main(String[] args) throws IOException {
    Path work = Path.of(args.length > 0 ? args[0] : "bench/out/erasure").toAbsolutePath();
    long customers = args.length > 1 ? Long.parseLong(args[1]) : 1_000_000L;
    int days = args.length > 2 ? Integer.parseInt(args[2]) : 30;
    int subjects = args.length > 3 ? Integer.parseInt(args[3]) : 1000;
    BenchSupport.deleteTree(work);
    Files.createDirectories(work);
    SparkSession spark = BenchSupport.session();
    Lake lake = Lake.at(work.resolve("lake").toString());
    DeltaStore store = new DeltaStore(spark, lake);

    long t0 = System.nanoTime();
    new LandingGenerator(new GeneratorSettings(DAY, 1, customers, 7L), lake,
        spark.sparkContext().hadoopConfiguration()).run();
    new IngestJob(store, new IngestSettings(65536, 400, Duration.ofDays(1), "DE", 1.0, 20),
        new PrivacySettings(IpPolicy.TRUNCATE, "analytics")).run(DAY, "bench");
    new IdentityJob(store, SettingsLoader.load(null).identity(), Clock.systemUTC()).run(DAY, false, "bench");
    Dataset<Row> k = spark.range(1, days).select(col("id").cast("int").as("_k"));
    Column back = expr("make_dt_interval(_k, 0, 0, 0)");
    store.append(Tables.EVENTS, store.read(Tables.EVENTS).crossJoin(k)
        .withColumn("message_id", concat(col("message_id"), lit("-"), col("_k")))
        .withColumn("ts", col("ts").minus(back))
        .withColumn("event_date", date_sub(col("event_date"), col("_k")))
        .withColumn("ingest_date", date_sub(col("ingest_date"), col("_k")))
        .drop("_k"), "bench history");
    long events = store.read(Tables.EVENTS).count();
    Row files = spark.sql("describe detail delta.`" + lake.tablePath(Tables.EVENTS) + "`")
        .select("numFiles", "sizeInBytes").first();
    System.out.printf(Locale.ROOT, "Lake: %,d customers, %d days, %,d events in %,d data files (%,d bytes), "
        + "built in %.1f s.%n%n", customers, days, events, files.getLong(0), files.getLong(1), BenchSupport.seconds(t0));

    // The subjects: every k-th customer with a customer_id, SUBJECTS of them.
    List<String> ids = store.read(Tables.IDENTITY_MAP).where(col("identifier_type").equalTo("customer_id"))
        .select("identifier_value").orderBy(expr("xxhash64(identifier_value)")).limit(subjects)
        .as(org.apache.spark.sql.Encoders.STRING()).collectAsList();
    Path requests = work.resolve("lake/landing/erasure/bench.csv");
    Files.createDirectories(requests.getParent());
    StringBuilder csv = new StringBuilder("request_id,subject_type,subject_value,received_at\n");
    for (int i = 0; i < ids.size(); i++) {
      csv.append("B-").append(i).append(",customer_id,").append(ids.get(i)).append(",2026-12-01\n");
    }
    Files.writeString(requests, csv);

    // The whole events table rewritten once: the cost erasure is measured against.
    long r0 = System.nanoTime();
    store.read(Tables.EVENTS).write().format("delta").save(work.resolve("events-rewritten").toUri().toString());
    double rewrite = BenchSupport.seconds(r0);
    BenchSupport.deleteTree(work.resolve("events-rewritten"));

    Map<String, Double> stages = new LinkedHashMap<>();
    long[] last = {System.nanoTime()};
    long e0 = last[0];
    ErasureResult result = new ErasureJob(store, Optional.of(Pseudonyms.withKey(KEY)), "DE",
        SettingsLoader.load(null).identity(), Clock.systemUTC())
        .onStageListener(stage -> {
          stages.merge(stage.startsWith("deleted:") ? "deleted " + stage.substring(8) : stage,
              BenchSupport.seconds(last[0]), Double::sum);
          last[0] = System.nanoTime();
        })
        .run(null, "bench erase", "bench");
    double erase = BenchSupport.seconds(e0);
    Row delete = spark.sql("describe history delta.`" + lake.tablePath(Tables.EVENTS) + "`")
        .where("operation = 'DELETE'").orderBy(col("version").desc()).select("operationMetrics").first();
    Map<String, String> metrics = delete.getJavaMap(0);
    long removedFiles = Long.parseLong(metrics.getOrDefault("numRemovedFiles", "0"));
    long removedBytes = Long.parseLong(metrics.getOrDefault("numRemovedBytes", "0"));
    double eventsDelete = stages.getOrDefault("deleted events", 0.0);

    System.out.printf(Locale.ROOT, "Erased %d customers: %s%n%n", ids.size(), result.summary());
    System.out.println("| measure | value |");
    System.out.println("| --- | --- |");
    System.out.printf(Locale.ROOT, "| events data files rewritten | %,d of %,d (%.1f%%) |%n", removedFiles,
        files.getLong(0), 100.0 * removedFiles / files.getLong(0));
    System.out.printf(Locale.ROOT, "| events bytes rewritten | %,d of %,d (%.1f%%) |%n", removedBytes,
        files.getLong(1), 100.0 * removedBytes / files.getLong(1));
    System.out.printf(Locale.ROOT, "| events rows deleted | %,d of %,d |%n",
        result.work().rowsDeleted().getOrDefault("events", 0L), events);
    System.out.printf(Locale.ROOT, "| full rewrite of events (s) | %.1f |%n", rewrite);
    System.out.printf(Locale.ROOT, "| erasure: delete from events (s) | %.1f (%.2f x the full rewrite) |%n",
        eventsDelete, eventsDelete / rewrite);
    System.out.printf(Locale.ROOT, "| erasure: whole batch (s) | %.1f (%.2f x the full rewrite) |%n", erase,
        erase / rewrite);
    System.out.println();
    System.out.println("| stage of the batch | s |");
    System.out.println("| --- | --- |");
    List<String> order = new ArrayList<>(stages.keySet());
    for (String stage : order) {
      System.out.printf(Locale.ROOT, "| %s | %.1f |%n", stage, stages.get(stage));
    }
    spark.stop();
  }
}
