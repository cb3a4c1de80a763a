package io.tarmo.retention;

import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;

import io.tarmo.lake.DeltaStore;
import io.tarmo.lake.Lake;
import io.tarmo.lake.TableSpec;
import io.tarmo.lake.Tables;
import io.tarmo.testing.Catalogued;
import io.tarmo.testing.LakeFixtures;
import io.tarmo.testing.SparkTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.Period;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Retention on real Delta tables and real folders, as of {@link #DAY}, with short periods: history
 * 10 days, daily results 5, quarantine 3, audit 20, landing 5, exports 7; VACUUM keeps nothing.
 */
@SparkTest
class RetentionJobTest {

  static final LocalDate DAY = LocalDate.of(2026, 3, 10);

  private final SparkSession spark;
  @TempDir Path root;

  RetentionJobTest(SparkSession spark) {
    this.spark = spark;
  }

  static RetentionSettings settings(Duration vacuumRetention) {
    return new RetentionSettings(false, vacuumRetention,
        Map.of("landing", Period.ofDays(5), "history", Period.ofDays(10), "daily", Period.ofDays(5),
            "quarantine", Period.ofDays(3), "audit", Period.ofDays(20)),
        Map.of(), Map.of("exports", Period.ofDays(7)));
  }

  private static LocalDate daysBefore(int days) {
    return DAY.minusDays(days);
  }

  private Dataset<Row> rows(TableSpec table, Object[]... rows) {
    return spark.createDataFrame(Arrays.stream(rows).map(RowFactory::create).toList(), table.schema());
  }

  private static Date date(int daysBefore) {
    return Date.valueOf(daysBefore(daysBefore));
  }

  private static Object[] run(String id, String command, LocalDate businessDate, String startedAt, String status) {
    return new Object[] {id, command, businessDate == null ? null : Date.valueOf(businessDate),
        Timestamp.from(Instant.parse(startedAt)), null, status, 1L, null, null, null};
  }

  /** A lake holding rows on both sides of every cutoff, and rows of classes retention never ages. */
  private DeltaStore lake() throws IOException {
    DeltaStore store = new DeltaStore(spark, Lake.at(root.toString()));
    LakeFixtures events = new LakeFixtures(spark);
    // Cutoff 2026-02-28: the 27th goes, the 28th stays.
    events.event("page", "2026-02-18T10:00:00Z").user("gone-1").set("email", "gone@example.com").add()
        .event("track", "2026-02-27T23:59:59Z").user("gone-2").named("Order Completed").add()
        .event("page", "2026-02-28T00:00:00Z").user("kept-1").add()
        .event("page", "2026-03-09T12:00:00Z").user("kept-2").add()
        .event("page", "2026-03-11T08:00:00Z").user("kept-3").add();
    store.append(Tables.EVENTS, events.events(), "test");
    store.append(Tables.QUARANTINE, rows(Tables.QUARANTINE,
        new Object[] {"events", "empty line", "gone-q@example.com", "f1", date(4)},
        new Object[] {"events", "empty line", "kept-q", "f2", date(3)}), "test");
    store.append(Tables.SEGMENT_MEMBERSHIP, rows(Tables.SEGMENT_MEMBERSHIP,
        new Object[] {date(6), "s", 1L}, new Object[] {date(6), "s", 2L}, new Object[] {date(5), "s", 3L}), "test");
    store.append(Tables.IDENTITY_STATS, rows(Tables.IDENTITY_STATS,
        new Object[] {date(25), "customers", "", 10L}, new Object[] {date(25), "key_high_water", "", 99L},
        new Object[] {date(20), "customers", "", 11L}), "test");
    // Audit by started_at: cutoff 2026-02-18 00:00 UTC. The ingests of the landing days below.
    store.append(Tables.JOB_RUNS, rows(Tables.JOB_RUNS,
        run("r-old", "segments", daysBefore(21), "2026-02-17T23:59:00Z", "SUCCEEDED"),
        run("r-sql", "erase", null, "2026-02-17T01:00:00Z", "SUCCEEDED"),
        run("r-edge", "segments", daysBefore(20), "2026-02-18T00:00:00Z", "SUCCEEDED"),
        run("r-in8", "ingest", daysBefore(8), "2026-03-02T01:00:00Z", "SUCCEEDED"),
        run("r-in7", "ingest", daysBefore(7), "2026-03-03T01:00:00Z", "FAILED"),
        run("r-in6", "ingest", daysBefore(6), "2026-03-04T01:00:00Z", "SUCCEEDED")), "test");
    LakeFixtures crm = new LakeFixtures(spark).crm("C1", "old@example.com", null, "Anna");
    store.append(Tables.CRM_CUSTOMERS, crm.crmCustomers(), "test");

    // Landing cutoff 2026-03-05: dt=03-02 and 03-04 were ingested; 03-03 failed, so it stays.
    for (int days : new int[] {8, 7, 6, 5, 1}) {
      file("landing/events/dt=" + daysBefore(days) + "/part-1.json", "{\"userId\":\"u\"}");
    }
    file("landing/crm/dt=" + daysBefore(8) + "/crm.csv", "customer_id\nC1");
    file("landing/crm/dt=" + daysBefore(7) + "/crm.csv.gz", "x");
    file("landing/erasure/requests.csv", "request_id,subject_type,subject_value,received_at");
    // Exports cutoff 2026-03-03.
    file("exports/dt=" + daysBefore(8) + "/email/s.csv", "customer_key,email");
    file("exports/dt=" + daysBefore(8) + "/_manifest.json", "{}");
    file("exports/dt=" + daysBefore(7) + "/email/s.csv", "customer_key,email");
    file("exports/erasure/dt=" + daysBefore(9) + "/email.csv", "customer_key");
    file("exports/.staging-dt=" + daysBefore(9) + "-x/email/s.csv", "customer_key,email");
    file("exports/dt=not-a-day/readme.txt", "kept");
    return store;
  }

  private void file(String relative, String content) throws IOException {
    Path file = root.resolve(relative);
    Files.createDirectories(file.getParent());
    Files.writeString(file, content, StandardCharsets.UTF_8);
  }

  private List<String> values(TableSpec table, String column) {
    return new DeltaStore(spark, Lake.at(root.toString())).read(table).select(col(column).cast("string"))
        .orderBy(col(column)).collectAsList().stream().map(row -> row.getString(0)).toList();
  }

  /** Every folder and file under a lake folder, relative to it, sorted. */
  private List<String> tree(String folder) throws IOException {
    Path start = root.resolve(folder);
    try (Stream<Path> paths = Files.walk(start)) {
      return paths.filter(path -> !path.equals(start)).map(path -> start.relativize(path).toString())
          .filter(path -> !path.endsWith(".crc")).sorted().toList();
    }
  }

  @Test
  void deletesExactlyWhatIsOlderThanEachPeriodAndASecondRunDeletesNothingMore() throws IOException {
    DeltaStore store = lake();
    RetentionJob job = new RetentionJob(store, settings(Duration.ZERO), Clock.systemUTC());

    RetentionResult result = job.run(DAY, "tarmo retention test");

    assertThat(values(Tables.EVENTS, "user_id")).containsExactly("kept-1", "kept-2", "kept-3");
    assertThat(values(Tables.QUARANTINE, "record")).containsExactly("kept-q");
    assertThat(values(Tables.SEGMENT_MEMBERSHIP, "customer_key")).containsExactly("3");
    assertThat(store.read(Tables.IDENTITY_STATS).orderBy("business_date", "metric").collectAsList().stream()
        .map(row -> row.getDate(0) + "|" + row.getString(1)).toList())
        .as("key_high_water is kept however old").containsExactly("2026-02-13|key_high_water", "2026-02-18|customers");
    assertThat(values(Tables.JOB_RUNS, "run_id")).as("by started_at, with or without a business date")
        .containsExactly("r-edge", "r-in6", "r-in7", "r-in8");
    assertThat(values(Tables.CRM_CUSTOMERS, "customer_id")).as("current state is never aged").containsExactly("C1");

    assertThat(tree("landing/events")).containsExactly("dt=2026-03-03", "dt=2026-03-03/part-1.json",
        "dt=2026-03-05", "dt=2026-03-05/part-1.json", "dt=2026-03-09", "dt=2026-03-09/part-1.json");
    assertThat(tree("landing/crm")).as("an expired day whose ingest never succeeded stays")
        .containsExactly("dt=2026-03-03", "dt=2026-03-03/crm.csv.gz");
    assertThat(tree("landing/erasure")).containsExactly("requests.csv");
    assertThat(tree("exports")).containsExactly(".staging-dt=2026-03-01-x", ".staging-dt=2026-03-01-x/email",
        ".staging-dt=2026-03-01-x/email/s.csv", "dt=2026-03-03", "dt=2026-03-03/email", "dt=2026-03-03/email/s.csv",
        "dt=not-a-day", "dt=not-a-day/readme.txt", "erasure");

    Map<String, Long> counts = result.counts();
    assertThat(counts).containsEntry("retention.rows_deleted.events", 2L)
        .containsEntry("retention.rows_deleted.quarantine", 1L)
        .containsEntry("retention.rows_deleted.segment_membership", 2L)
        .containsEntry("retention.rows_deleted.identity_stats", 1L)
        .containsEntry("retention.rows_deleted.job_runs", 2L)
        .containsEntry("retention.rows_deleted.activation", 0L)
        .containsEntry("retention.rows_deleted", 8L)
        .containsEntry("retention.folders_deleted.landing/events", 2L)
        .containsEntry("retention.folders_deleted.landing/crm", 1L)
        .containsEntry("retention.folders_deleted.exports", 2L)
        .containsEntry("retention.files_deleted.exports", 3L)
        .containsEntry("retention.kept_not_ingested.landing/events", 1L)
        .containsEntry("retention.kept_not_ingested.landing/crm", 1L)
        .containsEntry("retention.tables_vacuumed", 5L)
        .doesNotContainKey("retention.rows_deleted.crm_customers")
        .doesNotContainKey("retention.folders_deleted.landing/erasure");
    assertThat(counts.get("retention.files_vacuumed.events")).isPositive();
    assertThat(result.summary()).contains("warning: 1 expired day folder(s) of landing/crm kept", "dt=2026-03-03")
        .doesNotContain("@").doesNotContain("gone-").doesNotContain("kept-");
    assertVacuumLeftNoDeletedRowInAnyDataFile(store);

    List<String> before = Stream.of("landing", "exports").flatMap(folder -> {
      try {
        return tree(folder).stream();
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }).toList();
    RetentionResult again = job.run(DAY, "tarmo retention test");
    assertThat(again.rowsDeleted()).isZero();
    assertThat(again.daysDeleted()).isZero();
    assertThat(again.counts()).containsEntry("retention.tables_vacuumed", 0L).containsEntry("retention.files_vacuumed", 0L);
    assertThat(values(Tables.EVENTS, "user_id")).containsExactly("kept-1", "kept-2", "kept-3");
    assertThat(Stream.of("landing", "exports").flatMap(folder -> {
      try {
        return tree(folder).stream();
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    }).toList()).isEqualTo(before);
    Catalogued.assertEveryFolderIsCatalogued(root);
  }

  /** Reads every Parquet file under the table folders, referenced by the table or not. */
  private void assertVacuumLeftNoDeletedRowInAnyDataFile(DeltaStore store) {
    for (TableSpec table : List.of(Tables.EVENTS, Tables.QUARANTINE, Tables.JOB_RUNS, Tables.SEGMENT_MEMBERSHIP,
        Tables.IDENTITY_STATS)) {
      Dataset<Row> files = spark.read().parquet(store.lake().tablePath(table));
      assertThat(files.count()).as(table.name() + ": every row left in a data file is a live row")
          .isEqualTo(store.read(table).count());
    }
    assertThat(spark.read().parquet(store.lake().tablePath(Tables.EVENTS))
        .where(col("user_id").startsWith("gone-").or(col("email").isNotNull())).count()).isZero();
    assertThat(spark.read().parquet(store.lake().tablePath(Tables.QUARANTINE))
        .where(col("record").contains("gone")).count()).isZero();
    assertThat(spark.read().parquet(store.lake().tablePath(Tables.JOB_RUNS))
        .where(col("run_id").isin("r-old", "r-sql")).count()).isZero();
  }

  @Test
  void aVacuumRetentionKeepsRecentlyRemovedFilesUntilALaterRun() {
    DeltaStore store = new DeltaStore(spark, Lake.at(root.toString()));
    store.append(Tables.EVENTS, new LakeFixtures(spark).event("page", "2026-02-18T10:00:00Z").user("gone-1").add()
        .event("page", "2026-02-27T10:00:00Z").user("gone-2").add()
        .event("page", "2026-03-09T10:00:00Z").user("kept-1").add().events(), "test");
    RetentionJob job = new RetentionJob(store, settings(Duration.ofDays(7)), Clock.systemUTC());

    RetentionResult result = job.run(DAY, "tarmo retention test");

    assertThat(result.counts()).containsEntry("retention.rows_deleted.events", 2L)
        .containsEntry("retention.files_vacuumed.events", 0L);
    assertThat(spark.read().parquet(store.lake().tablePath(Tables.EVENTS)).where(col("user_id").startsWith("gone-"))
        .count()).as("removed files stay for the VACUUM retention").isPositive();
    RetentionResult again = job.run(DAY, "tarmo retention test");
    assertThat(again.rowsDeleted()).isZero();
    assertThat(again.counts()).as("a table with deletes younger than the VACUUM retention is vacuumed again")
        .containsEntry("retention.files_vacuumed.events", 0L).containsEntry("retention.tables_vacuumed", 1L);
  }

  /** A row of {@code table}: the named columns set, every other one null. */
  private Row row(TableSpec table, Object... namesAndValues) {
    Object[] values = new Object[table.schema().size()];
    for (int i = 0; i < namesAndValues.length; i += 2) {
      values[table.schema().fieldIndex((String) namesAndValues[i])] = namesAndValues[i + 1];
    }
    return RowFactory.create(values);
  }

  private void append(DeltaStore store, TableSpec table, Row... rows) {
    store.append(table, spark.createDataFrame(List.of(rows), table.schema()), "test");
  }

  private static Timestamp at(String instant) {
    return Timestamp.from(Instant.parse(instant));
  }

  private Row mapped(String type, String value, long key, long cluster, String lastSeen) {
    return row(Tables.IDENTITY_MAP, "identifier_type", type, "identifier_value", value, "customer_key", key,
        "cluster_id", cluster, "first_seen", at("2025-12-01T00:00:00Z"),
        "last_seen", lastSeen == null ? null : at(lastSeen), "added_date", date(100), "updated_date", date(100));
  }

  private Row edge(String srcType, String src, String dstType, String dst) {
    return row(Tables.IDENTITY_EDGES, "seen_date", date(30), "src_type", srcType, "src_value", src,
        "dst_type", dstType, "dst_value", dst, "source", "events.page", "observations", 1L);
  }

  private Row decision(String rule, String type, String value, long key, Long other) {
    return row(Tables.IDENTITY_DECISIONS, "business_date", date(100), "rule", rule, "identifier_type", type,
        "identifier_value", value, "customer_key", key, "other_customer_key", other, "detail", "test");
  }

  /**
   * History keeps 10 days: the cutoff is 2026-02-28. Visitor 1 (two cookies, linked by an alias)
   * was last seen on the 27th; every other cluster stays: a visitor seen on the 28th, one of whose
   * two cookies is recent, one with a cookie of unknown age, a logged-in customer whose cookies are
   * all old, a raw cluster whose old cookie the rules kept apart from a customer's email, a visitor
   * of two cookies whose only recent activity is a consent record on one of them (a cookie banner's
   * refusal: no events stored), and one whose recent events no identity run has linked yet.
   */
  @Test
  void visitorsKnownOnlyByOldCookiesLeaveEveryTableAndCustomersStay() {
    DeltaStore store = new DeltaStore(spark, Lake.at(root.toString()));
    append(store, Tables.IDENTITY_MAP,
        mapped("anonymous_id", "ck-gone-a", 1, 1, "2026-02-20T10:00:00Z"),
        mapped("anonymous_id", "ck-gone-b", 1, 1, "2026-02-27T23:59:59Z"),
        mapped("anonymous_id", "ck-edge", 2, 2, "2026-02-28T00:00:00Z"),
        mapped("anonymous_id", "ck-old-half", 3, 3, "2026-01-01T00:00:00Z"),
        mapped("anonymous_id", "ck-new-half", 3, 3, "2026-03-05T00:00:00Z"),
        mapped("anonymous_id", "ck-undated", 4, 4, null),
        mapped("customer_id", "C5", 5, 5, "2026-01-01T00:00:00Z"),
        mapped("anonymous_id", "ck-c5", 5, 5, "2026-01-01T00:00:00Z"),
        mapped("anonymous_id", "ck-kept-apart", 6, 6, "2026-01-01T00:00:00Z"),
        mapped("email", "e7@example.com", 7, 6, "2026-01-01T00:00:00Z"),
        mapped("anonymous_id", "ck-banner", 8, 8, "2026-01-01T00:00:00Z"),
        mapped("anonymous_id", "ck-banner-2", 8, 8, "2026-01-01T00:00:00Z"),
        mapped("anonymous_id", "ck-unlinked", 9, 9, "2026-01-01T00:00:00Z"));
    append(store, Tables.IDENTITY_EDGES,
        edge("anonymous_id", "ck-gone-a", "anonymous_id", "ck-gone-b"),
        edge("anonymous_id", "ck-gone-b", "anonymous_id", "ck-gone-b"),
        edge("anonymous_id", "ck-edge", "anonymous_id", "ck-edge"),
        edge("customer_id", "C5", "anonymous_id", "ck-c5"),
        edge("email", "e7@example.com", "anonymous_id", "ck-kept-apart"));
    append(store, Tables.IDENTITY_DECISIONS,
        decision("shared_identifier", "anonymous_id", "ck-gone-a", 1, 6L),
        decision("over_limit", "email", "e7@example.com", 7, 6L),
        decision("bridge_detached", "anonymous_id", "ck-kept-apart", 6, 7L));
    // identity last ran for the 9th: an event delivered on the 10th is not linked yet.
    append(store, Tables.IDENTITY_STATS, row(Tables.IDENTITY_STATS, "business_date", date(1), "metric", "customers",
        "label", "", "value", 9L));
    store.append(Tables.EVENTS, new LakeFixtures(spark).event("page", "2026-03-10T08:00:00Z").cookie("ck-unlinked")
        .add().events(), "test");
    append(store, Tables.CONSENT_EVENTS,
        row(Tables.CONSENT_EVENTS, "consent_id", "k1", "subject_type", "anonymous_id", "subject_value", "ck-gone-a",
            "purpose", "analytics", "channel", "web", "status", "granted", "legal_basis", "consent",
            "ts", at("2026-01-05T00:00:00Z"), "ingest_date", date(64)),
        row(Tables.CONSENT_EVENTS, "consent_id", "k2", "subject_type", "anonymous_id", "subject_value", "ck-edge",
            "purpose", "analytics", "channel", "web", "status", "granted", "legal_basis", "consent"),
        row(Tables.CONSENT_EVENTS, "consent_id", "k3", "subject_type", "customer_id", "subject_value", "C5",
            "purpose", "marketing", "channel", "email", "status", "granted", "legal_basis", "consent"),
        row(Tables.CONSENT_EVENTS, "consent_id", "k4", "subject_type", "anonymous_id", "subject_value", "ck-banner",
            "purpose", "marketing", "channel", "all", "status", "denied", "legal_basis", "consent",
            "ts", at("2026-03-08T12:00:00Z"), "ingest_date", date(2)));
    append(store, Tables.CONSENT_STATE,
        row(Tables.CONSENT_STATE, "customer_key", 1L, "purpose", "analytics", "channel", "web", "consent_id", "k1"),
        row(Tables.CONSENT_STATE, "customer_key", 2L, "purpose", "analytics", "channel", "web", "consent_id", "k2"),
        row(Tables.CONSENT_STATE, "customer_key", 5L, "purpose", "marketing", "channel", "email", "consent_id", "k3"));
    append(store, Tables.CUSTOMER_PROFILES, java.util.stream.LongStream.rangeClosed(1, 9)
        .mapToObj(key -> row(Tables.CUSTOMER_PROFILES, "customer_key", key, "push_device_id",
            key == 1 ? "ck-gone-b" : null, "as_of_date", date(1)))
        .toArray(Row[]::new));
    RetentionJob job = new RetentionJob(store, settings(Duration.ZERO), Clock.systemUTC());

    RetentionResult result = job.run(DAY, "tarmo retention test");

    assertThat(values(Tables.IDENTITY_MAP, "identifier_value")).as("one recent cookie keeps its whole cluster")
        .containsExactly("C5", "ck-banner", "ck-banner-2", "ck-c5", "ck-edge",
        "ck-kept-apart", "ck-new-half", "ck-old-half", "ck-undated", "ck-unlinked", "e7@example.com");
    assertThat(values(Tables.IDENTITY_EDGES, "src_value")).containsExactly("C5", "ck-edge", "e7@example.com");
    assertThat(values(Tables.CONSENT_EVENTS, "consent_id")).containsExactly("k2", "k3", "k4");
    assertThat(values(Tables.CONSENT_STATE, "customer_key")).containsExactly("2", "5");
    assertThat(values(Tables.CUSTOMER_PROFILES, "customer_key"))
        .containsExactly("2", "3", "4", "5", "6", "7", "8", "9");
    assertThat(values(Tables.IDENTITY_DECISIONS, "rule")).as("an old decision erasure needs stays while its "
        + "identifier exists; the visitor's goes with them; other old ones age").containsExactly("over_limit");
    assertThat(result.counts()).containsEntry("retention.visitors_expired", 1L)
        .containsEntry("retention.visitor_cookies_expired", 2L)
        .containsEntry("retention.visitor_rows_deleted.identity_map", 2L)
        .containsEntry("retention.visitor_rows_deleted.identity_edges", 2L)
        .containsEntry("retention.visitor_rows_deleted.identity_decisions", 1L)
        .containsEntry("retention.visitor_rows_deleted.consent_events", 1L)
        .containsEntry("retention.visitor_rows_deleted.consent_state", 1L)
        .containsEntry("retention.visitor_rows_deleted.customer_profiles", 1L)
        .containsEntry("retention.rows_deleted.identity_decisions", 1L)
        .containsEntry("retention.rows_deleted", 9L)
        .doesNotContainKey("retention.rows_deleted.identity_map");
    assertThat(result.visitors().tables().stream().map(RetentionResult.TableRetention::table)).containsExactly(
        "consent_events", "identity_edges", "identity_decisions", "consent_state", "customer_profiles", "identity_map");
    assertThat(result.summary()).contains("visitors known only by cookies, none seen since 2026-02-28 (10d): "
        + "1 removed, with 2 cookies").doesNotContain("ck-");
    for (TableSpec table : List.of(Tables.IDENTITY_MAP, Tables.IDENTITY_EDGES, Tables.CONSENT_EVENTS,
        Tables.CONSENT_STATE, Tables.CUSTOMER_PROFILES, Tables.IDENTITY_DECISIONS)) {
      assertThat(spark.read().parquet(store.lake().tablePath(table)).count())
          .as(table.name() + ": the vacuum left no removed row in any data file").isEqualTo(store.read(table).count());
    }
    for (TableSpec table : List.of(Tables.IDENTITY_MAP, Tables.IDENTITY_EDGES, Tables.CONSENT_EVENTS,
        Tables.CONSENT_STATE, Tables.CUSTOMER_PROFILES)) {
      assertThat(store.history(table, 10).stream().map(entry -> entry.commit().operation()))
          .as(table.name() + ": deleted through a join, so no commit records a cookie").contains("MERGE")
          .doesNotContain("DELETE");
    }

    RetentionResult again = job.run(DAY, "tarmo retention test");
    assertThat(again.counts()).containsEntry("retention.visitors_expired", 0L)
        .containsEntry("retention.rows_deleted", 0L).containsEntry("retention.tables_vacuumed", 0L);
  }

  /** Nothing about visitors happens on a lake without identity_map; the visitor entries are still reported. */
  @Test
  void aLakeWithoutAnIdentityMapExpiresNobody() {
    DeltaStore store = new DeltaStore(spark, Lake.at(root.toString()));
    store.append(Tables.EVENTS, new LakeFixtures(spark).event("page", "2026-02-18T10:00:00Z").user("gone-1").add()
        .events(), "test");
    RetentionResult result = new RetentionJob(store, settings(Duration.ZERO), Clock.systemUTC())
        .run(DAY, "tarmo retention test");
    assertThat(result.counts()).containsEntry("retention.visitors_expired", 0L)
        .containsEntry("retention.rows_deleted", 1L);
    assertThat(result.visitors().tables()).isEmpty();
    assertThat(store.exists(Tables.IDENTITY_MAP)).isFalse();
  }

  @Test
  void periodsAreCountedBackFromTheDayPerTableAndFolderOverrides() {
    RetentionSettings settings = new RetentionSettings(false, Duration.ZERO, settings(Duration.ZERO).classes(),
        Map.of("events", Period.ofMonths(13)), Map.of("landing/crm", Period.ofDays(60)));
    assertThat(settings.periodOf(Tables.EVENTS)).isEqualTo(Period.ofMonths(13));
    assertThat(settings.periodOf(Tables.QUARANTINE)).isEqualTo(Period.ofDays(3));
    assertThat(settings.periodOf(Tables.FOLDERS.stream().filter(f -> f.path().equals("landing/crm")).findFirst()
        .orElseThrow())).isEqualTo(Period.ofDays(60));
    assertThat(RetentionSettings.agedTables()).contains("events", "quarantine", "job_runs", "identity_merges",
        "segment_sizes", "activation_exclusions").doesNotContain("crm_customers", "identity_map", "identity_edges",
        "consent_events", "suppression_list");
    assertThat(RetentionSettings.agedFolders()).containsExactly("landing/events", "landing/crm", "landing/consent",
        "exports");
    assertThat(new ArrayList<>(RetentionSettings.agedClasses()))
        .containsExactly("landing", "history", "daily", "quarantine", "audit");
    assertThat(RetentionResult.describe(Period.ofMonths(13))).isEqualTo("13 months");
    assertThat(RetentionResult.describe(Period.ofYears(2))).isEqualTo("2y");
  }
}
