package io.tarmo.activate;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.assertj.core.api.Assertions.assertThat;

import io.tarmo.config.SettingsLoader;
import io.tarmo.config.TarmoSettings;
import io.tarmo.lake.DeltaStore;
import io.tarmo.lake.Lake;
import io.tarmo.lake.Tables;
import io.tarmo.segments.SegmentsLoader;
import io.tarmo.testing.ActivationFloor;
import io.tarmo.testing.SparkTest;
import io.tarmo.testing.TwoNightLake;
import java.nio.file.Path;
import java.sql.Date;
import java.time.LocalDate;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The activation the real pipeline wrote for a generated lake ({@link TwoNightLake}: the
 * generator's consent histories, identity merges, cookies before login, the shipped segments and
 * audiences) is the one CONTRACT 6 gives when written a second time, independently, as the
 * benchmark's plain SQL query ({@link ActivationFloor}): the same rows activated, and every other
 * member of an audience excluded on that channel.
 */
@SparkTest
@Tag("slow")
class ActivationFloorTest {

  private static final List<String> COLUMNS = List.of("as_of_date", "channel", "segment_id", "customer_key", "address");

  private final SparkSession spark;
  @TempDir Path root;

  ActivationFloorTest(SparkSession spark) {
    this.spark = spark;
  }

  @Test
  void theLastNightsActivationIsTheFloorQuerysAnswer() throws Exception {
    TwoNightLake.Copy copy = TwoNightLake.copyTo(root);
    LocalDate day = LocalDate.parse(TwoNightLake.DAYS.get(1));
    TarmoSettings settings = SettingsLoader.load(copy.config());
    DeltaStore store = new DeltaStore(spark, Lake.at(copy.lake().toString()));

    Dataset<Row> ours = store.read(Tables.ACTIVATION).where(col("as_of_date").equalTo(lit(Date.valueOf(day))))
        .selectExpr(COLUMNS.toArray(String[]::new));
    Dataset<Row> floor = spark.sql(ActivationFloor.query(store, SegmentsLoader.load(settings.segments().file()),
        settings.activation(), day)).selectExpr(COLUMNS.toArray(String[]::new));

    List<Row> expected = floor.collectAsList();
    assertThat(expected).as("the floor activates somebody on the generated lake").hasSizeGreaterThan(10);
    assertThat(ours.collectAsList()).containsExactlyInAnyOrderElementsOf(expected);

    // Every other member of an audience is excluded, once per channel: the floor's "no" is Tarmo's "no".
    Dataset<Row> members = store.read(Tables.SEGMENT_MEMBERSHIP).where(col("as_of_date").equalTo(lit(Date.valueOf(day))))
        .join(audiences(settings.activation()), "segment_id")
        .select("segment_id", "channel", "customer_key");
    List<Row> notActivated = members.except(floor.select("segment_id", "channel", "customer_key")).collectAsList();
    assertThat(notActivated).as("members the floor does not activate").hasSizeGreaterThan(100);
    assertThat(store.read(Tables.ACTIVATION_EXCLUSIONS).where(col("as_of_date").equalTo(lit(Date.valueOf(day))))
        .select("segment_id", "channel", "customer_key").collectAsList())
        .containsExactlyInAnyOrderElementsOf(notActivated);
  }

  private Dataset<Row> audiences(ActivationSettings settings) {
    return spark.createDataFrame(settings.pairs().stream()
        .map(pair -> RowFactory.create(pair.segmentId(), pair.channel().name().toLowerCase(Locale.ROOT))).toList(),
        new StructType().add("segment_id", DataTypes.StringType).add("channel", DataTypes.StringType));
  }
}
