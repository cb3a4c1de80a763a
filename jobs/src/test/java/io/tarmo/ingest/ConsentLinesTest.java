package io.tarmo.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.tarmo.testing.SparkTest;
import java.time.LocalDate;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@SparkTest
class ConsentLinesTest {

  private static final String GOOD =
      "\"consent_id\":\"k1\",\"purpose\":\"marketing\",\"channel\":\"email\",\"status\":\"granted\","
          + "\"legal_basis\":\"consent\",\"ts\":\"2026-11-28T08:00:00Z\"";
  private static final LocalDate DAY = LocalDate.of(2026, 11, 28);
  private final SparkSession spark;

  ConsentLinesTest(SparkSession spark) {
    this.spark = spark;
  }

  private Row classifyOne(String line) {
    return ConsentLines.classify(Fixtures.lines(spark, line), DAY,
        TimeWindow.forConsent(DAY, java.time.Duration.ofDays(1)), 2000, "DE").head();
  }

  @ParameterizedTest(name = "{1}")
  @CsvSource(delimiter = '|', value = {
      "{GOOD,\"subject_type\":\"email\",\"subject_value\":\"A@B.de\"}|",
      "{\"consent_id\":\"k1\"|malformed JSON or a field of the wrong type",
      "{\"subject_type\":\"email\",\"subject_value\":\"a@b.de\"}|missing consent_id",
      "{GOOD,\"subject_type\":\"cookie\",\"subject_value\":\"x\"}|unknown subject_type (expected customer_id, email, phone, anonymous_id)",
      "{GOOD,\"subject_type\":\"email\"}|missing subject_value",
      "{GOOD,\"subject_type\":\"phone\",\"subject_value\":\"not a phone\"}|subject_value is not a valid identifier of its subject_type",
  })
  void eachBadEntryGetsItsReason(String template, String expectedReason) {
    assertThat(classifyOne(template.replace("GOOD", GOOD)).<String>getAs(LineChecks.REASON)).isEqualTo(expectedReason);
  }

  @ParameterizedTest(name = "{1}")
  @CsvSource(delimiter = '|', value = {
      "\"purpose\":\"marketing\"|\"purpose\":\"spam\"|unknown purpose (expected marketing, profiling, analytics, personalization)",
      "\"channel\":\"email\"|\"channel\":\"fax\"|unknown channel (expected email, sms, push, phone, web, all)",
      "\"status\":\"granted\"|\"status\":\"maybe\"|unknown status (expected granted, denied, withdrawn)",
      "\"legal_basis\":\"consent\"|\"legal_basis\":\"whim\"|unknown legal_basis (expected consent, legitimate_interest, contract)",
      "\"ts\":\"2026-11-28T08:00:00Z\"|\"ts\":\"soon\"|ts missing or not a timestamp",
  })
  void eachBadFieldGetsItsReason(String field, String replacement, String expectedReason) {
    String line = "{" + GOOD.replace(field, replacement) + ",\"subject_type\":\"customer_id\",\"subject_value\":\"C1\"}";
    assertThat(classifyOne(line).<String>getAs(LineChecks.REASON)).isEqualTo(expectedReason);
  }

  @Test
  void subjectIsNormalisedByItsType() {
    Row row = classifyOne("{" + GOOD + ",\"subject_type\":\"phone\",\"subject_value\":\"0151 23456789\",\"expires_at\":\"2027-11-28T00:00:00Z\"}");
    assertThat(row.<String>getAs("subject_value")).isEqualTo("+4915123456789");
    assertThat(row.<java.sql.Timestamp>getAs("expires_at")).isNotNull();
  }

  @Test
  void badExpiryIsQuarantined() {
    Row row = classifyOne("{" + GOOD + ",\"subject_type\":\"customer_id\",\"subject_value\":\"C1\",\"expires_at\":\"never\"}");
    assertThat(row.<String>getAs(LineChecks.REASON)).isEqualTo("expires_at is not a timestamp");
  }
}
