package io.tarmo.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tarmo.TarmoException;
import io.tarmo.lake.DeltaStore;
import io.tarmo.lake.Lake;
import io.tarmo.lake.TableSpec;
import io.tarmo.lake.Tables;
import io.tarmo.testing.SparkTest;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@SparkTest
class IngestJobTest {

  static final LocalDate DAY1 = LocalDate.of(2026, 11, 27);
  static final LocalDate DAY2 = LocalDate.of(2026, 11, 28);
  static final IngestSettings SETTINGS = new IngestSettings(4096, 30, Duration.ofDays(1), "DE", 0.05, 20);
  static final PrivacySettings PRIVACY = new PrivacySettings(IpPolicy.TRUNCATE, "analytics");
  static final String HEADER = CrmLines.HEADER;
  static final String EMAIL = "ann.unique-probe@example.com";

  private final SparkSession spark;
  @TempDir Path root;
  private DeltaStore store;
  private IngestJob job;

  IngestJobTest(SparkSession spark) {
    this.spark = spark;
  }

  @BeforeEach
  void setUp() {
    store = new DeltaStore(spark, Lake.at(root.toString()));
    job = new IngestJob(store, SETTINGS, PRIVACY);
  }

  static String event(String id, String ts, String extra) {
    return "{\"messageId\":\"" + id + "\",\"type\":\"page\",\"timestamp\":\"" + ts + "\",\"anonymousId\":\"cookie-7f3a\"" + extra + "}";
  }

