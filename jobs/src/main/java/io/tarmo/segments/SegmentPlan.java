package io.tarmo.segments;

import static io.tarmo.profiles.CustomerEvents.CUSTOMER_KEY;
import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.array_compact;
import static org.apache.spark.sql.functions.array_contains;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_set;
import static org.apache.spark.sql.functions.count_if;
import static org.apache.spark.sql.functions.datediff;
import static org.apache.spark.sql.functions.exists;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.get_json_object;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.unix_micros;
import static org.apache.spark.sql.functions.when;

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
import java.util.function.UnaryOperator;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;

/**
 * Every segment definition compiled for one business day into a single evaluation: each
 * behavioural condition becomes one conditional aggregate column ({@code count_if}, a
 * {@code sum}/{@code collect_set} over {@code when}, or for sequences the timestamps of both
 * steps), so all of them come out of one scan and one {@code groupBy(customer_key)} of the
 * widest window; identical conditions in several definitions share their column. Each segment is
 * then a boolean expression over those columns and the profile traits, and the members of all
 * segments are exploded from one projection.
 */
public final class SegmentPlan {

  private static final long MICROS_PER_DAY = 86_400_000_000L;

  private final LocalDate day;
  private final Timestamp end;
  private final Map<String, FieldType> properties;
  private final Map<String, String> aliases = new LinkedHashMap<>();
  private final List<Aggregate> aggregates = new ArrayList<>();
  private final Map<String, Column> memberships = new LinkedHashMap<>();
  private final Set<String> propertiesUsed = new LinkedHashSet<>();
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
   * One row per customer_key with every aggregate column, from keyed events of the scan window
   * (needs the {@code events} columns the conditions test and {@code customer_key}).
   */
  public Dataset<Row> behaviour(Dataset<Row> keyedEvents) {
    Dataset<Row> events = keyedEvents;
    for (String name : propertiesUsed) {
      events = events.withColumn(propertyColumn(name),
          get_json_object(col("properties"), "$." + name).try_cast(properties.get(name).sparkType()));
    }
    if (aggregates.isEmpty()) {
      return events.select(col(CUSTOMER_KEY)).distinct();
    }
    if (!collecting) {
      Column[] direct = aggregates.stream().map(a -> a.over(a.input()).as(a.name())).toArray(Column[]::new);
      return events.groupBy(col(CUSTOMER_KEY)).agg(direct[0], Arrays.copyOfRange(direct, 1, direct.length));
    }
    // Collecting aggregates hold objects, so Spark's object hash aggregation would fall back to
    // sorting every row of every task (twice: before and after the shuffle). Instead each event
    // is narrowed to the inputs of the aggregates (the conditions of the counts packed as bits of
    // a long: a boolean takes 8 bytes of a shuffled row too), shuffled and sorted by customer
    // once, and aggregated by a streaming sort aggregation
    // (spark.sql.execution.replaceHashWithSortAgg).
    List<Column> inputs = new ArrayList<>();
    inputs.add(col(CUSTOMER_KEY));
    Map<Integer, Column> packed = new LinkedHashMap<>();
    List<Column> folded = new ArrayList<>();
    int bits = 0;
    for (Aggregate aggregate : aggregates) {
      if (aggregate.counted()) {
        String word = "__bits" + bits / 63;
        Column bit = lit(1L << (bits % 63));
        packed.merge(bits / 63, when(aggregate.input(), bit).otherwise(lit(0L)), Column::bitwiseOR);
        folded.add(count_if(col(word).bitwiseAND(bit).notEqual(lit(0L))).as(aggregate.name()));
        bits++;
      } else {
        inputs.add(aggregate.input().as(aggregate.name()));
        folded.add(aggregate.over(col(aggregate.name())).as(aggregate.name()));
      }
    }
    packed.forEach((word, bitsOfWord) -> inputs.add(bitsOfWord.as("__bits" + word)));
    return events.select(inputs.toArray(Column[]::new))
        .repartition(col(CUSTOMER_KEY)).sortWithinPartitions(col(CUSTOMER_KEY))
        .groupBy(col(CUSTOMER_KEY)).agg(folded.get(0), folded.subList(1, folded.size()).toArray(Column[]::new));
  }

  /**
   * Adds the profile traits relative to the business day (days_since_last_order, ...) to
   * {@code customer_profiles} rows.
   */
  public Dataset<Row> withDerivedTraits(Dataset<Row> profiles) {
    Column today = lit(Date.valueOf(day));
    return profiles
        .withColumn("days_since_last_order", datediff(today, col("last_order_date")).cast("long"))
        .withColumn("days_since_last_seen", datediff(today, to_date(col("last_seen"))).cast("long"))
        .withColumn("days_since_first_seen", datediff(today, to_date(col("first_seen"))).cast("long"))
        .withColumn("known_customer", col("customer_id").isNotNull());
  }

  /**
   * {@code (customer_key, segment_id)} of every member of every segment: every customer of the
   * profiles and of the behaviour is evaluated, so a customer without events in the window is
   * still tested (and is a member of, say, {@code not { event ... } }).
   */
  public Dataset<Row> members(Dataset<Row> profilesWithTraits, Dataset<Row> behaviour) {
    Dataset<Row> universe = profilesWithTraits.join(behaviour, new String[] {CUSTOMER_KEY}, "full_outer");
    Column[] flags = memberships.entrySet().stream()
        .map(entry -> when(entry.getValue(), lit(entry.getKey())))
        .toArray(Column[]::new);
    return universe
        .select(col(CUSTOMER_KEY), explode(array_compact(array(flags))).as("segment_id"))
        .select(col(CUSTOMER_KEY), col("segment_id"));
  }

  private Column membership(Condition condition) {
    if (condition instanceof Condition.All all) {
      return all.conditions().stream().map(this::membership).reduce(Column::and).orElseThrow();
    } else if (condition instanceof Condition.Any any) {
      return any.conditions().stream().map(this::membership).reduce(Column::or).orElseThrow();
    } else if (condition instanceof Condition.Not negation) {
      return not(membership(negation.condition()));
    } else if (condition instanceof Condition.Profile profile) {
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
      case COUNT -> alias(behaviour.toString(), match, null);
      case SUM -> alias(behaviour.toString(), when(match, eventField(behaviour.measure().of())),
          in -> sum(in).cast("double"));
      case DISTINCT -> alias(behaviour.toString(), when(match, eventField(behaviour.measure().of())),
          in -> size(collect_set(in)).cast("long"));
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
    Column did = col(alias(key + "#did",
        when(matches(sequence.did()).and(inWindow).and(col("ts").leq(lit(latestFirstStep))), unix_micros(col("ts"))),
        functions::collect_list));
    Column then = col(alias(key + "#then",
        when(matches(sequence.thenDidNot()).and(inWindow), unix_micros(col("ts"))), functions::collect_list));
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

  /** The column name of the aggregate {@code function(input)} for condition {@code key}, shared by equal keys. */
  private String alias(String key, Column input, UnaryOperator<Column> function) {
    return aliases.computeIfAbsent(key, k -> {
      String name = "__c" + aliases.size();
      aggregates.add(new Aggregate(name, input, function));
      return name;
    });
  }

  /** One aggregate column: {@code function} over the per-event {@code input}. */
  private record Aggregate(String name, Column input, UnaryOperator<Column> function) {
    /** A count of the events where the boolean {@code input} holds. */
    boolean counted() {
      return function == null;
    }

    Column over(Column in) {
      return counted() ? count_if(in) : function.apply(in);
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
