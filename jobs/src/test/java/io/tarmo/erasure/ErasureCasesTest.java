package io.tarmo.erasure;

import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tarmo.config.SettingsLoader;
import io.tarmo.identity.IdentityJob;
import io.tarmo.identity.IdentitySettings;
import io.tarmo.ingest.IngestJob;
import io.tarmo.ingest.IngestSettings;
import io.tarmo.ingest.IpPolicy;
import io.tarmo.ingest.PrivacySettings;
import io.tarmo.lake.DeltaStore;
import io.tarmo.lake.ErasureWork;
import io.tarmo.lake.Lake;
import io.tarmo.lake.Tables;
import io.tarmo.subject.Pseudonyms;
import io.tarmo.testing.Folders;
import io.tarmo.testing.LakeScan;
import io.tarmo.testing.SparkTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Erasure on a small hand-made lake: a customer linked to three cookies, two emails and a phone,
 * a family laptop's cookie shared with another customer, someone who appears only in quarantine,
 * and a batch stopped at four of its stages (before any delete, mid-way through the deletes, after the
 * vacuum, after the outcome) and started again.
 */
@SparkTest
class ErasureCasesTest {

  private static final LocalDate DAY = LocalDate.of(2026, 11, 27);
  private static final IngestSettings INGEST = new IngestSettings(4096, 400, Duration.ofDays(1), "DE", 1.0, 20);
  private static final PrivacySettings PRIVACY = new PrivacySettings(IpPolicy.TRUNCATE, "analytics");
  private static final Pseudonyms KEYED = Pseudonyms.withKey(ErasureJobTest.KEY);
  private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-01T09:00:00Z"), ZoneOffset.UTC);

  /** Anna's identifiers: what must be gone. */
  private static final List<String> ANNA = List.of("C1", "anna@example.de", "anna.work@example.de",
      "+4915123456789", "LC000000000001", "ck-anna-1", "ck-anna-2", "ck-anna-3");
  /** Bob's: what must stay (the shared cookie included). */
  private static final List<String> BOB = List.of("C2", "bob@example.de", "ck-bob-1", "ck-family");

  private final SparkSession spark;
  @TempDir Path root;
  @TempDir static Path firstDay;

  ErasureCasesTest(SparkSession spark) {
    this.spark = spark;
  }

  private static String event(String id, String ts, String fields) {
    return "{\"messageId\":\"" + id + "\",\"type\":\"page\",\"timestamp\":\"" + ts + "\"," + fields + "}";
  }

  /**
   * The first day's lake, ingested and linked with the default identity rules: built once per class
   * (in {@link #firstDay}), each test gets a copy of its own.
   */
  private DeltaStore lake() throws IOException {
    Path lake = root.resolve("lake");
    if (Files.exists(firstDay.resolve("lake"))) {
      Folders.copy(firstDay.resolve("lake"), lake);
      return new DeltaStore(spark, Lake.at(lake.toString()));
    }
    DeltaStore store = lake(DAY);
    Folders.copy(lake, firstDay.resolve("lake"));
    return store;
  }

  /** Delivers the day's files in {@code delivered}'s folders, then (for the first day) ingests and links. */
  private DeltaStore lake(LocalDate delivered) throws IOException {
    return lake(delivered, SettingsLoader.load(null).identity());
  }

