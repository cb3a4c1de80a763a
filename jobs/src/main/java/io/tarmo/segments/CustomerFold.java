package io.tarmo.segments;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.collect_set;
import static org.apache.spark.sql.functions.count_if;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.xxhash64;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.rdd.RDD;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.expressions.UnsafeArrayData;
import org.apache.spark.sql.classic.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The per-customer aggregation of {@link SegmentPlan#behaviour} when an aggregate collects values
 * (a distinct count, a sequence's timestamps): event rows narrowed to the aggregates' inputs and
 * already shuffled by customer are folded into one row per customer through a hash table per task.
 *
 * <p>Spark's own aggregation cannot do this without sorting every row: aggregates that hold
 * objects make its hash aggregation fall back to a sort once a task has seen 128 customers, and its
 * sort aggregation needs the rows sorted and evaluates every aggregate interpreted. The fold
 * computes what Spark's functions would ({@link Kind}), reading Spark's internal rows without
 * converting them and touching only the aggregates whose condition an event satisfies. Its tasks
 * should hold a few thousand customers each, so that their state stays in the processor's caches.
 *
 * <p>A narrowed row is {@code customer_key}, then value columns that aggregates share, as
 * {@link Kind#foldValue} gives them (a double to sum, a long to list, a long hash of a string to
 * count distinct values of), then words of condition bits: the
 * condition of aggregate {@code n} is bit {@code n % 63} of word {@code n / 63}, set when the event
 * satisfies it.
 */
final class CustomerFold implements FlatMapFunction<Iterator<InternalRow>, InternalRow> {

  private static final long serialVersionUID = 1L;

  /** What an aggregate computes over the events that satisfy its condition, as {@link #bySpark} says. */
  enum Kind {
    /** {@code count_if(condition)}: a long. */
    COUNT(DataTypes.LongType, DataTypes.LongType),
    /** {@code sum(double value)}: a double, null without any non-null value. */
    SUM(DataTypes.DoubleType, DataTypes.DoubleType),
    /**
     * {@code size(collect_set(string value))}: a long. The fold counts distinct 64-bit hashes of
     * the values ({@link #foldValue}), so two values count once only if their hashes collide (for
     * the tens of values a customer has, a chance of about one in 10^16).
     */
    DISTINCT(DataTypes.LongType, DataTypes.StringType),
    /** {@code collect_list(long value)}: the non-null values, in no particular order. */
    LIST(DataTypes.createArrayType(DataTypes.LongType, false), DataTypes.LongType);

    /** The aggregate's type. */
    final DataType type;
    /** The type the value is cast to before it is aggregated (unused by a count). */
    final DataType valueType;

    Kind(DataType type, DataType valueType) {
      this.type = type;
      this.valueType = valueType;
    }

    /** The value as the fold reads it: a double to sum, a long to list, a string's 64-bit hash (or null). */
    Column foldValue(Column value) {
      Column typed = value.cast(valueType);
      return this == DISTINCT ? when(typed.isNotNull(), xxhash64(typed)) : typed;
    }

    /**
     * The aggregate as Spark's functions over the events where {@code condition} holds, of
     * {@code value} cast to {@link #valueType}: what the fold computes, and what Spark's own
     * aggregation computes when no aggregate collects values.
     */
    Column bySpark(Column condition, Column value) {
      return switch (this) {
        case COUNT -> count_if(condition);
        case SUM -> sum(when(condition, value.cast(valueType))).cast(DataTypes.DoubleType);
        case DISTINCT -> size(collect_set(when(condition, value.cast(valueType)))).cast(DataTypes.LongType);
        case LIST -> collect_list(when(condition, value.cast(valueType)));
      };
    }
  }

  /** One aggregate, in output order: its kind and the ordinal of its value column (unused for a count). */
  record Input(Kind kind, int ordinal) implements java.io.Serializable {}

  private final Input[] inputs;
  private final int firstWord;
  private final int words;

  CustomerFold(List<Input> inputs, int firstWord) {
    this.inputs = inputs.toArray(Input[]::new);
    this.firstWord = firstWord;
    this.words = (this.inputs.length + 62) / 63;
  }

  /**
   * One row per customer of {@code schema} ({@code customer_key}, then the aggregates in input
   * order) from {@code narrowed} rows: those that some aggregate takes are shuffled by customer into
   * {@code partitions} tasks and folded. A customer none of whose rows any aggregate takes is left
   * out, as if it had no events. (The rows of zeros are dropped from the rows themselves: as a
   * Spark filter on the words it would be pushed beneath their projection, copying every
   * condition into it; a scan of 20 definitions took minutes.)
   */
  Dataset<Row> fold(Dataset<Row> narrowed, int partitions, StructType schema) {
    SparkSession spark = (SparkSession) narrowed.sparkSession();
    int first = firstWord;
    int count = words;
    RDD<InternalRow> taken = narrowed.queryExecution().toRdd().toJavaRDD().filter(row -> {
      for (int word = 0; word < count; word++) {
        if (row.getLong(first + word) != 0) {
          return true;
        }
      }
      return false;
    }).rdd();
    RDD<InternalRow> folded = spark.internalCreateDataFrame(taken, narrowed.schema(), false)
        .repartition(partitions, col(narrowed.columns()[0]))
        .queryExecution().toRdd().toJavaRDD().mapPartitions(this).rdd();
    return spark.internalCreateDataFrame(folded, schema, false);
  }

  @Override
  public Iterator<InternalRow> call(Iterator<InternalRow> rows) {
    Table customers = new Table();
    while (rows.hasNext()) {
      InternalRow row = rows.next();
      Customer customer = customers.get(row.getLong(0));
      for (int word = 0; word < words; word++) {
        long bits = row.getLong(firstWord + word);
        while (bits != 0) {
          customer.add(word * 63 + Long.numberOfTrailingZeros(bits), row);
          bits &= bits - 1;
        }
      }
    }
    List<InternalRow> folded = new ArrayList<>(customers.size);
    for (int slot = 0; slot < customers.keys.length; slot++) {
      if (customers.values[slot] != null) {
        folded.add(customers.values[slot].row(customers.keys[slot]));
      }
    }
    return folded.iterator();
  }

  /** Customers by key: open addressing over primitive keys, so an event costs no boxing. */
  private final class Table {
    long[] keys = new long[1024];
    Customer[] values = new Customer[1024];
    int size;

    Customer get(long key) {
      int mask = keys.length - 1;
      int slot = Long.hashCode(key * 0x9E3779B97F4A7C15L) & mask;
      while (values[slot] != null) {
        if (keys[slot] == key) {
          return values[slot];
        }
        slot = (slot + 1) & mask;
      }
      Customer customer = new Customer();
      keys[slot] = key;
      values[slot] = customer;
      if (++size * 2 > keys.length) {
        grow();
      }
      return customer;
    }

    private void grow() {
      long[] oldKeys = keys;
      Customer[] oldValues = values;
      keys = new long[oldKeys.length * 2];
      values = new Customer[oldKeys.length * 2];
      int mask = keys.length - 1;
      for (int i = 0; i < oldKeys.length; i++) {
        if (oldValues[i] != null) {
          int slot = Long.hashCode(oldKeys[i] * 0x9E3779B97F4A7C15L) & mask;
          while (values[slot] != null) {
            slot = (slot + 1) & mask;
          }
          keys[slot] = oldKeys[i];
          values[slot] = oldValues[i];
        }
      }
    }
  }

  /**
   * The running values of one customer's aggregates: counts, and sums as the bits of doubles, in
   * one array; whether a sum saw a value, and the collected values (hashes for a distinct count,
   * with repeats), only once there are any.
   */
  private final class Customer {
    private final long[] numbers = new long[inputs.length];
    private boolean[] summed;
    private Longs[] collected;

    void add(int aggregate, InternalRow row) {
      Input input = inputs[aggregate];
      if (input.kind() == Kind.COUNT) {
        numbers[aggregate]++;
        return;
      }
      if (row.isNullAt(input.ordinal())) {
        return;
      }
      switch (input.kind()) {
        case SUM -> {
          numbers[aggregate] = Double.doubleToRawLongBits(Double.longBitsToDouble(numbers[aggregate])
              + row.getDouble(input.ordinal()));
          if (summed == null) {
            summed = new boolean[inputs.length];
          }
          summed[aggregate] = true;
        }
        case DISTINCT, LIST -> values(aggregate).add(row.getLong(input.ordinal()));
        default -> throw new IllegalStateException("not a value aggregate: " + input.kind());
      }
    }

    private Longs values(int aggregate) {
      if (collected == null) {
        collected = new Longs[inputs.length];
      }
      if (collected[aggregate] == null) {
        collected[aggregate] = new Longs();
      }
      return collected[aggregate];
    }

    InternalRow row(long key) {
      Object[] values = new Object[inputs.length + 1];
      values[0] = key;
      for (int i = 0; i < inputs.length; i++) {
        Longs gathered = collected == null ? null : collected[i];
        values[i + 1] = switch (inputs[i].kind()) {
          case COUNT -> numbers[i];
          case SUM -> summed != null && summed[i] ? Double.longBitsToDouble(numbers[i]) : null;
          case DISTINCT -> gathered == null ? 0L : gathered.distinct();
          case LIST -> UnsafeArrayData.fromPrimitiveArray(gathered == null ? new long[0] : gathered.toArray());
        };
      }
      return new GenericInternalRow(values);
    }
  }

  /** A growing list of longs, without boxing. */
  private static final class Longs {
    private long[] items = new long[4];
    private int size;

    void add(long item) {
      if (size == items.length) {
        items = Arrays.copyOf(items, size * 2);
      }
      items[size++] = item;
    }

    long[] toArray() {
      return Arrays.copyOf(items, size);
    }

    /** How many different items there are (sorts them). */
    long distinct() {
      Arrays.sort(items, 0, size);
      long distinct = 0;
      for (int i = 0; i < size; i++) {
        if (i == 0 || items[i] != items[i - 1]) {
          distinct++;
        }
      }
      return distinct;
    }
  }
}
