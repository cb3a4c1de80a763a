package io.tarmo.identity;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.row_number;

import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Persistent customer keys for freshly resolved components. A key is a number from a sequence
 * (never derived from personal data): keys are allocated in increasing order, so the lowest key
 * is the oldest.
 *
 * <p>Each previous key goes to the one new component that holds its anchor: its
 * highest-priority identifier (its customer_id when it has one), then its earliest seen, then
 * the most of its identifiers. A component that receives several keys keeps the oldest; the
 * others stop existing and are returned as merges. A component that receives none gets a new key.
 * So a component that grows keeps its key, merged components keep the oldest, and of a split
 * component the piece with the anchor keeps the key.
 */
public final class CustomerKeys {

  public static final String PREVIOUS_KEY = "previous_key";
  public static final String CUSTOMER_KEY = "customer_key";
  public static final String OLD_KEY = "old_key";
  public static final String NEW_KEY = "new_key";

  /** {@code keys}: component → customer_key; {@code merges}: old_key → new_key. */
  public record Keys(Dataset<Row> keys, Dataset<Row> merges) {}

  private CustomerKeys() {}

  /**
   * Keys for the components of {@code assignments} (needs {@code node, component, rank,
   * first_seen, previous_key}); new keys are numbered from {@code nextKey} in component order.
   */
  public static Keys assign(Dataset<Row> assignments, long nextKey) {
    Dataset<Row> choices = assignments.where(col(PREVIOUS_KEY).isNotNull())
        .groupBy(col(PREVIOUS_KEY), col(IdentityGraph.COMPONENT))
        .agg(min(col(IdentityGraph.RANK)).as("best_rank"), min(col(IdentityGraph.FIRST_SEEN)).as("earliest"),
            count(lit(1)).as("n"))
        .withColumn("r", row_number().over(Window.partitionBy(col(PREVIOUS_KEY))
            .orderBy(col("best_rank").asc(), col("earliest").asc(), col("n").desc(),
                col(IdentityGraph.COMPONENT).asc())))
        .where(col("r").equalTo(1))
        .select(col(PREVIOUS_KEY), col(IdentityGraph.COMPONENT));
    Dataset<Row> kept = choices.groupBy(col(IdentityGraph.COMPONENT)).agg(min(col(PREVIOUS_KEY)).as(CUSTOMER_KEY));
    Dataset<Row> merges = choices.join(kept, IdentityGraph.COMPONENT)
        .where(col(PREVIOUS_KEY).notEqual(col(CUSTOMER_KEY)))
        .select(col(PREVIOUS_KEY).as(OLD_KEY), col(CUSTOMER_KEY).as(NEW_KEY));
    Dataset<Row> fresh = assignments.select(col(IdentityGraph.COMPONENT)).distinct()
        .join(kept, IdentityGraph.COMPONENT, "left_anti")
        .withColumn(CUSTOMER_KEY, row_number().over(Window.orderBy(col(IdentityGraph.COMPONENT)))
            .cast("long").plus(nextKey - 1));
    return new Keys(kept.unionByName(fresh), merges);
  }

  /**
   * The same keys as {@link #assign}, computed on the driver from the collected rows of
   * {@code assignments}: for a night whose region the driver resolved ({@code
   * tarmo.identity.driver-links}), where Spark would spend some fifteen jobs on a few thousand rows.
   */
  public static Keys assignOnDriver(Dataset<Row> assignments, long nextKey) {
    List<Row> rows = assignments.select(col(IdentityGraph.COMPONENT), col(PREVIOUS_KEY), col(IdentityGraph.RANK),
        col(IdentityGraph.FIRST_SEEN)).collectAsList();
    SortedSet<Long> components = new TreeSet<>();
    Map<Long, Map<Long, Choice>> choicesByKey = new HashMap<>();
    for (Row row : rows) {
      long component = row.getLong(0);
      components.add(component);
      if (!row.isNullAt(1)) {
        choicesByKey.computeIfAbsent(row.getLong(1), key -> new HashMap<>())
            .computeIfAbsent(component, Choice::new)
            .add(row.isNullAt(2) ? null : row.getInt(2), row.isNullAt(3) ? null : row.getTimestamp(3));
      }
    }
    Map<Long, Long> chosen = new TreeMap<>();
    Map<Long, Long> kept = new TreeMap<>();
    choicesByKey.forEach((previousKey, choices) -> {
      long component = choices.values().stream().min(Choice.ORDER).orElseThrow().component;
      chosen.put(previousKey, component);
      kept.merge(component, previousKey, Math::min);
    });
    List<Row> keys = new ArrayList<>();
    kept.forEach((component, key) -> keys.add(RowFactory.create(component, key)));
    long next = nextKey;
    for (long component : components) {
      if (!kept.containsKey(component)) {
        keys.add(RowFactory.create(component, next++));
      }
    }
    List<Row> merges = new ArrayList<>();
    chosen.forEach((previousKey, component) -> {
      long survivor = kept.get(component);
      if (previousKey != survivor) {
        merges.add(RowFactory.create(previousKey, survivor));
      }
    });
    SparkSession spark = assignments.sparkSession();
    return new Keys(spark.createDataFrame(keys, KEYS_SCHEMA), spark.createDataFrame(merges, MERGES_SCHEMA));
  }

  private static final StructType KEYS_SCHEMA = new StructType()
      .add(IdentityGraph.COMPONENT, DataTypes.LongType, false)
      .add(CUSTOMER_KEY, DataTypes.LongType, false);

  private static final StructType MERGES_SCHEMA = new StructType()
      .add(OLD_KEY, DataTypes.LongType, false)
      .add(NEW_KEY, DataTypes.LongType, false);

  /**
   * A previous key's claim on one component, ordered as {@link #assign}'s window orders them:
   * best rank, then earliest seen (each lowest first, a missing value before any), then the most
   * identifiers, then the lowest component.
   */
  private static final class Choice {
    static final Comparator<Choice> ORDER = Comparator
        .comparing((Choice choice) -> choice.bestRank, Comparator.nullsFirst(Comparator.<Integer>naturalOrder()))
        .thenComparing(choice -> choice.earliest, Comparator.nullsFirst(Comparator.<Timestamp>naturalOrder()))
        .thenComparing(choice -> choice.identifiers, Comparator.reverseOrder())
        .thenComparing(choice -> choice.component);

    final long component;
    Integer bestRank;
    Timestamp earliest;
    long identifiers;

    Choice(long component) {
      this.component = component;
    }

    void add(Integer rank, Timestamp firstSeen) {
      if (rank != null && (bestRank == null || rank < bestRank)) {
        bestRank = rank;
      }
      if (firstSeen != null && (earliest == null || firstSeen.before(earliest))) {
        earliest = firstSeen;
      }
      identifiers++;
    }
  }
}
