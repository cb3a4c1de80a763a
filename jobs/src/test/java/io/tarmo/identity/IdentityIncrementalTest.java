package io.tarmo.identity;

import static org.assertj.core.api.Assertions.assertThat;

import io.tarmo.config.SettingsLoader;
import io.tarmo.lake.DeltaStore;
import io.tarmo.lake.Lake;
import io.tarmo.lake.Tables;
import io.tarmo.subject.IdentifierType;
import io.tarmo.testing.Folders;
import io.tarmo.testing.SparkTest;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Function;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Property: incremental nights give the components a full rebuild gives. Many small random
 * graphs (one per seed, with their own identifiers) share one lake so that a handful of runs
 * covers them all; tight limits make the rules cut and move identifiers between nights.
 */
@SparkTest
class IdentityIncrementalTest {

  static final int SEEDS = 24;
  static final LocalDate FIRST = LocalDate.of(2026, 11, 25);
  static final int NIGHTS = 3;

  private final SparkSession spark;
  @TempDir Path root;

  IdentityIncrementalTest(SparkSession spark) {
    this.spark = spark;
  }

  @Test
  void incrementalNightsGiveTheComponentsOfAFullRebuild() throws Exception {
    DeltaStore store = new DeltaStore(spark, Lake.at(root.toString()));
    IdentitySettings settings = tightLimits();
    LocalDate last = FIRST.plusDays(NIGHTS - 1L);
    List<IdentityResult> nights = randomNights(store, 1000L, last, day -> settings);
    Map<String, Long> incremental = keys(store);
    Map<String, Long> shape = shape(store, last);

    run(store, settings, last, true);
    assertThat(IdentityJobTest.components(keys(store))).isEqualTo(IdentityJobTest.components(incremental));
    assertThat(nights.subList(1, nights.size())).as("nights after the first derive the statistics from the region")
        .allMatch(night -> night.count("identity.map.statistics_from_region") == 1L);
    assertThat(shape).as("statistics of the whole map").isEqualTo(shape(store, last));

    Folders.delete(root.resolve("tables/identity_map"));
    run(store, settings, last, true);
    assertThat(IdentityJobTest.components(keys(store))).as("rebuilt without the previous map")
        .isEqualTo(IdentityJobTest.components(incremental));
  }

  @Test
  void theDriverResolvesARegionAsSparkDoes() throws Exception {
    DeltaStore store = new DeltaStore(spark, Lake.at(root.toString()));
    IdentitySettings onDriver = tightLimits();
    IdentitySettings withSpark = onDriver.withDriverLinks(0);
    LocalDate last = FIRST.plusDays(1);
    randomNights(store, 7919L, last, day -> day.equals(FIRST) ? withSpark : onDriver);

    run(store, withSpark, last, true);
    List<Row> sparkMap = sorted(store.read(Tables.IDENTITY_MAP));
    List<Row> sparkDecisions = sorted(store.read(Tables.IDENTITY_DECISIONS));
    run(store, onDriver, last, true);

    assertThat(sparkDecisions).as("the fixture has contested clusters").isNotEmpty();
    assertThat(sorted(store.read(Tables.IDENTITY_MAP))).isEqualTo(sparkMap);
    assertThat(sorted(store.read(Tables.IDENTITY_DECISIONS))).isEqualTo(sparkDecisions);
  }

  /** Limits tight enough that the rules cut and move identifiers between nights. */
  static IdentitySettings tightLimits() {
    return SettingsLoader.load(null).identity().withMaxPerCustomer(Map.of(IdentifierType.EMAIL, 2,
        IdentifierType.PHONE, 2, IdentifierType.ANONYMOUS_ID, 3, IdentifierType.LOYALTY_CARD_ID, 1));
  }

  /** Nights from FIRST to {@code last}: a random day of every seed's world, then identity. */
  List<IdentityResult> randomNights(DeltaStore store, long salt, LocalDate last,
      Function<LocalDate, IdentitySettings> settings) {
    Bronze bronze = new Bronze(store);
    List<IdentityResult> nights = new ArrayList<>();
    for (LocalDate day = FIRST; !day.isAfter(last); day = day.plusDays(1)) {
      for (int seed = 0; seed < SEEDS; seed++) {
        randomDay(bronze, new Random(seed * salt + day.getDayOfMonth()), "s" + seed + "-", day);
      }
      bronze.store();
      nights.add(run(store, settings.apply(day), day, false));
    }
    return nights;
  }

  /** The identity_stats rows of {@code day} that describe the map (not the run), as metric.label to value. */
  static Map<String, Long> shape(DeltaStore store, LocalDate day) {
    Map<String, Long> shape = new TreeMap<>();
    for (Row row : store.read(Tables.IDENTITY_STATS).where("business_date = DATE'" + day + "' and metric in "
        + "('identifiers', 'new_identifiers', 'components', 'customers', 'largest_component', 'component_size', "
        + "'component_sizes')").collectAsList()) {
      shape.put(row.getString(1) + "." + row.getString(2), row.getLong(3));
    }
    assertThat(shape).as("statistics of " + day).containsKeys("components.", "component_sizes.1");
    return shape;
  }

  private static List<Row> sorted(Dataset<Row> rows) {
    return rows.orderBy(Arrays.stream(rows.columns()).map(functions::col).toArray(Column[]::new)).collectAsList();
  }

  /** A day of one small random world: 4 customers, 8 cookies, 4 emails, 2 phones, 2 cards. */
  static void randomDay(Bronze bronze, Random random, String prefix, LocalDate day) {
    for (int i = 0; i < 8; i++) {
      String ts = day + "T" + String.format(java.util.Locale.ROOT, "%02d:%02d:00Z", random.nextInt(24),
          random.nextInt(60));
      String customer = prefix + "C" + random.nextInt(4);
      String cookie = prefix + "K" + random.nextInt(8);
      String email = prefix + "e" + random.nextInt(4) + "@web.de";
      switch (random.nextInt(5)) {
        case 0 -> bronze.event(day, ts, "page", cookie, customer);
        case 1 -> bronze.event(day, ts, "page", cookie, null);
        case 2 -> bronze.identify(day, ts, cookie, null, email);
        case 3 -> bronze.identify(day, ts, random.nextBoolean() ? cookie : null, customer, email);
        default -> bronze.customer(day, ts, customer, random.nextBoolean() ? email : null,
            random.nextBoolean() ? "+49151" + (1000000 + random.nextInt(2)) : null,
            random.nextBoolean() ? prefix + "L" + random.nextInt(2) : null);
      }
    }
  }

  static IdentityResult run(DeltaStore store, IdentitySettings settings, LocalDate day, boolean full) {
    Clock clock = Clock.fixed(Instant.parse(day.plusDays(1) + "T03:00:00Z"), ZoneOffset.UTC);
    return new IdentityJob(store, settings, clock).run(day, full, "test");
  }

  static Map<String, Long> keys(DeltaStore store) {
    Map<String, Long> keys = new TreeMap<>();
    for (Row row : store.read(Tables.IDENTITY_MAP).collectAsList()) {
      keys.put(row.getString(0) + ":" + row.getString(1), row.getLong(2));
    }
    return keys;
  }
}
