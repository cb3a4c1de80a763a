package io.tarmo.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.tarmo.lake.Lake;
import io.tarmo.lake.LandingReader;
import io.tarmo.testing.SparkTest;
import java.time.Duration;
import java.time.LocalDate;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@SparkTest
class EventLinesTest {

  static final LocalDate DAY = LocalDate.of(2026, 11, 28);
  static final EventLines.Rules RULES =
      new EventLines.Rules(DAY, 2000, 30, Duration.ofHours(6), "DE", IpPolicy.TRUNCATE, "analytics");

  private final SparkSession spark;

  EventLinesTest(SparkSession spark) {
    this.spark = spark;
  }

  private Row classifyOne(String line) {
    return EventLines.classify(Fixtures.lines(spark, line), RULES).head();
  }

  @ParameterizedTest(name = "{1}")
  @CsvSource(delimiter = '|', value = {
      "{\"messageId\":\"m1\",\"type\":\"page\",\"timestamp\":\"2026-11-28T10:00:00Z\",\"anonymousId\":\"a\"}|",
      "{\"messageId\":\"m1\",\"type\":\"page\",\"timestamp\":\"2026-11-28|malformed JSON or a field of the wrong type",
      "[1,2,3]|malformed JSON or a field of the wrong type",
      "{\"messageId\":\"m1\",\"type\":\"page\",\"timestamp\":\"2026-11-28T10:00:00Z\",\"anonymousId\":\"a\",\"context\":{\"page\":\"x\"}}|malformed JSON or a field of the wrong type",
      "{\"type\":\"page\",\"timestamp\":\"2026-11-28T10:00:00Z\",\"anonymousId\":\"a\"}|missing messageId",
      "{\"messageId\":\"  \",\"type\":\"page\",\"timestamp\":\"2026-11-28T10:00:00Z\",\"anonymousId\":\"a\"}|missing messageId",
      "{\"messageId\":\"m1\",\"timestamp\":\"2026-11-28T10:00:00Z\",\"anonymousId\":\"a\"}|missing type",
      "{\"messageId\":\"m1\",\"type\":\"click\",\"timestamp\":\"2026-11-28T10:00:00Z\",\"anonymousId\":\"a\"}|unknown type (expected track, page, screen, identify, alias, group)",
      "{\"messageId\":\"m1\",\"type\":\"page\",\"anonymousId\":\"a\"}|missing timestamp",
      "{\"messageId\":\"m1\",\"type\":\"page\",\"timestamp\":\"yesterday\",\"anonymousId\":\"a\"}|timestamp is not ISO-8601 with a zone",
      "{\"messageId\":\"m1\",\"type\":\"page\",\"timestamp\":\"2026-11-28T10:00:00\",\"anonymousId\":\"a\"}|timestamp is not ISO-8601 with a zone",
      "{\"messageId\":\"m1\",\"type\":\"page\",\"timestamp\":1764324000,\"anonymousId\":\"a\"}|timestamp is not ISO-8601 with a zone",
      "{\"messageId\":\"m1\",\"type\":\"page\",\"timestamp\":\"2026-13-45T10:00:00Z\",\"anonymousId\":\"a\"}|timestamp is not ISO-8601 with a zone",
      "{\"messageId\":\"m1\",\"type\":\"page\",\"timestamp\":\"1970-01-01T00:00:00Z\",\"anonymousId\":\"a\"}|timestamp out of range (more than 30 days before the delivery day or after it ends plus the allowed clock skew)",
      "{\"messageId\":\"m1\",\"type\":\"page\",\"timestamp\":\"2099-01-01T00:00:00Z\",\"anonymousId\":\"a\"}|timestamp out of range (more than 30 days before the delivery day or after it ends plus the allowed clock skew)",
      "{\"messageId\":\"m1\",\"type\":\"page\",\"timestamp\":\"2026-11-28T10:00:00Z\",\"anonymousId\":\" \"}|missing both anonymousId and userId",
      "{\"messageId\":\"m1\",\"type\":\"track\",\"timestamp\":\"2026-11-28T10:00:00Z\",\"userId\":\"C1\"}|track event without an event name",
      "{\"messageId\":\"m1\",\"type\":\"alias\",\"timestamp\":\"2026-11-28T10:00:00Z\",\"userId\":\"C1\"}|alias without previousId",
      "'   '|empty line",
  })
  void eachBadLineGetsItsReason(String line, String expectedReason) {
    assertThat(classifyOne(line).<String>getAs(LineChecks.REASON)).isEqualTo(expectedReason);
  }

  @Test
  void oversizedLineIsQuarantined() {
    String line = "{\"messageId\":\"m1\",\"type\":\"page\",\"timestamp\":\"2026-11-28T10:00:00Z\",\"anonymousId\":\"a\","
        + "\"properties\":{\"blob\":\"" + "x".repeat(3000) + "\"}}";
    assertThat(classifyOne(line).<String>getAs(LineChecks.REASON)).isEqualTo("line longer than 2000 characters");
  }

