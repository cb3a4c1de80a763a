package io.tarmo.segments;

import static io.tarmo.profiles.CustomerEvents.CUSTOMER_KEY;
import static org.apache.spark.sql.functions.array_contains;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.datediff;
import static org.apache.spark.sql.functions.exists;
import static org.apache.spark.sql.functions.get_json_object;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.unix_micros;
import static org.apache.spark.sql.functions.when;

import io.tarmo.lake.Tables;
import io.tarmo.profiles.CustomerEvents;
import io.tarmo.segments.Condition.Behaviour;
import io.tarmo.segments.Condition.Predicate;
import io.tarmo.segments.Condition.Sequence;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongSupplier;
import java.util.stream.Stream;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Every segment definition compiled for one business day into a single evaluation: each
 * behavioural condition becomes one conditional aggregate column ({@code count_if}, a
 * {@code sum}/{@code collect_set} over {@code when}, or for sequences the timestamps of both
 * steps), so all of them come out of one scan and one aggregation per customer of the widest
 * window (Spark's, or {@link CustomerFold} when a condition collects values); identical conditions
 * in several definitions share their column. Each segment is
 * then a boolean expression over those columns and the profile traits, and all of them together
 * one row of membership bits per customer ({@link SegmentBits}).
 */
public final class SegmentPlan {

  private static final long MICROS_PER_DAY = 86_400_000_000L;
  /**
   * Customers per task of the fold of collecting aggregates: few enough that a task's running
   * values stay in the processor's caches (with 250,000 a task, 30 million events took twice as long).
   */
  static final long FOLD_CUSTOMERS = 8192;

  private final LocalDate day;
  private final Timestamp end;
  private final Map<String, FieldType> properties;
  private final Map<String, String> aliases = new LinkedHashMap<>();
  private final List<Aggregate> aggregates = new ArrayList<>();
  private final Map<String, Column> memberships = new LinkedHashMap<>();
  private final Set<String> propertiesUsed = new LinkedHashSet<>();
  private final Set<String> profileFields = new LinkedHashSet<>();
  private LocalDate scanStart;
  private boolean collecting;

  private SegmentPlan(LocalDate day, Map<String, FieldType> properties) {
    this.day = day;
    this.end = Timestamp.from(day.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant());
    this.properties = properties;
  }

  /** Compiles every definition of {@code catalog} for business day {@code day}. */
  public static SegmentPlan compile(SegmentCatalog catalog, LocalDate day) {
    SegmentPlan plan = new SegmentPlan(day, catalog.properties());
    for (SegmentDefinition definition : catalog.segments()) {
      plan.memberships.put(definition.id(), plan.membership(definition.condition()));
    }
    return plan;
  }

  /** The first day of the widest window; empty when no definition looks at events. */
  public Optional<LocalDate> scanStart() {
    return Optional.ofNullable(scanStart);
  }

  /** The conditional aggregate columns, one per distinct behavioural condition. */
  public int aggregateCount() {
    return aggregates.size();
  }

  /**
   * Both days side by side ({@link SegmentBits#compare}): {@code customer_key}, today's words and the
   * previous day's of every customer of {@code profiles} ({@code customer_profiles} rows), of the
   * events of the scan window and of {@code previous} ({@code (customer_key, segment_id)} rows of
   * the previous evaluated day; null when there is none). A customer without events in the window
   * is still tested (and is a member of, say, {@code not { event ... } }); a customer who is only
   * in {@code previous} has no memberships today.
   *
   * <p>The events (they need the {@code events} columns the conditions test, {@code user_id},
   * {@code anonymous_id} and what {@link CustomerEvents#filterKnownBy} reads) are keyed through
   * {@code identityMap} ({@link CustomerEvents#withCustomerKey}) and aggregated per customer: by
   * Spark, joined with the profiles and the previous day's words; or, when an aggregate collects
   * values, folded together with them ({@link CustomerFold}).
   */
  public Dataset<Row> compared(Dataset<Row> events, Dataset<Row> identityMap, Dataset<Row> profiles,
      Dataset<Row> previous) {
    SegmentBits bits = bits();
    List<Column> flags = List.copyOf(memberships.values());
    SparkSession spark = profiles.sparkSession();
    if (collecting) {
      Dataset<Row> folded = fold(withProperties(window(events)), identityMap,
          withDerivedTraits(profiles).select(traitColumns()),
          bits.previousWords(previous != null ? previous
              : spark.createDataFrame(List.of(), Tables.SEGMENT_MEMBERSHIP.schema())),
          profiles::count);
      return bits.compared(folded, flags, col(CustomerFold.TESTED));
    }
    Dataset<Row> behaviour = spark.createDataFrame(List.of(), new StructType().add(CUSTOMER_KEY, DataTypes.LongType));
    if (scanStart != null) {
      Dataset<Row> keyed = CustomerEvents.withCustomerKey(withProperties(window(events)), identityMap);
      Column[] direct = aggregates.stream().map(a -> a.bySpark().as(a.name())).toArray(Column[]::new);
      behaviour = direct.length == 0 ? keyed.select(col(CUSTOMER_KEY)).distinct()
          : keyed.groupBy(col(CUSTOMER_KEY)).agg(direct[0], Arrays.copyOfRange(direct, 1, direct.length));
    }
    Dataset<Row> universe = withDerivedTraits(profiles).join(behaviour, new String[] {CUSTOMER_KEY}, "full_outer");
    return bits.compare(bits.today(universe, flags), previous == null ? null : bits.previous(previous));
  }

  /** {@code customer_key} and the profile traits the definitions test. */
  private Column[] traitColumns() {
    return Stream.concat(Stream.of(CUSTOMER_KEY), profileFields.stream()).map(name -> col(name)).toArray(Column[]::new);
  }

  /** The events of the scan window: those known by the end of the business day, from its first day on. */
  private Dataset<Row> window(Dataset<Row> events) {
    return CustomerEvents.filterKnownBy(events, scanStart, day);
  }

  /** {@code events} with a typed column for each event property a condition reads. */
  private Dataset<Row> withProperties(Dataset<Row> events) {
    Dataset<Row> typed = events;
    for (String name : propertiesUsed) {
      typed = typed.withColumn(propertyColumn(name),
          get_json_object(col("properties"), "$." + name).try_cast(properties.get(name).sparkType()));
    }
    return typed;
  }

  /**
   * The aggregates of {@code events} folded per customer together with {@code traits} (a profile
   * row per customer) and {@code previousWords} ({@link CustomerFold#fold}); about {@code customers}
   * customers are expected (asked only to size the fold's tasks).
   *
   * <p>Collecting aggregates hold objects, which Spark aggregates only by sorting every row. So
   * each event is narrowed to what the aggregates read: the conditions as bits of longs (a boolean
   * takes 8 bytes of a shuffled row too) and each value column once, however many aggregates read
   * it, null where none of them takes the event (fewer bytes to shuffle). Events no aggregate takes
   * are dropped before the identity map's two lookups (a third of the scan's time), which key the
   * narrowed rows; a customer none of whose events any aggregate takes reads as a customer without
   * events. The rows are shuffled by customer into tasks of about FOLD_CUSTOMERS customers.
   */
  private Dataset<Row> fold(Dataset<Row> events, Dataset<Row> identityMap, Dataset<Row> traits,
      Dataset<Row> previousWords, LongSupplier customers) {
    List<Column> values = new ArrayList<>();
    Map<String, Integer> valueIndexes = new LinkedHashMap<>();
    Map<Integer, long[]> readers = new LinkedHashMap<>();
    List<CustomerFold.Input> inputs = new ArrayList<>();
    int wordCount = (aggregates.size() + 62) / 63;
    Column[] words = new Column[wordCount];
    Arrays.fill(words, lit(0L));
    for (int bit = 0; bit < aggregates.size(); bit++) {
      Aggregate aggregate = aggregates.get(bit);
      words[bit / 63] = words[bit / 63].bitwiseOR(when(aggregate.takes(), lit(1L << (bit % 63))).otherwise(lit(0L)));
      int ordinal = -1;
      if (aggregate.kind() != CustomerFold.Kind.COUNT) {
        Column value = aggregate.kind().foldValue(aggregate.value());
        int index = valueIndexes.computeIfAbsent(value.toString(), k -> {
          values.add(value);
          return values.size() - 1;
        });
        readers.computeIfAbsent(index, k -> new long[wordCount])[bit / 63] |= 1L << (bit % 63);
        ordinal = 1 + index;
      }
      inputs.add(new CustomerFold.Input(aggregate.kind(), ordinal));
    }
    List<Column> computed = new ArrayList<>(List.of(col("user_id"), col("anonymous_id")));
    List<Column> narrowed = new ArrayList<>(List.of(col("user_id"), col("anonymous_id")));
    List<Column> keyed = new ArrayList<>(List.of(col(CUSTOMER_KEY)));
    for (int index = 0; index < values.size(); index++) {
      computed.add(values.get(index).as("__v" + index));
      keyed.add(col("__v" + index));
      Column read = lit(false);
      long[] mask = readers.get(index);
      for (int w = 0; w < wordCount; w++) {
        if (mask[w] != 0) {
          read = read.or(col("__w" + w).bitwiseAND(lit(mask[w])).notEqual(lit(0L)));
        }
      }
      narrowed.add(when(read, col("__v" + index)).as("__v" + index));
    }
    int firstWord = narrowed.size();
    for (int w = 0; w < wordCount; w++) {
      computed.add(words[w].as("__w" + w));
      narrowed.add(col("__w" + w));
      keyed.add(col("__w" + w));
    }
    StructType schema = new StructType().add(CUSTOMER_KEY, DataTypes.LongType, false);
    for (Aggregate aggregate : aggregates) {
      schema = schema.add(aggregate.name(), aggregate.kind().type, aggregate.kind() == CustomerFold.Kind.SUM);
    }
    int partitions = (int) Math.max(events.sparkSession().sessionState().conf().numShufflePartitions(),
        Math.min(Integer.MAX_VALUE, (customers.getAsLong() + FOLD_CUSTOMERS - 1) / FOLD_CUSTOMERS));
    Dataset<Row> taken = CustomerFold.taken(
        events.select(computed.toArray(Column[]::new)).select(narrowed.toArray(Column[]::new)), firstWord, wordCount);
    return new CustomerFold(inputs, 1 + values.size()).fold(
        CustomerEvents.withCustomerKey(taken, identityMap).select(keyed.toArray(Column[]::new)), traits, previousWords,
        partitions, schema);
  }

  /**
   * Adds the profile traits relative to the business day (days_since_last_order, ...) to
   * {@code customer_profiles} rows.
   */
  private Dataset<Row> withDerivedTraits(Dataset<Row> profiles) {
    Column today = lit(Date.valueOf(day));
    return profiles
        .withColumn("days_since_last_order", datediff(today, col("last_order_date")).cast("long"))
        .withColumn("days_since_last_seen", datediff(today, to_date(col("last_seen"))).cast("long"))
        .withColumn("days_since_first_seen", datediff(today, to_date(col("first_seen"))).cast("long"))
        .withColumn("known_customer", col("customer_id").isNotNull());
  }

  /** The definitions' memberships as bits, in catalog order. */
  SegmentBits bits() {
    return new SegmentBits(List.copyOf(memberships.keySet()));
  }

  private Column membership(Condition condition) {
    if (condition instanceof Condition.All all) {
      return all.conditions().stream().map(this::membership).reduce(Column::and).orElseThrow();
    } else if (condition instanceof Condition.Any any) {
      return any.conditions().stream().map(this::membership).reduce(Column::or).orElseThrow();
    } else if (condition instanceof Condition.Not negation) {
      return not(membership(negation.condition()));
    } else if (condition instanceof Condition.Profile profile) {
      profile.predicates().forEach(p -> profileFields.add(p.field().name()));
      return profile.predicates().stream().map(p -> predicate(p, col(p.field().name())))
          .reduce(Column::and).orElse(lit(true));
    } else if (condition instanceof Behaviour behaviour) {
      return behaviourFlag(behaviour);
    }
    return sequenceFlag((Sequence) condition);
  }

  private Column behaviourFlag(Behaviour behaviour) {
    LocalDate start = widen(behaviour.window().start(day));
    Column match = matches(behaviour.filter()).and(col("event_date").geq(lit(Date.valueOf(start))));
    String name = switch (behaviour.measure().kind()) {
      case COUNT -> alias(behaviour.toString(), CustomerFold.Kind.COUNT, match, null);
      case SUM -> alias(behaviour.toString(), CustomerFold.Kind.SUM, match, eventField(behaviour.measure().of()));
      case DISTINCT -> alias(behaviour.toString(), CustomerFold.Kind.DISTINCT, match,
          eventField(behaviour.measure().of()));
    };
    collecting |= behaviour.measure().kind() == Condition.Measure.Kind.DISTINCT;
    Column value = coalesce(col(name), lit(0));
    double bound = behaviour.threshold().value();
    return switch (behaviour.threshold().comparison()) {
      case EQ -> value.equalTo(bound);
      case NE -> value.notEqual(bound);
      case GT -> value.gt(bound);
      case GTE -> value.geq(bound);
      case LT -> value.lt(bound);
      case LTE -> value.leq(bound);
      default -> throw new IllegalStateException("not a threshold: " + behaviour.threshold().comparison());
    };
  }

  private Column sequenceFlag(Sequence sequence) {
    LocalDate start = widen(sequence.window().start(day));
    Column inWindow = col("event_date").geq(lit(Date.valueOf(start)));
    Timestamp latestFirstStep = Timestamp.from(end.toInstant().minusSeconds(86_400L * sequence.followUpDays()));
    collecting = true;
    String key = sequence.toString();
    Column did = col(alias(key + "#did", CustomerFold.Kind.LIST,
        matches(sequence.did()).and(inWindow).and(col("ts").leq(lit(latestFirstStep))), unix_micros(col("ts"))));
    Column then = col(alias(key + "#then", CustomerFold.Kind.LIST, matches(sequence.thenDidNot()).and(inWindow),
        unix_micros(col("ts"))));
    long span = sequence.followUpDays() * MICROS_PER_DAY;
    Column flag = exists(did, x -> not(exists(then, y -> y.geq(x).and(y.leq(x.plus(span))))));
    return coalesce(flag, lit(false));
  }

  private LocalDate widen(LocalDate start) {
    if (scanStart == null || start.isBefore(scanStart)) {
      scanStart = start;
    }
    return start;
  }

  /**
   * The column name of the aggregate {@code kind} of {@code value} over the events that satisfy
   * {@code condition} (no value for a count), for condition {@code key}; shared by equal keys.
   */
  private String alias(String key, CustomerFold.Kind kind, Column condition, Column value) {
    return aliases.computeIfAbsent(key, k -> {
      String name = "__c" + aliases.size();
      aggregates.add(new Aggregate(name, kind, condition, value));
      return name;
    });
  }

  /** One aggregate column: what {@code kind} computes over {@code value} of the events that satisfy {@code condition}. */
  private record Aggregate(String name, CustomerFold.Kind kind, Column condition, Column value) {
    Column bySpark() {
      return kind.bySpark(condition, value);
    }

    /**
     * Whether the aggregate takes the event: its condition holds and, unless it counts, the value is
     * there (a sum, a distinct count and a list skip nulls, as Spark's functions do).
     */
    Column takes() {
      return kind == CustomerFold.Kind.COUNT ? condition : condition.and(value.cast(kind.valueType).isNotNull());
    }
  }

  private Column matches(List<Predicate> filter) {
    return filter.stream().map(p -> predicate(p, eventField(p.field()))).reduce(Column::and).orElse(lit(true));
  }

  private Column eventField(Field field) {
    if (field.property()) {
      propertiesUsed.add(field.name());
      return col(propertyColumn(field.name()));
    }
    return col(field.name());
  }

  private static String propertyColumn(String name) {
    return "__p_" + name;
  }

  /** The predicate over {@code value}; null (a missing value) satisfies nothing but {@code exists = false}. */
  static Column predicate(Predicate predicate, Column value) {
    List<Object> values = predicate.values().stream().map(SegmentPlan::literal).toList();
    Column test = switch (predicate.comparison()) {
      case EXISTS -> Boolean.TRUE.equals(values.get(0)) ? value.isNotNull() : value.isNull();
      case EQ -> value.equalTo(values.get(0));
      case NE -> value.notEqual(values.get(0));
      case GT -> value.gt(values.get(0));
      case GTE -> value.geq(values.get(0));
      case LT -> value.lt(values.get(0));
      case LTE -> value.leq(values.get(0));
      case IN -> value.isin(values.toArray());
      case NOT_IN -> not(value.isin(values.toArray()));
      case CONTAINS -> predicate.field().type() == FieldType.STRING_ARRAY
          ? array_contains(value, values.get(0)) : value.contains(values.get(0));
    };
    return coalesce(test, lit(false));
  }

  private static Object literal(Object value) {
    return value instanceof LocalDate date ? Date.valueOf(date) : value;
  }
}
