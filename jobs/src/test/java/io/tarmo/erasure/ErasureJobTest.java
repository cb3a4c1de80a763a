package io.tarmo.erasure;

import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;

import io.tarmo.config.SettingsLoader;
import io.tarmo.lake.DeltaStore;
import io.tarmo.lake.Lake;
import io.tarmo.lake.Tables;
import io.tarmo.subject.Pseudonyms;
import io.tarmo.testing.LakeScan;
import io.tarmo.testing.SparkTest;
import io.tarmo.testing.TwoNightLake;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code erase} on a lake made by the real pipeline ({@link TwoNightLake}: generate, then two nights): every identifier
 * type as requests give them, and a byte-level scan of the whole lake afterwards that reads every
 * file itself (Parquet content file by file, JSON and checkpoints of the log, gzip landing files),
 * trusting neither the Delta log nor Tarmo's own scan.
 */
@SparkTest
@Tag("slow")
class ErasureJobTest {

  static final String KEY = "erasure-test-key-0123456789abcdef0123456789";
  private static final Pseudonyms KEYED = Pseudonyms.withKey(KEY);
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-01T09:00:00Z"), ZoneOffset.UTC);

  private final SparkSession spark;
  @TempDir Path root;

  ErasureJobTest(SparkSession spark) {
    this.spark = spark;
  }

  /** A copy of the two-night lake for one test. */
  private DeltaStore lake() throws IOException {
    return new DeltaStore(spark, Lake.at(TwoNightLake.copyTo(root).lake().toString()));
  }

  private ErasureJob job(DeltaStore store) {
    return new ErasureJob(store, Optional.of(KEYED), "DE", SettingsLoader.load(null).identity(), CLOCK);
  }

  private void requests(DeltaStore store, String name, String... lines) throws IOException {
    Path folder = Path.of(java.net.URI.create(store.lake().root() + "/landing/erasure"));
    Files.createDirectories(folder);
    Files.writeString(folder.resolve(name), "request_id,subject_type,subject_value,received_at\n"
        + String.join("\n", lines) + "\n");
  }

  /** One customer of the lake with every identifier type the test needs, and all of its identifiers. */
  private record Customer(long key, String customerId, String email, String phone, String loyaltyCard,
      List<String> cookies, List<String> values) {}

  /**
   * One customer per required identifier type, each different: the first (by key) that has a
   * customer_id and an identifier of that type.
   */
  private List<Customer> customers(DeltaStore store, String... requiredTypes) {
    return customers(store, key -> true, requiredTypes);
  }

  /** As {@link #customers(DeltaStore, String...)}, among the customers whose key {@code among} accepts. */
  private List<Customer> customers(DeltaStore store, java.util.function.LongPredicate among, String... requiredTypes) {
    List<Row> rows = store.read(Tables.IDENTITY_MAP).select("customer_key", "identifier_type", "identifier_value")
        .orderBy("customer_key", "identifier_type", "identifier_value").collectAsList().stream()
        .filter(row -> among.test(row.getLong(0))).toList();
    java.util.Map<Long, List<Row>> byKey = new java.util.TreeMap<>();
    rows.forEach(row -> byKey.computeIfAbsent(row.getLong(0), k -> new ArrayList<>()).add(row));
    List<Customer> customers = new ArrayList<>();
    Set<Long> taken = new HashSet<>();
    for (String type : requiredTypes) {
      for (java.util.Map.Entry<Long, List<Row>> entry : byKey.entrySet()) {
        List<Row> ids = entry.getValue();
        java.util.function.Function<String, String> one = t -> ids.stream()
            .filter(r -> r.getString(1).equals(t)).map(r -> r.getString(2)).findFirst().orElse(null);
        if (!taken.contains(entry.getKey()) && one.apply("customer_id") != null && one.apply(type) != null) {
          taken.add(entry.getKey());
          customers.add(new Customer(entry.getKey(), one.apply("customer_id"), one.apply("email"), one.apply("phone"),
              one.apply("loyalty_card_id"),
              ids.stream().filter(r -> r.getString(1).equals("anonymous_id")).map(r -> r.getString(2)).toList(),
              ids.stream().map(r -> r.getString(2)).toList()));
          break;
        }
      }
    }
    assertThat(customers).as("customers with " + String.join(", ", requiredTypes)).hasSize(requiredTypes.length);
    return customers;
  }

