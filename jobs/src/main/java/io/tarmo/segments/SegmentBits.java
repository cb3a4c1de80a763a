package io.tarmo.segments;

import static io.tarmo.profiles.CustomerEvents.CUSTOMER_KEY;
import static org.apache.spark.sql.functions.bit_or;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count_if;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.when;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.rdd.RDD;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.InternalRow;
import org.apache.spark.sql.catalyst.expressions.GenericInternalRow;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.unsafe.types.UTF8String;

/**
 * A customer's memberships as bits: bit {@code i % 64} of word {@code i / 64} stands for the
 * catalog's {@code i}-th definition. One row per customer holds the words of the day evaluated
 * ({@code __now0..}) and of the previous evaluated day ({@code __before0..}), so the members,
 * the entries and exits and the sizes all come from the same million rows, and the two nights are
 * compared customer by customer rather than membership by membership (a night of 20 definitions
 * holds millions of memberships but only as many rows here as customers in some segment).
 */
final class SegmentBits {

  private final List<String> ids;
  private final int words;

  SegmentBits(List<String> ids) {
    this.ids = List.copyOf(ids);
    this.words = (ids.size() + 63) / 64;
  }

  /** {@code customer_key} and the words of {@code flags} (one boolean per definition, in catalog order). */
  Dataset<Row> today(Dataset<Row> customers, List<Column> flags) {
    List<Column> columns = new ArrayList<>();
    columns.add(col(CUSTOMER_KEY));
    for (int w = 0; w < words; w++) {
      columns.add(word(w, flags).as(now(w)));
    }
    return customers.select(columns.toArray(Column[]::new));
  }

  /**
   * Both days side by side, as {@link #compare} gives them, from rows that hold every column
   * {@code flags} read, the previous day's words ({@link #previousWords}' columns) and whether the
   * customer is {@code tested} today: today's words are zeros for a customer who is not.
   */
  Dataset<Row> compared(Dataset<Row> customers, List<Column> flags, Column tested) {
    List<Column> columns = new ArrayList<>();
    columns.add(col(CUSTOMER_KEY));
    for (int w = 0; w < words; w++) {
      columns.add(when(tested, word(w, flags)).otherwise(lit(0L)).as(now(w)));
      columns.add(col(before(w)));
    }
    return customers.select(columns.toArray(Column[]::new));
  }

  /** Word {@code w} of {@code flags}. */
  private Column word(int w, List<Column> flags) {
    Column word = lit(0L);
    for (int i = w * 64; i < Math.min(ids.size(), (w + 1) * 64); i++) {
      word = word.bitwiseOR(when(flags.get(i), lit(1L << (i & 63))).otherwise(lit(0L)));
    }
    return word;
  }

  /**
   * {@code customer_key} and the words of a previous day's {@code (segment_id, customer_key)} rows,
   * one row per customer; rows of segments no longer in the catalog are left out.
   */
  Dataset<Row> previous(Dataset<Row> rows) {
    List<Column> aggregates = new ArrayList<>();
    for (int w = 0; w < words; w++) {
      aggregates.add(bit_or(col(before(w))).as(before(w)));
    }
    return previousWords(rows).groupBy(col(CUSTOMER_KEY))
        .agg(aggregates.get(0), aggregates.subList(1, aggregates.size()).toArray(Column[]::new));
  }

  /**
   * {@code customer_key} and the words ({@code __before0..}) of a previous day's
   * {@code (segment_id, customer_key)} rows, each run of rows of the same customer made one row:
   * a customer's rows are written together, so a customer has about one row, and OR-ing a
   * customer's rows gives its words. Rows of segments no longer in the catalog are left out.
   */
  Dataset<Row> previousWords(Dataset<Row> rows) {
    StructType schema = new StructType().add(CUSTOMER_KEY, DataTypes.LongType, false);
    for (int w = 0; w < words; w++) {
      schema = schema.add(before(w), DataTypes.LongType, false);
    }
    List<String> segments = ids;
    int wordCount = words;
    RDD<InternalRow> runs = rows.filter(col("segment_id").isin(ids.toArray())).select(col(CUSTOMER_KEY),
            col("segment_id")).queryExecution().toRdd().toJavaRDD()
        .mapPartitions((FlatMapFunction<Iterator<InternalRow>, InternalRow>) memberships ->
            new CustomerRuns(memberships, segments, wordCount)).rdd();
    return ((org.apache.spark.sql.classic.SparkSession) rows.sparkSession()).internalCreateDataFrame(runs, schema,
        false);
  }

