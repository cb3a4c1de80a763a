package io.tarmo.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tarmo.TarmoException;
import io.tarmo.config.SettingsLoader;
import io.tarmo.config.TarmoSettings.IdentitySettings;
import io.tarmo.lake.DeltaStore;
import io.tarmo.lake.Lake;
import io.tarmo.lake.TableSpec;
import io.tarmo.lake.Tables;
import io.tarmo.testing.SparkTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Comparator;
import java.util.HashMap;
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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@SparkTest
class IdentityJobTest {

  static final LocalDate DAY1 = LocalDate.of(2026, 11, 26);
  static final LocalDate DAY2 = LocalDate.of(2026, 11, 27);
  static final LocalDate DAY3 = LocalDate.of(2026, 11, 28);
  static final IdentitySettings DEFAULTS = SettingsLoader.load(null).identity();

  private final SparkSession spark;
  @TempDir Path root;
  private DeltaStore store;
  private Bronze bronze;

  IdentityJobTest(SparkSession spark) {
    this.spark = spark;
  }

  @BeforeEach
  void setUp() {
    store = new DeltaStore(spark, Lake.at(root.toString()));
    bronze = new Bronze(store);
    org.apache.logging.log4j.core.config.Configurator.setLevel("io.tarmo", org.apache.logging.log4j.Level.INFO);
  }

  IdentityResult run(LocalDate day) {
    return run(day, false, DEFAULTS);
  }

  IdentityResult run(LocalDate day, boolean full, IdentitySettings settings) {
    Clock clock = Clock.fixed(Instant.parse(day.plusDays(1) + "T03:00:00Z"), ZoneOffset.UTC);
    return new IdentityJob(store, settings, clock).run(day, full, "test");
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

  /** The partition of identifiers into customers, independent of the key numbers. */
  Set<Set<String>> components() {
    return keys().entrySet().stream()
        .collect(Collectors.groupingBy(Map.Entry::getValue, Collectors.mapping(Map.Entry::getKey,
            Collectors.toCollection(TreeSet::new))))
        .values().stream().collect(Collectors.toSet());
  }

  List<Row> decisions(String rule) {
    return store.read(Tables.IDENTITY_DECISIONS).where("rule = '" + rule + "'").collectAsList();
  }

  @Test
  void sharedFamilyLaptopDoesNotMergeTwoCustomers() {
    bronze.customer(DAY1, "2026-11-01T00:00:00Z", "C1", "ann@web.de", null, null)
        .customer(DAY1, "2026-11-01T00:00:00Z", "C2", "bob@web.de", null, null)
        .event(DAY1, "2026-11-26T10:00:00Z", "page", "laptop", "C1")
        .event(DAY1, "2026-11-26T18:00:00Z", "page", "laptop", "C2")
        .store();
    IdentityResult result = run(DAY1);

    assertThat(key("customer_id:C1")).isNotEqualTo(key("customer_id:C2"));
    assertThat(key("anonymous_id:laptop")).isEqualTo(key("customer_id:C2"));
    assertThat(key("email:ann@web.de")).isEqualTo(key("customer_id:C1"));
    List<Row> shared = decisions("shared_identifier");
    assertThat(shared).hasSize(1);
    assertThat(shared.get(0).<Long>getAs("customer_key")).isEqualTo(key("customer_id:C2"));
    assertThat(shared.get(0).<Long>getAs("other_customer_key")).isEqualTo(key("customer_id:C1"));
    assertThat(result.count("identity.decisions.shared_identifier")).isEqualTo(1);
    assertThat(result.count("identity.customers")).isEqualTo(2);
  }

  @Test
  void transitiveBridgeNeverJoinsTwoCustomers() {
    bronze.customer(DAY1, "2026-11-01T00:00:00Z", "C1", "ann@web.de", null, null)
        .identify(DAY1, "2026-11-26T09:00:00Z", "cookie", null, "ann@web.de")
        .event(DAY1, "2026-11-26T10:00:00Z", "page", "cookie", "C2")
        .identify(DAY1, "2026-11-26T11:00:00Z", "other-cookie", null, "ann@web.de")
        .identify(DAY1, "2026-11-26T11:00:00Z", "other-cookie", null, "ann.second@web.de")
        .store();
    run(DAY1);

    assertThat(key("customer_id:C1")).isNotEqualTo(key("customer_id:C2"));
    assertThat(key("anonymous_id:cookie")).isEqualTo(key("customer_id:C2"));
    assertThat(key("email:ann@web.de")).isEqualTo(key("customer_id:C1"));
    assertThat(key("anonymous_id:other-cookie")).isEqualTo(key("customer_id:C1"));
    assertThat(key("email:ann.second@web.de")).isEqualTo(key("customer_id:C1"));
  }
}
