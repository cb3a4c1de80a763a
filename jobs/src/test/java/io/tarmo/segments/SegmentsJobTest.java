package io.tarmo.segments;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tarmo.TarmoException;
import io.tarmo.config.SegmentsLoader;
import io.tarmo.lake.DeltaStore;
import io.tarmo.lake.Lake;
import io.tarmo.lake.Tables;
import io.tarmo.profiles.ProfilesJob;
import io.tarmo.testing.LakeFixtures;
import io.tarmo.testing.SparkTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDate;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The job on real Delta tables: days replaced as a whole, entries and exits, sizes. */
@SparkTest
class SegmentsJobTest {

  static final LocalDate DAY1 = LocalDate.of(2026, 11, 27);
  static final LocalDate DAY2 = LocalDate.of(2026, 11, 28);
  static final String DEFINITIONS = "segments = ["
      + "{ id = viewed-today, title = \"Viewed today\", condition { event { event = \"Product Viewed\", within = 1d } } },"
      + "{ id = nobody, condition { profile { orders { gt = 1000 } } } } ]";

  private final SparkSession spark;
  @TempDir Path root;

  SegmentsJobTest(SparkSession spark) {
    this.spark = spark;
  }

  @Test
  void entriesExitsAndSizesAgainstThePreviousDayAndRerunReplacesExactlyThatDay() throws Exception {
    DeltaStore store = new DeltaStore(spark, Lake.at(root.toString()));
    SegmentsJob job = new SegmentsJob(store, SegmentsLoader.parse(DEFINITIONS, "test"), Clock.systemUTC());
    assertThatThrownBy(() -> job.check(DAY1)).isInstanceOfSatisfying(TarmoException.class,
        e -> assertThat(e.getMessage()).contains("run profiles first"));

    LakeFixtures lake = new LakeFixtures(spark)
        .identity("customer_id", "C1", 1).identity("anonymous_id", "cookie-probe-7f3a", 2).identity("anonymous_id", "a3", 3);
    lake.event("track", "2026-11-27T08:00:00Z").user("C1").named("Product Viewed").add();
    lake.event("track", "2026-11-27T08:00:00Z").cookie("cookie-probe-7f3a").named("Product Viewed").add();
    lake.event("track", "2026-11-28T08:00:00Z").cookie("cookie-probe-7f3a").named("Product Viewed").add();
    lake.event("track", "2026-11-28T08:00:00Z").cookie("a3").named("Product Viewed").add();
    store.append(Tables.EVENTS, lake.events(), "test");
    store.append(Tables.IDENTITY_MAP, lake.identityMap(), "test");
    new ProfilesJob(store, Clock.systemUTC()).run(DAY2, "test");

    SegmentsResult first = job.run(DAY1, "day1");
    SegmentsResult second = job.run(DAY2, "day2");

    assertThat(first.previousDate()).isNull();
    assertThat(second.previousDate()).isEqualTo(DAY1);
    assertThat(second.sizes()).containsExactly(new SegmentsResult.Size("viewed-today", 2, 1, 1),
        new SegmentsResult.Size("nobody", 0, 0, 0));
    assertThat(rows(store.read(Tables.SEGMENT_CHANGES).orderBy("as_of_date", "customer_key")))
        .containsExactly("2026-11-27|viewed-today|1|entered|null", "2026-11-27|viewed-today|2|entered|null",
            "2026-11-28|viewed-today|1|exited|2026-11-27", "2026-11-28|viewed-today|3|entered|2026-11-27");
    assertThat(rows(store.read(Tables.SEGMENT_SIZES).orderBy("as_of_date", "segment_id")
        .select("as_of_date", "segment_id", "title", "members", "entered", "exited")))
        .containsExactly("2026-11-27|nobody|nobody|0|0|0", "2026-11-27|viewed-today|Viewed today|2|2|0",
            "2026-11-28|nobody|nobody|0|0|0", "2026-11-28|viewed-today|Viewed today|2|1|1");

    List<Dataset<Row>> before = snapshot(store);
    long day1Version = store.version(Tables.SEGMENT_MEMBERSHIP);
    job.run(DAY2, "rerun");
    List<Dataset<Row>> after = snapshot(store);
    for (int i = 0; i < before.size(); i++) {
      assertThat(after.get(i).count()).isEqualTo(before.get(i).count());
      assertThat(after.get(i).exceptAll(before.get(i)).count()).isZero();
      assertThat(before.get(i).exceptAll(after.get(i)).count()).isZero();
    }
    assertThat(store.metricsSince(Tables.SEGMENT_MEMBERSHIP, day1Version))
        .as("only day 2's rows were removed and written again")
        .containsEntry("numOutputRows", 2L).containsEntry("numDeletedRows", 2L);

    try (Stream<Path> files = Files.walk(root.resolve("tables"))) {
      for (Path file : files.filter(f -> f.toString().contains("_delta_log") && Files.isRegularFile(f)).toList()) {
        assertThat(Files.readString(file, StandardCharsets.ISO_8859_1)).as(file.toString())
            .doesNotContain("\"C1\"").doesNotContain("cookie-probe-7f3a");
      }
    }
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
