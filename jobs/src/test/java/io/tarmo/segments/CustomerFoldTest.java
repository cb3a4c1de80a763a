package io.tarmo.segments;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sort_array;
import static org.assertj.core.api.Assertions.assertThat;

import io.tarmo.segments.CustomerFold.Input;
import io.tarmo.segments.CustomerFold.Kind;
import io.tarmo.testing.SparkTest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/** The fold computes what Spark's aggregate functions compute ({@link Kind#bySpark}), over random narrowed rows. */
@SparkTest
class CustomerFoldTest {

  private static final int COUNTS = 70;
  private static final int BITS = COUNTS + 4;

  private final SparkSession spark;

  CustomerFoldTest(SparkSession spark) {
    this.spark = spark;
  }

  @Test
  void foldEqualsSparkAggregatesWithNullsAndTwoWordsOfBits() {
    Dataset<Row> actual = foldAgainstSpark(3000, 200, 3);
    assertThat(actual.count()).as("customer 1199's only row has no condition bit set").isEqualTo(201);
    Row counted = actual.where("customer_key = 1198").first();
    assertThat(counted.getLong(1)).isEqualTo(1);
    assertThat(counted.isNullAt(COUNTS + 1)).as("a sum without a satisfied condition is null, as Spark's").isTrue();
    assertThat(counted.getLong(COUNTS + 2)).isZero();
    assertThat(counted.getList(COUNTS + 3)).isEmpty();
  }

  @Test
  void foldOfATaskPastItsFirstCapacities() {
    // One task: 1,000 customers and about 8,000 collected values, past the initial 512 customers
    // and 1,024 pooled values of a task's state.
    assertThat(foldAgainstSpark(12_000, 1000, 1).count()).isEqualTo(1001);
  }

  @Test
  void profilesAndPreviousWordsAreJoinedToTheFoldedEvents() {
    // Events of customers 1 and 2 (customer 5's one row takes no aggregate), profiles of 2 and 3,
    // previous words of 3 (two rows) and 4.
    StructType narrowed = new StructType().add("customer_key", DataTypes.LongType).add("w0", DataTypes.LongType);
    Dataset<Row> events = spark.createDataFrame(List.of(RowFactory.create(1L, 1L), RowFactory.create(1L, 1L),
        RowFactory.create(2L, 1L), RowFactory.create(5L, 0L)), narrowed);
    Dataset<Row> profiles = spark.createDataFrame(List.of(RowFactory.create(2L, "gold"), RowFactory.create(3L, "silver")),
        new StructType().add("customer_key", DataTypes.LongType).add("tier", DataTypes.StringType));
    Dataset<Row> previous = spark.createDataFrame(List.of(RowFactory.create(3L, 1L, 0L), RowFactory.create(3L, 4L, 2L),
        RowFactory.create(4L, 0L, 8L)), new StructType().add("customer_key", DataTypes.LongType)
        .add("__before0", DataTypes.LongType).add("__before1", DataTypes.LongType));
    StructType aggregates = new StructType().add("customer_key", DataTypes.LongType, false)
        .add("views", DataTypes.LongType, false);

    Dataset<Row> folded = new CustomerFold(List.of(new Input(Kind.COUNT, -1)), 1)
        .fold(CustomerFold.taken(events, 1, 1), profiles, previous, 3, aggregates);

    assertThat(folded.columns()).containsExactly(CustomerFold.PROFILE_KEY, "tier", "customer_key", "views",
        "__before0", "__before1", CustomerFold.TESTED);
    assertThat(folded.orderBy("customer_key").collectAsList().stream().map(Row::toString)).containsExactly(
        "[null,null,1,2,0,0,true]",
        "[2,gold,2,1,0,0,true]",
        "[3,silver,3,0,5,2,true]",
        "[null,null,4,0,0,8,false]");
  }

