package io.tarmo.activate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tarmo.TarmoException;
import io.tarmo.lake.DeltaStore;
import io.tarmo.lake.Lake;
import io.tarmo.lake.Tables;
import io.tarmo.segments.SegmentCatalog;
import io.tarmo.segments.SegmentsLoader;
import io.tarmo.subject.Pseudonyms;
import io.tarmo.testing.ActivationFixtures;
import io.tarmo.testing.SparkTest;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The contact decision of CONTRACT 6 on real Delta tables, one customer per case, exact rows. */
@SparkTest
class ActivateJobTest {

  static final LocalDate DAY = LocalDate.of(2026, 11, 28);
  static final String SINCE = "2026-11-01T00:00:00Z";
  static final String KEY = "0123456789abcdef0123456789abcdef-test-key";
  static final SegmentCatalog CATALOG = SegmentsLoader.parse("segments = ["
      + "{ id = promo, condition { profile { orders = 0 } } },"
      + "{ id = health, sensitive = true, condition { profile { orders = 0 } } } ]", "test");
  static final ActivationSettings SETTINGS = new ActivationSettings(Set.of(Channel.EMAIL), List.of(
      new ActivationSettings.Audience("promo", List.of(Channel.values())),
      new ActivationSettings.Audience("health", List.of(Channel.EMAIL))));

  private final SparkSession spark;
  @TempDir Path root;

  ActivateJobTest(SparkSession spark) {
    this.spark = spark;
  }

  private ActivateJob job(DeltaStore store, Optional<Pseudonyms> pseudonyms) {
    return new ActivateJob(store, CATALOG, SETTINGS, pseudonyms, Clock.systemUTC());
  }

