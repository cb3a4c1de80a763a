package io.tarmo.dsar;

import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tarmo.config.SettingsLoader;
import io.tarmo.consent.ConsentJob;
import io.tarmo.identity.IdentityJob;
import io.tarmo.ingest.IngestJob;
import io.tarmo.ingest.IngestSettings;
import io.tarmo.ingest.IpPolicy;
import io.tarmo.ingest.PrivacySettings;
import io.tarmo.lake.AccessFolder;
import io.tarmo.lake.DeltaStore;
import io.tarmo.lake.Lake;
import io.tarmo.lake.Tables;
import io.tarmo.profiles.ProfilesJob;
import io.tarmo.subject.Pseudonyms;
import io.tarmo.testing.InProcessTarmo;
import io.tarmo.testing.InProcessTarmo.Run;
import io.tarmo.testing.SharedSparkSession;
import io.tarmo.testing.SparkTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Access requests on the small hand-made lake of the erasure cases: Anna with three cookies, two
 * emails and a phone; Bob, who logged in on the family laptop after her; segments, activation and an
 * export file on top. Each DSAR holds exactly its subject's rows and nothing of the other person.
 */
@SparkTest
class DsarJobTest {

  private static final LocalDate DAY = LocalDate.of(2026, 11, 27);
  private static final IngestSettings INGEST = new IngestSettings(4096, 400, Duration.ofDays(1), "DE", 1.0, 20);
  private static final PrivacySettings PRIVACY = new PrivacySettings(IpPolicy.TRUNCATE, "analytics");
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-01T09:00:00Z"), ZoneOffset.UTC);
  private static final Pseudonyms KEYED = Pseudonyms.withKey("dsar-test-key-0123456789-0123456789-abcdef");

  /** Anna's identifiers, as stored. */
  private static final List<String> ANNA = List.of("C1", "anna@example.de", "anna.work@example.de",
      "+4915123456789", "LC000000000001", "ck-anna-1", "ck-anna-2", "ck-anna-3");
  /** Bob's own identifiers (the family laptop's cookie is linked to both). */
  private static final List<String> BOB = List.of("C2", "bob@example.de", "ck-bob-1");

  @TempDir static Path root;
  private static DeltaStore store;
  private static long annaKey;
  private static long bobKey;

  private final SparkSession spark;
  @TempDir Path out;

  DsarJobTest(SparkSession spark) {
    this.spark = spark;
  }

  private static String event(String id, String ts, String fields) {
    return "{\"messageId\":\"" + id + "\",\"type\":\"page\",\"timestamp\":\"" + ts + "\"," + fields + "}";
  }

