package io.tarmo.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.tarmo.testing.SparkTest;
import java.time.LocalDate;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@SparkTest
class CrmLinesTest {

  private static final LocalDate DAY = LocalDate.of(2026, 11, 28);
  private final SparkSession spark;

  CrmLinesTest(SparkSession spark) {
    this.spark = spark;
  }

  private Row classifyOne(String line) {
    return CrmLines.classify(Fixtures.lines(spark, line), DAY, 2000, "DE", List.of()).head();
  }

  @ParameterizedTest(name = "{1}")
  @CsvSource(delimiter = '|', value = {
      "C1,a@b.de,,Ann,Lee,1980-01-02,,,,,,,|",
      "C3,\"unclosed,x,,,,,,,,,,,|unclosed quote; reading resumed on the next line",
      "C4,too,few|wrong column count (expected 13)",
      "C4,a,b,c,d,e,f,g,h,i,j,k,l,m|wrong column count (expected 13)",
      " ,x@y.com,,,,,,,,,,,|missing customer_id",
      "C5,,,,,,,,,,,,not-a-time|updated_at is not a timestamp",
      "C6,,,,,,,,,,,yesterday,|created_at is not a timestamp",
      "C7,,,,,31.12.1980,,,,,,,|birth_date is not a date (YYYY-MM-DD)",
  })
  void eachBadRowGetsItsReason(String line, String expectedReason) {
    assertThat(classifyOne(line).<String>getAs(LineChecks.REASON)).isEqualTo(expectedReason);
  }

  @Test
  void fileWithAForeignHeaderIsQuarantinedWhole() {
    Row row = CrmLines.classify(Fixtures.lines(spark, "C1,,,,,,,,,,,,"), DAY, 2000, "DE",
        List.of("file:/landing/test.json")).head();
    assertThat(row.<String>getAs(LineChecks.REASON)).startsWith("file header is not the CRM header");
  }

  @Test
  void acceptedRowIsNormalised() {
    Row row = classifyOne(" C1 , ANN@Example.com ,+49 (151) 2345-6789,Ann,Lee,1980-01-02,\"Main St, 1\",10115,Berlin,de, L-1 ,2025-01-01T00:00:00Z,");
    assertThat(row.<String>getAs("customer_id")).isEqualTo("C1");
    assertThat(row.<String>getAs("email")).isEqualTo("ann@example.com");
    assertThat(row.<String>getAs("phone")).isEqualTo("+4915123456789");
    assertThat(row.<String>getAs("street")).isEqualTo("Main St, 1");
    assertThat(row.<String>getAs("country")).isEqualTo("DE");
    assertThat(row.<String>getAs("loyalty_card_id")).isEqualTo("L-1");
    assertThat(row.<java.sql.Timestamp>getAs("updated_at").toInstant())
        .as("an empty updated_at counts as the start of the delivery day")
        .isEqualTo(java.time.Instant.parse("2026-11-28T00:00:00Z"));
  }

  @Test
  void invalidContactDataIsLeftOutButTheRecordKept() {
    Row row = classifyOne("C2,bad-email,123,Bob,,,,,,,,,");
    assertThat(row.<String>getAs(LineChecks.OUTCOME)).isEqualTo(LineChecks.VALID);
    assertThat(row.<String>getAs("email")).isNull();
    assertThat(row.<String>getAs("phone")).isNull();
    assertThat(row.<Boolean>getAs("email_invalid")).isTrue();
    assertThat(row.<Boolean>getAs("phone_invalid")).isTrue();
  }
}