  /**
   * Folds {@code count} random rows of {@code customers} customers, plus customer
   * {@code customers + 998} with one row of one bit and {@code customers + 999} with one row of no
   * bit, in {@code partitions} tasks; checks the result against Spark's aggregates and returns it.
   */
  private Dataset<Row> foldAgainstSpark(int count, int customers, int partitions) {
    // customer_key, the value columns (a double, a string, a long), then two words of condition
    // bits: 70 counts, then a sum, a distinct count and a list (bits 70, 71, 72), and a second sum
    // of the same double under another condition (bit 73).
    StructType narrowed = new StructType().add("customer_key", DataTypes.LongType)
        .add("amount", DataTypes.DoubleType).add("product", DataTypes.StringType).add("micros", DataTypes.LongType)
        .add("w0", DataTypes.LongType).add("w1", DataTypes.LongType);
    Random random = new Random(42);
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      long w0 = random.nextLong() & Long.MAX_VALUE;
      long w1 = random.nextLong() & ((1L << (BITS - 63)) - 1);
      rows.add(RowFactory.create((long) random.nextInt(customers),
          random.nextInt(4) == 0 ? null : (double) random.nextInt(1000) / 4,
          random.nextInt(3) == 0 ? null : "p" + random.nextInt(12),
          random.nextInt(3) == 0 ? null : (long) random.nextInt(1_000_000), w0, w1));
    }
    rows.add(RowFactory.create(customers + 998L, 1.5, "p1", 7L, 1L, 0L));
    rows.add(RowFactory.create(customers + 999L, 1.5, "p1", 7L, 0L, 0L));
    Dataset<Row> events = spark.createDataFrame(rows, narrowed);

    List<Input> inputs = new ArrayList<>();
    List<Column> expected = new ArrayList<>();
    StructType schema = new StructType().add("customer_key", DataTypes.LongType, false);
    for (int bit = 0; bit < BITS; bit++) {
      Column condition = col(bit < 63 ? "w0" : "w1").bitwiseAND(lit(1L << (bit % 63))).notEqual(lit(0L));
      Kind kind = bit < COUNTS ? Kind.COUNT : bit == COUNTS + 1 ? Kind.DISTINCT : bit == COUNTS + 2 ? Kind.LIST
          : Kind.SUM;
      String value = switch (kind) {
        case SUM -> "amount";
        case DISTINCT -> "product";
        case LIST -> "micros";
        case COUNT -> null;
      };
      inputs.add(new Input(kind, value == null ? -1 : events.schema().fieldIndex(value)));
      Column aggregate = kind.bySpark(condition, value == null ? lit(null) : col(value));
      expected.add((kind == Kind.LIST ? sort_array(aggregate) : aggregate).as("a" + bit));
      schema = schema.add("a" + bit, kind.type, kind == Kind.SUM);
    }

    // The fold reads the strings as hashes (Kind.foldValue); the reference counts the strings.
    Dataset<Row> hashed = events.select(col("customer_key"), col("amount"),
        Kind.DISTINCT.foldValue(col("product")).as("product"), col("micros"), col("w0"), col("w1"));
    StructType keyOnly = new StructType().add("customer_key", DataTypes.LongType);
    Dataset<Row> none = spark.createDataFrame(List.of(), keyOnly);
    Dataset<Row> actual = new CustomerFold(inputs, 4).fold(CustomerFold.taken(hashed, 4, 2), none, none, partitions,
            schema)
        .select(Arrays.stream(schema.fieldNames()).map(name -> col(name)).toArray(Column[]::new))
        .withColumn("a" + (COUNTS + 2), sort_array(col("a" + (COUNTS + 2))));
    Dataset<Row> reference = events.where("customer_key <> " + (customers + 999)).groupBy(col("customer_key"))
        .agg(expected.get(0), expected.subList(1, expected.size()).toArray(Column[]::new));

    assertThat(actual.exceptAll(reference).count()).isZero();
    assertThat(reference.exceptAll(actual).count()).isZero();
    return actual;
  }
}
