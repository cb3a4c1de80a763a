package io.tarmo.segments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tarmo.TarmoException;
import io.tarmo.consent.ConsentJob;
import io.tarmo.lake.DeltaStore;
import io.tarmo.lake.Lake;
import io.tarmo.lake.Tables;
import io.tarmo.profiles.ProfilesJob;
import io.tarmo.testing.ConsentFixtures;
import io.tarmo.testing.LakeFixtures;
import io.tarmo.testing.SparkTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Date;
import java.time.Clock;
import java.time.LocalDate;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/** The job on real Delta tables: days replaced as a whole, entries and exits, sizes. */
@SparkTest
class SegmentsJobTest {

  static final LocalDate DAY1 = LocalDate.of(2026, 11, 27);
  static final LocalDate DAY2 = LocalDate.of(2026, 11, 28);
  static final String DEFINITIONS = "segments = ["
      + "{ id = viewed-today, title = \"Viewed today\", condition { event { event = \"Product Viewed\", within = 1d } } },"
      + "{ id = nobody, condition { profile { orders { gt = 1000 } } } }";
  /**
   * A distinct count: with it, the catalog's aggregates are folded together with the profiles and
   * the previous day's words ({@link CustomerFold}) instead of being aggregated and joined by Spark.
   * And a negation, which holds for every customer tested.
   */
  static final String COLLECTING = ", { id = browsers, condition { event { event = \"Product Viewed\", within = 7d,"
      + " distinct { of = product_id, gte = 1 } } } },"
      + " { id = quiet, condition { not { event { event = \"Order Completed\", within = 7d } } } }";

  private final SparkSession spark;
  @TempDir Path root;

  SegmentsJobTest(SparkSession spark) {
    this.spark = spark;
  }