  /**
   * {@code (customer_key, segment_id)} rows of the catalog's segments as one row of words per run of
   * rows of the same customer.
   */
  private static final class CustomerRuns implements Iterator<InternalRow> {
    private final Iterator<InternalRow> memberships;
    private final Map<UTF8String, Integer> bits = new HashMap<>();
    private final int words;
    /** The first row of the next run, read already: its customer and bit, or {@code hasPending} false. */
    private boolean hasPending;
    private long pendingKey;
    private int pendingBit;

    CustomerRuns(Iterator<InternalRow> memberships, List<String> segments, int words) {
      this.memberships = memberships;
      this.words = words;
      for (int i = 0; i < segments.size(); i++) {
        bits.put(UTF8String.fromString(segments.get(i)), i);
      }
    }

    @Override
    public boolean hasNext() {
      return hasPending || memberships.hasNext();
    }

    @Override
    public InternalRow next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      if (!hasPending) {
        read(memberships.next());
      }
      long key = pendingKey;
      long[] found = new long[words];
      found[pendingBit / 64] |= 1L << (pendingBit & 63);
      hasPending = false;
      while (memberships.hasNext()) {
        read(memberships.next());
        if (pendingKey != key) {
          break;
        }
        found[pendingBit / 64] |= 1L << (pendingBit & 63);
        hasPending = false;
      }
      Object[] row = new Object[1 + words];
      row[0] = key;
      for (int w = 0; w < words; w++) {
        row[1 + w] = found[w];
      }
      return new GenericInternalRow(row);
    }