  void write(String source, LocalDate day, String name, String... lines) throws IOException {
    Path dir = root.resolve("landing/" + source + "/dt=" + day);
    Files.createDirectories(dir.resolve(name).getParent());
    byte[] bytes = (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8);
    if (name.endsWith(".gz")) {
      try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(dir.resolve(name)))) {
        out.write(bytes);
      }
    } else {
      Files.write(dir.resolve(name), bytes);
    }
  }

  void writeDay1() throws IOException {
    write("events", DAY1, "part-0.json.gz",
        event("m1", "2026-11-27T10:00:00Z", ",\"context\":{\"ip\":\"203.0.113.77\"}"),
        event("m1", "2026-11-27T10:00:00Z", ",\"context\":{\"ip\":\"203.0.113.77\"}"),
        event("m2", "2026-11-27T10:05:00Z", ",\"userId\":\"C1\",\"traits\":{\"email\":\" " + EMAIL.toUpperCase() + "\"}"),
        event("m3", "2026-11-26T23:00:00Z", ""),
        event("m4", "2026-11-27T11:00:00Z", ",\"context\":{\"consent\":{\"categoryPreferences\":{\"analytics\":false}}}"),
        "{\"messageId\":\"m5\",\"type\":\"page\"");
    write("events", DAY1, "part-1.json", event("m6", "2026-11-27T12:00:00Z", ""));
    write("crm", DAY1, "crm.csv", HEADER,
        "C1," + EMAIL + ",0151 23456789,Ann,Lee,1980-01-02,,,,DE,L-1,2025-01-01T00:00:00Z,2026-11-27T09:00:00Z",
        "C2,bob@example.com,,Bob,,,,,,,,,2026-11-27T09:00:00Z",
        "C2,bob.old@example.com,,Bob,,,,,,,,,2026-11-20T09:00:00Z",
        "C3,too,few");
    write("consent", DAY1, "consent.json",
        "{\"consent_id\":\"k1\",\"subject_type\":\"email\",\"subject_value\":\"" + EMAIL + "\",\"purpose\":\"marketing\",\"channel\":\"email\",\"status\":\"granted\",\"legal_basis\":\"consent\",\"ts\":\"2026-11-27T08:00:00Z\"}",
        "{\"consent_id\":\"k2\",\"subject_type\":\"customer_id\",\"subject_value\":\"C2\",\"purpose\":\"marketing\",\"channel\":\"sms\",\"status\":\"maybe\",\"legal_basis\":\"consent\",\"ts\":\"2026-11-27T08:00:00Z\"}");
  }

  @Test
  void everyLineIsAccountedFor() throws IOException {
    writeDay1();
    IngestResult result = job.run(DAY1, "test");

    assertThat(result.events()).isEqualTo(new SourceCounts(2, 7, 4, 1, 1, 1, 0, 0, 0, 0, 0));
    assertThat(result.crm()).isEqualTo(new SourceCounts(1, 4, 2, 1, 0, 1, 0, 0, 0, 0, 0));
    assertThat(result.consent()).isEqualTo(new SourceCounts(1, 2, 1, 0, 0, 1, 0, 0, 0, 0, 0));
    assertThat(store.read(Tables.EVENTS).count()).isEqualTo(4);
    assertThat(store.read(Tables.QUARANTINE).count()).isEqualTo(3);
    assertThat(result.quarantineReasons()).containsEntry("events.malformed JSON or a field of the wrong type", 1L);
    assertThat(result.counts()).containsEntry("events.read", 7L).containsEntry("crm.stored", 2L);
    assertThat(result.deltaVersions()).isEqualTo(Map.of("events", store.version(Tables.EVENTS),
        "crm_customers", store.version(Tables.CRM_CUSTOMERS), "consent_events", store.version(Tables.CONSENT_EVENTS),
        "quarantine", store.version(Tables.QUARANTINE)));
    assertThat(result.durationMs()).isPositive();
  }

  @Test
  void lateEventIsStoredUnderItsOwnDate() throws IOException {
    writeDay1();
    job.run(DAY1, "test");
    Row late = store.read(Tables.EVENTS).filter("message_id = 'm3'").head();
    assertThat(late.<java.sql.Date>getAs("event_date").toLocalDate()).isEqualTo(LocalDate.of(2026, 11, 26));
    assertThat(late.<java.sql.Date>getAs("ingest_date").toLocalDate()).isEqualTo(DAY1);
  }

  @Test
  void ingestingADayTwiceChangesNothing() throws IOException {
    writeDay1();
    job.run(DAY1, "first");
    List<Dataset<Row>> before = snapshot();
    IngestResult again = job.run(DAY1, "second");
    List<Dataset<Row>> after = snapshot();

    assertThat(again.events().stored()).isEqualTo(4);
    for (int i = 0; i < before.size(); i++) {
      assertThat(after.get(i).count()).isEqualTo(before.get(i).count());
      assertThat(after.get(i).exceptAll(before.get(i)).count()).isZero();
      assertThat(before.get(i).exceptAll(after.get(i)).count()).isZero();
    }
  }

  private List<Dataset<Row>> snapshot() {
    return Stream.of(Tables.EVENTS, Tables.CRM_CUSTOMERS, Tables.CONSENT_EVENTS, Tables.QUARANTINE)
        .map(spec -> store.read(spec).localCheckpoint())
        .toList();
  }

  @Test
  void duplicatesFromEarlierDaysAreIngestedOnce() throws IOException {
    writeDay1();
    job.run(DAY1, "test");
    write("events", DAY2, "part-0.json", event("m1", "2026-11-27T10:00:00Z", ""), event("m7", "2026-11-28T10:00:00Z", ""));
    write("consent", DAY2, "consent.json",
        "{\"consent_id\":\"k1\",\"subject_type\":\"email\",\"subject_value\":\"" + EMAIL + "\",\"purpose\":\"marketing\",\"channel\":\"email\",\"status\":\"granted\",\"legal_basis\":\"consent\",\"ts\":\"2026-11-27T08:00:00Z\"}");

    IngestResult result = job.run(DAY2, "test");

    assertThat(result.events().stored()).isEqualTo(1);
    assertThat(result.events().duplicates()).isEqualTo(1);
    assertThat(result.consent().duplicates()).isEqualTo(1);
    assertThat(store.read(Tables.EVENTS).filter("message_id = 'm1'").count()).isEqualTo(1);
    assertThat(result.crm()).isEqualTo(SourceCounts.NONE);
  }

  @Test
  void deduplicationReadsOnlyTheEventDatesOfTheDelivery() throws IOException {
    writeDay1();
    job.run(DAY1, "test");
    // The day-1 partition of a late event (2026-11-26) loses its data files: a read of it would fail.
    Path old = root.resolve("tables/events/event_date=2026-11-26");
    try (Stream<Path> files = Files.list(old)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".parquet")).toList()) {
        Files.delete(file);
      }
    }
    write("events", DAY2, "part-0.json", event("m1", "2026-11-27T10:00:00Z", ""), event("m7", "2026-11-28T10:00:00Z", ""));

    IngestResult result = job.run(DAY2, "test");

    assertThat(result.events().stored()).isEqualTo(1);
    assertThat(result.events().duplicates()).as("m1 was found among the events of its own date").isEqualTo(1);
  }

  @Test
  void latestCrmVersionWinsAcrossDays() throws IOException {
    writeDay1();
    job.run(DAY1, "test");
    write("crm", DAY2, "crm.csv.gz", HEADER,
        "C1,new.address@example.com,,Ann,Lee,,,,,,,,2026-11-28T09:00:00Z",
        "C2,stale@example.com,,Bob,,,,,,,,,2026-11-01T09:00:00Z");

    IngestResult result = job.run(DAY2, "test");

    assertThat(result.crm().stored()).isEqualTo(1);
    assertThat(result.crm().duplicates()).as("an older version than the stored one is superseded").isEqualTo(1);
    Dataset<Row> crm = store.read(Tables.CRM_CUSTOMERS);
    assertThat(crm.filter("customer_id = 'C1'").head().<String>getAs("email")).isEqualTo("new.address@example.com");
    assertThat(crm.filter("customer_id = 'C2'").head().<String>getAs("email")).isEqualTo("bob@example.com");
  }

  @Test
  void personalDataStaysOutOfTheDeltaLog() throws IOException {
    writeDay1();
    job.run(DAY1, "test");
    job.run(DAY1, "rerun");
    try (Stream<Path> files = Files.walk(root.resolve("tables"))) {
      for (Path file : files.filter(f -> f.toString().contains("_delta_log") && Files.isRegularFile(f)).toList()) {
        String text = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
        assertThat(text).as(file.toString()).doesNotContain(EMAIL).doesNotContain("cookie-7f3a")
            .doesNotContain("+4915123456789").doesNotContain("\"C1\"");
      }
    }
  }

  /**
   * Senders put addresses where no contract names them: in page names, titles, paths, URLs,
   * event names, categories and even message ids. None of it may reach the Delta log, whose
   * statistics erasure cannot rewrite.
   */
  @Test
  void freeTextWithPersonalDataStaysOutOfTheDeltaLog() throws IOException {
    String hidden = "hidden.person@example.org";
    write("events", DAY1, "part-0.json",
        "{\"messageId\":\"m-" + hidden + "\",\"type\":\"page\",\"name\":\"Hello " + hidden + "\","
            + "\"timestamp\":\"2026-11-27T10:00:00Z\",\"anonymousId\":\"cookie-7f3a\",\"context\":{\"page\":{"
            + "\"path\":\"/newsletter/confirm/" + hidden + "\",\"title\":\"Welcome " + hidden + "\","
            + "\"url\":\"https://shop.example/confirm?email=" + hidden + "\"}}}",
        "{\"messageId\":\"m2\",\"type\":\"track\",\"event\":\"Signed up " + hidden + "\","
            + "\"timestamp\":\"2026-11-27T10:01:00Z\",\"anonymousId\":\"cookie-7f3a\","
            + "\"properties\":{\"category\":\"" + hidden + "\",\"product_id\":\"" + hidden + "\","
            + "\"order_id\":\"" + hidden + "\"}}",
        "{\"messageId\":\"m3\",\"type\":\"page\",\"name\":\"" + hidden + "\"");

    IngestResult result = job.run(DAY1, "test");

    assertThat(result.events().stored()).isEqualTo(2);
    assertThat(result.events().quarantined()).isEqualTo(1);
    try (Stream<Path> files = Files.walk(root.resolve("tables"))) {
      List<Path> log = files.filter(f -> f.toString().contains("_delta_log") && Files.isRegularFile(f)).toList();
      assertThat(log).isNotEmpty();
      for (Path file : log) {
        assertThat(new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1)).as(file.toString())
            .doesNotContain("hidden.person").doesNotContain("example.org");
      }
    }
  }

  @Test
  void personalColumnsHaveNoStatistics() throws IOException {
    writeDay1();
    job.run(DAY1, "test");
    for (TableSpec spec : List.of(Tables.EVENTS, Tables.CRM_CUSTOMERS, Tables.CONSENT_EVENTS, Tables.QUARANTINE)) {
      String property = spark.sql("SHOW TBLPROPERTIES delta.`" + store.lake().tablePath(spec) + "`")
          .filter("key = 'delta.dataSkippingStatsColumns'").head().getString(1);
      assertThat(List.of(property.split(","))).as(spec.name()).doesNotContainAnyElementsOf(spec.personalColumns());
    }
  }

  @Test
  void quarantineGateTripsAboveTheThreshold() throws IOException {
    write("events", DAY1, "bad.json", "{", "{", event("m1", "2026-11-27T10:00:00Z", ""));
    IngestResult result = job.run(DAY1, "test");
    assertThat(result.qualityFailure(0.05, 3)).hasValueSatisfying(message ->
        assertThat(message).contains("66.67% of events lines").contains("tarmo.ingest.quarantine-max-ratio"));
    assertThat(result.qualityFailure(0.05, 4)).as("fewer lines than quarantine-min-lines: no gate").isEmpty();
    assertThat(store.read(Tables.QUARANTINE).count()).as("written before the gate trips").isEqualTo(2);
  }

  @Test
  void dayWithoutAnyLandingFolderIsBadUsage() {
    assertThatThrownBy(() -> job.run(DAY1, "test"))
        .isInstanceOf(TarmoException.class)
        .hasMessageContaining("no landing folder")
        .satisfies(e -> assertThat(((TarmoException) e).failure()).isEqualTo(TarmoException.Failure.USAGE));
    assertThat(Files.exists(root.resolve("tables"))).isFalse();
  }

  @Test
  void emptyDayFolderIngestsNothing() throws IOException {
    Files.createDirectories(root.resolve("landing/events/dt=" + DAY1));
    IngestResult result = job.run(DAY1, "test");
    assertThat(result.events()).isEqualTo(SourceCounts.NONE);
    assertThat(store.read(Tables.EVENTS).count()).isZero();
  }

  static String consent(String id, String subjectType, String subject, String status, String ts, String expiresAt) {
    return "{\"consent_id\":\"" + id + "\",\"subject_type\":\"" + subjectType + "\",\"subject_value\":\"" + subject
        + "\",\"purpose\":\"marketing\",\"channel\":\"email\",\"status\":\"" + status + "\",\"legal_basis\":\"consent\",\"ts\":\""
        + ts + "\"" + (expiresAt == null ? "" : ",\"expires_at\":\"" + expiresAt + "\"") + "}";
  }

  private List<String> quarantined(String source) {
    return store.read(Tables.QUARANTINE).filter(org.apache.spark.sql.functions.col("source").equalTo(source))
        .orderBy("file", "reason", "record").collectAsList().stream()
        .map(row -> row.<String>getAs("reason") + " | " + row.<String>getAs("record") + " | "
            + fileName(row.<String>getAs("file")))
        .toList();
  }

  private static String fileName(String file) {
    return file == null ? null : file.substring(file.indexOf("/dt=") + 15);
  }

  @Test
  void crmRecordWithALineBreakInAQuotedFieldIsOneRecord() throws IOException {
    write("crm", DAY1, "crm.csv", HEADER,
        "C1,ann@example.com,,Ann,Lee,,\"Main St 1",
        "Building B, 2nd floor",
        "c/o \"\"Lee\"\"\",10115,Berlin,DE,,,2026-11-27T09:00:00Z",
        "C2,bob@example.com,,Bob,,,,,,,,,2026-11-27T09:00:00Z");

    IngestResult result = job.run(DAY1, "test");

    assertThat(result.counts()).containsEntry("crm.read", 2L).containsEntry("crm.stored", 2L)
        .containsEntry("crm.quarantined", 0L);
    assertThat(store.read(Tables.CRM_CUSTOMERS).filter("customer_id = 'C1'").head().<String>getAs("street"))
        .isEqualTo("Main St 1\nBuilding B, 2nd floor\nc/o \"Lee\"");
    assertThat(store.read(Tables.CRM_CUSTOMERS).filter("customer_id = 'C1'").head().<String>getAs("city"))
        .isEqualTo("Berlin");
  }

  @Test
  void unclosedQuoteQuarantinesItsLineAndReadingResumes() throws IOException {
    write("crm", DAY1, "crm.csv", HEADER,
        "C1,ann@example.com,,Ann,Lee,,\"Main St 1,10115,Berlin,DE,,,2026-11-27T09:00:00Z",
        "C2,bob@example.com,,Bob,,,,,,,,,2026-11-27T09:00:00Z",
        "C3,cy@example.com,,Cy,,,\"Long Rd 2\",,,,,,2026-11-27T09:00:00Z",
        "C4,\"dee@example.com");

    IngestResult result = job.run(DAY1, "test");

    assertThat(result.counts()).containsEntry("crm.read", 4L).containsEntry("crm.stored", 2L)
        .containsEntry("crm.quarantined", 2L);
    assertThat(quarantined("crm")).containsExactly(
        "unclosed quote; reading resumed on the next line | "
            + "C1,ann@example.com,,Ann,Lee,,\"Main St 1,10115,Berlin,DE,,,2026-11-27T09:00:00Z | crm.csv",
        "unclosed quote; reading resumed on the next line | "
            + "C4,\"dee@example.com | crm.csv");
    assertThat(store.read(Tables.CRM_CUSTOMERS).select("customer_id").orderBy("customer_id").collectAsList())
        .extracting(row -> row.getString(0)).containsExactly("C2", "C3");
  }

  @Test
  void crmFileWithCrlfLineEndingsIsRead() throws IOException {
    Path dir = root.resolve("landing/crm/dt=" + DAY1);
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("crm.csv"), HEADER + "\r\n"
        + "C1,ann@example.com,,Ann,Lee,,\"Main St 1\r\nBuilding B\",,,,,,2026-11-27T09:00:00Z\r\n"
        + "C2,bob@example.com,,Bob,,,,,,,,,2026-11-27T09:00:00Z\r\n", StandardCharsets.UTF_8);

    IngestResult result = job.run(DAY1, "test");

    assertThat(result.counts()).containsEntry("crm.read", 2L).containsEntry("crm.stored", 2L)
        .containsEntry("crm.quarantined", 0L);
    assertThat(store.read(Tables.CRM_CUSTOMERS).filter("customer_id = 'C2'").head().<java.sql.Timestamp>getAs("updated_at")
        .toInstant()).isEqualTo(java.time.Instant.parse("2026-11-27T09:00:00Z"));
    assertThat(store.read(Tables.CRM_CUSTOMERS).filter("customer_id = 'C1'").head().<String>getAs("street"))
        .isEqualTo("Main St 1\nBuilding B");
  }

  @Test
  void everyLandingFileIsReadOrCountedAsUnreadable() throws IOException {
    write("events", DAY1, "a.jsonl", event("m1", "2026-11-27T10:00:00Z", ""));
    write("events", DAY1, "b.ndjson", event("m2", "2026-11-27T10:00:00Z", ""));
    write("events", DAY1, "c.ndjson.gz", event("m3", "2026-11-27T10:00:00Z", ""));
    write("events", DAY1, "d.JSON", event("m4", "2026-11-27T10:00:00Z", ""));
    write("events", DAY1, "e.txt", event("m5", "2026-11-27T10:00:00Z", ""));
    write("events", DAY1, "f.json.bz2", event("m6", "2026-11-27T10:00:00Z", ""));
    write("events", DAY1, "late/g.json", event("m7", "2026-11-27T10:00:00Z", ""));
    write("events", DAY1, "_SUCCESS");
    write("events", DAY1, ".h.json.crc", "x");
    write("crm", DAY1, "crm.json", "{}");

    IngestResult result = job.run(DAY1, "test");

    assertThat(result.counts()).containsEntry("events.files", 4L).containsEntry("events.read", 4L)
        .containsEntry("events.stored", 4L).containsEntry("events.unreadable_files", 3L)
        .containsEntry("crm.unreadable_files", 1L).containsEntry("crm.read", 0L)
        .containsEntry("consent.unreadable_files", 0L);
    assertThat(quarantined("events")).containsExactly(
        "unsupported file type .txt; deliver .json, .jsonl or .ndjson, plain or gzip (.gz) | null | e.txt",
        "unsupported file type .bz2; deliver .json, .jsonl or .ndjson, plain or gzip (.gz) | null | f.json.bz2",
        "file in a sub-folder of the day's folder; deliver files directly in dt=" + DAY1 + "/ | null | late/g.json");
    assertThat(quarantined("crm")).containsExactly(
        "unsupported file type .json; deliver .csv, plain or gzip (.gz) | null | crm.json");
  }

  @Test
  void truncatedGzipIsQuarantinedAndTheRestOfTheDayWritten() throws IOException {
    String[] lines = new String[200];
    for (int i = 0; i < lines.length; i++) {
      lines[i] = event("t" + i, "2026-11-27T10:00:00Z", ",\"properties\":{\"pad\":\"" + "x".repeat(i % 50) + i + "\"}");
    }
    write("events", DAY1, "a.json.gz", lines);
    Path file = root.resolve("landing/events/dt=" + DAY1 + "/a.json.gz");
    byte[] whole = Files.readAllBytes(file);
    Files.write(file, java.util.Arrays.copyOf(whole, whole.length * 2 / 3));
    write("events", DAY1, "b.json", event("m1", "2026-11-27T10:00:00Z", ""));

    IngestResult result = job.run(DAY1, "test");

    long kept = store.read(Tables.EVENTS).filter("message_id like 't%'").count();
    assertThat(kept).as("the whole lines before the corruption").isBetween(1L, 199L);
    assertThat(result.counts()).containsEntry("events.files", 2L).containsEntry("events.unreadable_files", 1L)
        .containsEntry("events.read", kept + 1).containsEntry("events.stored", kept + 1)
        .containsEntry("events.quarantined", 0L);
    assertThat(quarantined("events")).containsExactly(
        "unreadable gzip: unexpected end of stream after " + kept + " lines; the lines before were read | null | a.json.gz");
  }

  @Test
  void consentOutsideTheTimeWindowIsQuarantined() throws IOException {
    write("consent", DAY1, "consent.json",
        consent("k1", "customer_id", "C1", "granted", "2026-11-27T08:00:00Z", "2027-11-27T08:00:00Z"),
        consent("k2", "customer_id", "C1", "granted", "2030-01-01T00:00:00Z", null),
        consent("k3", "customer_id", "C1", "withdrawn", "2099-01-01T00:00:00Z", null),
        consent("k4", "customer_id", "C1", "granted", "1970-01-01T00:00:00Z", null),
        consent("k5", "customer_id", "C1", "granted", "2026-11-27T08:00:00Z", "2026-11-27T07:00:00Z"),
        consent("k6", "customer_id", "C1", "granted", "2026-11-27T08:00:00Z", "2026-11-27T08:00:00Z"),
        consent("k7", "customer_id", "C1", "granted", "2026-11-28T00:30:00Z", null),
        consent("k8", "customer_id", "C1", "granted", "2021-05-01T09:00:00Z", "2031-05-01T09:00:00Z"));

    IngestResult result = job.run(DAY1, "test");

    String window = "ts out of range (before 2000-01-01 or after the delivery day ends plus the allowed clock skew)";
    assertThat(result.counts()).containsEntry("consent.read", 8L).containsEntry("consent.stored", 3L)
        .containsEntry("consent.quarantined", 5L)
        .containsEntry("quarantine.consent." + window, 3L)
        .containsEntry("quarantine.consent.expires_at is not after ts", 2L);
    assertThat(store.read(Tables.CONSENT_EVENTS).select("consent_id").orderBy("consent_id").collectAsList())
        .extracting(row -> row.getString(0)).as("a backfilled history is kept").containsExactly("k1", "k7", "k8");
  }

  @Test
  void identifiersWithControlCharactersAreRejected() throws IOException {
    write("events", DAY1, "part-0.json",
        "{\"messageId\":\"m1\",\"type\":\"page\",\"timestamp\":\"2026-11-27T10:00:00Z\",\"userId\":\"C\\u0000NUL\",\"anonymousId\":\"a1\"}",
        "{\"messageId\":\"m2\",\"type\":\"page\",\"timestamp\":\"2026-11-27T10:00:00Z\",\"anonymousId\":\"a\\u001b1\"}",
        "{\"messageId\":\"m3\\u0007\",\"type\":\"page\",\"timestamp\":\"2026-11-27T10:00:00Z\",\"anonymousId\":\"a1\"}",
        "{\"messageId\":\"m4\",\"type\":\"alias\",\"timestamp\":\"2026-11-27T10:00:00Z\",\"userId\":\"C4\",\"previousId\":\"p\\u200b4\"}",
        "{\"messageId\":\"m5\",\"type\":\"page\",\"timestamp\":\"2026-11-27T10:00:00Z\",\"userId\":\"C5\"}");
    write("crm", DAY1, "crm.csv", HEADER,
        "C1\u0001,ann@example.com,,Ann,Lee,,,,,,,,2026-11-27T09:00:00Z",
        "C2,bob@example.com,,Bob,,,,,,,L\u00002,,2026-11-27T09:00:00Z");
    write("consent", DAY1, "consent.json",
        consent("k1", "customer_id", "C\\u0000NUL", "granted", "2026-11-27T08:00:00Z", null),
        consent("k2", "anonymous_id", "a\\u0085", "granted", "2026-11-27T08:00:00Z", null),
        consent("k3", "customer_id", "C5", "granted", "2026-11-27T08:00:00Z", null));

    IngestResult result = job.run(DAY1, "test");

    assertThat(result.counts()).containsEntry("events.read", 5L).containsEntry("events.stored", 1L)
        .containsEntry("events.quarantined", 4L)
        .containsEntry("quarantine.events.userId contains a control or invisible character", 1L)
        .containsEntry("quarantine.events.anonymousId contains a control or invisible character", 1L)
        .containsEntry("quarantine.events.messageId contains a control or invisible character", 1L)
        .containsEntry("quarantine.events.previousId contains a control or invisible character", 1L)
        .containsEntry("crm.stored", 1L).containsEntry("crm.quarantined", 1L)
        .containsEntry("crm.invalid_id", 1L)
        .containsEntry("quarantine.crm.customer_id contains a control or invisible character", 1L)
        .containsEntry("consent.stored", 1L).containsEntry("consent.quarantined", 2L)
        .containsEntry("quarantine.consent.subject_value contains a control or invisible character", 2L);
    Row c2 = store.read(Tables.CRM_CUSTOMERS).head();
    assertThat(c2.<String>getAs("customer_id")).isEqualTo("C2");
    assertThat(c2.<String>getAs("loyalty_card_id")).isNull();
  }

  @Test
  void internationalEmailsAreStoredInOneForm() throws IOException {
    write("crm", DAY1, "crm.csv", HEADER,
        "C1,anna@b\u00fccher.de,,Anna,,,,,,,,,2026-11-27T09:00:00Z",
        "C2,\u00c4NNA@Beispiel.DE,,Anna,,,,,,,,,2026-11-27T09:00:00Z");
    write("consent", DAY1, "consent.json",
        consent("k1", "email", "ANNA@xn--bcher-kva.de", "granted", "2026-11-27T08:00:00Z", null));

    IngestResult result = job.run(DAY1, "test");

    assertThat(result.counts()).containsEntry("crm.invalid_email", 0L).containsEntry("consent.stored", 1L);
    assertThat(store.read(Tables.CRM_CUSTOMERS).select("email").orderBy("customer_id").collectAsList())
        .extracting(row -> row.getString(0)).containsExactly("anna@xn--bcher-kva.de", "\u00e4nna@beispiel.de");
    assertThat(store.read(Tables.CONSENT_EVENTS).head().<String>getAs("subject_value")).isEqualTo("anna@xn--bcher-kva.de");
  }

  @Test
  void aRerunReportsWhatTheFirstRunDecided() throws IOException {
    writeDay1();
    write("crm", DAY1, "crm.csv", HEADER,
        "C1," + EMAIL + ",0151 23456789,Ann,Lee,1980-01-02,,,,DE,L-1,2025-01-01T00:00:00Z,2026-11-27T09:00:00Z",
        "C2,bob@example.com,,Bob,,,,,,,,,2026-11-27T09:00:00Z",
        "C2,bob.old@example.com,,Bob,,,,,,,,,2026-11-20T09:00:00Z",
        "C3,cy@example.com,,Cy,,,,,,,,,",
        "C3,too,few");
    IngestResult first = job.run(DAY1, "first");
    List<Dataset<Row>> before = snapshot();

    IngestResult again = job.run(DAY1, "rerun");
    List<Dataset<Row>> after = snapshot();

    assertThat(first.counts()).containsEntry("crm.stored", 3L).containsEntry("crm.duplicates", 1L);
    assertThat(again.counts()).isEqualTo(first.counts());
    for (int i = 0; i < before.size(); i++) {
      assertThat(after.get(i).count()).isEqualTo(before.get(i).count());
      assertThat(after.get(i).exceptAll(before.get(i)).count()).isZero();
      assertThat(before.get(i).exceptAll(after.get(i)).count()).isZero();
    }
  }
}
