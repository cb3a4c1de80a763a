package io.tarmo.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tarmo.TarmoException;
import io.tarmo.lake.DeltaStore;
import io.tarmo.lake.Lake;
import io.tarmo.lake.Tables;
import io.tarmo.subject.Pseudonyms;
import io.tarmo.testing.SparkTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CONTRACT 5: after an erasure, landing lines about the erased person dated before it never come
 * back, in any table or in quarantine; later activity is ingested as usual.
 */
@SparkTest
class ResurrectionGuardTest {

  static final LocalDate DAY = LocalDate.of(2026, 11, 27);
  static final String KEY = "guard-test-key-of-at-least-thirty-two-characters";
  static final String ERASED_AT = "2026-11-20T00:00:00Z";
  static final String BEFORE = "2026-11-15T10:00:00Z";
  static final String AFTER = "2026-11-25T10:00:00Z";

  /** The erased person's identifiers, normalised as ingest stores them. */
  static final String CUSTOMER = "C-ERASED";
  static final String EMAIL = "erased.person@example.com";
  static final String PHONE = "+4915123456789";
  static final String COOKIE = "cookie-erased";
  static final String CARD = "L-ERASED";
  /** The same email and phone as senders write them: other case, padded, national format. */
  static final String EMAIL_AS_SENT = "  Erased.Person@EXAMPLE.com ";
  static final String PHONE_AS_SENT = "0151 23456789";

  private final SparkSession spark;
  @TempDir Path root;
  private DeltaStore store;

  ResurrectionGuardTest(SparkSession spark) {
    this.spark = spark;
  }

  @BeforeEach
  void setUp() {
    store = new DeltaStore(spark, Lake.at(root.toString()));
  }

  private IngestJob job(Optional<Pseudonyms> pseudonyms) {
    return new IngestJob(store, IngestJobTest.SETTINGS, IngestJobTest.PRIVACY, pseudonyms);
  }

