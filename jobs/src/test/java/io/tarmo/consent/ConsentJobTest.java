package io.tarmo.consent;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.date_format;
import static org.apache.spark.sql.functions.lit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tarmo.TarmoException;
import io.tarmo.lake.DeltaStore;
import io.tarmo.lake.Lake;
import io.tarmo.lake.Tables;
import io.tarmo.testing.ConsentFixtures;
import io.tarmo.testing.LakeFixtures;
import io.tarmo.testing.SparkTest;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The consent rules as a truth table on real Delta tables: each case is a customer with its ledger
 * records and the exact {@code consent_state} rows they give. Times are in 2026 (UTC) and shown as
 * {@code MM-dd HH:mm}.
 */
@SparkTest
class ConsentJobTest {

  static final LocalDate DAY = LocalDate.of(2026, 3, 10);
  static final LocalDate EARLIER = LocalDate.of(2026, 3, 4);
  /** Every column of consent_state but as_of_date. */
  static final String COLUMNS = "customer_key|purpose|channel|status|legal_basis|valid_from|valid_to|consent_id|source"
      + "|subject_type|decided_at|objected_before";

  private final SparkSession spark;
  @TempDir Path root;

  ConsentJobTest(SparkSession spark) {
    this.spark = spark;
  }

  /** The customers of the truth table: one key per case, with the identifiers their records name. */
  private LakeFixtures identities() {
    LakeFixtures lake = new LakeFixtures(spark);
    for (long key : new long[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 15, 16, 17, 18, 19, 20}) {
      lake.identity("customer_id", "C" + key, key);
    }
    // A cookie that gave consent before its visitor logged in; identity later tied it to C10.
    lake.identity("anonymous_id", "ck-10", 10);
    // An email that was a customer of its own until identity merged it into C11.
    lake.identity("email", "eleven@example.com", 11);
    lake.identity("email", "twelve@example.com", 12);
    lake.identity("email", "thirteen@example.com", 13);
    lake.identity("email", "nineteen@example.com", 19);
    lake.identity("email", "twenty@example.com", 20);
    return lake;
  }