  @Test
  void invalidUtf8IsQuarantined(SparkSession spark) throws Exception {
    java.nio.file.Path file = java.nio.file.Files.createTempFile("bad-utf8", ".json");
    byte[] bytes = "{\"messageId\":\"m1\",\"type\":\"page\",\"timestamp\":\"2026-11-28T10:00:00Z\",\"anonymousId\":\"a_\"}\n"
        .getBytes(java.nio.charset.StandardCharsets.UTF_8);
    bytes[bytes.length - 4] = (byte) 0xC3;
    bytes[bytes.length - 3] = (byte) 0x28;
    java.nio.file.Files.write(file, bytes);
    Dataset<Row> lines = new LandingReader(spark, Lake.at(file.getParent().toString()))
        .lines(java.util.List.of(file.toUri().toString()), 2000);
    assertThat(Fixtures.reasons(EventLines.classify(lines, RULES))).containsExactly("invalid UTF-8");
  }

  @Test
  void acceptedEventIsNormalised() {
    Row row = classifyOne("{\"messageId\":\" m1 \",\"type\":\"Identify\",\"timestamp\":\"2026-11-28T10:00:00+01:00\","
        + "\"userId\":\" C1 \",\"anonymousId\":\"a1\",\"traits\":{\"email\":\" Ann@Example.COM \",\"phone\":\"0151 23456789\"},"
        + "\"context\":{\"ip\":\"203.0.113.77\",\"userAgent\":\"UA\",\"page\":{\"path\":\"/x\",\"url\":\"https://s/x\"}}}");
    assertThat(row.<String>getAs(LineChecks.OUTCOME)).isEqualTo(LineChecks.VALID);
    assertThat(row.<String>getAs("message_id")).isEqualTo("m1");
    assertThat(row.<String>getAs("type")).isEqualTo("identify");
    assertThat(row.<java.sql.Timestamp>getAs("ts").toInstant()).isEqualTo(java.time.Instant.parse("2026-11-28T09:00:00Z"));
    assertThat(row.<String>getAs("user_id")).isEqualTo("C1");
    assertThat(row.<String>getAs("email")).isEqualTo("ann@example.com");
    assertThat(row.<String>getAs("phone")).isEqualTo("+4915123456789");
    assertThat(row.<String>getAs("ip")).isEqualTo("203.0.113.0");
    assertThat(row.<String>getAs("page_path")).isEqualTo("/x");
    assertThat(row.<String>getAs(LineChecks.VALUE)).as("accepted lines drop their raw text").isNull();
  }

  @Test
  void trackPropertiesArePromotedWithTypes() {
    Row row = classifyOne("{\"messageId\":\"m2\",\"type\":\"track\",\"event\":\"Order Completed\",\"timestamp\":\"2026-11-28T10:00:00Z\","
        + "\"userId\":\"C1\",\"properties\":{\"order_id\":\"o1\",\"revenue\":\"12.50\",\"category\":\"Fruit\",\"quantity\":2,\"price\":\"n/a\"}}");
    assertThat(row.<String>getAs("event_name")).isEqualTo("Order Completed");
    assertThat(row.<String>getAs("order_id")).isEqualTo("o1");
    assertThat(row.<Double>getAs("revenue")).isEqualTo(12.5);
    assertThat(row.<Integer>getAs("quantity")).isEqualTo(2);
    assertThat(row.<Double>getAs("price")).as("a price that is not a number is left out, not fatal").isNull();
    assertThat(row.<String>getAs("properties")).contains("\"order_id\":\"o1\"");
  }

  @Test
  void eventsWithoutAnalyticsConsentAreDropped() {
    Row row = classifyOne("{\"messageId\":\"m3\",\"type\":\"page\",\"timestamp\":\"2026-11-28T10:00:00Z\",\"anonymousId\":\"a\","
        + "\"context\":{\"consent\":{\"categoryPreferences\":{\"analytics\":false,\"marketing\":true}}}}");
    assertThat(row.<String>getAs(LineChecks.OUTCOME)).isEqualTo(LineChecks.DROPPED);
  }

  @Test
  void lateEventWithinTheWindowIsAccepted() {
    Row row = classifyOne("{\"messageId\":\"m4\",\"type\":\"page\",\"timestamp\":\"2026-11-25T23:59:59Z\",\"anonymousId\":\"a\"}");
    assertThat(row.<String>getAs(LineChecks.OUTCOME)).isEqualTo(LineChecks.VALID);
    assertThat(row.<java.sql.Date>getAs("event_date").toLocalDate()).isEqualTo(LocalDate.of(2026, 11, 25));
  }

  @Test
  void invalidEmailIsFlaggedAndLeftOut() {
    Row row = classifyOne("{\"messageId\":\"m5\",\"type\":\"identify\",\"timestamp\":\"2026-11-28T10:00:00Z\",\"userId\":\"C1\","
        + "\"traits\":{\"email\":\"not-an-email\"}}");
    assertThat(row.<String>getAs(LineChecks.OUTCOME)).isEqualTo(LineChecks.VALID);
    assertThat(row.<String>getAs("email")).isNull();
    assertThat(row.<Boolean>getAs("email_invalid")).isTrue();
  }
}
