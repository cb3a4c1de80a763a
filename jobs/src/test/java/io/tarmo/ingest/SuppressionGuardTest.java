package io.tarmo.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.tarmo.lake.Tables;
import io.tarmo.subject.Pseudonyms;
import io.tarmo.testing.SparkTest;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

@SparkTest
class SuppressionGuardTest {

  static final String KEY = "suppression-guard-key-of-thirty-two-characters";
  static final LocalDate DAY = LocalDate.of(2026, 11, 28);
  static final EventLines.Rules RULES =
      new EventLines.Rules(DAY, 2000, 30, Duration.ofHours(6), "DE", IpPolicy.TRUNCATE, "analytics");

  private final SparkSession spark;

  SuppressionGuardTest(SparkSession spark) {
    this.spark = spark;
  }

  private Dataset<Row> list(Object... typeValueAndErasedAt) {
    Pseudonyms pseudonyms = Pseudonyms.withKey(KEY);
    List<Row> rows = new java.util.ArrayList<>();
    for (int i = 0; i < typeValueAndErasedAt.length; i += 3) {
      rows.add(RowFactory.create(typeValueAndErasedAt[i], pseudonyms.of((String) typeValueAndErasedAt[i + 1]),
          Timestamp.from(Instant.parse((String) typeValueAndErasedAt[i + 2])), "r-" + i));
    }
    return spark.createDataFrame(rows, Tables.SUPPRESSION_LIST.schema());
  }

  private static String page(String id, String ts, String anonymousId) {
    return "{\"messageId\":\"" + id + "\",\"type\":\"page\",\"timestamp\":\"" + ts + "\",\"anonymousId\":\""
        + anonymousId + "\"}";
  }

  private static List<String> outcomes(Dataset<Row> classified) {
    return classified.orderBy(LineChecks.LINE_ID).select(LineChecks.OUTCOME).collectAsList().stream()
        .map(row -> row.getString(0)).toList();
  }

  @Test
  void anIdentifierErasedTwiceKeepsItsLatestErasure() {
    try (SuppressionGuard guard = SuppressionGuard.of(list(
        "anonymous_id", "cookie-1", "2026-11-10T00:00:00Z",
        "anonymous_id", "cookie-1", "2026-11-20T00:00:00Z"), Pseudonyms.withKey(KEY))) {
      Dataset<Row> classified = EventLines.classify(Fixtures.lines(spark,
          page("m1", "2026-11-15T00:00:00Z", "cookie-1"),
          page("m2", "2026-11-20T00:00:00Z", "cookie-1"),
          page("m3", "2026-11-20T00:00:01Z", "cookie-1"),
          page("m4", "2026-11-15T00:00:00Z", "cookie-2")), RULES, guard);

      assertThat(outcomes(classified)).containsExactly("suppressed", "suppressed", "valid", "valid");
    }
  }

  @Test
  void aSuppressedLineKeepsNoRawLineFileOrReasonAndThePlanNoKey() {
    try (SuppressionGuard guard = SuppressionGuard.of(list("anonymous_id", "cookie-1", "2026-11-20T00:00:00Z"),
        Pseudonyms.withKey(KEY))) {
      Dataset<Row> classified = EventLines.classify(Fixtures.lines(spark,
          "{\"messageId\":\"m1\",\"type\":\"nonsense\",\"timestamp\":\"2026-11-15T00:00:00Z\",\"anonymousId\":\"cookie-1\"}",
          "{\"messageId\":\"m2\",\"type\":\"nonsense\",\"timestamp\":\"2026-11-15T00:00:00Z\",\"anonymousId\":\"c-2\"}"),
          RULES, guard);

      Row suppressed = classified.orderBy(LineChecks.LINE_ID).head();
      assertThat(suppressed.<String>getAs(LineChecks.OUTCOME)).isEqualTo(LineChecks.SUPPRESSED);
      assertThat(suppressed.<String>getAs(LineChecks.VALUE)).isNull();
      assertThat(suppressed.<String>getAs(LineChecks.FILE)).isNull();
      assertThat(suppressed.<String>getAs(LineChecks.REASON)).isNull();
      assertThat(outcomes(classified)).containsExactly("suppressed", "quarantined");
      assertThat(LineChecks.quarantineRows(classified, "events", DAY, 2000).count()).isEqualTo(1);
      assertThat(classified.queryExecution().toString()).doesNotContain(KEY);
      assertThat(classified.queryExecution().analyzed().treeString(true, false, Integer.MAX_VALUE, false, false))
          .contains("tarmo_suppressed").doesNotContain(KEY);
    }
  }

  @Test
  void anEmptyListIsNoGuard() {
    assertThat(SuppressionGuard.of(list(), Pseudonyms.withKey(KEY))).isSameAs(SuppressionGuard.NONE);
    Dataset<Row> lines = Fixtures.lines(spark, page("m1", "2026-11-15T00:00:00Z", "cookie-1"));
    assertThat(EventLines.classify(lines, RULES, SuppressionGuard.NONE).columns())
        .isEqualTo(EventLines.classify(lines, RULES).columns());
    assertThat(EventLines.classify(lines, RULES, SuppressionGuard.NONE).queryExecution().toString())
        .doesNotContain("tarmo_suppressed");
  }
}
