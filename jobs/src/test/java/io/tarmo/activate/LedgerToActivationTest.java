package io.tarmo.activate;

import static org.assertj.core.api.Assertions.assertThat;

import io.tarmo.consent.ConsentJob;
import io.tarmo.lake.DeltaStore;
import io.tarmo.lake.Lake;
import io.tarmo.lake.Tables;
import io.tarmo.segments.SegmentCatalog;
import io.tarmo.segments.SegmentsLoader;
import io.tarmo.subject.Pseudonyms;
import io.tarmo.testing.ActivationFixtures;
import io.tarmo.testing.ConsentFixtures;
import io.tarmo.testing.SparkTest;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The truth table from the ledger to the contact decision: ledger records as ingest stores them,
 * {@code consent} builds the state, {@code activate} decides per member and channel. One customer
 * per case; the expected outcome is written next to each case.
 */
@SparkTest
class LedgerToActivationTest {

  static final LocalDate DAY = LocalDate.of(2026, 3, 10);
  static final SegmentCatalog CATALOG = SegmentsLoader.parse("segments = ["
      + "{ id = promo, condition { profile { orders = 0 } } },"
      + "{ id = health, sensitive = true, condition { profile { orders = 0 } } } ]", "test");
  static final ActivationSettings SETTINGS = new ActivationSettings(Set.of(Channel.EMAIL), List.of(
      new ActivationSettings.Audience("promo", List.of(Channel.EMAIL, Channel.SMS)),
      new ActivationSettings.Audience("health", List.of(Channel.EMAIL))));

  private final SparkSession spark;
  @TempDir Path root;

  LedgerToActivationTest(SparkSession spark) {
    this.spark = spark;
  }