  private ConsentFixtures ledger() {
    ConsentFixtures c = new ConsentFixtures(spark);
    // 1: granted, then withdrawn.
    c.record("c01a", "customer_id:C1", "marketing", "email", "granted", "2026-03-01T10:00:00Z").add();
    c.record("c01b", "customer_id:C1", "marketing", "email", "withdrawn", "2026-03-05T10:00:00Z").source("web_form").add();
    // 2: withdrawn, then granted again.
    c.record("c02a", "customer_id:C2", "marketing", "email", "withdrawn", "2026-03-01T10:00:00Z").add();
    c.record("c02b", "customer_id:C2", "marketing", "email", "granted", "2026-03-04T10:00:00Z").add();
    // 3: expired the day before DAY; 4: expires the day after.
    c.record("c03", "customer_id:C3", "marketing", "email", "granted", "2026-03-01T10:00:00Z")
        .expires("2026-03-09T12:00:00Z").add();
    c.record("c04", "customer_id:C4", "marketing", "email", "granted", "2026-03-01T10:00:00Z")
        .expires("2026-03-11T12:00:00Z").add();
    // 5: all, then a channel-specific denial; 6: the reverse.
    c.record("c05a", "customer_id:C5", "marketing", "all", "granted", "2026-03-01T10:00:00Z").add();
    c.record("c05b", "customer_id:C5", "marketing", "sms", "denied", "2026-03-03T10:00:00Z").add();
    c.record("c06a", "customer_id:C6", "marketing", "sms", "denied", "2026-03-01T10:00:00Z").add();
    c.record("c06b", "customer_id:C6", "marketing", "all", "granted", "2026-03-03T10:00:00Z").add();
    // 7: legitimate interest, no objection; 8: an objection in the call centre, then a CRM import
    // re-asserting legitimate interest, which the objection still blocks (objected_before).
    c.record("c07", "customer_id:C7", "marketing", "email", "granted", "2026-03-01T10:00:00Z")
        .basis("legitimate_interest").add();
    c.record("c08a", "customer_id:C8", "marketing", "phone", "granted", "2026-03-01T10:00:00Z")
        .basis("legitimate_interest").add();
    c.record("c08b", "customer_id:C8", "marketing", "phone", "denied", "2026-03-05T10:00:00Z")
        .basis("legitimate_interest").source("call_center").add();
    c.record("c08c", "customer_id:C8", "marketing", "phone", "granted", "2026-03-07T10:00:00Z")
        .basis("legitimate_interest").add();
    // 9: a contract only.
    c.record("c09", "customer_id:C9", "marketing", "email", "granted", "2026-03-01T10:00:00Z").basis("contract").add();
    // 10: consent on a cookie before login; 11: on an email later merged into a customer.
    c.record("c10", "anonymous_id:ck-10", "marketing", "web", "granted", "2026-02-20T10:00:00Z").source("cmp").add();
    c.record("c11", "email:eleven@example.com", "marketing", "email", "granted", "2026-02-25T10:00:00Z")
        .source("web_form").add();
    // 12: two identifiers of one customer disagree: the later decision wins.
    c.record("c12a", "customer_id:C12", "marketing", "email", "granted", "2026-03-02T10:00:00Z").add();
    c.record("c12b", "email:twelve@example.com", "marketing", "email", "denied", "2026-03-02T09:00:00Z")
        .source("web_form").add();
    // 13: the same instant: the refusal wins, although the grant's consent_id sorts later.
    c.record("c13a", "email:thirteen@example.com", "marketing", "email", "withdrawn", "2026-03-03T10:00:00Z")
        .source("web_form").add();
    c.record("c13b", "customer_id:C13", "marketing", "email", "granted", "2026-03-03T10:00:00Z").add();
    // 14: a subject identity has never seen.
    c.record("c14", "email:nobody@example.com", "marketing", "email", "granted", "2026-03-01T10:00:00Z").add();
    // 15: delivered four days late: it counts from its delivery day.
    c.record("c15", "customer_id:C15", "marketing", "email", "granted", "2026-03-02T10:00:00Z")
        .deliveredOn(LocalDate.of(2026, 3, 6)).add();
    // 16: an old grant delivered after a newer withdrawal was known: it never counts.
    c.record("c16a", "customer_id:C16", "marketing", "email", "withdrawn", "2026-03-05T10:00:00Z").add();
    c.record("c16b", "customer_id:C16", "marketing", "email", "granted", "2026-03-03T10:00:00Z")
        .deliveredOn(LocalDate.of(2026, 3, 8)).add();
    // 17: delivered after DAY: not known to DAY's run.
    c.record("c17", "customer_id:C17", "marketing", "email", "granted", "2026-03-09T10:00:00Z")
        .deliveredOn(LocalDate.of(2026, 3, 11)).add();
    // 18: a ledger backfill delivered in one go: a 2025 objection, then a legitimate-interest record,
    // both known from the same instant; the objection still comes first and still blocks it.
    c.record("c18a", "customer_id:C18", "marketing", "email", "denied", "2025-01-10T10:00:00Z")
        .deliveredOn(LocalDate.of(2026, 3, 6)).add();
    c.record("c18b", "customer_id:C18", "marketing", "email", "granted", "2025-06-10T10:00:00Z")
        .basis("legitimate_interest").deliveredOn(LocalDate.of(2026, 3, 6)).add();
    // 19: two grants at the same instant: legitimate interest is more restrictive than consent, and
    // wins although the consent record's id sorts later.
    c.record("c19a", "email:nineteen@example.com", "marketing", "email", "granted", "2026-03-03T10:00:00Z")
        .basis("legitimate_interest").source("web_form").add();
    c.record("c19b", "customer_id:C19", "marketing", "email", "granted", "2026-03-03T10:00:00Z").add();
    // 20: two consent grants at the same instant: the one that expires wins over the one that does not.
    c.record("c20a", "customer_id:C20", "marketing", "email", "granted", "2026-03-03T10:00:00Z")
        .expires("2026-03-20T00:00:00Z").add();
    c.record("c20b", "email:twenty@example.com", "marketing", "email", "granted", "2026-03-03T10:00:00Z")
        .source("web_form").add();
    return c;
  }