  @ParameterizedTest(name = "collecting aggregate: {0}")
  @ValueSource(booleans = {false, true})
  void entriesExitsAndSizesAgainstThePreviousDayAndRerunReplacesExactlyThatDay(boolean collecting) throws Exception {
    DeltaStore store = new DeltaStore(spark, Lake.at(root.toString()));
    SegmentsJob job = new SegmentsJob(store, SegmentsLoader.parse(DEFINITIONS + (collecting ? COLLECTING : "") + "]",
        "test"), Clock.systemUTC());
    assertThatThrownBy(() -> job.check(DAY1)).isInstanceOfSatisfying(TarmoException.class,
        e -> assertThat(e.getMessage()).contains("run profiles first"));

    LakeFixtures lake = new LakeFixtures(spark)
        .identity("customer_id", "C1", 1).identity("anonymous_id", "cookie-probe-7f3a", 2).identity("anonymous_id", "a3", 3);
    lake.event("track", "2026-11-27T08:00:00Z").user("C1").named("Product Viewed").set("product_id", "p1").add();
    lake.event("track", "2026-11-27T08:00:00Z").cookie("cookie-probe-7f3a").named("Product Viewed")
        .set("product_id", "p1").add();
    lake.event("track", "2026-11-28T08:00:00Z").cookie("cookie-probe-7f3a").named("Product Viewed").add();
    lake.event("track", "2026-11-28T08:00:00Z").cookie("a3").named("Product Viewed").set("product_id", "p2").add();
    store.append(Tables.EVENTS, lake.events(), "test");
    store.append(Tables.IDENTITY_MAP, lake.identityMap(), "test");
    ProfilesJob profiles = new ProfilesJob(store, Clock.systemUTC());
    profiles.run(DAY2, "test");
    assertThatThrownBy(() -> job.check(DAY1)).as("traits as of another day").isInstanceOfSatisfying(
        TarmoException.class, e -> assertThat(e.getMessage()).isEqualTo("Cannot run segments for 2026-11-27: "
            + "customer_profiles was built for 2026-11-28; run profiles --date 2026-11-27 first"));
    profiles.run(DAY1, "test");

    SegmentsResult first = job.run(DAY1, "day1");
    // Customer 9 was a member on day 1 but is gone by day 2 (merged away, say): neither in the
    // profiles nor in the events. A segment since removed from the catalog is not compared.
    store.append(Tables.SEGMENT_MEMBERSHIP, spark.createDataFrame(List.of(
        RowFactory.create(Date.valueOf(DAY1), "viewed-today", 9L), RowFactory.create(Date.valueOf(DAY1), "retired", 2L)),
        Tables.SEGMENT_MEMBERSHIP.schema()), "test");
    profiles.run(DAY2, "test");
    SegmentsResult second = job.run(DAY2, "day2");

    assertThat(first.previousDate()).isNull();
    assertThat(second.previousDate()).isEqualTo(DAY1);
    assertThat(second.sizes().subList(0, 2)).containsExactly(new SegmentsResult.Size("viewed-today", 2, 1, 2),
        new SegmentsResult.Size("nobody", 0, 0, 0));
    assertThat(rows(store.read(Tables.SEGMENT_CHANGES).where("segment_id in ('viewed-today', 'nobody')")
        .orderBy("as_of_date", "customer_key")))
        .containsExactly("2026-11-27|viewed-today|1|entered|null", "2026-11-27|viewed-today|2|entered|null",
            "2026-11-28|viewed-today|1|exited|2026-11-27", "2026-11-28|viewed-today|3|entered|2026-11-27",
            "2026-11-28|viewed-today|9|exited|2026-11-27");
    assertThat(rows(store.read(Tables.SEGMENT_SIZES).where("segment_id in ('viewed-today', 'nobody')")
        .orderBy("as_of_date", "segment_id").select("as_of_date", "segment_id", "title", "members", "entered", "exited")))
        .containsExactly("2026-11-27|nobody|nobody|0|0|0", "2026-11-27|viewed-today|Viewed today|2|2|0",
            "2026-11-28|nobody|nobody|0|0|0", "2026-11-28|viewed-today|Viewed today|2|1|2");
    if (collecting) {
      assertThat(second.sizes().get(2)).as("customers 1 and 2 viewed p1 on day 1, customer 3 p2 on day 2")
          .isEqualTo(new SegmentsResult.Size("browsers", 3, 1, 0));
      assertThat(second.sizes().get(3)).as("customers 1, 2 and 3 have profiles on both days; customer 9 is not tested")
          .isEqualTo(new SegmentsResult.Size("quiet", 3, 0, 0));
    }

    List<Dataset<Row>> before = snapshot(store);
    long day1Version = store.version(Tables.SEGMENT_MEMBERSHIP);
    job.run(DAY2, "rerun");
    List<Dataset<Row>> after = snapshot(store);
    for (int i = 0; i < before.size(); i++) {
      assertThat(after.get(i).count()).isEqualTo(before.get(i).count());
      assertThat(after.get(i).exceptAll(before.get(i)).count()).isZero();
      assertThat(before.get(i).exceptAll(after.get(i)).count()).isZero();
    }
    DeltaStore.Commit rerun = store.latestCommit(Tables.SEGMENT_MEMBERSHIP).orElseThrow();
    assertThat(rerun.version()).isGreaterThan(day1Version);
    assertThat(rerun.metric("numOutputRows")).as("only day 2's rows were written again").isEqualTo(collecting ? 8L : 2L);

    try (Stream<Path> files = Files.walk(root.resolve("tables"))) {
      for (Path file : files.filter(f -> f.toString().contains("_delta_log") && Files.isRegularFile(f)).toList()) {
        assertThat(Files.readString(file, StandardCharsets.ISO_8859_1)).as(file.toString())
            .doesNotContain("\"C1\"").doesNotContain("cookie-probe-7f3a");
      }
    }
  }