  @Test
  void eachLedgerCaseGivesItsContactDecisionPerChannel() {
    DeltaStore store = new DeltaStore(spark, Lake.at(root.toString()));
    ActivationFixtures lake = new ActivationFixtures(spark).evaluated(DAY);
    ConsentFixtures ledger = new ConsentFixtures(spark);
    for (long key = 1; key <= 15; key++) {
      lake.identity("customer_id", "C" + key, key).member(DAY, "promo", key)
          .profile(key, key == 12 ? null : "c" + key + "@mail.test", "+4915100000" + String.format("%02d", key), null);
    }
    // 1: granted, then withdrawn → email: denied_or_withdrawn.
    ledger.record("k1a", "customer_id:C1", "marketing", "email", "granted", "2026-03-01T10:00:00Z").add();
    ledger.record("k1b", "customer_id:C1", "marketing", "email", "withdrawn", "2026-03-05T10:00:00Z").add();
    // 2: withdrawn, then granted again → email: activated.
    ledger.record("k2a", "customer_id:C2", "marketing", "email", "withdrawn", "2026-03-01T10:00:00Z").add();
    ledger.record("k2b", "customer_id:C2", "marketing", "email", "granted", "2026-03-04T10:00:00Z").add();
    // 3: expired yesterday → expired; 4: expires tomorrow → activated.
    ledger.record("k3", "customer_id:C3", "marketing", "email", "granted", "2026-03-01T10:00:00Z")
        .expires("2026-03-09T12:00:00Z").add();
    ledger.record("k4", "customer_id:C4", "marketing", "email", "granted", "2026-03-01T10:00:00Z")
        .expires("2026-03-11T12:00:00Z").add();
    // 5: all granted, then sms denied → email activated, sms: denied_or_withdrawn.
    ledger.record("k5a", "customer_id:C5", "marketing", "all", "granted", "2026-03-01T10:00:00Z").add();
    ledger.record("k5b", "customer_id:C5", "marketing", "sms", "denied", "2026-03-03T10:00:00Z").add();
    // 6: legitimate interest on all channels → email activated (allowed there), sms not; in the
    // sensitive segment it is not enough.
    ledger.record("k6", "customer_id:C6", "marketing", "all", "granted", "2026-03-01T10:00:00Z")
        .basis("legitimate_interest").add();
    lake.member(DAY, "health", 6);
    // 7: an objection, then legitimate interest again → legitimate_interest_not_allowed.
    ledger.record("k7a", "customer_id:C7", "marketing", "email", "denied", "2026-03-01T10:00:00Z").add();
    ledger.record("k7b", "customer_id:C7", "marketing", "email", "granted", "2026-03-02T10:00:00Z")
        .basis("legitimate_interest").add();
    // 8: a contract only → contract_basis.
    ledger.record("k8", "customer_id:C8", "marketing", "email", "granted", "2026-03-01T10:00:00Z")
        .basis("contract").add();
    // 9: consent given on a cookie before login, the cookie now the customer's → activated; also in
    // the sensitive segment, on explicit consent → activated there too.
    lake.identity("anonymous_id", "ck-9", 9).member(DAY, "health", 9);
    ledger.record("k9", "anonymous_id:ck-9", "marketing", "email", "granted", "2026-02-20T10:00:00Z").add();
    // 10: marketing granted, profiling withdrawn → profiling_objection.
    ledger.record("k10a", "customer_id:C10", "marketing", "email", "granted", "2026-03-01T10:00:00Z").add();
    ledger.record("k10b", "customer_id:C10", "profiling", "all", "withdrawn", "2026-03-02T10:00:00Z").add();
    // 11: nothing recorded → no_consent. 12: granted, but no email → no_address.
    ledger.record("k12", "customer_id:C12", "marketing", "email", "granted", "2026-03-01T10:00:00Z").add();
    // 13: consent given on an email that was a customer of its own until identity merged it into C13
    // → activated, decided by that record.
    lake.identity("email", "thirteen@mail.test", 13);
    ledger.record("k13", "email:thirteen@mail.test", "marketing", "email", "granted", "2026-02-25T10:00:00Z").add();
    // 14: two identifiers of one customer decide at the same instant: the withdrawal wins →
    // denied_or_withdrawn, although the grant's consent_id sorts later.
    lake.identity("email", "fourteen@mail.test", 14);
    ledger.record("k14a", "email:fourteen@mail.test", "marketing", "email", "withdrawn", "2026-03-03T10:00:00Z").add();
    ledger.record("k14b", "customer_id:C14", "marketing", "email", "granted", "2026-03-03T10:00:00Z").add();
    // 15: granted, but an erasure suppressed the customer's id → suppressed, on every channel.
    ledger.record("k15", "customer_id:C15", "marketing", "all", "granted", "2026-03-01T10:00:00Z").add();
    Pseudonyms keyed = Pseudonyms.withKey(ActivateJobTest.KEY);
    lake.suppressed("customer_id", keyed.of("C15"));
    lake.writeTo(store);
    store.overwrite(Tables.CONSENT_EVENTS, ledger.ledger(), "test");

    new ConsentJob(store, Clock.systemUTC()).run(DAY, "test");
    new ActivateJob(store, CATALOG, SETTINGS, Optional.of(keyed), Clock.systemUTC()).run(DAY, "test");

    assertThat(ActivateJobTest.rows(store.read(Tables.ACTIVATION).orderBy("segment_id", "channel", "customer_key")))
        .containsExactly(
            "2026-03-10|email|health|9|c9@mail.test|consent|k9",
            "2026-03-10|email|promo|2|c2@mail.test|consent|k2b",
            "2026-03-10|email|promo|4|c4@mail.test|consent|k4",
            "2026-03-10|email|promo|5|c5@mail.test|consent|k5a",
            "2026-03-10|email|promo|6|c6@mail.test|legitimate_interest|k6",
            "2026-03-10|email|promo|9|c9@mail.test|consent|k9",
            "2026-03-10|email|promo|13|c13@mail.test|consent|k13");
    assertThat(ActivateJobTest.rows(store.read(Tables.ACTIVATION_EXCLUSIONS)
            .orderBy("segment_id", "channel", "customer_key").select("segment_id", "channel", "customer_key", "reason")))
        .containsExactly(
            "health|email|6|sensitive_without_consent",
            "promo|email|1|denied_or_withdrawn",
            "promo|email|3|expired",
            "promo|email|7|legitimate_interest_not_allowed",
            "promo|email|8|contract_basis",
            "promo|email|10|profiling_objection",
            "promo|email|11|no_consent",
            "promo|email|12|no_address",
            "promo|email|14|denied_or_withdrawn",
            "promo|email|15|suppressed",
            "promo|sms|1|no_consent",
            "promo|sms|2|no_consent",
            "promo|sms|3|no_consent",
            "promo|sms|4|no_consent",
            "promo|sms|5|denied_or_withdrawn",
            "promo|sms|6|legitimate_interest_not_allowed",
            "promo|sms|7|no_consent",
            "promo|sms|8|no_consent",
            "promo|sms|9|no_consent",
            "promo|sms|10|profiling_objection",
            "promo|sms|11|no_consent",
            "promo|sms|12|no_consent",
            "promo|sms|13|no_consent",
            "promo|sms|14|no_consent",
            "promo|sms|15|suppressed");
  }
}