  @Test
  void truthTableOfContactDecisionsPerChannel() {
    DeltaStore store = new DeltaStore(spark, Lake.at(root.toString()));
    Pseudonyms pseudonyms = Pseudonyms.withKey(KEY);
    ActivationFixtures lake = new ActivationFixtures(spark).evaluated(DAY);
    for (long key = 1; key <= 15; key++) {
      lake.member(DAY, "promo", key);
    }
    lake.member(DAY, "health", 1).member(DAY, "health", 12).member(DAY.minusDays(1), "promo", 5);

    // 1: granted on every channel it has an address for; phone has no record.
    lake.profile(1, "one@example.org", "+491511234567", "app-1")
        .identity("customer_id", "C1", 1).identity("anonymous_id", "web-1", 1).identity("anonymous_id", "app-1", 1);
    for (String channel : List.of("email", "sms", "push", "web")) {
      lake.consent(1, "marketing", channel, "granted", "consent", SINCE, null, "c1-" + channel);
    }
    // 2-5: withdrawn, denied, expired, no record at all.
    lake.profile(2, "two@example.org", null, null).consent(2, "marketing", "email", "withdrawn", "consent", SINCE, null, "c2");
    lake.profile(3, "three@example.org", null, null).consent(3, "marketing", "email", "denied", "consent", SINCE, null, "c3");
    lake.profile(4, "four@example.org", null, null).consent(4, "marketing", "email", "expired", "consent", SINCE, null, "c4");
    lake.profile(5, "five@example.org", null, null);
    // 6: legitimate interest on email, allowed, no objection.
    lake.profile(6, "six@example.org", "+491511234566", null)
        .consent(6, "marketing", "email", "granted", "legitimate_interest", SINCE, null, "c6");
    // 7: legitimate interest on sms (not allowed there), and on email after an earlier objection.
    lake.profile(7, "seven@example.org", "+491511234577", null)
        .consent(7, "marketing", "sms", "granted", "legitimate_interest", SINCE, null, "c7-sms")
        .consent(7, "marketing", "email", "granted", "legitimate_interest", SINCE, null, "c7-email", true);
    // 8: contract only.
    lake.profile(8, "eight@example.org", null, null).consent(8, "marketing", "email", "granted", "contract", SINCE, null, "c8");
    // 9: marketing granted, profiling denied.
    lake.profile(9, "nine@example.org", null, null).consent(9, "marketing", "email", "granted", "consent", SINCE, null, "c9")
        .consent(9, "profiling", "email", "denied", "consent", SINCE, null, "c9-p");
    // 10: granted, but an identifier was erased.
    lake.profile(10, "ten@example.org", null, null).identity("email", "ten-old@example.org", 10)
        .consent(10, "marketing", "email", "granted", "consent", SINCE, null, "c10")
        .suppressed("email", pseudonyms.of("ten-old@example.org"));
    // 11: granted, but no email and a phone that is not E.164.
    lake.profile(11, null, "0151 123", null)
        .consent(11, "marketing", "email", "granted", "consent", SINCE, null, "c11")
        .consent(11, "marketing", "sms", "granted", "consent", SINCE, null, "c11-sms");
    // 12: in the sensitive segment on legitimate interest only (which is enough for promo's email).
    lake.profile(12, "twelve@example.org", null, null)
        .consent(12, "marketing", "email", "granted", "legitimate_interest", SINCE, null, "c12");
    // 13: a grant that ends exactly at the end of the day is still valid that day.
    lake.profile(13, "thirteen@example.org", null, null)
        .consent(13, "marketing", "email", "granted", "consent", SINCE, "2026-11-29T00:00:00Z", "c13");
    // 14: a grant that ended during the day, and the next one that starts the day after.
    lake.profile(14, "fourteen@example.org", null, null)
        .consent(14, "marketing", "email", "granted", "consent", SINCE, "2026-11-28T12:00:00Z", "c14-old")
        .consent(14, "marketing", "email", "granted", "consent", "2026-11-29T00:00:00Z", null, "c14-new");
    // 15: an 'all' record, expanded to every channel; only email and web have an address, push's
    // device is not the customer's any more.
    lake.profile(15, "fifteen@example.org", null, "app-of-someone-else").identity("anonymous_id", "web-15", 15);
    for (String channel : List.of("email", "sms", "push", "phone", "web")) {
      lake.consent(15, "marketing", channel, "granted", "consent", SINCE, null, "c15-all");
    }
    lake.writeTo(store);

    ActivationResult result = job(store, Optional.of(pseudonyms)).run(DAY, "test");

    assertThat(rows(store.read(Tables.ACTIVATION).orderBy("segment_id", "channel", "customer_key", "address")))
        .containsExactly(
            "2026-11-28|email|health|1|one@example.org|consent|c1-email",
            "2026-11-28|email|promo|1|one@example.org|consent|c1-email",
            "2026-11-28|email|promo|6|six@example.org|legitimate_interest|c6",
            "2026-11-28|email|promo|12|twelve@example.org|legitimate_interest|c12",
            "2026-11-28|email|promo|13|thirteen@example.org|consent|c13",
            "2026-11-28|email|promo|15|fifteen@example.org|consent|c15-all",
            "2026-11-28|push|promo|1|app-1|consent|c1-push",
            "2026-11-28|sms|promo|1|+491511234567|consent|c1-sms",
            "2026-11-28|web|promo|1|app-1|consent|c1-web",
            "2026-11-28|web|promo|1|web-1|consent|c1-web",
            "2026-11-28|web|promo|15|web-15|consent|c15-all");
    Dataset<Row> exclusions = store.read(Tables.ACTIVATION_EXCLUSIONS);
    assertThat(rows(exclusions.where("segment_id = 'health' or channel = 'email'")
        .orderBy("segment_id", "channel", "customer_key")))
        .containsExactly(
            "2026-11-28|health|email|12|sensitive_without_consent",
            "2026-11-28|promo|email|2|denied_or_withdrawn",
            "2026-11-28|promo|email|3|denied_or_withdrawn",
            "2026-11-28|promo|email|4|expired",
            "2026-11-28|promo|email|5|no_consent",
            "2026-11-28|promo|email|7|legitimate_interest_not_allowed",
            "2026-11-28|promo|email|8|contract_basis",
            "2026-11-28|promo|email|9|profiling_objection",
            "2026-11-28|promo|email|10|suppressed",
            "2026-11-28|promo|email|11|no_address",
            "2026-11-28|promo|email|14|no_consent");
    assertThat(rows(exclusions.where("segment_id = 'promo' and customer_key in (1, 6, 7, 11, 15)"
        + " and channel != 'email'").orderBy("customer_key", "channel")))
        .containsExactly(
            "2026-11-28|promo|phone|1|no_consent",
            "2026-11-28|promo|phone|6|no_consent",
            "2026-11-28|promo|push|6|no_consent",
            "2026-11-28|promo|sms|6|no_consent",
            "2026-11-28|promo|web|6|no_consent",
            "2026-11-28|promo|phone|7|no_consent",
            "2026-11-28|promo|push|7|no_consent",
            "2026-11-28|promo|sms|7|legitimate_interest_not_allowed",
            "2026-11-28|promo|web|7|no_consent",
            "2026-11-28|promo|phone|11|no_consent",
            "2026-11-28|promo|push|11|no_consent",
            "2026-11-28|promo|sms|11|no_address",
            "2026-11-28|promo|web|11|no_consent",
            "2026-11-28|promo|phone|15|no_address",
            "2026-11-28|promo|push|15|no_address",
            "2026-11-28|promo|sms|15|no_address");
    assertThat(exclusions.count()).as("every member of every pair is decided once, activated or excluded")
        .isEqualTo(15 * 5 + 2 - 10);
    assertThat(exclusions.where("customer_key = 10").select("reason").distinct().collectAsList().stream()
        .map(row -> row.getString(0))).as("a suppressed customer is suppressed on every channel")
        .containsExactly("suppressed");

    assertThat(result.audiences()).hasSize(6);
    assertThat(result.audiences().get(0)).isEqualTo(new ActivationResult.AudienceCount("promo", "email", 5,
        java.util.Map.of("denied_or_withdrawn", 2L, "expired", 1L, "no_consent", 2L,
            "legitimate_interest_not_allowed", 1L, "contract_basis", 1L, "profiling_objection", 1L,
            "suppressed", 1L, "no_address", 1L)));
    java.util.Map<String, Long> webExcluded = new java.util.TreeMap<>();
    exclusions.where("segment_id = 'promo' and channel = 'web'").groupBy("reason")
        .agg(org.apache.spark.sql.functions.countDistinct("customer_key")).collectAsList()
        .forEach(row -> webExcluded.put(row.getString(0), row.getLong(1)));
    assertThat(result.audiences().get(4)).as("web: customers, not addresses")
        .isEqualTo(new ActivationResult.AudienceCount("promo", "web", 2, webExcluded));
    assertThat(webExcluded).as("the web audience has exclusions to compare").isNotEmpty();
    assertThat(result.counts()).containsEntry("activation.rows", 11L).containsEntry("activation.excluded.suppressed", 5L)
        .containsEntry("activation.excluded.sensitive_without_consent", 1L)
        .containsEntry("activation.promo.email.activated", 5L);
    assertThat(result.summary()).doesNotContain("@").doesNotContain("+49").doesNotContain("app-1");
  }