  private DeltaStore lake(LocalDate delivered, IdentitySettings identity) throws IOException {
    LocalDate DAY = delivered;
    write("landing/crm/dt=" + DAY + "/crm.csv",
        "customer_id,email,phone,first_name,last_name,birth_date,street,postal_code,city,country,loyalty_card_id,"
            + "created_at,updated_at",
        "C1,anna@example.de,0151 23456789,Anna,Lindqvist,1990-01-02,Hauptstr. 1,10115,Berlin,DE,LC000000000001,"
            + "2025-01-01T00:00:00Z,2026-11-27T08:00:00Z",
        "C2,bob@example.de,,Bob,Berg,,,,,DE,,2025-01-01T00:00:00Z,2026-11-27T08:00:00Z");
    write("landing/events/dt=" + DAY + "/part-0.json",
        event("m1", "2026-11-27T09:00:00Z", "\"userId\":\"C1\",\"anonymousId\":\"ck-anna-1\""),
        event("m2", "2026-11-27T09:10:00Z",
            "\"type\":\"identify\",\"anonymousId\":\"ck-anna-2\",\"traits\":{\"email\":\"Anna.Work@Example.de\"},\"userId\":\"C1\""),
        event("m3", "2026-11-27T09:20:00Z",
            "\"anonymousId\":\"ck-anna-3\",\"context\":{\"traits\":{\"phone\":\"(0151) 2345-6789\"}}"),
        event("m4", "2026-11-27T10:00:00Z", "\"userId\":\"C1\",\"anonymousId\":\"ck-family\""),
        event("m5", "2026-11-27T12:00:00Z", "\"userId\":\"C2\",\"anonymousId\":\"ck-family\""),
        event("m6", "2026-11-27T12:05:00Z", "\"userId\":\"C2\",\"anonymousId\":\"ck-bob-1\","
            + "\"properties\":{\"path\":\"/contact?email=bob@example.de\"}"),
        // An office computer Bob and then Carl logged in on: Bob alone links Carl to Anna.
        event("m8", "2026-11-27T13:00:00Z", "\"userId\":\"C2\",\"anonymousId\":\"ck-office\""),
        event("m9", "2026-11-27T14:00:00Z", "\"userId\":\"C3\",\"anonymousId\":\"ck-office\""),
        // Someone known only from a line ingest rejects (no timestamp).
        "{\"messageId\":\"m7\",\"type\":\"page\",\"anonymousId\":\"ck-x\",\"traits\":{\"email\":\"ghost@example.de\"}}");
    write("landing/consent/dt=" + DAY + "/ledger.json",
        "{\"consent_id\":\"k1\",\"subject_type\":\"email\",\"subject_value\":\"ANNA@example.de\",\"purpose\":\"marketing\","
            + "\"channel\":\"email\",\"status\":\"granted\",\"legal_basis\":\"consent\",\"ts\":\"2026-11-27T09:00:00Z\","
            + "\"source\":\"cmp\"}",
        "{\"consent_id\":\"k2\",\"subject_type\":\"customer_id\",\"subject_value\":\"C2\",\"purpose\":\"marketing\","
            + "\"channel\":\"all\",\"status\":\"granted\",\"legal_basis\":\"consent\",\"ts\":\"2026-11-27T09:00:00Z\","
            + "\"source\":\"cmp\"}");
    DeltaStore store = new DeltaStore(spark, Lake.at(root.resolve("lake").toString()));
    if (DAY.equals(ErasureCasesTest.DAY)) {
      new IngestJob(store, INGEST, PRIVACY).run(DAY, "test");
      new IdentityJob(store, identity, CLOCK).run(DAY, false, "test");
    }
    return store;
  }