  @BeforeAll
  static void lake() throws IOException {
    SparkSession spark = SharedSparkSession.get();
    write("landing/crm/dt=" + DAY + "/crm.csv",
        "customer_id,email,phone,first_name,last_name,birth_date,street,postal_code,city,country,loyalty_card_id,"
            + "created_at,updated_at",
        "C1,anna@example.de,0151 23456789,Anna,Lindqvist,1990-01-02,Hauptstr. 1,10115,Berlin,DE,LC000000000001,"
            + "2025-01-01T00:00:00Z,2026-11-27T08:00:00Z",
        "C2,bob@example.de,,Bob,Berg,,,,,DE,,2025-01-01T00:00:00Z,2026-11-27T08:00:00Z");
    write("landing/events/dt=" + DAY + "/part-0.json",
        event("m1", "2026-11-27T09:00:00Z", "\"userId\":\"C1\",\"anonymousId\":\"ck-anna-1\""),
        event("m2", "2026-11-27T09:10:00Z",
            "\"type\":\"identify\",\"anonymousId\":\"ck-anna-2\",\"traits\":{\"email\":\"Anna.Work@Example.de\"},\"userId\":\"C1\""),
        event("m3", "2026-11-27T09:20:00Z",
            "\"anonymousId\":\"ck-anna-3\",\"context\":{\"traits\":{\"phone\":\"(0151) 2345-6789\"}}"),
        event("m4", "2026-11-27T10:00:00Z", "\"userId\":\"C1\",\"anonymousId\":\"ck-family\""),
        event("m5", "2026-11-27T12:00:00Z", "\"userId\":\"C2\",\"anonymousId\":\"ck-family\""),
        event("m6", "2026-11-27T12:05:00Z", "\"userId\":\"C2\",\"anonymousId\":\"ck-bob-1\","
            + "\"properties\":{\"path\":\"/contact?email=bob@example.de\"}"),
        // A line ingest rejects (no timestamp) that mentions Anna: it is in quarantine.
        "{\"messageId\":\"m7\",\"type\":\"page\",\"anonymousId\":\"ck-anna-1\"}");
    write("landing/consent/dt=" + DAY + "/ledger.json",
        "{\"consent_id\":\"k1\",\"subject_type\":\"email\",\"subject_value\":\"ANNA@example.de\",\"purpose\":\"marketing\","
            + "\"channel\":\"email\",\"status\":\"granted\",\"legal_basis\":\"consent\",\"ts\":\"2026-11-27T09:00:00Z\","
            + "\"source\":\"cmp\"}",
        "{\"consent_id\":\"k2\",\"subject_type\":\"customer_id\",\"subject_value\":\"C2\",\"purpose\":\"marketing\","
            + "\"channel\":\"all\",\"status\":\"granted\",\"legal_basis\":\"consent\",\"ts\":\"2026-11-27T09:00:00Z\","
            + "\"source\":\"cmp\"}");
    store = new DeltaStore(spark, Lake.at(root.resolve("lake").toString()));
    new IngestJob(store, INGEST, PRIVACY).run(DAY, "test");
    new IdentityJob(store, SettingsLoader.load(null).identity(), CLOCK).run(DAY, false, "test");
    new ConsentJob(store, CLOCK).run(DAY, "test");
    new ProfilesJob(store, CLOCK).run(DAY, "test");
    annaKey = keyOf("C1");
    bobKey = keyOf("C2");

    // What segments and activate would write, by hand: a segment each, a title, an email activation each.
    Date day = Date.valueOf(DAY);
    store.append(Tables.SEGMENT_MEMBERSHIP, spark.createDataFrame(List.of(
        RowFactory.create(day, "avocado-regulars", annaKey), RowFactory.create(day, "cart-abandoners", bobKey)),
        Tables.SEGMENT_MEMBERSHIP.schema()), "test");
    store.append(Tables.SEGMENT_SIZES, spark.createDataFrame(List.of(
        RowFactory.create(day, "avocado-regulars", "Viewed organic avocados twice this month", 1L, 1L, 0L, "h1"),
        RowFactory.create(day, "cart-abandoners", "Left a full cart", 1L, 1L, 0L, "h2")),
        Tables.SEGMENT_SIZES.schema()), "test");
    store.append(Tables.ACTIVATION, spark.createDataFrame(List.of(
        RowFactory.create(day, "email", "avocado-regulars", annaKey, "anna@example.de", "consent", "k1"),
        RowFactory.create(day, "email", "cart-abandoners", bobKey, "bob@example.de", "consent", "k2")),
        Tables.ACTIVATION.schema()), "test");
    write("exports/dt=" + DAY + "/email/avocado-regulars.csv", "customer_key,email", annaKey + ",anna@example.de");
    write("exports/dt=" + DAY + "/email/cart-abandoners.csv", "customer_key,email", bobKey + ",bob@example.de");
    // A device id that names no one: found by Anna's key alone.
    write("exports/dt=" + DAY + "/push/avocado-regulars.csv", "customer_key,device_id", annaKey + ",dev-7f3a",
        bobKey + ",dev-9c1e");
    // Anna's work email was erased once before (a suppression without the rest of the erasure).
    store.append(Tables.SUPPRESSION_LIST, spark.createDataFrame(List.of(RowFactory.create("email",
        KEYED.of("anna.work@example.de"), Timestamp.from(Instant.parse("2026-11-28T10:00:00Z")), "DSR-7")),
        Tables.SUPPRESSION_LIST.schema()), "test");
  }

  private static long keyOf(String customerId) {
    return store.read(Tables.IDENTITY_MAP).where(col("identifier_type").equalTo("customer_id")
        .and(col("identifier_value").equalTo(customerId))).first().getLong(2);
  }

  private static void write(String relative, String... lines) throws IOException {
    Path file = root.resolve("lake").resolve(relative);
    Files.createDirectories(file.getParent());
    Files.writeString(file, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
  }

  private DsarResult dsar(String subject) {
    return new DsarJob(store, "DE", Optional.of(KEYED), CLOCK).run(DsarJob.subject(subject, "DE", CLOCK.instant()),
        AccessFolder.at(out.resolve("dsar").toString(), store.lake(), spark.sparkContext().hadoopConfiguration()));
  }

  private List<JsonNode> json(String relative) throws IOException {
    Path file = out.resolve("dsar").resolve(relative);
    List<JsonNode> rows = new ArrayList<>();
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      rows.add(new ObjectMapper().readTree(line));
    }
    return rows;
  }

  private List<String> column(String table, String column) throws IOException {
    return json("tables/" + table + ".json").stream().map(row -> row.get(column).asText()).sorted().toList();
  }