  @Test
  void aRerunReplacesTheDayExactly() {
    DeltaStore store = new DeltaStore(spark, Lake.at(root.toString()));
    new ActivationFixtures(spark).evaluated(DAY).member(DAY, "promo", 1).member(DAY, "promo", 2)
        .profile(1, "one@example.org", null, null).profile(2, "two@example.org", null, null)
        .consent(1, "marketing", "email", "granted", "consent", SINCE, null, "c1")
        .writeTo(store);
    ActivateJob job = job(store, Optional.empty());
    job.run(DAY, "first");
    List<String> activation = rows(store.read(Tables.ACTIVATION).orderBy("channel", "customer_key"));
    List<String> exclusions = rows(store.read(Tables.ACTIVATION_EXCLUSIONS).orderBy("channel", "customer_key"));
    job.run(DAY, "again");
    assertThat(rows(store.read(Tables.ACTIVATION).orderBy("channel", "customer_key"))).isEqualTo(activation)
        .containsExactly("2026-11-28|email|promo|1|one@example.org|consent|c1");
    assertThat(rows(store.read(Tables.ACTIVATION_EXCLUSIONS).orderBy("channel", "customer_key")))
        .isEqualTo(exclusions).hasSize(9);
    assertThat(store.read(Tables.SUPPRESSION_LIST).count()).as("created empty, no key needed").isZero();
  }

