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
import io.tarmo.testing.ReportPages;
import io.tarmo.testing.SharedSparkSession;
import io.tarmo.testing.SparkTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.regex.Pattern;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The report of a tiny lake: its exact aggregates, its missing tables, and a page that stands alone. */
@SparkTest
class ReportJobTest {

  private static final LocalDate DAY = LocalDate.parse("2026-11-28");
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-29T06:00:00Z"), ZoneOffset.UTC);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The tiny lake and its report, written once for the tests that read them. */
  @TempDir static Path tiny;
  private static String tinyReport;

  private final SparkSession spark;
  @TempDir Path root;

  ReportJobTest(SparkSession spark) {
    this.spark = spark;
  }

  @BeforeAll
  static void reportOfTheTinyLake() throws Exception {
    SparkSession spark = SharedSparkSession.get();
    DeltaStore store = new DeltaStore(spark, Lake.at(tiny.resolve("lake").toString()));
    new TinyLake(spark, store).write();
    new ReportJob(store, CLOCK).run(DAY, 7, file(spark, store, tiny.resolve("report.html")));
    tinyReport = Files.readString(tiny.resolve("report.html"), StandardCharsets.UTF_8);
  }

  @Test
  void aggregatesOfATinyLakeAreExact() throws Exception {
    JsonNode data = data(tinyReport);

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
    DeltaStore store = new DeltaStore(spark, Lake.at(root.resolve("lake").toString()));
    ReportResult result = new ReportJob(store, CLOCK).run(DAY, 7, file(spark, store, root.resolve("empty.html")));
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
  void thePageStandsAloneAndHoldsNoValueOfAPerson() {
    String page = tinyReport;

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

    assertThatThrownBy(() -> ReportFile.at(root.resolve("lake/tables/report.html").toString(), "--out", lake, hadoop))
        .isInstanceOfSatisfying(TarmoException.class,
            e -> assertThat(e.failure()).isEqualTo(TarmoException.Failure.USAGE))
        .hasMessageStartingWith("Cannot write the report: --out lies inside the lake");
    assertThatThrownBy(() -> ReportFile.at(root.resolve("lake").toUri().toString(), "--out", lake, hadoop))
        .hasMessageStartingWith("Cannot write the report: --out lies inside the lake");
    assertThatThrownBy(() -> ReportFile.at(root.toString(), "--out", lake, hadoop))
        .hasMessageStartingWith("Cannot write the report: --out is a folder");
    assertThat(ReportFile.at(root.resolve("lake-report.html").toString(), "--out", lake, hadoop).location())
        .isEqualTo(root.resolve("lake-report.html").toString());
  }

  private static ReportFile file(SparkSession spark, DeltaStore store, Path page) {
    return ReportFile.at(page.toString(), "--out", store.lake(), spark.sparkContext().hadoopConfiguration());
  }

  private static JsonNode data(String page) throws Exception {
    return ReportPages.data(page);
  }

  private static JsonNode json(String text) throws Exception {
    return JSON.readTree(text);
  }
}
