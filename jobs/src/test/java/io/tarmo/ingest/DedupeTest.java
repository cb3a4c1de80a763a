package io.tarmo.ingest;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;

import io.tarmo.testing.SparkTest;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Observation;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@SparkTest
class DedupeTest {

  private static final Column[] RANKING = {col("rank"), col("line_id")};

  private final SparkSession spark;

  DedupeTest(SparkSession spark) {
    this.spark = spark;
  }

  private Dataset<Row> rows() {
    return spark.createDataFrame(List.of(
            RowFactory.create("k1", 5, 1L), RowFactory.create("k1", 3, 2L), RowFactory.create("k1", 3, 3L),
            RowFactory.create("k2", 9, 4L),
            RowFactory.create("k3", 1, 5L), RowFactory.create("k3", 2, 6L)),
        new StructType().add("key", DataTypes.StringType).add("rank", DataTypes.IntegerType)
            .add("line_id", DataTypes.LongType));
  }

  /** The same copies survive whether the repeated keys are broadcast (few) or shuffled (many). */
  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void keepsOneCopyPerKeyChosenByRanking(boolean few) {
    Dataset<Row> rows = rows();
    Dataset<Row> repeated = Dedupe.repeatedKeys(rows, "key");
    assertThat(repeated.collectAsList()).extracting(row -> row.getString(0)).containsExactlyInAnyOrder("k1", "k3");

    Dataset<Row> chosen = Dedupe.chosenCopies(rows, few ? broadcast(repeated) : repeated, "key",
        Dedupe.Keep.LOWEST, RANKING);
    List<Row> kept = Dedupe.keepChosen(rows, few ? broadcast(chosen) : chosen, "key", RANKING)
        .orderBy("key").collectAsList();

    assertThat(kept).extracting(row -> row.getString(0) + ":" + row.getLong(2))
        .as("lowest (rank, line_id) wins; a unique key is kept as is")
        .containsExactly("k1:2", "k2:4", "k3:5");
  }

  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void highestKeepsTheLatestCopy(boolean few) {
    Dataset<Row> rows = rows();
    Dataset<Row> repeated = Dedupe.repeatedKeys(rows, "key");
    Dataset<Row> chosen = Dedupe.chosenCopies(rows, few ? broadcast(repeated) : repeated, "key",
        Dedupe.Keep.HIGHEST, RANKING);
    List<Row> kept = Dedupe.keepChosen(rows, chosen, "key", RANKING).orderBy("key").collectAsList();

    assertThat(kept).extracting(row -> row.getString(0) + ":" + row.getLong(2)).containsExactly("k1:1", "k2:4", "k3:6");
  }

  /**
   * A delivery's rows whose key an earlier delivery brought are removed and counted as seen,
   * whether the delivery's keys are broadcast to a scan of the stored keys (few) or joined with
   * them as they are (many); the day's own earlier rows (a re-run) and later days do not count.
   */
  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void rowsAnEarlierDeliveryBroughtAreRemovedAndCounted(boolean few) throws InterruptedException {
    Dataset<Row> delivered = spark.createDataFrame(List.of(RowFactory.create("a", 1), RowFactory.create("b", 2),
            RowFactory.create("c", 3), RowFactory.create("d", 4)),
        new StructType().add("key", DataTypes.StringType).add("n", DataTypes.IntegerType));
    Dataset<Row> stored = spark.createDataFrame(List.of(
            RowFactory.create("a", java.sql.Date.valueOf("2026-11-01")),
            RowFactory.create("f", java.sql.Date.valueOf("2026-11-02")),
            RowFactory.create("c", java.sql.Date.valueOf("2026-11-27")),
            RowFactory.create("d", java.sql.Date.valueOf("2026-11-28")),
            RowFactory.create("e", java.sql.Date.valueOf("2026-11-29")),
            RowFactory.create("b", java.sql.Date.valueOf("2026-11-30"))),
        new StructType().add("key", DataTypes.StringType).add("ingest_date", DataTypes.DateType));
    Observation counts = new Observation("dedupe-" + few);

    // One action, as ingest's write is: a sort's sampling job would report the observed counts twice.
    List<Row> fresh = Dedupe.excludeEarlierDeliveries(delivered, stored, "key", java.time.LocalDate.of(2026, 11, 28),
        few, counts).collectAsList();

    assertThat(fresh).extracting(Row::toString).containsExactlyInAnyOrder("[b,2]", "[d,4]");
    assertThat(counts.getAsJava()).containsEntry("seen", 2L).containsEntry("fresh", 2L);
  }
}
