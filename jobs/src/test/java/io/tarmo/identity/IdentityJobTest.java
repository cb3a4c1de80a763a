package io.tarmo.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tarmo.TarmoException;
import io.tarmo.config.SettingsLoader;
import io.tarmo.lake.DeltaStore;
import io.tarmo.lake.Lake;
import io.tarmo.lake.TableSpec;
import io.tarmo.lake.Tables;
import io.tarmo.testing.Folders;
import io.tarmo.testing.SparkTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The identity rules on one small lake of stories, each with its own identifiers: two nights
 * are run once, and each test checks one behaviour. The last tests re-run, rebuild and break the
 * lake, in order.
 */
@SparkTest
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class IdentityJobTest {

  static final LocalDate DAY1 = LocalDate.of(2026, 11, 26);
  static final LocalDate DAY2 = LocalDate.of(2026, 11, 27);
  static final LocalDate DAY3 = LocalDate.of(2026, 11, 28);
  static final IdentitySettings DEFAULTS = SettingsLoader.load(null).identity();
  static final List<TableSpec> IDENTITY_TABLES = List.of(Tables.IDENTITY_EDGES, Tables.IDENTITY_MAP,
      Tables.IDENTITY_MERGES, Tables.IDENTITY_DECISIONS, Tables.IDENTITY_STATS);

  private final SparkSession spark;
  private Path root;
  private DeltaStore store;
  private Map<String, Long> keysAfterDay1;
  private IdentityResult day2;

  IdentityJobTest(SparkSession spark) {
    this.spark = spark;
  }

  @BeforeAll
  void twoNights(@TempDir Path lake) {
    root = lake;
    store = new DeltaStore(spark, Lake.at(root.toString()));
    Bronze bronze = new Bronze(store);
    // family laptop
    bronze.customer(DAY1, "2026-11-01T00:00:00Z", "C1", "ann@web.de", null, null)
        .customer(DAY1, "2026-11-01T00:00:00Z", "C2", "bob@web.de", null, null)
        .event(DAY1, "2026-11-26T10:00:00Z", "page", "laptop", "C1")
        .event(DAY1, "2026-11-26T18:00:00Z", "page", "laptop", "C2");
    // transitive bridge: a cookie that typed C3's email and logged in as C4
    bronze.customer(DAY1, "2026-11-01T00:00:00Z", "C3", "cara@web.de", null, null)
        .identify(DAY1, "2026-11-26T09:00:00Z", "bridge-cookie", null, "cara@web.de")
        .event(DAY1, "2026-11-26T10:00:00Z", "page", "bridge-cookie", "C4");
    // an email typed by two customers, the second one on day 2
    bronze.identify(DAY1, "2026-11-26T08:00:00Z", null, "C5", "shared@gmx.de");
    // cookie churn
    bronze.customer(DAY1, "2026-11-01T00:00:00Z", "C7", "dora@web.de", "+4915112345678", "L7")
        .event(DAY1, "2026-11-26T07:00:00Z", "page", "cookie-a", "C7");
    // alias chain: an anonymous history that a new customer aliases on day 2
    bronze.event(DAY1, "2026-11-26T11:00:00Z", "page", "visitor-1", null)
        .identify(DAY1, "2026-11-26T11:05:00Z", "visitor-1", null, "eve@t-online.de")
        .identify(DAY1, "2026-11-26T12:00:00Z", "visitor-2", null, "eve@t-online.de");
    // a CRM customer changing email on day 2
    bronze.customer(DAY1, "2026-11-01T00:00:00Z", "C9", "old@gmx.de", null, null);
    // blocked and invalid values
    bronze.event(DAY1, "2026-11-26T13:00:00Z", "page", "undefined", "C10")
        .event(DAY1, "2026-11-26T13:00:00Z", "page", "undefined", "C11")
        .event(DAY1, "2026-11-26T13:00:00Z", "page", "00000000-0000-0000-0000-000000000000", "C10")
        .event(DAY1, "2026-11-26T13:00:00Z", "page", "00000000-0000-0000-0000-000000000000", "C11")
        .identify(DAY1, "2026-11-26T13:00:00Z", null, "C10", "test@example.com")
        .identify(DAY1, "2026-11-26T13:00:00Z", null, "C11", "Test@Example.com ")
        .identify(DAY1, "2026-11-26T13:00:00Z", null, "C11", "not-an-email")
        .identify(DAY1, "2026-11-26T13:00:00Z", null, "C11", "   ");
    // two anonymous cookies that one customer later turns out to own
    bronze.event(DAY1, "2026-11-26T14:00:00Z", "page", "m-cookie-1", null)
        .event(DAY1, "2026-11-26T15:00:00Z", "page", "m-cookie-2", null)
        .store();
    run(DAY1, false);
    keysAfterDay1 = keys();

    bronze.identify(DAY2, "2026-11-27T12:00:00Z", null, "C6", "shared@gmx.de")
        .event(DAY2, "2026-11-27T18:00:00Z", "page", "laptop", "C2")
        .event(DAY2, "2026-11-27T07:00:00Z", "page", "cookie-b", "C7")
        .identify(DAY2, "2026-11-27T08:00:00Z", "cookie-c", null, "dora@web.de")
        .alias(DAY2, "2026-11-27T09:00:00Z", "visitor-2", "C8")
        .customer(DAY2, "2026-11-27T10:00:00Z", "C9", "new@gmx.de", null, null)
        .event(DAY2, "2026-11-27T11:00:00Z", "page", "m-cookie-1", "C12")
        .event(DAY2, "2026-11-27T11:30:00Z", "page", "m-cookie-2", "C12")
        .store();
    day2 = run(DAY2, false);
  }

  IdentityResult run(LocalDate day, boolean full) {
    Clock clock = Clock.fixed(Instant.parse(day.plusDays(1) + "T03:00:00Z"), ZoneOffset.UTC);
    return new IdentityJob(store, DEFAULTS, clock).run(day, full, "test");
  }

  /** identifier "type:value" → customer_key. */
  Map<String, Long> keys() {
    Map<String, Long> keys = new TreeMap<>();
    for (Row row : store.read(Tables.IDENTITY_MAP).collectAsList()) {
      keys.put(row.getString(0) + ":" + row.getString(1), row.getLong(2));
    }
    return keys;
  }

  long key(String identifier) {
    Long key = keys().get(identifier);
    assertThat(key).as(identifier).isNotNull();
    return key;
  }

  /** The partition of identifiers into customers, whatever the key numbers. */
  static Set<Set<String>> components(Map<String, Long> keys) {
    return keys.entrySet().stream()
        .collect(Collectors.groupingBy(Map.Entry::getValue, Collectors.mapping(Map.Entry::getKey,
            Collectors.toCollection(TreeSet::new))))
        .values().stream().collect(Collectors.toSet());
  }

  List<Row> decisions(LocalDate day, String rule, String identifier) {
    return store.read(Tables.IDENTITY_DECISIONS)
        .where("business_date = DATE'" + day + "' and rule = '" + rule + "'"
            + " and concat(identifier_type, ':', identifier_value) = '" + identifier + "'")
        .collectAsList();
  }

  @Test
  void sharedFamilyLaptopDoesNotMergeTwoCustomers() {
    assertThat(key("customer_id:C1")).isNotEqualTo(key("customer_id:C2"));
    assertThat(key("anonymous_id:laptop")).as("the most recent login wins").isEqualTo(key("customer_id:C2"));
    assertThat(key("email:ann@web.de")).isEqualTo(key("customer_id:C1"));
    List<Row> shared = decisions(DAY1, "shared_identifier", "anonymous_id:laptop");
    assertThat(shared).hasSize(1);
    assertThat(shared.get(0).<Long>getAs("customer_key")).isEqualTo(key("customer_id:C2"));
    assertThat(shared.get(0).<Long>getAs("other_customer_key")).isEqualTo(key("customer_id:C1"));
  }

  @Test
  void aDecisionMadeAgainOnALaterNightIsRecordedOnce() {
    assertThat(day2.count("identity.decisions.shared_identifier")).as("the laptop's cluster was solved again")
        .isPositive();
    assertThat(decisions(DAY1, "shared_identifier", "anonymous_id:laptop")).hasSize(1);
    assertThat(decisions(DAY2, "shared_identifier", "anonymous_id:laptop")).as("the same decision, not a new one")
        .isEmpty();
  }

  @Test
  void transitiveBridgeNeverJoinsTwoCustomers() {
    assertThat(key("customer_id:C3")).isNotEqualTo(key("customer_id:C4"));
    assertThat(key("anonymous_id:bridge-cookie")).isEqualTo(key("customer_id:C4"));
    assertThat(key("email:cara@web.de")).isEqualTo(key("customer_id:C3"));
  }

  @Test
  void emailTypedByTwoCustomersGoesToTheMostRecent() {
    assertThat(keysAfterDay1.get("email:shared@gmx.de")).isEqualTo(keysAfterDay1.get("customer_id:C5"));
    assertThat(key("email:shared@gmx.de")).isEqualTo(key("customer_id:C6"));
    assertThat(key("customer_id:C5")).isEqualTo(keysAfterDay1.get("customer_id:C5"));
    assertThat(decisions(DAY2, "shared_identifier", "email:shared@gmx.de")).singleElement()
        .satisfies(row -> assertThat(row.<Long>getAs("other_customer_key")).isEqualTo(key("customer_id:C5")));
  }

  @Test
  void cookieChurnKeepsEveryCookieWithItsCustomer() {
    long c7 = key("customer_id:C7");
    assertThat(c7).as("the key survives the night").isEqualTo(keysAfterDay1.get("customer_id:C7"));
    for (String identifier : List.of("anonymous_id:cookie-a", "anonymous_id:cookie-b", "anonymous_id:cookie-c",
        "email:dora@web.de", "phone:+4915112345678", "loyalty_card_id:L7")) {
      assertThat(key(identifier)).as(identifier).isEqualTo(c7);
    }
  }

  @Test
  void aliasChainJoinsTheAnonymousHistoryToTheCustomer() {
    long anonymous = keysAfterDay1.get("anonymous_id:visitor-1");
    assertThat(keysAfterDay1.get("anonymous_id:visitor-2")).isEqualTo(anonymous);
    assertThat(key("customer_id:C8")).as("the older anonymous key survives").isEqualTo(anonymous);
    assertThat(key("anonymous_id:visitor-1")).isEqualTo(anonymous);
    assertThat(key("email:eve@t-online.de")).isEqualTo(anonymous);
  }

  @Test
  void crmCustomerChangingEmailKeepsItsKeyAndBothEmails() {
    long c9 = keysAfterDay1.get("customer_id:C9");
    assertThat(key("customer_id:C9")).isEqualTo(c9);
    assertThat(key("email:old@gmx.de")).isEqualTo(c9);
    assertThat(key("email:new@gmx.de")).isEqualTo(c9);
  }

  @Test
  void blockedValuesNeverLinkAndAreCountedByReason() {
    assertThat(key("customer_id:C10")).isNotEqualTo(key("customer_id:C11"));
    assertThat(keys().keySet()).noneMatch(id -> id.contains("undefined") || id.contains("00000000")
        || id.contains("example.com") || id.contains("not-an-email"));
    Map<String, Long> day1 = statistics(DAY1, "rejected");
    assertThat(day1).containsEntry("anonymous_id.blocked", 4L).containsEntry("email.blocked", 2L)
        .containsEntry("email.malformed", 1L).containsEntry("email.blank", 1L);
  }

  @Test
  void mergeRecordsTheOldestKeySurviving() {
    long first = keysAfterDay1.get("anonymous_id:m-cookie-1");
    long second = keysAfterDay1.get("anonymous_id:m-cookie-2");
    assertThat(first).isNotEqualTo(second);
    long survivor = Math.min(first, second);
    assertThat(key("customer_id:C12")).isEqualTo(survivor);
    assertThat(key("anonymous_id:m-cookie-1")).isEqualTo(survivor);
    List<Row> merges = store.read(Tables.IDENTITY_MERGES).where("new_key = " + survivor).collectAsList();
    assertThat(merges).singleElement().satisfies(row -> {
      assertThat(row.<Long>getAs("old_key")).isEqualTo(Math.max(first, second));
      assertThat(row.<java.sql.Date>getAs("merged_date").toLocalDate()).isEqualTo(DAY2);
    });
    assertThat(day2.count("identity.merges")).isEqualTo(store.read(Tables.IDENTITY_MERGES).count());
  }

  /** The result names each table the night committed to, at a version of the night's own commits. */
  @Test
  void theResultCarriesTheDeltaVersionsItWroteAndItsDuration() {
    assertThat(day2.deltaVersions()).containsKeys("identity_edges", "identity_map", "identity_merges", "identity_stats")
        .doesNotContainKeys("events", "crm_customers");
    day2.deltaVersions().forEach((name, version) -> {
      TableSpec table = Tables.ALL.stream().filter(spec -> spec.name().equals(name)).findFirst().orElseThrow();
      assertThat(store.history(table, 100).stream().filter(entry -> entry.commit().version() == version)
          .map(entry -> entry.commit().note().orElse(""))).as(name).singleElement().asString().startsWith("test ").contains(" write=");
    });
    assertThat(day2.durationMs()).isPositive();
  }

  @Test
  void noComponentHoldsTwoCustomerIds() {
    assertThat(store.read(Tables.IDENTITY_MAP).where("identifier_type = 'customer_id'")
        .groupBy("customer_key").count().where("count > 1").count()).isZero();
    assertThat(day2.count("identity.customers")).isEqualTo(12);
  }

  @Test
  void tablesDeclareTheirPersonalColumnsAndLogsHoldNoIdentifiers() throws IOException {
    assertThat(Tables.IDENTITY_MAP.personalColumns()).containsExactly("identifier_value");
    assertThat(Tables.IDENTITY_MAP.clusterColumns()).containsExactly("customer_key");
    for (TableSpec table : IDENTITY_TABLES) {
      try (Stream<Path> files = Files.walk(root.resolve("tables/" + table.name() + "/_delta_log"))) {
        for (Path file : files.filter(f -> f.toString().endsWith(".json")).toList()) {
          String log = Files.readString(file, StandardCharsets.UTF_8);
          assertThat(log).as(file.toString()).doesNotContain("@web.de").doesNotContain("laptop")
              .doesNotContain("+4915112345678");
        }
      }
    }
    assertThat(store.read(Tables.IDENTITY_DECISIONS).select("detail").collectAsList())
        .allSatisfy(row -> assertThat(row.getString(0)).doesNotContain("@"));
  }

  @Test
  void statisticsDescribeTheMapAfterTheNight() {
    Map<Long, List<Row>> components = store.read(Tables.IDENTITY_MAP).collectAsList().stream()
        .collect(Collectors.groupingBy(row -> row.<Long>getAs("customer_key")));
    Map<String, Long> byType = store.read(Tables.IDENTITY_MAP).collectAsList().stream()
        .collect(Collectors.groupingBy(row -> row.<String>getAs("identifier_type"), Collectors.counting()));
    long added = store.read(Tables.IDENTITY_MAP).where("added_date = DATE'" + DAY2 + "'").count();
    Map<String, Long> buckets = components.values().stream().collect(Collectors.groupingBy(rows -> {
      int size = rows.size();
      return size == 1 ? "1" : size <= 5 ? "2-5" : size <= 20 ? "6-20" : size <= 100 ? "21-100"
          : size <= 1000 ? "101-1000" : "1001+";
    }, Collectors.counting()));
    long customers = components.values().stream()
        .filter(rows -> rows.stream().anyMatch(row -> "customer_id".equals(row.getAs("identifier_type")))).count();

    assertThat(statistics(DAY2, "identifiers")).containsEntry("", (long) byType.values().stream()
        .mapToLong(Long::longValue).sum());
    byType.forEach((type, n) -> assertThat(statistics(DAY2, "identifiers")).containsEntry(type, n));
    assertThat(statistics(DAY2, "identifiers")).hasSize(byType.size() + 1);
    assertThat(statistics(DAY2, "new_identifiers")).containsExactly(Map.entry("", added));
    assertThat(added).as("day 2 brought new identifiers").isPositive();
    assertThat(statistics(DAY2, "components")).containsExactly(Map.entry("", (long) components.size()));
    assertThat(statistics(DAY2, "customers")).containsExactly(Map.entry("", customers));
    assertThat(statistics(DAY2, "largest_component")).containsExactly(Map.entry("",
        (long) components.values().stream().mapToInt(List::size).max().orElseThrow()));
    assertThat(statistics(DAY2, "component_size")).isEqualTo(buckets);
  }

  @Test
  @Order(Integer.MAX_VALUE - 3)
  void rerunOfADayLeavesTheTablesAsOneRunDid() {
    Map<TableSpec, Dataset<Row>> before = snapshot();
    IdentityResult again = run(DAY2, false);
    assertThat(again.count("identity.merges")).isEqualTo(day2.count("identity.merges"));
    for (TableSpec table : IDENTITY_TABLES) {
      Dataset<Row> after = store.read(table);
      assertThat(after.exceptAll(before.get(table)).count()).as(table.name()).isZero();
      assertThat(before.get(table).exceptAll(after).count()).as(table.name()).isZero();
    }
  }

  @Test
  @Order(Integer.MAX_VALUE - 2)
  void fullRebuildGivesTheSameComponentsAndKeys() {
    Map<String, Long> incremental = keys();
    run(DAY2, true);
    assertThat(keys()).isEqualTo(incremental);
  }

  @Test
  @Order(Integer.MAX_VALUE - 1)
  void missingPreviousMapIsRefusedNamingFull() throws IOException {
    Map<String, Long> before = keys();
    Folders.delete(root.resolve("tables/identity_map"));
    assertThatThrownBy(() -> run(DAY3, false))
        .isInstanceOf(TarmoException.class)
        .hasMessageContaining("--full")
        .satisfies(e -> assertThat(((TarmoException) e).failure().exitCode()).isEqualTo(2));
    assertThat(store.exists(Tables.IDENTITY_MAP)).as("nothing was written").isFalse();

    run(DAY3, true);
    assertThat(components(keys())).isEqualTo(components(before));
  }

  @Test
  @Order(Integer.MAX_VALUE)
  void aMapWhoseFilesAreGoneIsRefusedNamingFull() throws IOException {
    Path map = root.resolve("tables/identity_map");
    Path aside = Files.createDirectories(root.resolve("aside"));
    List<Path> data;
    try (Stream<Path> files = Files.list(map)) {
      data = files.filter(file -> file.getFileName().toString().endsWith(".parquet")).toList();
    }
    for (Path file : data) {
      Files.move(file, aside.resolve(file.getFileName()));
    }
    try {
      assertThatThrownBy(() -> run(DAY3, false))
          .isInstanceOf(TarmoException.class)
          .hasMessageContaining("identity_map cannot be read")
          .hasMessageContaining("--full");
    } finally {
      for (Path file : data) {
        Files.move(aside.resolve(file.getFileName()), file);
      }
    }
  }

  private Map<String, Long> statistics(LocalDate day, String metric) {
    return store.read(Tables.IDENTITY_STATS)
        .where("business_date = DATE'" + day + "' and metric = '" + metric + "'")
        .collectAsList().stream()
        .collect(Collectors.toMap(row -> row.getString(2), row -> row.getLong(3)));
  }

  private Map<TableSpec, Dataset<Row>> snapshot() {
    Map<TableSpec, Dataset<Row>> tables = new java.util.HashMap<>();
    for (TableSpec table : IDENTITY_TABLES) {
      tables.put(table, spark.createDataFrame(store.read(table).collectAsList(), table.schema()));
    }
    return tables;
  }
}
