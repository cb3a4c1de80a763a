package io.tarmo.segments;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_list;
import static org.apache.spark.sql.functions.collect_set;
import static org.apache.spark.sql.functions.count_if;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.xxhash64;

import java.io.Serializable;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.spark.rdd.RDD;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.catalyst.expressions.JoinedRow;
import org.apache.spark.sql.catalyst.expressions.codegen.UnsafeArrayWriter;
import org.apache.spark.sql.catalyst.expressions.codegen.UnsafeRowWriter;
import org.apache.spark.sql.classic.SparkSession;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import scala.Function3;
import scala.jdk.javaapi.CollectionConverters;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

/**
 * The per-customer aggregation of {@link SegmentPlan#compared} when an aggregate collects values
 * (a distinct count, a sequence's timestamps): event rows narrowed to the aggregates' inputs and
 * shuffled by customer are folded into one row per customer through a hash table per task. The
 * customer's profile row and previous membership words, shuffled into the same tasks, are joined
 * to it there, which spares a shuffle of the folded rows and two sort-merge joins.
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
final class CustomerFold implements Serializable {

  /** The name {@link #fold} gives the profile's {@code customer_key}. */
  static final String PROFILE_KEY = "__profile_key";
  /** The column of {@link #fold} that tells whether the customer has events or a profile. */
  static final String TESTED = "__tested";

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
   * The rows of {@code narrowed} that some aggregate takes: those with a bit set in one of the
   * {@code words} words of condition bits from column {@code firstWord} on. (They are dropped from
   * the rows themselves: as a Spark filter on the words it would be pushed beneath their projection,
   * copying every condition into it; a scan of 20 definitions took minutes.)
   */
  static Dataset<Row> taken(Dataset<Row> narrowed, int firstWord, int words) {
    RDD<InternalRow> taken = narrowed.queryExecution().toRdd().toJavaRDD().filter(row -> {
      for (int word = 0; word < words; word++) {
        if (row.getLong(firstWord + word) != 0) {
          return true;
        }
      }
      return false;
    }).rdd();
    return ((SparkSession) narrowed.sparkSession()).internalCreateDataFrame(taken, narrowed.schema(), false);
  }

  /**
   * One row per customer found in {@code narrowed} events ({@link #taken} ones), in {@code profiles}
   * or in {@code previous}, each of the three shuffled by customer into the same {@code partitions}
   * tasks and folded there together, so that joining them takes no further shuffle or sort. Each
   * input's first column is {@code customer_key}. A row holds, in this order:
   * <ul>
   *   <li>the customer's row of {@code profiles}, its {@code customer_key} named {@link #PROFILE_KEY}
   *       (all null without a profile);
   *   <li>{@code aggregates}: {@code customer_key}, then the aggregates in input order (without
   *       events: zero counts, empty lists, null sums);
   *   <li>the words after {@code customer_key} of the customer's {@code previous} rows, OR-ed
   *       (zeros without any);
   *   <li>{@link #TESTED}: whether the customer has events or a profile.
   * </ul>
   */
  Dataset<Row> fold(Dataset<Row> narrowed, Dataset<Row> profiles, Dataset<Row> previous, int partitions,
      StructType aggregates) {
    SparkSession spark = (SparkSession) narrowed.sparkSession();
    int previousWords = previous.schema().size() - 1;
    int profileWidth = profiles.schema().size();
    TaskFold fold = (events, profileRows, previousRows) -> CollectionConverters.asScala(fold(
        CollectionConverters.asJava(events), CollectionConverters.asJava(profileRows),
        CollectionConverters.asJava(previousRows), profileWidth, previousWords));
    ClassTag<InternalRow> rows = ClassTag$.MODULE$.apply(InternalRow.class);
    RDD<InternalRow> folded = shuffled(narrowed, partitions)
        .zipPartitions(shuffled(profiles, partitions), shuffled(previous, partitions), false, fold, rows, rows, rows);
    StructType schema = new StructType();
    StructField[] profileFields = profiles.schema().fields();
    for (int i = 0; i < profileFields.length; i++) {
      schema = schema.add(i == 0 ? PROFILE_KEY : profileFields[i].name(), profileFields[i].dataType(), true);
    }
    for (StructField field : aggregates.fields()) {
      schema = schema.add(field);
    }
    for (int word = 0; word < previousWords; word++) {
      schema = schema.add(previous.columns()[1 + word], DataTypes.LongType, false);
    }
    return spark.internalCreateDataFrame(folded, schema.add(TESTED, DataTypes.BooleanType, false), false);
  }

  /** A task of {@link #fold} as Spark's {@code zipPartitions} takes it. */
  private interface TaskFold extends Serializable, Function3<scala.collection.Iterator<InternalRow>,
      scala.collection.Iterator<InternalRow>, scala.collection.Iterator<InternalRow>,
      scala.collection.Iterator<InternalRow>> {}

  /** {@code rows} shuffled by their first column into {@code partitions} tasks, as Spark's internal rows. */
  private static RDD<InternalRow> shuffled(Dataset<Row> rows, int partitions) {
    return rows.repartition(partitions, col(rows.columns()[0])).queryExecution().toRdd();
  }

  /** One task of {@link #fold}: the events folded first, then the profiles and the previous words joined in. */
  private Iterator<InternalRow> fold(Iterator<InternalRow> events, Iterator<InternalRow> profiles,
      Iterator<InternalRow> previous, int profileWidth, int previousWords) {
    State state = new State(previousWords);
    while (events.hasNext()) {
      InternalRow row = events.next();
      int customer = state.customer(row.getLong(0));
      for (int word = 0; word < words; word++) {
        long bits = row.getLong(firstWord + word);
        while (bits != 0) {
          state.add(customer, word * 63 + Long.numberOfTrailingZeros(bits), row);
          bits &= bits - 1;
        }
      }
    }
    while (profiles.hasNext()) {
      state.addProfile(profiles.next());
    }
    int tested = state.customers;
    while (previous.hasNext()) {
      state.addPrevious(previous.next());
    }
    InternalRow noProfile = new GenericInternalRow(profileWidth);
    JoinedRow joined = new JoinedRow();
    return new Iterator<>() {
      private int customer;

      @Override
      public boolean hasNext() {
        return customer < state.customers;
      }

      @Override
      public InternalRow next() {
        if (!hasNext()) {
          throw new NoSuchElementException();
        }
        InternalRow profile = state.profile(customer);
        InternalRow row = state.row(customer, customer < tested);
        customer++;
        return joined.apply(profile == null ? noProfile : profile, row);
      }
    };
  }

  /**
   * A task's running values in flat arrays, so that an event allocates nothing: customers are
   * numbered in order of appearance (an open-addressing table of their keys), and aggregate
   * {@code a} of customer {@code c} is entry {@code c * inputs.length + a} of the counts and sums
   * (a sum as the bits of a double), of whether a sum saw a value, and of the heads of the
   * collected values, which are linked lists in one growing pool.
   */
  private final class State {
    private final int width = inputs.length;
    private long[] slotKeys = new long[1024];
    private int[] slotCustomers = filled(new int[1024], 0);
    private long[] keys = new long[512];
    private long[] numbers = new long[512 * width];
    private boolean[] summed = new boolean[512 * width];
    private int[] heads = filled(new int[512 * width], 0);
    private long[] pool = new long[1024];
    private int[] next = new int[1024];
    private int pooled;
    private long[] scratch = new long[64];
    private final int previousWords;
    private final UnsafeRowWriter out;
    private final UnsafeArrayWriter list;
    /** Each customer's profile row, null without one. */
    private InternalRow[] profiles = new InternalRow[512];
    /** Each customer's previous words: entry {@code c * previousWords + w} is word {@code w} of customer {@code c}. */
    private long[] before;
    int customers;

    State(int previousWords) {
      this.previousWords = previousWords;
      this.before = new long[512 * previousWords];
      this.out = new UnsafeRowWriter(1 + width + previousWords + 1, 64);
      this.list = new UnsafeArrayWriter(out, 8);
    }

    /** The number of the customer with {@code key}, added if new. */
    int customer(long key) {
      int mask = slotKeys.length - 1;
      int slot = slot(key, mask);
      while (slotCustomers[slot] >= 0) {
        if (slotKeys[slot] == key) {
          return slotCustomers[slot];
        }
        slot = (slot + 1) & mask;
      }
      int customer = customers++;
      slotKeys[slot] = key;
      slotCustomers[slot] = customer;
      if (customer == keys.length) {
        int capacity = keys.length * 2;
        keys = Arrays.copyOf(keys, capacity);
        numbers = Arrays.copyOf(numbers, capacity * width);
        summed = Arrays.copyOf(summed, capacity * width);
        heads = filled(Arrays.copyOf(heads, capacity * width), customer * width);
        profiles = Arrays.copyOf(profiles, capacity);
        before = Arrays.copyOf(before, capacity * previousWords);
      }
      keys[customer] = key;
      if (customers * 2 > slotKeys.length) {
        rehash();
      }
      return customer;
    }

    void add(int customer, int aggregate, InternalRow row) {
      Input input = inputs[aggregate];
      int entry = customer * width + aggregate;
      if (input.kind() == Kind.COUNT) {
        numbers[entry]++;
        return;
      }
      if (row.isNullAt(input.ordinal())) {
        return;
      }
      switch (input.kind()) {
        case SUM -> {
          numbers[entry] = Double.doubleToRawLongBits(Double.longBitsToDouble(numbers[entry])
              + row.getDouble(input.ordinal()));
          summed[entry] = true;
        }
        case DISTINCT, LIST -> {
          if (pooled == pool.length) {
            pool = Arrays.copyOf(pool, pooled * 2);
            next = Arrays.copyOf(next, pooled * 2);
          }
          pool[pooled] = row.getLong(input.ordinal());
          next[pooled] = heads[entry];
          heads[entry] = pooled++;
        }
        default -> throw new IllegalStateException("not a value aggregate: " + input.kind());
      }
    }

    /** Keeps {@code row} ({@code customer_key} first) as its customer's profile. */
    void addProfile(InternalRow row) {
      int customer = customer(row.getLong(0));
      // The shuffle's reader hands out one row object, refilled for every row.
      profiles[customer] = row.copy();
    }

    /** ORs the words of {@code row} ({@code customer_key}, then the words) into its customer's previous words. */
    void addPrevious(InternalRow row) {
      int customer = customer(row.getLong(0));
      for (int word = 0; word < previousWords; word++) {
        before[customer * previousWords + word] |= row.getLong(1 + word);
      }
    }

    /** The profile row of {@code customer}, null without one. */
    InternalRow profile(int customer) {
      return profiles[customer];
    }

    /**
     * The folded row of {@code customer} (its key, aggregates, previous words and whether it is
     * {@code tested}), written into one buffer that the next call reuses (the rows are consumed one
     * at a time, as Spark's own operators consume theirs).
     */
    InternalRow row(int customer, boolean tested) {
      out.reset();
      out.zeroOutNullBytes();
      out.write(0, keys[customer]);
      for (int i = 0; i < width; i++) {
        int entry = customer * width + i;
        switch (inputs[i].kind()) {
          case COUNT -> out.write(i + 1, numbers[entry]);
          case SUM -> {
            if (summed[entry]) {
              out.write(i + 1, Double.longBitsToDouble(numbers[entry]));
            } else {
              out.setNullAt(i + 1);
            }
          }
          case DISTINCT -> out.write(i + 1, distinct(heads[entry]));
          case LIST -> {
            int start = out.cursor();
            int size = collect(heads[entry]);
            list.initialize(size);
            for (int item = 0; item < size; item++) {
              list.write(item, scratch[item]);
            }
            out.setOffsetAndSizeFromPreviousCursor(i + 1, start);
          }
        }
      }
      for (int word = 0; word < previousWords; word++) {
        out.write(1 + width + word, before[customer * previousWords + word]);
      }
      out.write(1 + width + previousWords, tested);
      return out.getRow();
    }

    /** Collects the values of the list starting at {@code head} (-1: none) into {@code scratch}; returns how many. */
    private int collect(int head) {
      int size = 0;
      for (int at = head; at >= 0; at = next[at]) {
        if (size == scratch.length) {
          scratch = Arrays.copyOf(scratch, size * 2);
        }
        scratch[size++] = pool[at];
      }
      return size;
    }

    /** How many different values the list starting at {@code head} holds. */
    private long distinct(int head) {
      int size = collect(head);
      Arrays.sort(scratch, 0, size);
      long distinct = 0;
      for (int i = 0; i < size; i++) {
        if (i == 0 || scratch[i] != scratch[i - 1]) {
          distinct++;
        }
      }
      return distinct;
    }

    private void rehash() {
      slotKeys = new long[slotKeys.length * 2];
      slotCustomers = filled(new int[slotKeys.length], 0);
      int mask = slotKeys.length - 1;
      for (int customer = 0; customer < customers; customer++) {
        int slot = slot(keys[customer], mask);
        while (slotCustomers[slot] >= 0) {
          slot = (slot + 1) & mask;
        }
        slotKeys[slot] = keys[customer];
        slotCustomers[slot] = customer;
      }
    }
  }

  /** The first slot to try for {@code key} in a table of {@code mask + 1} slots. */
  private static int slot(long key, int mask) {
    return Long.hashCode(key * 0x9E3779B97F4A7C15L) & mask;
  }

  /** {@code array} with -1 from {@code from} on. */
  private static int[] filled(int[] array, int from) {
    Arrays.fill(array, from, array.length, -1);
    return array;
  }
}