  @Test
  void everyCaseOfTheTruthTableGivesItsExactRowsAndReRunsChangeNothing() {
    DeltaStore store = new DeltaStore(spark, Lake.at(root.toString()));
    store.append(Tables.IDENTITY_MAP, identities().identityMap(), "test");
    store.append(Tables.CONSENT_EVENTS, ledger().ledger(), "test");
    ConsentJob job = new ConsentJob(store, Clock.systemUTC());

    ConsentResult result = job.run(DAY, "test");

    List<String> expected = List.of(
        "1|marketing|email|granted|consent|03-01 10:00|03-05 10:00|c01a|crm|customer_id|03-01 10:00|false",
        "1|marketing|email|withdrawn|consent|03-05 10:00|null|c01b|web_form|customer_id|03-05 10:00|false",
        "2|marketing|email|withdrawn|consent|03-01 10:00|03-04 10:00|c02a|crm|customer_id|03-01 10:00|false",
        "2|marketing|email|granted|consent|03-04 10:00|null|c02b|crm|customer_id|03-04 10:00|true",
        "3|marketing|email|granted|consent|03-01 10:00|03-09 12:00|c03|crm|customer_id|03-01 10:00|false",
        "3|marketing|email|expired|consent|03-09 12:00|null|c03|crm|customer_id|03-01 10:00|false",
        "4|marketing|email|granted|consent|03-01 10:00|03-11 12:00|c04|crm|customer_id|03-01 10:00|false",
        "4|marketing|email|expired|consent|03-11 12:00|null|c04|crm|customer_id|03-01 10:00|false",
        "5|marketing|email|granted|consent|03-01 10:00|null|c05a|crm|customer_id|03-01 10:00|false",
        "5|marketing|phone|granted|consent|03-01 10:00|null|c05a|crm|customer_id|03-01 10:00|false",
        "5|marketing|push|granted|consent|03-01 10:00|null|c05a|crm|customer_id|03-01 10:00|false",
        "5|marketing|sms|granted|consent|03-01 10:00|03-03 10:00|c05a|crm|customer_id|03-01 10:00|false",
        "5|marketing|sms|denied|consent|03-03 10:00|null|c05b|crm|customer_id|03-03 10:00|false",
        "5|marketing|web|granted|consent|03-01 10:00|null|c05a|crm|customer_id|03-01 10:00|false",
        "6|marketing|email|granted|consent|03-03 10:00|null|c06b|crm|customer_id|03-03 10:00|false",
        "6|marketing|phone|granted|consent|03-03 10:00|null|c06b|crm|customer_id|03-03 10:00|false",
        "6|marketing|push|granted|consent|03-03 10:00|null|c06b|crm|customer_id|03-03 10:00|false",
        "6|marketing|sms|denied|consent|03-01 10:00|03-03 10:00|c06a|crm|customer_id|03-01 10:00|false",
        "6|marketing|sms|granted|consent|03-03 10:00|null|c06b|crm|customer_id|03-03 10:00|true",
        "6|marketing|web|granted|consent|03-03 10:00|null|c06b|crm|customer_id|03-03 10:00|false",
        "7|marketing|email|granted|legitimate_interest|03-01 10:00|null|c07|crm|customer_id|03-01 10:00|false",
        "8|marketing|phone|granted|legitimate_interest|03-01 10:00|03-05 10:00|c08a|crm|customer_id|03-01 10:00|false",
        "8|marketing|phone|denied|legitimate_interest|03-05 10:00|03-07 10:00|c08b|call_center|customer_id|03-05 10:00"
            + "|false",
        "8|marketing|phone|granted|legitimate_interest|03-07 10:00|null|c08c|crm|customer_id|03-07 10:00|true",
        "9|marketing|email|granted|contract|03-01 10:00|null|c09|crm|customer_id|03-01 10:00|false",
        "10|marketing|web|granted|consent|02-20 10:00|null|c10|cmp|anonymous_id|02-20 10:00|false",
        "11|marketing|email|granted|consent|02-25 10:00|null|c11|web_form|email|02-25 10:00|false",
        "12|marketing|email|denied|consent|03-02 09:00|03-02 10:00|c12b|web_form|email|03-02 09:00|false",
        "12|marketing|email|granted|consent|03-02 10:00|null|c12a|crm|customer_id|03-02 10:00|true",
        "13|marketing|email|withdrawn|consent|03-03 10:00|null|c13a|web_form|email|03-03 10:00|false",
        "15|marketing|email|granted|consent|03-06 00:00|null|c15|crm|customer_id|03-02 10:00|false",
        "16|marketing|email|withdrawn|consent|03-05 10:00|null|c16a|crm|customer_id|03-05 10:00|false",
        "18|marketing|email|granted|legitimate_interest|03-06 00:00|null|c18b|crm|customer_id|06-10 10:00|true",
        "19|marketing|email|granted|legitimate_interest|03-03 10:00|null|c19a|web_form|email|03-03 10:00|false",
        "20|marketing|email|granted|consent|03-03 10:00|03-20 00:00|c20a|crm|customer_id|03-03 10:00|false",
        "20|marketing|email|expired|consent|03-20 00:00|null|c20a|crm|customer_id|03-03 10:00|false");
    assertThat(rows(store.read(Tables.CONSENT_STATE))).containsExactlyElementsOf(expected);
    assertThat(store.read(Tables.CONSENT_STATE).filter(col("as_of_date").notEqual(lit(java.sql.Date.valueOf(DAY))))
        .count()).isZero();

    assertThat(result.counts()).containsAllEntriesOf(Map.of(
        "consent.ledger_missing", 0L,
        "consent.records_read", 31L,
        "consent.records_resolved", 30L,
        "consent.unresolved_records", 1L,
        "consent.intervals", 36L));
    assertThat(result.customers()).as("customers per purpose.channel.status as of " + DAY).isEqualTo(Map.of(
        "marketing.email.granted", 12L, "marketing.email.withdrawn", 3L, "marketing.email.expired", 1L,
        "marketing.sms.granted", 1L, "marketing.sms.denied", 1L,
        "marketing.phone.granted", 3L, "marketing.push.granted", 2L, "marketing.web.granted", 3L));
    assertThat(result.summary()).startsWith("consent 2026-03-10: records=31 resolved=30 unresolved=1 intervals=36")
        .contains(String.format(java.util.Locale.ROOT, "  %-24s %s", "marketing.email", "12/0/3/1"))
        .doesNotContain("example.com").doesNotContain("C12");

    job.run(DAY, "rerun");
    assertThat(rows(store.read(Tables.CONSENT_STATE))).as("a re-run leaves the table as one run")
        .containsExactlyElementsOf(expected);
  }