  @Test
  void aSuppressionListWithRowsNeedsTheKey() {
    DeltaStore store = new DeltaStore(spark, Lake.at(root.toString()));
    new ActivationFixtures(spark).evaluated(DAY).member(DAY, "promo", 1).profile(1, "one@example.org", null, null)
        .suppressed("email", Pseudonyms.withKey(KEY).of("one@example.org"))
        .writeTo(store);
    assertThatThrownBy(() -> job(store, Optional.empty()).check(DAY)).isInstanceOfSatisfying(TarmoException.class,
        e -> {
          assertThat(e.failure()).isEqualTo(TarmoException.Failure.USAGE);
          assertThat(e.getMessage()).isEqualTo("Cannot run activate for 2026-11-28: suppression_list holds erased "
              + "identifiers and TARMO_PSEUDONYM_KEY is not set; set it to the key the erasures used");
        });
    assertThat(store.exists(Tables.ACTIVATION)).isFalse();
  }

  @Test
  void anAudienceOfAnUndefinedSegmentIsRefusedNamingIt() {
    DeltaStore store = new DeltaStore(spark, Lake.at(root.toString()));
    ActivationSettings settings = new ActivationSettings(Set.of(), List.of(
        new ActivationSettings.Audience("promo", List.of(Channel.EMAIL)),
        new ActivationSettings.Audience("vip-weekend", List.of(Channel.SMS))));
    assertThatThrownBy(() -> new ActivateJob(store, CATALOG, settings, Optional.empty(), Clock.systemUTC()).check(DAY))
        .isInstanceOfSatisfying(TarmoException.class, e -> {
          assertThat(e.failure().exitCode()).isEqualTo(2);
          assertThat(e.getMessage()).isEqualTo("Cannot run activate for 2026-11-28: tarmo.activation.audiences names "
              + "segment vip-weekend, which the segments file does not define (defined: promo, health)");
        });
  }

  @Test
  void consentAndSegmentsMustHaveRunFirst() {
    DeltaStore store = new DeltaStore(spark, Lake.at(root.toString()));
    assertThatThrownBy(() -> job(store, Optional.empty()).check(DAY)).hasMessageContaining("run consent first");
    new ActivationFixtures(spark).evaluated(DAY.minusDays(1)).writeTo(store);
    assertThatThrownBy(() -> job(store, Optional.empty()).check(DAY))
        .hasMessageContaining("run segments --date 2026-11-28 first");
  }

  @Test
  void aConsentStateBuiltForAnEarlierDayIsRefusedAndOneBuiltLaterHoldsTheDay() {
    DeltaStore store = new DeltaStore(spark, Lake.at(root.toString()));
    new ActivationFixtures(spark).evaluated(DAY)
        .consent(1L, "marketing", "email", "granted", "consent", "2026-11-01T00:00:00Z", null, "c1").writeTo(store);
    store.update(Tables.CONSENT_STATE, functions.lit(true),
        Map.of("as_of_date", functions.lit(java.sql.Date.valueOf(DAY.minusDays(1)))), "test");

    assertThatThrownBy(() -> job(store, Optional.empty()).check(DAY)).isInstanceOfSatisfying(TarmoException.class,
        e -> assertThat(e.getMessage()).isEqualTo("Cannot run activate for 2026-11-28: consent_state was built for "
            + "2026-11-27, before it, and would miss the withdrawals and objections delivered since; "
            + "run consent --date 2026-11-28 first"));

    store.update(Tables.CONSENT_STATE, functions.lit(true),
        Map.of("as_of_date", functions.lit(java.sql.Date.valueOf(DAY.plusDays(1)))), "test");
    job(store, Optional.empty()).check(DAY);
  }

  static List<String> rows(Dataset<Row> frame) {
    return frame.collectAsList().stream().map(row -> {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < row.size(); i++) {
        line.append(i == 0 ? "" : "|").append(row.get(i));
      }
      return line.toString();
    }).toList();
  }
}
