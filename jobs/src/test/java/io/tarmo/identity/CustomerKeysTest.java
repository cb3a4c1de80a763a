package io.tarmo.identity;

import static org.assertj.core.api.Assertions.assertThat;

import io.tarmo.testing.SparkTest;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/** The driver's key assignment gives what Spark's gives, ties and missing values included. */
@SparkTest
class CustomerKeysTest {

  private static final StructType ASSIGNMENTS = new StructType()
      .add(IdentityGraph.COMPONENT, DataTypes.LongType, false)
      .add(CustomerKeys.PREVIOUS_KEY, DataTypes.LongType, true)
      .add(IdentityGraph.RANK, DataTypes.IntegerType, true)
      .add(IdentityGraph.FIRST_SEEN, DataTypes.TimestampType, true);

  private final SparkSession spark;

  CustomerKeysTest(SparkSession spark) {
    this.spark = spark;
  }

  @Test
  void aGrownComponentKeepsItsKeyMergedOnesTheOldestAndNewOnesGetTheNextKeys() {
    Timestamp monday = Timestamp.valueOf("2026-11-23 08:00:00");
    Dataset<Row> assignments = spark.createDataFrame(List.of(
        RowFactory.create(10L, 7L, 0, monday),
        RowFactory.create(10L, null, 2, monday),
        RowFactory.create(20L, 3L, 1, monday),
        RowFactory.create(20L, 5L, 0, monday),
        RowFactory.create(30L, null, 1, null),
        RowFactory.create(40L, null, 1, null)), ASSIGNMENTS);

    CustomerKeys.Keys keys = CustomerKeys.assignOnDriver(assignments, 100);

    assertThat(rows(keys.keys())).containsExactlyInAnyOrder("10 7", "20 3", "30 100", "40 101");
    assertThat(rows(keys.merges())).containsExactly("5 3");
  }

  @Test
  void theDriverAndSparkAssignTheSameKeys() {
    Random random = new Random(7);
    for (int round = 0; round < 5; round++) {
      List<Row> rows = new ArrayList<>();
      for (int i = 0; i < 300; i++) {
        // Few components, previous keys and ranks, so that claims tie on every column in turn.
        Long previous = random.nextInt(3) == 0 ? null : (long) random.nextInt(40);
        Integer rank = random.nextInt(8) == 0 ? null : random.nextInt(3);
        Timestamp seen = random.nextInt(8) == 0 ? null : new Timestamp(1_700_000_000_000L + random.nextInt(4) * 1000L);
        rows.add(RowFactory.create((long) random.nextInt(60), previous, rank, seen));
      }
      Dataset<Row> assignments = spark.createDataFrame(rows, ASSIGNMENTS);

      CustomerKeys.Keys spark = CustomerKeys.assign(assignments, 1000);
      CustomerKeys.Keys driver = CustomerKeys.assignOnDriver(assignments, 1000);

      assertThat(rows(driver.keys())).as("keys, round " + round).isEqualTo(rows(spark.keys()));
      assertThat(rows(driver.merges())).as("merges, round " + round).isEqualTo(rows(spark.merges()));
    }
  }

  private static Set<String> rows(Dataset<Row> frame) {
    return frame.collectAsList().stream().map(row -> row.get(0) + " " + row.get(1)).collect(Collectors.toSet());
  }
}
