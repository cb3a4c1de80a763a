package io.tarmo.segments;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.not;
import static org.assertj.core.api.Assertions.assertThat;

import io.tarmo.testing.SparkTest;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/**
 * Memberships as bits against sets of {@code segment|customer} pairs: 70 definitions, so two
 * words and the boundary between them; customers only today, only on the previous day, on both, and a
 * previous day's segment that left the catalog.
 */
@SparkTest
class SegmentBitsTest {

  static final int SEGMENTS = 70;
  static final int CUSTOMERS = 40;

  private final SparkSession spark;

  SegmentBitsTest(SparkSession spark) {
    this.spark = spark;
  }

  @Test
  void membersEntriesExitsAndSizesMatchTheSetsTheyStandFor() {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < SEGMENTS; i++) {
      ids.add("s" + i);
    }
    Random random = new Random(7);
    StructType schema = new StructType().add("customer_key", DataTypes.LongType, false);
    for (int i = 0; i < SEGMENTS; i++) {
      schema = schema.add("f" + i, DataTypes.BooleanType);
    }
    Set<String> today = new TreeSet<>();
    Set<String> previous = new TreeSet<>();
    List<Row> flags = new ArrayList<>();
    List<Row> previousRows = new ArrayList<>();
    int[] edges = {0, 1, 62, 63, 64, 65, 69};
    for (long customer = 1; customer <= CUSTOMERS; customer++) {
      Object[] values = new Object[SEGMENTS + 1];
      values[0] = customer;
      for (int i = 0; i < SEGMENTS; i++) {
        boolean edge = customer <= edges.length && edges[(int) customer - 1] == i;
        boolean member = customer <= 30 && (edge || random.nextInt(4) == 0);
        values[i + 1] = customer == 12 && i == 5 ? null : member;
        if (member && !(customer == 12 && i == 5)) {
          today.add("s" + i + "|" + customer);
        }
        if (customer > 20 && (edge || random.nextInt(4) == 0)) {
          previous.add("s" + i + "|" + customer);
          previousRows.add(RowFactory.create("s" + i, customer));
        }
      }
      flags.add(RowFactory.create(values));
    }
    previousRows.add(RowFactory.create("retired-segment", 3L));
    previousRows.add(RowFactory.create("s0", 99L));
    previous.add("s0|99");

    SegmentBits bits = new SegmentBits(ids);
    List<Column> flagColumns = new ArrayList<>();
    for (int i = 0; i < SEGMENTS; i++) {
      flagColumns.add(col("f" + i));
    }
    Dataset<Row> words = bits.today(spark.createDataFrame(flags, schema), flagColumns);
    Dataset<Row> before = bits.previous(spark.createDataFrame(previousRows,
        new StructType().add("segment_id", DataTypes.StringType).add("customer_key", DataTypes.LongType)));
    Dataset<Row> compared = bits.compare(words, before).cache();

    Set<String> entered = new TreeSet<>(today);
    entered.removeAll(previous);
    Set<String> exited = new TreeSet<>(previous);
    exited.removeAll(today);
    assertThat(pairs(bits.members(compared), null)).isEqualTo(today);
    assertThat(pairs(bits.changes(compared), "entered")).isEqualTo(entered);
    assertThat(pairs(bits.changes(compared), "exited")).isEqualTo(exited);
    assertThat(bits.changes(compared).filter(not(col("change").isin("entered", "exited"))).count()).isZero();
    assertThat(bits.members(bits.compare(words, null)).count()).isEqualTo(today.size());
    assertThat(bits.changes(bits.compare(words, null)).count()).as("no previous day: everyone enters").isEqualTo(today.size());

    List<SegmentsResult.Size> sizes = bits.sizes(compared);
    assertThat(sizes).hasSize(SEGMENTS);
    for (int i = 0; i < SEGMENTS; i++) {
      String prefix = "s" + i + "|";
      assertThat(sizes.get(i)).isEqualTo(new SegmentsResult.Size("s" + i, count(today, prefix),
          count(entered, prefix), count(exited, prefix)));
    }
    compared.unpersist();
  }

  private static Set<String> pairs(Dataset<Row> rows, String change) {
    Set<String> pairs = new TreeSet<>();
    for (Row row : (change == null ? rows : rows.filter(col("change").equalTo(change))).collectAsList()) {
      pairs.add(row.<String>getAs("segment_id") + "|" + row.<Long>getAs("customer_key"));
    }
    return pairs;
  }

  private static long count(Set<String> pairs, String prefix) {
    return pairs.stream().filter(p -> p.startsWith(prefix)).count();
  }
}
