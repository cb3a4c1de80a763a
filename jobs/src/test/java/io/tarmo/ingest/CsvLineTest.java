package io.tarmo.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CsvLineTest {

  @Test
  void splitsPlainAndQuotedFields() {
    assertThat(CsvLine.split("a,\"b, c\",,\"say \"\"hi\"\"\",e")).containsExactly("a", "b, c", "", "say \"hi\"", "e");
  }

  @Test
  void keepsTrailingEmptyFields() {
    assertThat(CsvLine.split("a,,")).containsExactly("a", "", "");
  }

  @Test
  void dropsTheCarriageReturnOfWindowsLineEnds() {
    assertThat(CsvLine.split("a,b\r")).containsExactly("a", "b");
  }

  @Test
  void unclosedQuoteIsRefused() {
    assertThat(CsvLine.split("C3,\"unclosed,x")).isNull();
  }

  @Test
  void quoteInsideAnUnquotedFieldIsKeptAsText() {
    assertThat(CsvLine.split("5'11\",x")).containsExactly("5'11\"", "x");
  }
}
