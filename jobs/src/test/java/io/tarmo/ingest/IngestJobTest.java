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
    Files.createDirectories(dir);
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

    assertThat(result.events()).isEqualTo(new SourceCounts(2, 7, 4, 1, 1, 1, 0, 0));
    assertThat(result.crm()).isEqualTo(new SourceCounts(1, 4, 2, 1, 0, 1, 0, 0));
    assertThat(result.consent()).isEqualTo(new SourceCounts(1, 2, 1, 0, 0, 1, 0, 0));
    assertThat(store.read(Tables.EVENTS).count()).isEqualTo(4);
    assertThat(store.read(Tables.QUARANTINE).count()).isEqualTo(3);
    assertThat(result.quarantineReasons()).containsEntry("events.malformed JSON or a field of the wrong type", 1L);
    assertThat(result.counts()).containsEntry("events.read", 7L).containsEntry("crm.stored", 2L);
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
}