  @Test
  void theStateAsOfAnEarlierDayIsWhatThatDaysRunBuilt() {
    DeltaStore store = new DeltaStore(spark, Lake.at(root.toString()));
    store.append(Tables.IDENTITY_MAP, identities().identityMap(), "test");

    List<String> thatDay = builtOnThenRunForDay(store, ledger(), EARLIER);
    List<String> filtered = rows(store.read(Tables.CONSENT_STATE).filter(ConsentState.asOf(EARLIER)), false);

    assertThat(filtered).isEqualTo(thatDay);
    assertThat(thatDay).as("the cases that change between the two days, as of the earlier one").contains(
        "1|marketing|email|granted|consent|03-01 10:00|c01a|crm|customer_id|03-01 10:00|false",
        "8|marketing|phone|granted|legitimate_interest|03-01 10:00|c08a|crm|customer_id|03-01 10:00|false",
        "13|marketing|email|withdrawn|consent|03-03 10:00|c13a|web_form|email|03-03 10:00|false")
        .noneMatch(row -> row.startsWith("15|") || row.startsWith("16|") || row.startsWith("17|"));
    assertThat(thatDay).hasSize(23);
  }

  /**
   * An objection made before a legitimate-interest grant but delivered after it blocks the grant
   * from its delivery on: the day between still shows what that day's run knew (no objection), and
   * the days after show the objection.
   */
  @Test
  void anObjectionDeliveredLateBlocksLegitimateInterestFromItsDeliveryOnly() {
    DeltaStore store = new DeltaStore(spark, Lake.at(root.toString()));
    store.append(Tables.IDENTITY_MAP, new LakeFixtures(spark).identity("customer_id", "C21", 21).identityMap(), "test");
    ConsentFixtures ledger = new ConsentFixtures(spark);
    ledger.record("c21a", "customer_id:C21", "marketing", "phone", "granted", "2026-03-07T10:00:00Z")
        .basis("legitimate_interest").add();
    ledger.record("c21b", "customer_id:C21", "marketing", "phone", "denied", "2026-03-05T10:00:00Z")
        .source("call_center").deliveredOn(LocalDate.of(2026, 3, 9)).add();
    LocalDate between = LocalDate.of(2026, 3, 8);

    List<String> thatDay = builtOnThenRunForDay(store, ledger, between);

    assertThat(rows(store.read(Tables.CONSENT_STATE))).containsExactly(
        "21|marketing|phone|granted|legitimate_interest|03-07 10:00|03-09 00:00|c21a|crm|customer_id|03-07 10:00|false",
        "21|marketing|phone|granted|legitimate_interest|03-09 00:00|null|c21a|crm|customer_id|03-07 10:00|true");
    assertThat(rows(store.read(Tables.CONSENT_STATE).filter(ConsentState.asOf(between)), false))
        .isEqualTo(thatDay)
        .containsExactly("21|marketing|phone|granted|legitimate_interest|03-07 10:00|c21a|crm|customer_id|03-07 10:00"
            + "|false");
  }