    /** Takes {@code membership}'s customer and bit as the pending ones (the scan reuses its row objects). */
    private void read(InternalRow membership) {
      hasPending = true;
      pendingKey = membership.getLong(0);
      pendingBit = bits.get(membership.getUTF8String(1));
    }
  }

  /**
   * Both days side by side, one row per customer tested today or a member on the previous day;
   * {@code previous} null (no earlier day) reads as no memberships. (No filter on the words here:
   * Spark would push it through the projection and propagate it as a constraint, copying every
   * definition's expression into it; a row of zeros costs less.)
   */
  Dataset<Row> compare(Dataset<Row> today, Dataset<Row> previous) {
    Dataset<Row> both = previous == null ? today : today.join(previous, new String[] {CUSTOMER_KEY}, "full_outer");
    List<Column> columns = new ArrayList<>();
    columns.add(col(CUSTOMER_KEY));
    for (int w = 0; w < words; w++) {
      columns.add(coalesce(col(now(w)), lit(0L)).as(now(w)));
      columns.add((previous == null ? lit(0L) : coalesce(col(before(w)), lit(0L))).as(before(w)));
    }
    return both.select(columns.toArray(Column[]::new));
  }

  /** {@code (customer_key, segment_id)} of every membership of the day evaluated. */
  Dataset<Row> members(Dataset<Row> compared) {
    return setBits(compared, false);
  }

  /** {@code (customer_key, segment_id, change)}: {@code entered} or {@code exited} against the previous day. */
  Dataset<Row> changes(Dataset<Row> compared) {
    return setBits(compared, true);
  }

  /**
   * One row per set bit of each customer's words: the members, or with {@code changes} the
   * entries and exits (and a {@code change} column), found by walking the set bits of each word in Java. Spark's
   * {@code explode} of an array with an element per definition would make a row for every
   * definition and customer (40 million rows for the entries and exits of 20 definitions and a
   * million customers) only to filter away almost all of them.
   */
  private Dataset<Row> setBits(Dataset<Row> compared, boolean changes) {
    StructType schema = new StructType()
        .add(CUSTOMER_KEY, DataTypes.LongType, false)
        .add("segment_id", DataTypes.StringType, false);
    if (changes) {
      schema = schema.add("change", DataTypes.StringType, false);
    }
    UTF8String[] segments = ids.stream().map(UTF8String::fromString).toArray(UTF8String[]::new);
    UTF8String entered = UTF8String.fromString("entered");
    UTF8String exited = UTF8String.fromString("exited");
    int wordCount = words;
    RDD<InternalRow> rows = compared.select(wordColumns()).queryExecution().toRdd().toJavaRDD()
        .flatMap((FlatMapFunction<InternalRow, InternalRow>) customer -> {
          List<InternalRow> out = new ArrayList<>();
          long key = customer.getLong(0);
          for (int w = 0; w < wordCount; w++) {
            long now = customer.getLong(1 + 2 * w);
            long before = customer.getLong(2 + 2 * w);
            if (changes) {
              addSetBits(out, key, w, now & ~before, segments, entered);
              addSetBits(out, key, w, before & ~now, segments, exited);
            } else {
              addSetBits(out, key, w, now, segments, null);
            }
          }
          return out.iterator();
        }).rdd();
    return ((org.apache.spark.sql.classic.SparkSession) compared.sparkSession()).internalCreateDataFrame(rows, schema,
        false);
  }

  /** A row for each set bit of word {@code word}: the customer, the bit's segment and, unless null, {@code change}. */
  private static void addSetBits(List<InternalRow> out, long key, int word, long bits, UTF8String[] segments,
      UTF8String change) {
    for (long left = bits; left != 0; left &= left - 1) {
      UTF8String segment = segments[word * 64 + Long.numberOfTrailingZeros(left)];
      out.add(new GenericInternalRow(change == null ? new Object[] {key, segment} : new Object[] {key, segment, change}));
    }
  }

  /** {@code customer_key}, then each word of today and of the previous day, in word order. */
  private Column[] wordColumns() {
    List<Column> columns = new ArrayList<>();
    columns.add(col(CUSTOMER_KEY));
    for (int w = 0; w < words; w++) {
      columns.add(col(now(w)));
      columns.add(col(before(w)));
    }
    return columns.toArray(Column[]::new);
  }

  /** Members, entries and exits of each definition, in catalog order: one aggregation over {@code compared}. */
  List<SegmentsResult.Size> sizes(Dataset<Row> compared) {
    List<Column> counts = new ArrayList<>();
    for (int i = 0; i < ids.size(); i++) {
      counts.add(count_if(member(i)));
      counts.add(count_if(entered(i)));
      counts.add(count_if(exited(i)));
    }
    List<SegmentsResult.Size> sizes = new ArrayList<>();
    if (ids.isEmpty()) {
      return sizes;
    }
    Row row = compared.agg(counts.get(0), counts.subList(1, counts.size()).toArray(Column[]::new)).head();
    for (int i = 0; i < ids.size(); i++) {
      sizes.add(new SegmentsResult.Size(ids.get(i), row.getLong(3 * i), row.getLong(3 * i + 1), row.getLong(3 * i + 2)));
    }
    return sizes;
  }

  private static Column entered(int i) {
    return member(i).and(not(wasMember(i)));
  }

  private static Column exited(int i) {
    return wasMember(i).and(not(member(i)));
  }

  /** Whether the customer is a member of the {@code i}-th definition on the day evaluated. */
  private static Column member(int i) {
    return isSet(now(i / 64), i);
  }

  /** Whether the customer was a member of the {@code i}-th definition on the previous day. */
  private static Column wasMember(int i) {
    return isSet(before(i / 64), i);
  }

  private static Column isSet(String word, int i) {
    return col(word).bitwiseAND(lit(1L << (i & 63))).notEqual(0L);
  }

  private static String now(int word) {
    return "__now" + word;
  }

  private static String before(int word) {
    return "__before" + word;
  }
}
