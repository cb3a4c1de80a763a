package io.tarmo.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class CsvRecordsTest {

  @Test
  void quotedFieldsMayHoldCommasQuotesAndLineBreaks() {
    assertThat(CsvRecords.fields("a,\"b, c\",,\"say \"\"hi\"\"\",e")).containsExactly("a", "b, c", "", "say \"hi\"", "e");
    assertThat(CsvRecords.fields("a,\"Main St 1\nBuilding B\",c")).containsExactly("a", "Main St 1\nBuilding B", "c");
  }

  @Test
  void emptyTrailingFieldsAreKept() {
    assertThat(CsvRecords.fields("a,,")).containsExactly("a", "", "");
  }

  @Test
  void aCarriageReturnBeforeTheLineBreakIsNotData() {
    assertThat(CsvRecords.fields("a,b\r")).containsExactly("a", "b");
  }

  @Test
  void unclosedQuoteIsNoRecord() {
    assertThat(CsvRecords.fields("C3,\"unclosed,x")).isNull();
    assertThat(CsvRecords.fields("C3,\"still\nopen")).isNull();
  }

  @Test
  void aQuoteInsideAnUnquotedFieldIsData() {
    assertThat(CsvRecords.fields("5'11\",x")).containsExactly("5'11\"", "x");
    assertThat(open("5'11\",x")).isFalse();
  }

  @Test
  void controlCharactersAndSpacesStayInTheField() {
    assertThat(CsvRecords.fields(" C1\u0001 ,L\u00002,#x")).containsExactly(" C1\u0001 ", "L\u00002", "#x");
  }

  @Test
  void aLineLeavesAQuotedFieldOpenOnlyAtItsEnd() {
    assertThat(open("a,\"b")).isTrue();
    assertThat(open("a,\"b\"\"")).as("a doubled quote is data").isTrue();
    assertThat(open("a,\"b\"")).isFalse();
    assertThat(CsvRecords.openAfter(bytes("x\",c"), 0, 4, true)).isFalse();
    assertThat(CsvRecords.openAfter(bytes("x,c"), 0, 3, true)).isTrue();
  }

  @Test
  void aRecordIsStrictWhenEveryQuotedFieldEndsAtACommaOrLineBreak() {
    assertThat(CsvRecords.strict(bytes("a,\"b\nc\",\"d\"\"\"\ne"))).isTrue();
    assertThat(CsvRecords.strict(bytes("a,\"b\nc,\"Long Rd\" 2,x"))).isFalse();
    assertThat(CsvRecords.strict(bytes("a,\"b\nc"))).isFalse();
  }

  @Test
  void aRecordWithoutQuotesSplitsAsTheParserReadsIt() {
    List<String> records = List.of("", " ", ",", "a,,", ",a", "C1,anna@example.com,+49 151 1,Anna,M\u00fcller,1990-01-01",
        " C1\u0001 ,L2,#x", "a;b\tc,d", "x".repeat(5000) + ",y", ",".repeat(4095), ",".repeat(4096),
        "\u7528\u6237,\ud83d\ude00,\u200b");
    for (String record : records) {
      assertThat(CsvRecords.fields(record)).as(record.length() > 40 ? record.length() + " characters" : record)
          .isEqualTo(CsvRecords.parse(record));
    }
    assertThat(CsvRecords.fields(",".repeat(4096))).as("more fields than a record may have").isEmpty();
    assertThat(CsvRecords.fields("a, ")).containsExactly("a", " ");
    assertThat(CsvRecords.fields("\uFEFFC1,x")).as("a byte-order mark inside a file is data")
        .containsExactly("\uFEFFC1", "x");
  }

  private static boolean open(String line) {
    byte[] bytes = bytes(line);
    return CsvRecords.openAfter(bytes, 0, bytes.length, false);
  }

  private static byte[] bytes(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }
}