  @Test
  void erasesBySubjectTypeAndNothingOfThemRemainsAnywhere() throws IOException {
    DeltaStore store = lake();
    List<Customer> subjects = new ArrayList<>(
        customers(store, "customer_id", "email", "phone", "anonymous_id", "loyalty_card_id"));
    // And one whom the last night activated: the sending tools are told to forget them.
    Set<Long> activated = new HashSet<>(store.read(Tables.ACTIVATION).select("customer_key").distinct()
        .as(org.apache.spark.sql.Encoders.LONG()).collectAsList());
    Set<Long> chosen = new HashSet<>(subjects.stream().map(Customer::key).toList());
    Customer contacted = customers(store, key -> activated.contains(key) && !chosen.contains(key), "customer_id").get(0);
    subjects.add(contacted);
    Customer byId = subjects.get(0);
    Customer byEmail = subjects.get(1);
    Customer byPhone = subjects.get(2);
    Customer byCookie = subjects.get(3);
    Customer byCard = subjects.get(4);
    String shouting = "  " + byEmail.email().toUpperCase(Locale.ROOT) + " ";
    String national = "0" + byPhone.phone().substring(3, 6) + " " + byPhone.phone().substring(6);
    requests(store, "batch-1.csv",
        "R-1,customer_id," + byId.customerId() + ",2026-11-29T10:00:00Z",
        "R-2,email,\"" + shouting + "\",2026-11-29",
        "R-3,phone," + (byPhone.phone().startsWith("+49") ? national : byPhone.phone()) + ",2026-11-29",
        "R-4,anonymous_id," + byCookie.cookies().get(0) + ",2026-11-29",
        "R-5,loyalty_card_id," + byCard.loyaltyCard() + ",2026-11-29",
        "R-6,customer_id," + contacted.customerId() + ",2026-11-29");
    java.util.Map<String, List<String>> notices = new java.util.TreeMap<>();
    store.read(Tables.ACTIVATION).where(col("customer_key").isin(subjects.stream().map(Customer::key).toArray()))
        .select("channel", "customer_key").distinct().orderBy("channel", "customer_key").collectAsList()
        .forEach(row -> notices.computeIfAbsent(row.getString(0), c -> new ArrayList<>(List.of("customer_key")))
            .add(String.valueOf(row.getLong(1))));
    assertThat(notices).as("channels the subjects were activated on").isNotEmpty();
    long mapBefore = store.read(Tables.IDENTITY_MAP).count();
    Set<Long> keys = new HashSet<>(subjects.stream().map(Customer::key).toList());

    ErasureResult result = job(store).run(null, "tarmo erase test", "run-1");

    assertThat(result.completed()).as(result.summary()).containsExactly("R-1", "R-2", "R-3", "R-4", "R-5", "R-6");
    assertThat(result.failed()).isEmpty();
    List<String> values = subjects.stream().flatMap(customer -> customer.values().stream()).toList();
    assertThat(LakeScan.find(spark, store.lake(), values)).as("files holding a subject's value").isEmpty();
    assertThat(store.read(Tables.IDENTITY_MAP).count())
        .as("exactly the subjects' identifiers left the map").isEqualTo(mapBefore - values.size());
    for (var spec : Tables.ALL) {
      if (spec.lookups().stream().anyMatch(l -> l instanceof io.tarmo.lake.SubjectLookup.ByCustomerKey)) {
        for (String column : spec.lookups().stream()
            .filter(l -> l instanceof io.tarmo.lake.SubjectLookup.ByCustomerKey).flatMap(l -> l.columns().stream()).toList()) {
          assertThat(store.read(spec).where(col(column).isin(keys.toArray())).count())
              .as(spec.name() + "." + column + " of the subjects").isZero();
        }
      }
    }
    List<Row> log = store.read(Tables.ERASURE_LOG).orderBy("request_id").collectAsList();
    assertThat(log).extracting(row -> row.getString(0) + " " + row.getString(1))
        .containsExactly("R-1 COMPLETED", "R-2 COMPLETED", "R-3 COMPLETED", "R-4 COMPLETED", "R-5 COMPLETED",
            "R-6 COMPLETED");
    // A downstream deletion notice per channel the subjects were activated on: their keys, nothing else.
    Path noticed = Path.of(java.net.URI.create(store.lake().root() + "/exports/erasure/dt=2026-12-01"));
    java.util.Map<String, List<String>> written = new java.util.TreeMap<>();
    try (var files = Files.list(noticed)) {
      for (Path file : files.toList()) {
        written.put(file.getFileName().toString().replaceFirst("\\.csv$", ""), Files.readAllLines(file));
      }
    }
    assertThat(written).isEqualTo(notices);
    io.tarmo.testing.Catalogued.assertEveryFolderIsCatalogued(Path.of(java.net.URI.create(store.lake().root())));
    assertThat(log.get(1).<String>getAs("subject_hash")).isEqualTo(KEYED.of(byEmail.email()));
    assertThat(log.get(1).<java.sql.Timestamp>getAs("due_at").toInstant())
        .isEqualTo(Instant.parse("2026-12-29T00:00:00Z"));
    assertThat(log).allSatisfy(row -> assertThat(row.<Long>getAs("customer_keys")).isGreaterThanOrEqualTo(1L));
    Set<String> suppressed = new HashSet<>(store.read(Tables.SUPPRESSION_LIST).select("identifier_hash")
        .as(org.apache.spark.sql.Encoders.STRING()).collectAsList());
    assertThat(suppressed).as("every erased identifier is suppressed")
        .containsAll(values.stream().map(KEYED::of).toList());
    assertThat(Files.list(Path.of(java.net.URI.create(store.lake().root() + "/landing/erasure"))))
        .as("the finished request file is gone").isEmpty();

    ErasureResult again = job(store).run(null, "tarmo erase test", "run-2");
    assertThat(again.received()).as("nothing pending").isZero();
  }
}