  private void suppress(String... typesAndValues) {
    Pseudonyms pseudonyms = Pseudonyms.withKey(KEY);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < typesAndValues.length; i += 2) {
      rows.add(RowFactory.create(typesAndValues[i], pseudonyms.of(typesAndValues[i + 1]),
          Timestamp.from(Instant.parse(ERASED_AT)), "r-1"));
    }
    store.append(Tables.SUPPRESSION_LIST, spark.createDataFrame(rows, Tables.SUPPRESSION_LIST.schema()), "test");
  }

  private void suppressEveryIdentifier() {
    suppress("customer_id", CUSTOMER, "email", EMAIL, "phone", PHONE, "anonymous_id", COOKIE,
        "loyalty_card_id", CARD);
  }

  private void write(String source, String name, String... lines) throws IOException {
    Path dir = root.resolve("landing/" + source + "/dt=" + DAY);
    Files.createDirectories(dir);
    Files.writeString(dir.resolve(name), String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
  }

  static String event(String id, String type, String ts, String fields) {
    return "{\"messageId\":\"" + id + "\",\"type\":\"" + type + "\",\"timestamp\":\"" + ts + "\"" + fields + "}";
  }

  static String consent(String id, String type, String value, String purpose, String ts) {
    return "{\"consent_id\":\"" + id + "\",\"subject_type\":\"" + type + "\",\"subject_value\":\"" + value
        + "\",\"purpose\":\"" + purpose + "\",\"channel\":\"email\",\"status\":\"granted\","
        + "\"legal_basis\":\"consent\",\"ts\":\"" + ts + "\"}";
  }

  static String crm(String customerId, String email, String phone, String card, String updatedAt) {
    return customerId + "," + email + "," + phone + ",First,Last,,,,,DE," + card + ",," + updatedAt;
  }

  private void writeLanding() throws IOException {
    write("events", "part-0.json",
        event("e1", "page", BEFORE, ",\"anonymousId\":\"" + COOKIE + "\""),
        event("e2", "page", AFTER, ",\"anonymousId\":\"" + COOKIE + "\""),
        event("e3", "page", BEFORE, ",\"anonymousId\":\"cookie-new\",\"userId\":\" " + CUSTOMER + " \""),
        event("e4", "identify", BEFORE, ",\"anonymousId\":\"cookie-x\",\"traits\":{\"email\":\"" + EMAIL_AS_SENT + "\"}"),
        event("e5", "page", BEFORE, ",\"anonymousId\":\"cookie-y\",\"context\":{\"traits\":{\"phone\":\""
            + PHONE_AS_SENT + "\"}}"),
        event("e6", "alias", BEFORE, ",\"userId\":\"C-OTHER\",\"previousId\":\"" + COOKIE + "\""),
        event("e7", "alias", BEFORE, ",\"userId\":\"C-NEW\",\"previousId\":\"" + CUSTOMER + "\""),
        event("e8", "page", BEFORE, ",\"anonymousId\":\"cookie-other\""),
        event("e9", "identify", AFTER, ",\"anonymousId\":\"cookie-later\",\"traits\":{\"email\":\"" + EMAIL_AS_SENT + "\"}"),
        // Lines that would be quarantined: a track without a name dated before, a timestamp that
        // is no timestamp, one without a zone (it says after, but cannot be trusted).
        event("e10", "track", BEFORE, ",\"anonymousId\":\"" + COOKIE + "\""),
        event("e11", "page", "yesterday", ",\"anonymousId\":\"" + COOKIE + "\""),
        event("e12", "page", "2026-11-25T10:00:00", ",\"userId\":\"" + CUSTOMER + "\""),
        // Collected without analytics consent: suppressed rather than dropped.
        event("e13", "page", BEFORE, ",\"anonymousId\":\"" + COOKIE + "\",\"context\":{\"consent\":"
            + "{\"categoryPreferences\":{\"analytics\":false}}}"),
        "{\"messageId\":\"e14\",\"timestamp\":\"" + BEFORE + "\",\"anonymousId\":\"cookie-other\"}");
    write("crm", "crm.csv", CrmLines.HEADER,
        crm(CUSTOMER, "", "", "", "2026-11-15T09:00:00Z"),
        crm("C-2", "\"" + EMAIL_AS_SENT + "\"", "", "", "2026-11-15T09:00:00Z"),
        crm("C-3", "", PHONE_AS_SENT, "", "2026-11-15T09:00:00Z"),
        crm("C-4", "", "", CARD, "2026-11-15T09:00:00Z"),
        crm(CUSTOMER, "new.person@example.com", "", "", "2026-11-25T09:00:00Z"),
        crm("C-5", EMAIL, "", "", "not-a-date"),
        crm("C-6", "other@example.com", "", "", "2026-11-15T09:00:00Z"),
        crm("C-7", "", "", CARD, ""),
        "C-9,too,few");
    write("consent", "consent.json",
        consent("k1", "email", EMAIL_AS_SENT, "marketing", BEFORE),
        consent("k2", "phone", PHONE_AS_SENT, "marketing", BEFORE),
        consent("k3", "customer_id", CUSTOMER, "marketing", BEFORE),
        consent("k4", "anonymous_id", COOKIE, "analytics", BEFORE),
        consent("k5", "email", EMAIL_AS_SENT, "marketing", AFTER),
        consent("k6", "customer_id", CUSTOMER, "marketing", "garbage"),
        consent("k7", "customer_id", "C-OTHER", "marketing", BEFORE),
        consent("k8", "customer_id", "C-OTHER", "spam", BEFORE));
  }

  @Test
  void linesAboutAnErasedPersonDatedBeforeTheErasureNeverComeBack() throws IOException {
    suppressEveryIdentifier();
    writeLanding();

    IngestResult result = job(Optional.of(Pseudonyms.withKey(KEY))).run(DAY, "test");

    assertThat(result.events()).isEqualTo(new SourceCounts(1, 14, 3, 0, 0, 1, 0, 0, 0, 0, 10));
    assertThat(result.crm()).isEqualTo(new SourceCounts(1, 9, 2, 0, 0, 1, 0, 0, 0, 0, 6));
    assertThat(result.consent()).isEqualTo(new SourceCounts(1, 8, 2, 0, 0, 1, 0, 0, 0, 0, 5));
    for (SourceCounts counts : List.of(result.events(), result.crm(), result.consent())) {
      assertThat(counts.read()).as("every line has one fate").isEqualTo(counts.stored() + counts.duplicates()
          + counts.dropped() + counts.quarantined() + counts.suppressed());
    }
    assertThat(result.counts()).containsEntry("events.suppressed", 10L).containsEntry("crm.suppressed", 6L)
        .containsEntry("consent.suppressed", 5L);
    assertThat(result.summary()).contains("events read=14 stored=3", "suppressed=10", "suppressed=6", "suppressed=5");

    assertThat(strings(store.read(Tables.EVENTS).selectExpr(
        "concat_ws('|', message_id, anonymous_id, user_id, email, cast(ts as string))").orderBy("message_id")))
        .as("later activity and other people's events are stored")
        .containsExactly("e2|" + COOKIE + "|2026-11-25 10:00:00", "e8|cookie-other|2026-11-15 10:00:00",
            "e9|cookie-later|" + EMAIL + "|2026-11-25 10:00:00");
    assertThat(strings(store.read(Tables.CRM_CUSTOMERS).selectExpr(
        "concat_ws('|', customer_id, email, cast(updated_at as string))").orderBy("customer_id")))
        .containsExactly("C-6|other@example.com|2026-11-15 09:00:00",
            CUSTOMER + "|new.person@example.com|2026-11-25 09:00:00");
    assertThat(strings(store.read(Tables.CONSENT_EVENTS).selectExpr(
        "concat_ws('|', consent_id, subject_type, subject_value)").orderBy("consent_id")))
        .containsExactly("k5|email|" + EMAIL, "k7|customer_id|C-OTHER");

    assertThat(strings(store.read(Tables.QUARANTINE).selectExpr("concat_ws('|', source, reason)").orderBy("source")))
        .as("only the lines about no erased person")
        .containsExactly("consent|unknown purpose (expected marketing, profiling, analytics, personalization)",
            "crm|wrong column count (expected 13)", "events|missing type");
    for (String record : strings(store.read(Tables.QUARANTINE).selectExpr("coalesce(record, '')"))) {
      assertThat(record.toLowerCase(Locale.ROOT)).doesNotContain(CUSTOMER.toLowerCase(Locale.ROOT))
          .doesNotContain(EMAIL).doesNotContain(COOKIE).doesNotContain("23456789")
          .doesNotContain(CARD.toLowerCase(Locale.ROOT));
    }
  }

  @Test
  void aRerunDecidesTheSame() throws IOException {
    suppressEveryIdentifier();
    writeLanding();
    IngestJob job = job(Optional.of(Pseudonyms.withKey(KEY)));
    IngestResult first = job.run(DAY, "first");
    IngestResult again = job.run(DAY, "again");
    assertThat(again.counts()).isEqualTo(first.counts());
    assertThat(store.read(Tables.EVENTS).count()).isEqualTo(3);
  }

  @Test
  void aSuppressionListWithRowsNeedsTheKey() throws IOException {
    suppress("email", EMAIL);
    writeLanding();
    IngestJob job = job(Optional.empty());
    for (Runnable attempt : List.<Runnable>of(() -> job.validate(DAY), () -> job.check(DAY),
        () -> job.run(DAY, "test"))) {
      assertThatThrownBy(attempt::run).isInstanceOfSatisfying(TarmoException.class, e -> {
        assertThat(e.failure()).isEqualTo(TarmoException.Failure.USAGE);
        assertThat(e.failure().exitCode()).isEqualTo(2);
        assertThat(e.getMessage()).isEqualTo("Cannot ingest 2026-11-27: suppression_list holds erased identifiers "
            + "and TARMO_PSEUDONYM_KEY is not set; set it to the key the erasures used");
      });
    }
    for (var table : List.of(Tables.EVENTS, Tables.CRM_CUSTOMERS, Tables.CONSENT_EVENTS, Tables.QUARANTINE)) {
      assertThat(store.exists(table)).as(table.name() + " not written").isFalse();
    }
  }

  @Test
  void anEmptyOrMissingSuppressionListNeedsNoKey() throws IOException {
    writeLanding();
    IngestResult missing = job(Optional.empty()).run(DAY, "missing");
    store.ensure(Tables.SUPPRESSION_LIST);
    IngestResult empty = job(Optional.empty()).run(DAY, "empty");

    for (IngestResult result : List.of(missing, empty)) {
      assertThat(result.events().suppressed()).isZero();
      assertThat(result.events().stored()).isEqualTo(9);
      assertThat(result.events().dropped()).isEqualTo(1);
      assertThat(result.crm().suppressed()).isZero();
      assertThat(result.consent().suppressed()).isZero();
    }
    assertThat(empty.counts()).isEqualTo(missing.counts());
  }

  private static List<String> strings(org.apache.spark.sql.Dataset<Row> rows) {
    return rows.collectAsList().stream().map(row -> row.getString(0)).toList();
  }
}
