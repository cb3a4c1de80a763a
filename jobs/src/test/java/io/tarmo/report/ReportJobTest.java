package io.tarmo.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tarmo.TarmoException;
import io.tarmo.lake.DeltaStore;
import io.tarmo.lake.Lake;
import io.tarmo.lake.ReportFile;
import io.tarmo.lake.TableSpec;
import io.tarmo.lake.Tables;
import io.tarmo.testing.SparkTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import scala.jdk.javaapi.CollectionConverters;

/** The report of a tiny lake: its exact aggregates, its missing tables, and a page that stands alone. */
@SparkTest
class ReportJobTest {

  private static final LocalDate DAY = LocalDate.parse("2026-11-28");
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-29T06:00:00Z"), ZoneOffset.UTC);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern DATA = Pattern.compile(
      "<script type=\"application/json\" id=\"report-data\">(.*?)</script>", Pattern.DOTALL);

  private final SparkSession spark;
  @TempDir Path root;
  private DeltaStore store;

  ReportJobTest(SparkSession spark) {
    this.spark = spark;
  }

  @BeforeEach
  void lake() {
    store = new DeltaStore(spark, Lake.at(root.resolve("lake").toString()));
  }

  @Test
  void aggregatesOfATinyLakeAreExact() throws Exception {
    writeTinyLake();
    JsonNode data = data(report());

    assertThat(data.get("report")).isEqualTo(json("""
        {"date": "2026-11-28", "from": "2026-11-27", "days": ["2026-11-27", "2026-11-28"],
         "erasure_deadline_days": 30, "generated_at": "2026-11-29T06:00:00Z",
         "chart_library": "Apache ECharts %s"}""".formatted(ReportPage.echartsVersion())));
    assertThat(data.get("tables")).isEqualTo(json("""
        {"quarantine": true, "identity_merges": true, "identity_decisions": false, "identity_stats": true,
         "consent_state": true, "segment_sizes": true, "activation": true, "activation_exclusions": true,
         "erasure_log": true, "job_runs": true}"""));
    assertThat(data.get("volumes")).isEqualTo(json("""
        [{"day": "2026-11-27", "source": "consent", "read": 2, "stored": 2, "duplicates": 0, "dropped": 0,
          "quarantined": 0, "suppressed": 0},
         {"day": "2026-11-27", "source": "crm", "read": 3, "stored": 2, "duplicates": 0, "dropped": 0,
          "quarantined": 1, "suppressed": 0},
         {"day": "2026-11-27", "source": "events", "read": 10, "stored": 6, "duplicates": 1, "dropped": 1,
          "quarantined": 2, "suppressed": 0},
         {"day": "2026-11-28", "source": "consent", "read": 0, "stored": 0, "duplicates": 0, "dropped": 0,
          "quarantined": 0, "suppressed": 0},
         {"day": "2026-11-28", "source": "crm", "read": 0, "stored": 0, "duplicates": 0, "dropped": 0,
          "quarantined": 0, "suppressed": 0},
         {"day": "2026-11-28", "source": "events", "read": 20, "stored": 19, "duplicates": 0, "dropped": 0,
          "quarantined": 0, "suppressed": 1}]"""));
    assertThat(data.get("quarantine")).isEqualTo(json("""
        [{"day": "2026-11-27", "source": "crm", "reason": "wrong column count", "rows": 1},
         {"day": "2026-11-27", "source": "events", "reason": "missing messageId", "rows": 2}]"""));
    assertThat(data.get("identity")).isEqualTo(json("""
        [{"day": "2026-11-28", "metric": "component_size", "label": "1", "value": 4},
         {"day": "2026-11-28", "metric": "component_size", "label": "2-5", "value": 2},
         {"day": "2026-11-28", "metric": "components", "label": "", "value": 6},
         {"day": "2026-11-28", "metric": "customers", "label": "", "value": 5},
         {"day": "2026-11-28", "metric": "largest_component", "label": "", "value": 3},
         {"day": "2026-11-28", "metric": "rejected", "label": "email.blocked", "value": 2}]"""));
    assertThat(data.get("merges")).isEqualTo(json("[{\"day\": \"2026-11-28\", \"merges\": 2}]"));
    assertThat(data.get("decisions")).isEqualTo(json("[]"));
    assertThat(data.get("segments")).isEqualTo(json("""
        [{"day": "2026-11-27", "segment": "seg-a", "title": "Segment A", "members": 2, "entered": 2, "exited": 0},
         {"day": "2026-11-28", "segment": "seg-a", "title": "Segment A", "members": 3, "entered": 2, "exited": 1}]"""));
    assertThat(data.get("consent")).isEqualTo(json("""
        [{"purpose": "marketing", "channel": "email", "status": "denied", "customers": 1},
         {"purpose": "marketing", "channel": "email", "status": "granted", "customers": 1}]"""));
    assertThat(data.get("activations")).isEqualTo(json("""
        [{"day": "2026-11-28", "channel": "email", "segment": "seg-a", "members": 1},
         {"day": "2026-11-28", "channel": "web", "segment": "seg-a", "members": 1}]"""));
    assertThat(data.get("exclusions")).isEqualTo(json("""
        [{"day": "2026-11-28", "channel": "email", "reason": "no_consent", "members": 1},
         {"day": "2026-11-28", "channel": "sms", "reason": "no_address", "members": 1}]"""));
    assertThat(data.get("erasure")).isEqualTo(json("""
        [{"status": "COMPLETED", "age": "5-9", "past_due": false, "requests": 1},
         {"status": "IN_PROGRESS", "age": "30+", "past_due": true, "requests": 1},
         {"status": "REJECTED", "age": "unknown", "past_due": false, "requests": 1}]"""));
    assertThat(data.get("steps")).isEqualTo(json("""
        [{"day": "2026-11-27", "command": "ingest", "status": "SUCCEEDED", "duration_ms": 1000},
         {"day": "2026-11-28", "command": "nightly", "status": "SUCCEEDED", "duration_ms": 5000},
         {"day": "2026-11-28", "command": "ingest", "status": "SUCCEEDED", "duration_ms": 1200}]"""));
    assertThat(data.get("headline")).isEqualTo(json("""
        {"night_status": "SUCCEEDED", "night_duration_ms": 5000, "events_read": 20, "events_stored": 19,
         "quarantined": 0, "customers": 5, "merges": 2, "contacted": 2, "excluded": 2,
         "erasure_open": 1, "erasure_past_due": 1}"""));
  }

  @Test
  void aLakeWithoutTablesGivesAReportThatSaysSo() throws Exception {
    Files.createDirectories(root.resolve("lake"));
    ReportResult result = new ReportJob(store, CLOCK).run(DAY, 7, file("empty.html"));
    JsonNode data = data(Files.readString(root.resolve("empty.html"), StandardCharsets.UTF_8));

    assertThat(result.missingTables()).containsExactlyElementsOf(
        ReportData.TABLES.stream().map(TableSpec::name).toList());
    assertThat(result.from()).isEqualTo(DAY);
    assertThat(data.get("report").get("days")).isEqualTo(json("[\"2026-11-28\"]"));
    for (String chart : List.of("volumes", "quarantine", "identity", "merges", "decisions", "segments", "consent",
        "activations", "exclusions", "erasure", "steps")) {
      assertThat(data.get(chart)).as(chart).isEqualTo(json("[]"));
    }
    assertThat(data.get("headline")).isEqualTo(json("""
        {"night_status": null, "night_duration_ms": null, "events_read": null, "events_stored": null,
         "quarantined": null, "customers": null, "merges": null, "contacted": null, "excluded": null,
         "erasure_open": null, "erasure_past_due": null}"""));
  }

  @Test
  void thePageStandsAloneAndHoldsNoValueOfAPerson() throws Exception {
    writeTinyLake();
    String page = report();

    assertThat(page).startsWith("<!DOCTYPE html>")
        .contains("<script type=\"application/json\" id=\"report-data\">")
        .contains("echarts.init(")
        .contains("Content-Security-Policy");
    assertThat(Pattern.compile("<script[^>]*\\ssrc=", Pattern.CASE_INSENSITIVE).matcher(page).find())
        .as("no script is loaded from elsewhere").isFalse();
    assertThat(Pattern.compile("<link\\b", Pattern.CASE_INSENSITIVE).matcher(page).find()).as("no link element")
        .isFalse();
    assertThat(Pattern.compile("(src|href)\\s*=\\s*[\"']?\\s*(https?:)?//|url\\(\\s*[\"']?(https?:)?//",
        Pattern.CASE_INSENSITIVE).matcher(page).find()).as("no reference to the network").isFalse();
    // The fixture's personal values: an activation address, cookies, a quarantined line, an erasure hash.
    assertThat(page).doesNotContain("anna@example.com", "cookie-1", "+4915112345678", "Lindqvist",
        "hash-of-anna", "DSR-1");
  }

  @Test
  void embeddedJsonCannotCloseItsScriptElement() throws Exception {
    JsonNode tricky = JSON.readTree("{\"reason\": \"</script><script>alert(1)</script><!-- & >\"}");
    String embedded = ReportPage.json((com.fasterxml.jackson.databind.node.ObjectNode) tricky);

    assertThat(embedded).doesNotContain("</", "<!--", "<", ">", "&");
    assertThat(JSON.readTree(embedded)).isEqualTo(tricky);
  }

  @Test
  void outInsideTheLakeIsRefused() throws Exception {
    Files.createDirectories(root.resolve("lake"));
    Lake lake = Lake.at(root.resolve("lake").toString());
    org.apache.hadoop.conf.Configuration hadoop = spark.sparkContext().hadoopConfiguration();

    assertThatThrownBy(() -> ReportFile.at(root.resolve("lake/tables/report.html").toString(), lake, hadoop))
        .isInstanceOfSatisfying(TarmoException.class,
            e -> assertThat(e.failure()).isEqualTo(TarmoException.Failure.USAGE))
        .hasMessageStartingWith("Cannot write the report: --out lies inside the lake");
    assertThatThrownBy(() -> ReportFile.at(root.resolve("lake").toUri().toString(), lake, hadoop))
        .hasMessageStartingWith("Cannot write the report: --out lies inside the lake");
    assertThatThrownBy(() -> ReportFile.at(root.toString(), lake, hadoop))
        .hasMessageStartingWith("Cannot write the report: --out is a folder");
    assertThat(ReportFile.at(root.resolve("lake-report.html").toString(), lake, hadoop).location())
        .isEqualTo(root.resolve("lake-report.html").toString());
  }

  // ---- the tiny lake ---------------------------------------------------------------------------

  private String report() throws Exception {
    new ReportJob(store, CLOCK).run(DAY, 7, file("report.html"));
    return Files.readString(root.resolve("report.html"), StandardCharsets.UTF_8);
  }

  private ReportFile file(String name) {
    return ReportFile.at(root.resolve(name).toString(), store.lake(), spark.sparkContext().hadoopConfiguration());
  }

  private static JsonNode data(String page) throws Exception {
    Matcher matcher = DATA.matcher(page);
    assertThat(matcher.find()).as("the page embeds its data").isTrue();
    return JSON.readTree(matcher.group(1));
  }

  private static JsonNode json(String text) throws Exception {
    return JSON.readTree(text);
  }

  private void writeTinyLake() {
    Map<String, Long> day1 = new HashMap<>(Map.of("events.read", 10L, "events.stored", 6L, "events.duplicates", 1L,
        "events.dropped", 1L, "events.quarantined", 2L, "events.suppressed", 0L, "crm.read", 3L, "crm.stored", 2L,
        "crm.quarantined", 1L, "consent.read", 2L));
    day1.put("consent.stored", 2L);
    write(Tables.JOB_RUNS,
        // Outside the window (more than 7 days before D): not shown.
        run("r0", "ingest", "2026-11-21", "2026-11-21T01:00:00Z", "SUCCEEDED", 900L, Map.of("events.read", 99L)),
        run("r1", "ingest", "2026-11-27", "2026-11-27T01:00:00Z", "SUCCEEDED", 1000L, day1),
        // A failed run of D, then a re-run: the latest run is the one shown.
        run("r2", "ingest", "2026-11-28", "2026-11-28T01:00:00Z", "FAILED", 300L, Map.of("events.read", 5L)),
        run("r3", "ingest", "2026-11-28", "2026-11-28T02:00:00Z", "SUCCEEDED", 1200L,
            Map.of("events.read", 20L, "events.stored", 19L, "events.suppressed", 1L)),
        run("r4", "nightly", "2026-11-28", "2026-11-28T01:59:00Z", "SUCCEEDED", 5000L, Map.of()),
        // A command without a business day (a query, an access request) is no step of a night.
        run("r5", "dsar", null, "2026-11-28T03:00:00Z", "SUCCEEDED", 700L, Map.of()));
    write(Tables.QUARANTINE,
        values("source", "events", "reason", "missing messageId", "record", "{\"userId\":\"cookie-1\"}",
            "ingest_date", date("2026-11-27")),
        values("source", "events", "reason", "missing messageId", "record", "{\"traits\":{\"email\":\"anna@example.com\"}}",
            "ingest_date", date("2026-11-27")),
        values("source", "crm", "reason", "wrong column count", "record", "c1,anna@example.com,Lindqvist",
            "ingest_date", date("2026-11-27")),
        values("source", "crm", "reason", "wrong column count", "record", "c2", "ingest_date", date("2026-11-15")));
    write(Tables.IDENTITY_STATS,
        stat("customers", "", 5), stat("components", "", 6), stat("component_size", "1", 4),
        stat("component_size", "2-5", 2), stat("largest_component", "", 3), stat("rejected", "email.blocked", 2),
        stat("edges", "", 9));
    write(Tables.IDENTITY_MERGES,
        values("old_key", 7L, "new_key", 1L, "merged_date", date("2026-11-28")),
        values("old_key", 8L, "new_key", 1L, "merged_date", date("2026-11-28")),
        values("old_key", 9L, "new_key", 2L, "merged_date", date("2026-11-10")));
    write(Tables.SEGMENT_SIZES,
        values("as_of_date", date("2026-11-27"), "segment_id", "seg-a", "title", "Segment A", "members", 2L,
            "entered", 2L, "exited", 0L),
        values("as_of_date", date("2026-11-28"), "segment_id", "seg-a", "title", "Segment A", "members", 3L,
            "entered", 2L, "exited", 1L));
    write(Tables.CONSENT_STATE,
        consent(1L, "marketing", "email", "granted", "2026-11-01T00:00:00Z", null),
        consent(2L, "marketing", "email", "denied", "2026-11-02T00:00:00Z", null),
        // Decided after D, or ended before it: not as of D.
        consent(3L, "marketing", "email", "granted", "2026-11-29T00:00:00Z", null),
        consent(1L, "profiling", "email", "granted", "2026-11-01T00:00:00Z", "2026-11-20T00:00:00Z"));
    write(Tables.ACTIVATION,
        activation("email", 1L, "anna@example.com"), activation("web", 1L, "cookie-1"),
        activation("web", 1L, "cookie-2"));
    write(Tables.ACTIVATION_EXCLUSIONS,
        values("as_of_date", date("2026-11-28"), "segment_id", "seg-a", "channel", "email", "customer_key", 2L,
            "reason", "no_consent"),
        values("as_of_date", date("2026-11-28"), "segment_id", "seg-a", "channel", "sms", "customer_key", 2L,
            "reason", "no_address"));
    write(Tables.ERASURE_LOG,
        erasure("DSR-1", "COMPLETED", "2026-11-01T10:00:00Z", "2026-11-10T09:00:00Z"),
        erasure("DSR-2", "IN_PROGRESS", "2026-10-20T10:00:00Z", null),
        erasure("DSR-3", "REJECTED", null, "2026-11-05T00:00:00Z"),
        // Received after D: not yet on D's report.
        erasure("DSR-4", "IN_PROGRESS", "2026-11-30T10:00:00Z", null));
  }

  private void write(TableSpec spec, Map<?, ?>... rows) {
    List<Row> data = new ArrayList<>();
    for (Map<?, ?> values : rows) {
      Object[] row = new Object[spec.schema().size()];
      int i = 0;
      for (StructField field : spec.schema().fields()) {
        row[i++] = values.get(field.name());
      }
      data.add(RowFactory.create(row));
    }
    store.append(spec, spark.createDataFrame(data, spec.schema()), "test");
  }

  private static Map<String, Object> values(Object... pairs) {
    Map<String, Object> values = new HashMap<>();
    for (int i = 0; i < pairs.length; i += 2) {
      values.put((String) pairs[i], pairs[i + 1]);
    }
    return values;
  }

  private static Map<String, Object> run(String id, String command, String day, String started, String status,
      long millis, Map<String, Long> counts) {
    return values("run_id", id, "command", command, "business_date", day == null ? null : date(day),
        "started_at", ts(started), "finished_at", ts(started), "status", status, "duration_ms", millis,
        "counts", CollectionConverters.asScala(counts));
  }

  private static Map<String, Object> stat(String metric, String label, long value) {
    return values("business_date", date("2026-11-28"), "metric", metric, "label", label, "value", value);
  }

  private static Map<String, Object> consent(long key, String purpose, String channel, String status, String from,
      String to) {
    return values("customer_key", key, "purpose", purpose, "channel", channel, "status", status,
        "legal_basis", "consent", "valid_from", ts(from), "valid_to", to == null ? null : ts(to));
  }

  private static Map<String, Object> activation(String channel, long key, String address) {
    return values("as_of_date", date("2026-11-28"), "channel", channel, "segment_id", "seg-a", "customer_key", key,
        "address", address);
  }

  private static Map<String, Object> erasure(String id, String status, String received, String completed) {
    Timestamp receivedAt = received == null ? null : ts(received);
    return values("request_id", id, "status", status, "subject_type", "email", "subject_hash", "hash-of-anna",
        "received_at", receivedAt,
        "due_at", receivedAt == null ? null : Timestamp.from(receivedAt.toInstant().plus(java.time.Duration.ofDays(30))),
        "completed_at", completed == null ? null : ts(completed));
  }

  private static Date date(String day) {
    return Date.valueOf(LocalDate.parse(day));
  }

  private static Timestamp ts(String instant) {
    return Timestamp.from(Instant.parse(instant));
  }
}
