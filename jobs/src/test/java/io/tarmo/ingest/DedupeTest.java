package io.tarmo.ingest;

import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;

import io.tarmo.testing.SparkTest;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
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
}
