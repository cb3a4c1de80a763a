package io.tarmo.sql;

import static org.assertj.core.api.Assertions.assertThat;

import io.tarmo.testing.SparkTest;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Arrays;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

@SparkTest
class ResultPrinterTest {

  @Test
  void csvQuotesWhatNeedsQuotingAndLeavesNullsEmpty() {
    assertThat(ResultPrinter.csvLine(Arrays.asList("a", "b,c", "say \"hi\"", null, "", "line\nbreak")))
        .isEqualTo("a,\"b,c\",\"say \"\"hi\"\"\",,\"\",\"line\nbreak\"");
  }

  private static String print(SparkSession spark, ResultPrinter.Format format, int limit, String query) {
    StringWriter out = new StringWriter();
    new ResultPrinter(new PrintWriter(out), format, limit).print(spark.sql(query));
    return out.toString();
  }

  @Test
  void csvHasAHeaderRow(SparkSession spark) {
    assertThat(print(spark, ResultPrinter.Format.csv, 10, "select 1 as n, 'x' as s"))
        .isEqualTo("n,s\n1,x\n");
  }

  @Test
  void jsonIsOneObjectPerLine(SparkSession spark) {
    assertThat(print(spark, ResultPrinter.Format.json, 10, "select id as n from range(2)"))
        .isEqualTo("{\"n\":0}\n{\"n\":1}\n");
  }

  @Test
  void tableIsAlignedAndSaysWhenCut(SparkSession spark) {
    String table = print(spark, ResultPrinter.Format.table, 2, "select id as n, 'ab' as s from range(3)");
    assertThat(table.split("\n")).containsExactly("n | s", "--+---", "0 | ab", "1 | ab", "(2+ rows, cut at --limit)");
  }
}
