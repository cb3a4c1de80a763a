package io.tarmo.subject;

import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;

import io.tarmo.testing.SparkTest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Pattern;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@SparkTest
class IdentifiersTest {

  private static final List<String> SAMPLES = Arrays.asList(
      null, "", "   ", " Ann@Example.COM ", "ann@example", "a b@example.com", "x@y.z", "first.last+tag@sub.example.co.uk",
      "0151 23456789", "+49 151 23456789", "0049-151-23456789", "(0151) 2345-6789", "12345", "+1 202 555 0143",
      " C0000012345 ", "x".repeat(300), "anna@b\u00fccher.de", "\u00c4NNA@Beispiel.DE", "anna@xn--bcher-kva.de",
      "A\u0308nna@b\u00fccher.de", "\u00e4nna@b\u00fccher..de", "C\u0000NUL", "C1\u200b", "anna\u0007@example.com");

  @ParameterizedTest
  @CsvSource(nullValues = "NULL", value = {
      "' Ann@Example.COM ', ann@example.com",
      "first.last+tag@sub.example.co.uk, first.last+tag@sub.example.co.uk",
      "ann@example, NULL",
      "'a b@example.com', NULL",
      "'', NULL",
  })
  void emailsAreTrimmedLowerCasedAndValidated(String raw, String expected) {
    assertThat(Identifiers.normalizeEmail(raw)).isEqualTo(expected);
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource(nullValues = "NULL", value = {
      "anna@b\u00fccher.de, anna@xn--bcher-kva.de",
      "anna@xn--bcher-kva.de, anna@xn--bcher-kva.de",
      "ANNA@B\u00dcCHER.DE, anna@xn--bcher-kva.de",
      "\u00c4NNA@Beispiel.DE, \u00e4nna@beispiel.de",
      "A\u0308NNA@beispiel.de, \u00e4nna@beispiel.de",
      "\u7528\u6237@\u4f8b\u5b50.\u5e7f\u544a, \u7528\u6237@xn--fsqu00a.xn--4rr70v",
      "\u00e4nna@b\u00fccher..de, NULL",
      "'\u00e4 nna@b\u00fccher.de', NULL",
      "anna\u0000@b\u00fccher.de, NULL",
      "anna\u200b@example.com, NULL",
      "anna@-b\u00fccher.de, NULL",
  })
  void internationalEmailsHaveOneForm(String raw, String expected) {
    assertThat(Identifiers.normalizeEmail(raw)).isEqualTo(expected);
  }

  @Test
  void idsWithControlOrFormatCharactersAreNotIds() {
    assertThat(Identifiers.normalizeId("C\u0000NUL")).isNull();
    assertThat(Identifiers.normalizeId("C1\u001b")).isNull();
    assertThat(Identifiers.normalizeId("C1\u200b")).as("zero-width space").isNull();
    assertThat(Identifiers.normalizeId("C1\u0085")).as("C1 control").isNull();
    assertThat(Identifiers.normalizeId("Kunde-\u00e4")).isEqualTo("Kunde-\u00e4");
  }

  @Test
  void invisibleCharactersAreExactlyTheControlAndFormatCategories() {
    Pattern categories = Pattern.compile("[\\p{Cc}\\p{Cf}]");
    List<String> disagreements = new ArrayList<>();
    for (int codePoint = 0; codePoint <= Character.MAX_CODE_POINT; codePoint++) {
      String value = "C1" + Character.toString(codePoint) + "x";
      if (Identifiers.hasInvisibleCharacter(value) != categories.matcher(value).find()) {
        disagreements.add(String.format("U+%04X", codePoint));
      }
    }
    assertThat(disagreements).isEmpty();
    assertThat(Identifiers.hasInvisibleCharacter("C1\uFEFF")).as("byte-order mark").isTrue();
    assertThat(Identifiers.hasInvisibleCharacter("C1\uDB40\uDC01")).as("language tag U+E0001").isTrue();
    assertThat(Identifiers.hasInvisibleCharacter("Kunde-\u00e4 \uD83D\uDE00")).isFalse();
  }

  @ParameterizedTest
  @CsvSource(nullValues = "NULL", value = {
      "0151 23456789, +4915123456789",
      "+49 151 23456789, +4915123456789",
      "0049-151-23456789, +4915123456789",
      "(0151) 2345-6789, +4915123456789",
      "12345, NULL",
      "not a phone, NULL",
  })
  void phonesBecomeE164(String raw, String expected) {
    assertThat(Identifiers.normalizePhone(raw, "DE")).isEqualTo(expected);
  }

  @Test
  void idsAreTrimmedAndBoundedInLength() {
    assertThat(Identifiers.normalizeId(" C1 ")).isEqualTo("C1");
    assertThat(Identifiers.normalizeId("  ")).isNull();
    assertThat(Identifiers.normalizeId("x".repeat(Identifiers.MAX_LENGTH + 1))).isNull();
  }

  @Test
  void columnFormsAgreeWithPlainForms(SparkSession spark) {
    List<Row> rows = spark.createDataset(SAMPLES, Encoders.STRING()).toDF("v")
        .select(col("v"), Identifiers.email(col("v")), Identifiers.phone(col("v"), "DE"), Identifiers.id(col("v")),
            Identifiers.hasInvisibleCharacter(col("v")))
        .collectAsList();
    List<String> mismatches = new ArrayList<>();
    for (Row row : rows) {
      String raw = row.getString(0);
      check(mismatches, "email", raw, Identifiers.normalizeEmail(raw), row.getString(1));
      check(mismatches, "phone", raw, Identifiers.normalizePhone(raw, "DE"), row.getString(2));
      check(mismatches, "id", raw, Identifiers.normalizeId(raw), row.getString(3));
      check(mismatches, "invisible", raw, raw == null ? null : String.valueOf(Identifiers.hasInvisibleCharacter(raw)),
          row.isNullAt(4) ? null : String.valueOf(row.getBoolean(4)));
    }
    assertThat(mismatches).isEmpty();
    assertThat(rows).hasSize(SAMPLES.size());
  }

  private static void check(List<String> mismatches, String kind, String raw, String expected, String actual) {
    if (expected == null ? actual != null : !expected.equals(actual)) {
      mismatches.add(kind + "(" + raw + "): " + expected + " vs " + actual);
    }
  }
}
