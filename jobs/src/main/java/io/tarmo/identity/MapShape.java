package io.tarmo.identity;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.count_if;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.sum;

import io.tarmo.subject.IdentifierType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.LongBinaryOperator;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The shape of {@code identity_map} that {@code identity_stats} records: identifiers by type,
 * customer_keys (components) by their exact number of identifiers, the components that hold a
 * customer_id, and the identifiers added on the business day.
 *
 * <p>Shapes add and subtract: an incremental night re-keys whole components only (every
 * identifier of a raw cluster it touches), so the map's shape after it is the shape after the
 * previous run, minus the shape of the region's components before, plus their shape after. That
 * costs two aggregations of the region instead of one of the whole map.
 *
 * @param identifiers identifier type to identifiers of that type (types with none left out)
 * @param sizes component size to the number of components of that size (sizes with none left out)
 * @param customers components with at least one customer_id
 * @param added identifiers added on the business day
 */
record MapShape(SortedMap<String, Long> identifiers, SortedMap<Long, Long> sizes, long customers, long added) {

  /** Size buckets of components in {@code identity_stats}: label and largest size in it (the last one is open). */
  private static final List<Map.Entry<String, Long>> SIZE_BUCKETS = List.of(Map.entry("1", 1L), Map.entry("2-5", 5L),
      Map.entry("6-20", 20L), Map.entry("21-100", 100L), Map.entry("101-1000", 1000L),
      Map.entry("1001+", Long.MAX_VALUE));

  private static final List<String> TYPES =
      Arrays.stream(IdentifierType.values()).map(IdentifierType::key).sorted().toList();
  private static final String CUSTOMER_TYPE = IdentifierType.CUSTOMER_ID.key();

  MapShape {
    identifiers = Collections.unmodifiableSortedMap(new TreeMap<>(identifiers));
    sizes = Collections.unmodifiableSortedMap(new TreeMap<>(sizes));
  }

  /**
   * The shape of {@code rows} (one per identifier, with {@code identifier_type}) grouped into
   * components by {@code component}; {@code addedToday} tells the identifiers added on the day.
   * One aggregation per component, then one per size, of which only the sizes come back.
   */
  static MapShape of(Dataset<Row> rows, Column component, Column addedToday) {
    List<Column> perComponent = new ArrayList<>();
    perComponent.add(count_if(addedToday).as("added"));
    for (String type : TYPES) {
      perComponent.add(count_if(col(IdentityGraph.TYPE).equalTo(type)).as("n_" + type));
    }
    Dataset<Row> components = rows.groupBy(component.as("__component"))
        .agg(count(lit(1)).as("size"), perComponent.toArray(Column[]::new));
    List<Column> perSize = new ArrayList<>();
    perSize.add(count_if(col("n_" + CUSTOMER_TYPE).gt(0)).as("customers"));
    perSize.add(sum(col("added")).as("added"));
    for (String type : TYPES) {
      perSize.add(sum(col("n_" + type)).as("n_" + type));
    }
    SortedMap<String, Long> identifiers = new TreeMap<>();
    SortedMap<Long, Long> sizes = new TreeMap<>();
    long customers = 0;
    long added = 0;
    for (Row row : components.groupBy(col("size")).agg(count(lit(1)).as("components"), perSize.toArray(Column[]::new))
        .collectAsList()) {
      sizes.put(row.<Long>getAs("size"), row.<Long>getAs("components"));
      customers += row.<Long>getAs("customers");
      added += row.<Long>getAs("added");
      for (String type : TYPES) {
        identifiers.merge(type, row.<Long>getAs("n_" + type), Long::sum);
      }
    }
    return new MapShape(identifiers, sizes, customers, added).withoutZeros();
  }

  /** One identifier of a map held on the driver: its type, its component and whether it was added on the day. */
  record Member(String type, long component, boolean added) {}

  /** The shape of {@code members}, computed on the driver: what {@link #of(Dataset, Column, Column)} gives. */
  static MapShape of(Iterable<Member> members) {
    Map<Long, Long> sizeOf = new HashMap<>();
    Set<Long> withCustomer = new HashSet<>();
    SortedMap<String, Long> identifiers = new TreeMap<>();
    long added = 0;
    for (Member member : members) {
      sizeOf.merge(member.component(), 1L, Long::sum);
      if (TYPES.contains(member.type())) {
        identifiers.merge(member.type(), 1L, Long::sum);
      }
      if (CUSTOMER_TYPE.equals(member.type())) {
        withCustomer.add(member.component());
      }
      added += member.added() ? 1 : 0;
    }
    SortedMap<Long, Long> sizes = new TreeMap<>();
    sizeOf.values().forEach(size -> sizes.merge(size, 1L, Long::sum));
    return new MapShape(identifiers, sizes, withCustomer.size(), added).withoutZeros();
  }

