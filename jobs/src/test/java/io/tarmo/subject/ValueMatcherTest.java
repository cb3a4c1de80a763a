package io.tarmo.subject;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ValueMatcherTest {

  private final ValueMatcher matcher = ValueMatcher.of(List.of(
      new ValueMatcher.Value(IdentifierType.EMAIL, "anna@example.de", " Anna@Example.DE "),
      new ValueMatcher.Value(IdentifierType.PHONE, "+4915123456789", null),
      new ValueMatcher.Value(IdentifierType.CUSTOMER_ID, "C000012", null),
      new ValueMatcher.Value(IdentifierType.ANONYMOUS_ID, "a1b2-c3", null)), "DE");

  @Test
  void findsAValueInAnyCaseAndUrlEncoded() {
    assertThat(matcher.find("{\"email\":\"ANNA@EXAMPLE.DE\"}")).contains("anna@example.de");
    assertThat(matcher.find("/newsletter?e=anna%40example.de&x=1")).contains("anna@example.de");
    assertThat(matcher.find("contact anna@example.de.")).as("a full stop ends a sentence").contains("anna@example.de");
    assertThat(matcher.find("C000012,hanna@example.de,")).contains("C000012");
  }

  @Test
  void findsEveryValueOfALineNotOnlyTheFirst() {
    assertThat(matcher.findAll("C000012,bob@example.de,a1b2-c3,(0151) 2345-6789,ANNA@example.de,C000012"))
        .containsExactly("C000012", "a1b2-c3", "anna@example.de", "+4915123456789");
    assertThat(matcher.findAll("hanna@example.de, C0000123")).isEmpty();
  }

  @Test
  void findsAPhoneAsPeopleTypeIt() {
    for (String typed : List.of("+4915123456789", "4915123456789", "0151 23456789", "+49 151 23456789",
        "0049-151-23456789", "(0151) 2345-6789")) {
      assertThat(matcher.find("{\"phone\":\"" + typed + "\",\"ts\":\"2026-11-28T10:00:00Z\"}"))
          .as(typed).contains("+4915123456789");
    }
  }

  @Test
  void aValueInsideALongerOneIsNotIt() {
    assertThat(matcher.find("hanna@example.de")).isEmpty();
    assertThat(matcher.find("anna@example.dev")).isEmpty();
    assertThat(matcher.find("x.anna@example.de")).isEmpty();
    assertThat(matcher.find("C0000123")).isEmpty();
    assertThat(matcher.find("+49151234567890")).isEmpty();
    assertThat(matcher.find("0151 234567890")).isEmpty();
    assertThat(matcher.find("\"ts\":\"2026-11-28T10:00:00Z\",\"revenue\":151.23")).isEmpty();
  }

  @Test
  void anEmptyMatcherFindsNothingAndShowsNoValue() {
    assertThat(ValueMatcher.of(List.of(), "DE").find("anna@example.de")).isEmpty();
    assertThat(matcher.toString()).doesNotContain("anna").doesNotContain("151");
  }
}