  private void write(String relative, String... lines) throws IOException {
    Path file = root.resolve("lake").resolve(relative);
    Files.createDirectories(file.getParent());
    Files.writeString(file, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
  }

  /** One snappy Parquet file at {@code relative} under the lake, holding {@code value} in a column {@code path}. */
  private void plantParquet(String relative, String value) throws IOException {
    Path written = root.resolve("planted");
    spark.createDataFrame(List.of(RowFactory.create(value)),
            new StructType().add("path", DataTypes.StringType)).coalesce(1)
        .write().option("compression", "snappy").parquet(written.toString());
    Path part;
    try (var files = Files.list(written)) {
      part = files.filter(file -> file.getFileName().toString().endsWith(".parquet")).findFirst().orElseThrow();
    }
    Path target = root.resolve("lake").resolve(relative);
    Files.createDirectories(target.getParent());
    Files.move(part, target);
    Folders.delete(written);
  }

  private ErasureJob job(DeltaStore store) {
    return new ErasureJob(store, Optional.of(KEYED), "DE", SettingsLoader.load(null).identity(), CLOCK);
  }

  private long rows(DeltaStore store, String table, String where) {
    return store.read(Tables.byName(table).orElseThrow()).where(where).count();
  }

  @Test
  void aCustomerWithThreeCookiesTwoEmailsAndAPhoneIsGoneAndTheFamilyCookieStaysWithBob() throws IOException {
    DeltaStore store = lake();
    long annaKey = key(store, "C1");
    assertThat(rows(store, "quarantine", "record like '%ghost@%'")).as("the ghost is in quarantine").isEqualTo(1);
    write("landing/erasure/requests.csv", "request_id,subject_type,subject_value,received_at",
        "R-anna,email,\"  ANNA@Example.DE \",2026-11-30", "R-ghost,email,ghost@example.de,2026-11-30");

    ErasureResult result = job(store).run(null, "test", "run-1");

    assertThat(result.completed()).as(result.summary()).containsExactly("R-anna", "R-ghost");
    assertThat(LakeScan.find(spark, store.lake(), ANNA)).as("Anna's values anywhere in the lake").isEmpty();
    assertThat(LakeScan.find(spark, store.lake(), List.of("ghost@example.de"))).isEmpty();
    assertThat(LakeScan.find(spark, store.lake(), List.of("bob@example.de"))).as("Bob is still there").isNotEmpty();
    assertThat(store.read(Tables.EVENTS).select("message_id").orderBy("message_id")
        .as(org.apache.spark.sql.Encoders.STRING()).collectAsList())
        .as("Bob's and Carl's events stay, the family laptop's included").containsExactly("m5", "m6", "m8", "m9");
    assertThat(rows(store, "identity_map", "identifier_value in ('C2', 'bob@example.de', 'ck-bob-1')")).isEqualTo(3);
    assertThat(rows(store, "identity_map", "customer_key = " + annaKey + " or cluster_id = " + annaKey))
        .as("Anna's key is gone from the map, as a cluster's name too").isZero();
    assertThat(rows(store, "crm_customers", "true")).isEqualTo(1);
    assertThat(rows(store, "consent_events", "true")).isEqualTo(1);
    assertThat(rows(store, "quarantine", "true")).isZero();
    Row anna = store.read(Tables.ERASURE_LOG).where(col("request_id").equalTo("R-anna")).first();
    assertThat(anna.<Long>getAs("shared_identifiers")).as("the family laptop's cookie is Bob's, not Anna's").isZero();
    assertThat(anna.<Long>getAs("identifiers")).isEqualTo((long) ANNA.size());
    assertThat(store.read(Tables.ERASURE_LOG).toJSON().collectAsList().toString()).doesNotContain("anna@", "anna.work", "ghost@", "ck-anna", "+49151");
    assertThat(Files.exists(root.resolve("lake/landing/erasure/requests.csv"))).isFalse();
    assertThat(Files.readString(root.resolve("lake/landing/events/dt=" + DAY + "/part-0.json")).lines())
        .as("the landing file keeps Bob's and Carl's lines only").hasSize(4);

    // The same files delivered again the next day: nothing about Anna comes back.
    LocalDate next = DAY.plusDays(1);
    lake(next);
    var again = new IngestJob(store, INGEST, PRIVACY, Optional.of(KEYED)).run(next, "test");
    assertThat(again.counts()).as("Anna's four events and the ghost's line, which is not quarantined again")
        .containsEntry("events.suppressed", 5L).containsEntry("crm.suppressed", 1L)
        .containsEntry("consent.suppressed", 1L).containsEntry("events.quarantined", 0L);
    assertThat(store.read(Tables.EVENTS).where(col("user_id").equalTo("C1")).count()).isZero();
    assertThat(LakeScan.find(spark, store.lake(), List.of("anna.work@example.de", "C1", "LC000000000001")))
        .as("Anna's values in the tables after the re-delivery").allMatch(place -> place.startsWith("landing/"));
  }

  @Test
  void theFamilyCookieGoesToAnnaAndTheClusterThatOnlyBobHeldTogetherSplitsAsTheIdentityRulesWouldSplitIt()
      throws IOException {
    DeltaStore store = lake();
    long annaKey = key(store, "C1");
    long bobKey = key(store, "C2");
    long carlKey = key(store, "C3");
    long oneCluster = Math.min(annaKey, Math.min(bobKey, carlKey));
    assertThat(key(store, "ck-family")).as("Bob logged in last: the cookie is his").isEqualTo(bobKey);
    assertThat(rows(store, "identity_map", "cluster_id <> " + oneCluster))
        .as("Anna, Bob and Carl are one raw cluster before").isZero();
    write("landing/erasure/requests.csv", "request_id,subject_type,subject_value,received_at",
        "R-bob,customer_id,C2,2026-11-30");

    ErasureResult result = job(store).run(null, "test", "run-1");

    assertThat(result.completed()).as(result.summary()).containsExactly("R-bob");
    assertThat(store.read(Tables.EVENTS).select("message_id").orderBy("message_id")
        .as(org.apache.spark.sql.Encoders.STRING()).collectAsList()).containsExactly("m1", "m2", "m3", "m4", "m9");
    assertThat(LakeScan.find(spark, store.lake(), List.of("C2", "bob@example.de", "ck-bob-1"))).isEmpty();
    assertThat(store.read(Tables.ERASURE_LOG).first().<Long>getAs("shared_identifiers")).isEqualTo(1L);
    List<String> afterErasure = mapRows(store);
    assertThat(afterErasure).as("the family cookie stays, with Anna; two clusters now, each named by its own "
        + "customer's key").containsExactly(
        "anonymous_id:ck-anna-1 key=" + annaKey + " cluster=" + annaKey,
        "anonymous_id:ck-anna-2 key=" + annaKey + " cluster=" + annaKey,
        "anonymous_id:ck-anna-3 key=" + annaKey + " cluster=" + annaKey,
        "anonymous_id:ck-family key=" + annaKey + " cluster=" + annaKey,
        "anonymous_id:ck-office key=" + carlKey + " cluster=" + carlKey,
        "customer_id:C1 key=" + annaKey + " cluster=" + annaKey,
        "customer_id:C3 key=" + carlKey + " cluster=" + carlKey,
        "email:anna.work@example.de key=" + annaKey + " cluster=" + annaKey,
        "email:anna@example.de key=" + annaKey + " cluster=" + annaKey,
        "loyalty_card_id:LC000000000001 key=" + annaKey + " cluster=" + annaKey,
        "phone:+4915123456789 key=" + annaKey + " cluster=" + annaKey);
    assertThat(result.counts()).containsEntry("erasure.identifiers_regrouped",
        rows(store, "identity_map", "cluster_id <> " + oneCluster));
    assertThat(rows(store, "identity_merges", "true")).as("each piece kept its customer's key").isZero();

    // What a full rebuild of the graph from the links left decides, the erasure already did.
    new IdentityJob(store, SettingsLoader.load(null).identity(), CLOCK).run(DAY, true, "test");
    assertThat(mapRows(store)).isEqualTo(afterErasure);
  }

  /**
   * Anna and Bob both logged in on the family laptop: a request by its cookie cannot say whose data
   * it means. It is rejected before anything is erased, and nobody is erased or suppressed by it.
   */
  @Test
  void aRequestByACookieTwoCustomersShareIsRejectedAndErasesNobody() throws IOException {
    DeltaStore store = lake();
    long events = store.read(Tables.EVENTS).count();
    long identifiers = store.read(Tables.IDENTITY_MAP).count();
    write("landing/erasure/requests.csv", "request_id,subject_type,subject_value,received_at",
        "R-family,anonymous_id,ck-family,2026-11-30");

    ErasureResult result = job(store).run(null, "test", "run-1");

    assertThat(result.completed()).isEmpty();
    assertThat(result.rejected()).containsExactly("R-family: " + ErasureJob.SHARED_REQUEST);
    assertThat(result.summary()).doesNotContain("ck-family");
    assertThat(store.read(Tables.EVENTS).count()).isEqualTo(events);
    assertThat(store.read(Tables.IDENTITY_MAP).count()).isEqualTo(identifiers);
    assertThat(store.exists(Tables.SUPPRESSION_LIST) ? store.read(Tables.SUPPRESSION_LIST).count() : 0L).isZero();
    Row logged = store.read(Tables.ERASURE_LOG).where("request_id = 'R-family'").first();
    assertThat(logged.<String>getAs("status")).isEqualTo("REJECTED");
    assertThat(logged.<String>getAs("reason")).isEqualTo(ErasureJob.SHARED_REQUEST);
    assertThat(Files.exists(root.resolve("lake/landing/erasure/requests.csv"))).isFalse();
    Path work = root.resolve("lake").resolve(io.tarmo.lake.ErasureWork.FOLDER);
    if (Files.exists(work)) {
      try (java.util.stream.Stream<Path> files = Files.walk(work)) {
        assertThat(files.filter(Files::isRegularFile)).as("no subject was kept for it").isEmpty();
      }
    }
  }

  @Test
  void unusableLinesLeaveTheRequestFilesAReusedIdIsRefusedAndASecondErasureMovesTheCutoff() throws IOException {
    DeltaStore store = lake();
    write("landing/erasure/first.csv", "request_id,subject_type,subject_value,received_at",
        "R-1,customer_id,C1,2026-11-30", "bad id!,email,ghost@example.de,2026-11-30");

    ErasureResult first = job(store).run(null, "test", "run-1");

    assertThat(first.completed()).as(first.summary()).containsExactly("R-1");
    assertThat(first.rejected()).containsExactly("line 3 of first.csv: invalid request_id: 1 to 128 letters, digits, "
        + "'.', '_', ':' or '-'");
    assertThat(Files.exists(root.resolve("lake/landing/erasure/first.csv")))
        .as("the unusable line, which names someone in clear, went with the finished request").isFalse();
    assertThat(suppressedAt(store, "C1")).isEqualTo(CLOCK.instant());

    // The same id for someone else: refused, Bob is not erased in Anna's name, and the line goes.
    write("landing/erasure/second.csv", "request_id,subject_type,subject_value,received_at",
        "R-1,customer_id,C2,2026-12-01");
    ErasureResult reused = job(store).run(null, "test", "run-2");
    assertThat(reused.completed()).isEmpty();
    assertThat(reused.rejected()).containsExactly(
        "R-1: the request_id was used before for another subject; send the request again with a new request_id");
    assertThat(rows(store, "identity_map", "identifier_value = 'C2'")).isEqualTo(1);
    assertThat(rows(store, "erasure_log", "request_id = 'R-1' and status = 'COMPLETED'")).isEqualTo(1);
    assertThat(Files.exists(root.resolve("lake/landing/erasure/second.csv"))).isFalse();

    // Anna, erased again two days later (she came back, then asked again): the cutoff moves.
    Instant later = CLOCK.instant().plus(Duration.ofDays(2));
    write("landing/erasure/third.csv", "request_id,subject_type,subject_value,received_at",
        "R-3,customer_id,C1,2026-12-03");
    ErasureResult again = new ErasureJob(store, Optional.of(KEYED), "DE", SettingsLoader.load(null).identity(),
        Clock.fixed(later, ZoneOffset.UTC)).run(null, "test", "run-3");
    assertThat(again.completed()).as(again.summary()).containsExactly("R-3");
    assertThat(suppressedAt(store, "C1")).isEqualTo(later);
  }

  @Test
  void anIdentifierALimitCutOffFromTheSubjectIsErasedWithThem() throws IOException {
    Path conf = root.resolve("one-email.conf");
    Files.writeString(conf, "tarmo.identity.max-per-customer.email = 1\n");
    DeltaStore store = lake(DAY, SettingsLoader.load(conf).identity());
    assertThat(rows(store, "identity_decisions", "rule = 'over_limit'")).as("one of Anna's two emails is cut off")
        .isEqualTo(1);
    write("landing/erasure/requests.csv", "request_id,subject_type,subject_value,received_at",
        "R-anna,customer_id,C1,2026-11-30");

    ErasureResult result = job(store).run(null, "test", "run-1");

    assertThat(result.completed()).as(result.summary()).containsExactly("R-anna");
    assertThat(LakeScan.find(spark, store.lake(), ANNA)).as("Anna's values anywhere in the lake").isEmpty();
    assertThat(rows(store, "identity_map", "identifier_value in ('C2', 'bob@example.de', 'C3')")).isEqualTo(3);
  }

  @Test
  void aValueLeftWhereErasureDoesNotReachFailsTheRequestWithThePlaceHashedAndItIsPastDueUntilItCompletes()
      throws IOException {
    DeltaStore store = lake();
    // A note someone saved under the lake root: in no table or folder of the catalogue, so nothing rewrites it.
    write("notes/calls.txt", "2026-11-29 called Anna (anna@example.de) about her order");
    // And one dropped beside the requests: not a request file, so it is read like any other.
    write("landing/erasure/notes.txt", "anna@example.de asked by phone too");
    // A change-data file no table's log names (as a change data feed leaves them): erasure's vacuum removes it.
    String changeData = "tables/events/_change_data/cdc-00000-planted.c000.snappy.parquet";
    plantParquet(changeData, "/contact?email=anna@example.de");
    // An extract someone saved as Parquet under the lake root, in no table: found all the same.
    String extract = "notes/extract.snappy.parquet";
    plantParquet(extract, "/contact?email=anna@example.de");
    // Received 2026-10-01: due 2026-10-31, a month before the run.
    write("landing/erasure/requests.csv", "request_id,subject_type,subject_value,received_at",
        "R-late,customer_id,C1,2026-10-01");

    ErasureResult failed = job(store).run(null, "test", "run-1");

    String hash = "#" + KEYED.of("anna@example.de").substring(0, 12);
    String place = "notes/calls.txt" + hash;
    assertThat(failed.completed()).isEmpty();
    assertThat(failed.failed()).containsExactly(java.util.Map.entry("R-late",
        List.of("landing/erasure/notes.txt" + hash, place, extract + hash)));
    assertThat(root.resolve("lake").resolve(changeData)).as("vacuumed").doesNotExist();
    assertThat(failed.pastDue()).isEqualTo(1);
    assertThat(failed.summary()).contains("completed=0", "failed=1", "past_due=1", place,
        "1 request(s) past their 30-day deadline").doesNotContain("anna");
    Row logged = store.read(Tables.ERASURE_LOG).first();
    assertThat(logged.<String>getAs("status") + " " + logged.getList(logged.fieldIndex("places")))
        .isEqualTo("FAILED [landing/erasure/notes.txt" + hash + ", " + place + ", " + extract + hash + "]");
    assertThat(store.read(Tables.ERASURE_LOG).toJSON().collectAsList().toString()).doesNotContain("anna");
    assertThat(LakeScan.find(spark, store.lake(), ANNA)).as("the rest of Anna is gone; the request and its work file "
        + "stay for the next run").containsExactlyInAnyOrder("notes/calls.txt holds anna@example.de",
        "landing/erasure/notes.txt holds anna@example.de",
        "landing/erasure/requests.csv holds c1", "_tarmo/erasure/R-late.json holds c1",
        extract + " holds anna@example.de");

    // The note removed, the batch is run again: now nothing of Anna is left, and nothing is past due.
    Files.delete(root.resolve("lake/notes/calls.txt"));
    Files.delete(root.resolve("lake/landing/erasure/notes.txt"));
    Files.delete(root.resolve("lake").resolve(extract));
    ErasureResult again = job(store).run(null, "test", "run-2");

    assertThat(again.completed()).as(again.summary()).containsExactly("R-late");
    assertThat(again.pastDue()).isZero();
    assertThat(LakeScan.find(spark, store.lake(), ANNA)).isEmpty();
    assertThat(store.read(Tables.ERASURE_LOG).select("status", "places").first().toString())
        .isEqualTo("[COMPLETED,null]");
  }

  private static Instant suppressedAt(DeltaStore store, String customerId) {
    return store.read(Tables.SUPPRESSION_LIST).where(col("identifier_type").equalTo("customer_id")
            .and(col("identifier_hash").equalTo(KEYED.of(customerId))))
        .first().<java.sql.Timestamp>getAs("suppressed_at").toInstant();
  }

  private static long key(DeltaStore store, String customerId) {
    return store.read(Tables.IDENTITY_MAP).where(col("identifier_value").equalTo(customerId)).first()
        .getAs("customer_key");
  }

  /** Every identity_map row as {@code type:value key=K cluster=C}, in order. */
  private static List<String> mapRows(DeltaStore store) {
    return store.read(Tables.IDENTITY_MAP).orderBy("identifier_type", "identifier_value").collectAsList().stream()
        .map(row -> row.getAs("identifier_type") + ":" + row.getAs("identifier_value") + " key="
            + row.getAs("customer_key") + " cluster=" + row.getAs("cluster_id"))
        .toList();
  }

  @Test
  void aBatchStoppedAtAnyStageFinishesWhenStartedAgain() throws IOException {
    DeltaStore store = lake();
    Path pristine = root.resolve("pristine");
    Folders.copy(root.resolve("lake"), pristine);
    // The first stop comes after the outcome was logged: its counts are those of a batch never
    // stopped, which every other stop's runs must add up to.
    String counts = null;
    long removed = 0;
    for (String stage : List.of("request-files-removed", "resolved", "deleted:identity_map", "vacuumed")) {
      Folders.delete(root.resolve("lake"));
      Folders.copy(pristine, root.resolve("lake"));
      write("landing/erasure/requests.csv", "request_id,subject_type,subject_value,received_at",
          "R-anna,customer_id,C1,2026-11-30");
      assertThatThrownBy(() -> job(store).onStage(name -> {
        if (name.equals(stage)) {
          throw new IllegalStateException("killed after " + stage);
        }
      }).run(null, "test", "run-1")).hasMessageContaining("killed after " + stage);

      ErasureResult again = job(store).run(null, "test", "run-2");

      assertThat(again.completed()).as("after a stop at " + stage + ": " + again.summary()).containsExactly("R-anna");
      assertThat(LakeScan.find(spark, store.lake(), ANNA)).as("after a stop at " + stage).isEmpty();
      assertThat(store.read(Tables.ERASURE_LOG).select("status").as(org.apache.spark.sql.Encoders.STRING())
          .collectAsList()).containsExactly("COMPLETED");
      Row row = store.read(Tables.ERASURE_LOG).selectExpr("to_json(named_struct('rows', array_sort(map_entries(rows_deleted)),"
          + " 'files', files_rewritten, 'bytes', bytes_rewritten))", "data_files_removed").first();
      if (counts == null) {
        counts = row.getString(0);
        removed = row.getLong(1);
        assertThat(counts).contains("{\"key\":\"events\",\"value\":4}");
      }
      assertThat(row.getString(0)).as("the log counts the work of both runs after a stop at " + stage).isEqualTo(counts);
      // A second run's vacuum may find a file more to remove (the identity graph re-solved again).
      assertThat(row.getLong(1)).as("data files removed by both runs after a stop at " + stage)
          .isGreaterThanOrEqualTo(removed);
      assertThat(root.resolve("lake").resolve(ErasureWork.FOLDER).resolve("progress"))
          .as("no run's progress is left once its requests are done").isEmptyDirectory();
    }
  }
}