  @Test
  void customersWhoObjectToProfilingAsOfTheDayAreNotEvaluatedAndAreCounted() {
    DeltaStore store = new DeltaStore(spark, Lake.at(root.toString()));
    LakeFixtures lake = new LakeFixtures(spark);
    for (long key = 1; key <= 4; key++) {
      lake.identity("customer_id", "C" + key, key);
      lake.event("track", "2026-11-27T08:00:00Z").user("C" + key).named("Product Viewed").add();
    }
    store.append(Tables.EVENTS, lake.events(), "test");
    store.append(Tables.IDENTITY_MAP, lake.identityMap(), "test");
    new ProfilesJob(store, Clock.systemUTC()).run(DAY1, "test");
    SegmentsJob job = new SegmentsJob(store, SegmentsLoader.parse(DEFINITIONS + "]", "test"), Clock.systemUTC());

    SegmentsResult unchecked = job.run(DAY1, "no consent yet");
    assertThat(unchecked.sizes().get(0).members()).as("without consent_state everyone is evaluated").isEqualTo(4);
    assertThat(unchecked.counts()).containsEntry("segments.consent_state_missing", 1L)
        .doesNotContainKey("segments.excluded_profiling_objection");
    assertThat(unchecked.summary()).contains("excluded_profiling_objection=unchecked");

    ConsentFixtures consent = new ConsentFixtures(spark)
        // 1 denies profiling on every channel, 2 withdraws it on one: both object.
        .record("p1", "customer_id:C1", "profiling", "all", "denied", "2026-11-20T10:00:00Z").add()
        .record("p2a", "customer_id:C2", "profiling", "all", "granted", "2026-11-01T10:00:00Z").add()
        .record("p2b", "customer_id:C2", "profiling", "email", "withdrawn", "2026-11-25T10:00:00Z").add()
        // 3 refuses marketing only.
        .record("p3", "customer_id:C3", "marketing", "all", "denied", "2026-11-20T10:00:00Z").add()
        // 4 denies profiling the day after DAY1: still evaluated on DAY1.
        .record("p4", "customer_id:C4", "profiling", "all", "denied", "2026-11-28T10:00:00Z").add();
    store.append(Tables.CONSENT_EVENTS, consent.ledger(), "test");
    assertThatThrownBy(() -> job.run(DAY1, "ledger but no state")).as("the ledger's objections would be missed")
        .isInstanceOfSatisfying(TarmoException.class, e -> {
          assertThat(e.failure()).isEqualTo(TarmoException.Failure.USAGE);
          assertThat(e.getMessage()).isEqualTo("Cannot run segments for 2026-11-27: consent_events holds a consent "
              + "ledger but consent_state does not exist yet, so objections to profiling would be missed; run consent "
              + "--date 2026-11-27 first");
        });
    new ConsentJob(store, Clock.systemUTC()).run(DAY2, "test");

    SegmentsResult checked = job.run(DAY1, "with consent");
    assertThat(rows(store.read(Tables.SEGMENT_MEMBERSHIP).where("segment_id = 'viewed-today'")
        .orderBy("customer_key"))).containsExactly("2026-11-27|viewed-today|3", "2026-11-27|viewed-today|4");
    assertThat(checked.profilingObjections()).isEqualTo(2L);
    assertThat(checked.counts()).containsEntry("segments.excluded_profiling_objection", 2L)
        .doesNotContainKey("segments.consent_state_missing");
    assertThat(checked.summary()).contains("excluded_profiling_objection=2");
  }

  private static List<Dataset<Row>> snapshot(DeltaStore store) {
    return Stream.of(Tables.SEGMENT_MEMBERSHIP, Tables.SEGMENT_CHANGES, Tables.SEGMENT_SIZES)
        .map(spec -> store.read(spec).localCheckpoint())
        .toList();
  }

  private static List<String> rows(Dataset<Row> rows) {
    return rows.collectAsList().stream().map(row -> row.mkString("|")).toList();
  }
}