  /** Every file of the export, as text. */
  private String everything() throws IOException {
    StringBuilder text = new StringBuilder();
    try (Stream<Path> files = Files.walk(out.resolve("dsar"))) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        text.append(file).append('\n').append(Files.readString(file, StandardCharsets.UTF_8)).append('\n');
      }
    }
    return text.toString();
  }

  /** No exported row names {@code key} as a customer, and no exported file line starts with it. */
  private void assertNoKey(long key) throws IOException {
    try (Stream<Path> files = Files.list(out.resolve("dsar/tables"))) {
      for (Path file : files.toList()) {
        for (JsonNode row : json("tables/" + file.getFileName())) {
          for (String column : List.of("customer_key", "other_customer_key", "old_key", "new_key")) {
            assertThat(row.path(column).asText()).as(file.getFileName() + "." + column).isNotEqualTo(String.valueOf(key));
          }
        }
      }
    }
    if (Files.exists(out.resolve("dsar/files/exports.jsonl"))) {
      assertThat(json("files/exports.jsonl")).noneMatch(line -> line.get("record").asText().startsWith(key + ","));
    }
  }

  private static void assertHoldsNoneOf(String text, List<String> values) {
    for (String value : values) {
      assertThat(Pattern.compile("(?i)(?<![\\w.@+-])" + Pattern.quote(value) + "(?![\\w@])").matcher(text).find())
          .as("the export holds " + value).isFalse();
    }
  }

  @Test
  void annasExportHoldsExactlyHerRowsAndNothingOfBob() throws IOException {
    DsarResult result = dsar("email:  ANNA@Example.DE ");

    assertThat(result.known()).isTrue();
    assertThat(column("events", "message_id")).containsExactly("m1", "m2", "m3", "m4");
    assertThat(column("crm_customers", "customer_id")).containsExactly("C1");
    assertThat(column("consent_events", "consent_id")).containsExactly("k1");
    assertThat(column("identity_map", "identifier_value")).containsExactlyInAnyOrderElementsOf(ANNA);
    assertThat(column("customer_profiles", "customer_key")).containsExactly(String.valueOf(annaKey));
    assertThat(column("segment_membership", "segment_id")).containsExactly("avocado-regulars");
    assertThat(column("activation", "address")).containsExactly("anna@example.de");
    assertThat(column("quarantine", "record")).singleElement().asString().contains("\"m7\"");
    assertThat(json("tables/events.json").get(0).has("page_title")).as("null columns are kept").isTrue();
    assertThat(json("files/landing_events.jsonl")).extracting(line -> line.get("line").asInt())
        .containsExactly(1, 2, 3, 4, 7);
    assertThat(json("files/landing_crm.jsonl")).singleElement().satisfies(line -> {
      assertThat(line.get("file").asText()).isEqualTo("landing/crm/dt=" + DAY + "/crm.csv");
      assertThat(line.get("header").asText()).startsWith("customer_id,email");
      assertThat(line.get("record").asText()).startsWith("C1,");
    });
    assertThat(json("files/landing_consent.jsonl")).extracting(line -> line.get("line").asInt()).containsExactly(1);
    assertThat(json("files/exports.jsonl")).extracting(line -> line.get("record").asText())
        .containsExactlyInAnyOrder(annaKey + ",anna@example.de", annaKey + ",dev-7f3a");
    assertThat(result.rowsByTable()).containsEntry("events", 4L).containsEntry("identity_map", 8L);

    String summary = Files.readString(out.resolve("dsar/summary.md"), StandardCharsets.UTF_8);
    assertThat(summary).contains("| email | anna@example.de | the identifier of the request |",
        "| first_name | Anna |", "| 2026-11-27 | Viewed organic avocados twice this month (`avocado-regulars`) |",
        "| 2026-11-27T09:00:00Z | marketing | email | granted | consent |", "### email",
        "an identifier of type email since 2026-11-28T10:00:00Z (erasure request DSR-7)",
        "| table `events` | 4 | tables/events.json |");
    String everything = everything();
    assertHoldsNoneOf(everything, BOB);
    assertHoldsNoneOf(everything, List.of("dev-9c1e", "Berg", "k2"));
    assertNoKey(bobKey);
  }

  @Test
  void bobsExportHoldsHisEventsOnTheFamilyLaptopAndNothingOfAnna() throws IOException {
    DsarResult result = dsar("customer_id:C2");

    assertThat(column("events", "message_id")).as("his own login on the family laptop, not Anna's")
        .containsExactly("m5", "m6");
    assertThat(column("crm_customers", "customer_id")).containsExactly("C2");
    assertThat(column("consent_events", "consent_id")).containsExactly("k2");
    assertThat(column("identity_map", "identifier_value")).contains("C2", "bob@example.de", "ck-bob-1");
    assertThat(result.sharedIdentifiers()).as("the family laptop's cookie").isEqualTo(1);
    assertThat(Files.readString(out.resolve("dsar/summary.md"), StandardCharsets.UTF_8))
        .contains("| anonymous_id | ck-family | also linked to another customer");
    String everything = everything();
    assertHoldsNoneOf(everything, ANNA);
    assertHoldsNoneOf(everything, List.of("dev-7f3a", "Lindqvist", "k1", "m4"));
    assertNoKey(annaKey);
  }

  @Test
  void aSubjectTheLakeDoesNotKnowGetsAnEmptyExportThatSaysSo() throws IOException {
    DsarResult result = dsar("phone:+49 170 9999999");

    assertThat(result.known()).isFalse();
    assertThat(result.rows()).isZero();
    assertThat(result.lines()).isZero();
    try (Stream<Path> files = Files.walk(out.resolve("dsar"))) {
      assertThat(files.filter(Files::isRegularFile).map(file -> file.getFileName().toString()).toList())
          .containsExactly("summary.md");
    }
    assertThat(Files.readString(out.resolve("dsar/summary.md"), StandardCharsets.UTF_8))
        .contains("The lake holds no data about this subject", "| table `events` | 0 |");
  }

  /** Anna and Bob both logged in on the family laptop: its cookie cannot say whose data is asked for. */
  @Test
  void aRequestByACookieTwoCustomersShareIsRefusedAndExportsNothing() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> dsar("anonymous_id:ck-family"))
        .isInstanceOfSatisfying(io.tarmo.TarmoException.class, e -> {
          assertThat(e.failure()).isEqualTo(io.tarmo.TarmoException.Failure.USAGE);
          assertThat(e.getMessage()).contains("held by more than one customer (a shared device)")
              .doesNotContain("ck-family");
        });
    assertThat(out.resolve("dsar")).doesNotExist();
  }

  /** The command on this test's lake. */
  private Run tarmo(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--lake", store.lake().root()));
    return InProcessTarmo.tarmo(all.toArray(String[]::new));
  }

  private long dsarRuns() {
    return store.read(Tables.JOB_RUNS).where(col("command").equalTo("dsar")).count();
  }

  @Test
  void theCommandPrintsCountsOnlyAndRecordsARunWithCounts() {
    long before = dsarRuns();
    Run run = tarmo("dsar", "--subject", "phone:0151 23456789", "--out", out.resolve("anna").toString());

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).contains("events: 4 rows", out.resolve("anna").toString());
    assertHoldsNoneOf(run.out() + run.err(), ANNA);
    assertThat(dsarRuns()).isEqualTo(before + 1);
    Row row = store.read(Tables.JOB_RUNS).where(col("command").equalTo("dsar")).orderBy(col("started_at").desc())
        .first();
    assertThat(row.<String>getAs("status")).isEqualTo("SUCCEEDED");
    assertThat(row.getJavaMap(row.fieldIndex("counts"))).containsEntry("dsar.rows.events", 4L);
    assertThat(out.resolve("anna/tables/events.json")).exists();
  }

  @Test
  void aBadSubjectOrFolderIsExitTwoWithoutEchoingTheValueAndWritesNothing() throws IOException {
    long before = dsarRuns();
    Path used = Files.createDirectories(out.resolve("used"));
    Files.writeString(used.resolve("x.txt"), "x", StandardCharsets.UTF_8);
    String[][] cases = {
        {"--subject", "passport:X1234567", "--out", out.resolve("a").toString()},
        {"--subject", "email:not-an-address", "--out", out.resolve("b").toString()},
        {"--subject", "phone:12", "--out", out.resolve("c").toString()},
        {"--subject", "anna@example.de", "--out", out.resolve("d").toString()},
        {"--subject", "email:", "--out", out.resolve("e").toString()},
        {"--subject", "email:anna@example.de", "--out", used.toString()},
        {"--subject", "email:anna@example.de", "--out", root.resolve("lake/dsar").toString()}};
    for (String[] args : cases) {
      List<String> all = new ArrayList<>(List.of("dsar"));
      all.addAll(List.of(args));
      Run run = tarmo(all.toArray(String[]::new));
      assertThat(run.exitCode()).as(String.join(" ", args) + ": " + run.err()).isEqualTo(2);
      assertThat(run.out()).isEmpty();
      assertThat(run.err()).contains("Cannot").doesNotContain("X1234567", "not-an-address", "anna", ":12");
    }
    assertThat(dsarRuns()).isEqualTo(before);
    for (String folder : List.of("a", "b", "c", "d", "e")) {
      assertThat(out.resolve(folder)).doesNotExist();
    }
    assertThat(root.resolve("lake/dsar")).doesNotExist();
  }
}