  /**
   * Delivers the ledger's records up to {@code earlier} and runs consent for that day, then delivers
   * the rest and runs consent for {@link #DAY}. Returns the state as of {@code earlier} that the
   * first run built, without valid_to: the later run knows the decisions that ended an interval since.
   */
  private static List<String> builtOnThenRunForDay(DeltaStore store, ConsentFixtures ledger, LocalDate earlier) {
    ConsentJob job = new ConsentJob(store, Clock.systemUTC());
    store.append(Tables.CONSENT_EVENTS, ledger.deliveredBy(earlier), "test");
    job.run(earlier, "earlier");
    List<String> thatDay = rows(store.read(Tables.CONSENT_STATE).filter(ConsentState.asOf(earlier)), false);
    store.append(Tables.CONSENT_EVENTS, ledger.deliveredAfter(earlier), "test");
    job.run(DAY, "later");
    return thatDay;
  }

  @Test
  void refusesToRunBeforeIdentityAndBuildsAnEmptyStateWithoutALedger() {
    DeltaStore store = new DeltaStore(spark, Lake.at(root.toString()));
    ConsentJob job = new ConsentJob(store, Clock.systemUTC());
    assertThatThrownBy(() -> job.run(DAY, "test")).isInstanceOfSatisfying(TarmoException.class, e -> {
      assertThat(e.failure()).isEqualTo(TarmoException.Failure.USAGE);
      assertThat(e.getMessage()).startsWith("Cannot run consent for 2026-03-10: identity_map does not exist yet; "
          + "run identity first");
    });
    assertThat(store.exists(Tables.CONSENT_STATE)).isFalse();

    store.append(Tables.IDENTITY_MAP, identities().identityMap(), "test");
    ConsentResult result = job.run(DAY, "test");
    assertThat(store.read(Tables.CONSENT_STATE).count()).isZero();
    assertThat(result.counts()).containsEntry("consent.ledger_missing", 1L).containsEntry("consent.records_read", 0L)
        .containsEntry("consent.intervals", 0L);
    assertThat(result.summary()).contains("no consent_events yet");
  }

  /** Every column but as_of_date (and with {@code withValidTo} false, valid_to), ordered by customer, channel, start. */
  static List<String> rows(Dataset<Row> state) {
    return rows(state, true);
  }

  static List<String> rows(Dataset<Row> state, boolean withValidTo) {
    Column[] columns = java.util.Arrays.stream(COLUMNS.split("\\|"))
        .filter(name -> withValidTo || !name.equals("valid_to"))
        .map(name -> coalesce(name.equals("valid_from") || name.equals("valid_to") || name.equals("decided_at")
            ? date_format(col(name), "MM-dd HH:mm") : col(name).cast("string"), lit("null")))
        .toArray(Column[]::new);
    return state.orderBy(col("customer_key"), col("purpose"), col("channel"), col("valid_from"))
        .select(concat_ws("|", columns)).collectAsList().stream().map(row -> row.getString(0)).toList();
  }
}