  /**
   * The shape that {@code identity_stats} rows of a day record ({@code metric.label} or
   * {@code metric} to value, as {@link #into} writes them); empty when they do not hold one (rows
   * written before exact sizes were kept, or sizes that do not add up to the components).
   */
  static Optional<MapShape> fromStatistics(Map<String, Long> statistics) {
    SortedMap<String, Long> identifiers = new TreeMap<>();
    SortedMap<Long, Long> sizes = new TreeMap<>();
    for (Map.Entry<String, Long> entry : statistics.entrySet()) {
      if (entry.getKey().startsWith("identifiers.")) {
        identifiers.put(entry.getKey().substring("identifiers.".length()), entry.getValue());
      } else if (entry.getKey().startsWith("component_sizes.")) {
        sizes.put(Long.parseLong(entry.getKey().substring("component_sizes.".length())), entry.getValue());
      }
    }
    Long components = statistics.get("components");
    if (components == null || sizes.values().stream().mapToLong(Long::longValue).sum() != components) {
      return Optional.empty();
    }
    return Optional.of(new MapShape(identifiers, sizes, statistics.getOrDefault("customers", 0L),
        statistics.getOrDefault("new_identifiers", 0L)));
  }

  MapShape plus(MapShape other) {
    return combine(other, Long::sum);
  }

  MapShape minus(MapShape other) {
    return combine(other, (a, b) -> a - b);
  }

  /** The same shape with {@code added} identifiers added on the day. */
  MapShape withAdded(long added) {
    return new MapShape(identifiers, sizes, customers, added);
  }

  /** Whether no count is negative (a difference from a base that did not describe the map is not). */
  boolean isPossible() {
    return customers >= 0 && added >= 0 && identifiers.values().stream().allMatch(n -> n >= 0)
        && sizes.values().stream().allMatch(n -> n >= 0);
  }

  long components() {
    return sizes.values().stream().mapToLong(Long::longValue).sum();
  }

  long largest() {
    return sizes.isEmpty() ? 0L : sizes.lastKey();
  }

  /**
   * Into {@code counts} as {@code identity.<metric>[.<label>]}: identifiers (per type and in all),
   * new_identifiers, components, customers, largest_component, component_size per bucket and
   * component_sizes per exact size. Types, buckets and sizes without any are left out.
   */
  void into(Map<String, Long> counts) {
    identifiers.forEach((type, n) -> counts.put("identity.identifiers." + type, n));
    counts.put("identity.identifiers", identifiers.values().stream().mapToLong(Long::longValue).sum());
    counts.put("identity.new_identifiers", added);
    counts.put("identity.components", components());
    counts.put("identity.customers", customers);
    counts.put("identity.largest_component", largest());
    long below = 0;
    for (Map.Entry<String, Long> bucket : SIZE_BUCKETS) {
      long upper = bucket.getValue();
      long lower = below;
      long n = sizes.entrySet().stream().filter(e -> e.getKey() > lower && e.getKey() <= upper)
          .mapToLong(Map.Entry::getValue).sum();
      if (n > 0) {
        counts.put("identity.component_size." + bucket.getKey(), n);
      }
      below = upper;
    }
    sizes.forEach((size, n) -> counts.put("identity.component_sizes." + size, n));
  }

  private MapShape combine(MapShape other, LongBinaryOperator op) {
    SortedMap<String, Long> types = new TreeMap<>(identifiers);
    other.identifiers.forEach((type, n) -> types.put(type, op.applyAsLong(types.getOrDefault(type, 0L), n)));
    SortedMap<Long, Long> bySize = new TreeMap<>(sizes);
    other.sizes.forEach((size, n) -> bySize.put(size, op.applyAsLong(bySize.getOrDefault(size, 0L), n)));
    return new MapShape(types, bySize, op.applyAsLong(customers, other.customers), op.applyAsLong(added, other.added))
        .withoutZeros();
  }

  private MapShape withoutZeros() {
    SortedMap<String, Long> types = new TreeMap<>(identifiers);
    types.values().removeIf(n -> n == 0);
    SortedMap<Long, Long> bySize = new TreeMap<>(sizes);
    bySize.values().removeIf(n -> n == 0);
    return new MapShape(types, bySize, customers, added);
  }
}
