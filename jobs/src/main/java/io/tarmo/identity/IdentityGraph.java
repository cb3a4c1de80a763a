package io.tarmo.identity;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.count_if;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.unix_micros;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.xxhash64;

import io.tarmo.TarmoException;
import io.tarmo.lake.Intermediates;
import io.tarmo.subject.IdentifierType;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.spark.api.java.function.FlatMapGroupsFunction;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;

/**
 * Resolves identity graph edges into components, one customer_id at most in each.
 *
 * <p>Identifiers become long node ids (a 64-bit hash of type and value, used inside one run only
 * and checked for collisions). The raw <em>clusters</em> are the connected components of all
 * edges ({@link LargeStarSmallStar}). A cluster with at most one customer_id, and within the
 * per-type limits, is one component as it is: nearly all of them. The others are
 * <em>contested</em>; each is resolved whole by {@link ClusterRules}, which never puts two
 * customer_ids in one component, and the result is verified before anything is written.
 * Every outcome depends only on the cluster, which is what lets an incremental night re-solve
 * just the clusters its new edges touch and get what a full rebuild gets.
 */
public final class IdentityGraph {

  public static final String NODE = "node";
  public static final String TYPE = "identifier_type";
  public static final String VALUE = "identifier_value";
  public static final String FIRST_SEEN = "first_seen";
  public static final String LAST_SEEN = "last_seen";
  public static final String RANK = "rank";
  public static final String IS_CUSTOMER = "is_customer";
  public static final String CLUSTER = "cluster";
  public static final String COMPONENT = "component";
  public static final String RULE = "rule";
  public static final String OTHER = "other_customer_node";
  public static final String DETAIL = "detail";


  /**
   * The outcome. {@code assignments}: one row per identifier with {@value #NODE}, {@value #TYPE},
   * {@value #VALUE}, {@value #FIRST_SEEN}, {@value #LAST_SEEN}, {@value #RANK},
   * {@value #IS_CUSTOMER}, {@value #CLUSTER} and {@value #COMPONENT} (labels: the lowest node id
   * of each). {@code decisions}: {@value #NODE}, {@value #RULE}, {@value #OTHER} (the customer's
   * node it was kept from, if any) and {@value #DETAIL}.
   */
  public record Resolution(Dataset<Row> assignments, Dataset<Row> decisions, int rounds, long contestedClusters) {}

  private final IdentitySettings rules;
  private final Intermediates kept;
  /** The priority rank of each identifier type by its key: 0 is customer_id. */
  private final Map<String, Integer> ranks = new LinkedHashMap<>();

  /** Frames this resolver computes once are held in {@code kept}; the caller closes it. */
  public IdentityGraph(IdentitySettings rules, Intermediates kept) {
    this.rules = rules;
    this.kept = kept;
    rules.priority().forEach(type -> ranks.put(type.key(), rules.rank(type)));
  }

  /** The run-local node id of an identifier. */
  public static Column nodeId(Column type, Column value) {
    return xxhash64(type, value);
  }

  /**
   * Resolves {@code edges}: needs {@code src_type, src_value, dst_type, dst_value, first_seen,
   * last_seen}, at most one row per pair; {@code linkCount} is their number. Up to
   * {@code tarmo.identity.driver-links} links are resolved on the driver
   * ({@link #resolveOnDriver}), more with Spark; both give the same resolution.
   */
  public Resolution resolve(Dataset<Row> edges, long linkCount) {
    return linkCount <= rules.driverLinks() ? resolveOnDriver(edges) : resolveWithSpark(edges);
  }

  private Resolution resolveWithSpark(Dataset<Row> edges) {
    Dataset<Row> links = kept.keep(edges.select(
        nodeId(col(IdentityEdges.SRC_TYPE), col(IdentityEdges.SRC_VALUE)).as("a"),
        nodeId(col(IdentityEdges.DST_TYPE), col(IdentityEdges.DST_VALUE)).as("b"),
        col(IdentityEdges.SRC_TYPE).as("a_type"),
        col(IdentityEdges.DST_TYPE).as("b_type"),
        col(LAST_SEEN)));
    Dataset<Row> ends = edges.select(col(IdentityEdges.SRC_TYPE).as(TYPE), col(IdentityEdges.SRC_VALUE).as(VALUE),
            col(FIRST_SEEN), col(LAST_SEEN))
        .unionByName(edges.select(col(IdentityEdges.DST_TYPE).as(TYPE), col(IdentityEdges.DST_VALUE).as(VALUE),
            col(FIRST_SEEN), col(LAST_SEEN)));
    Dataset<Row> nodes = kept.keep(ends.groupBy(col(TYPE), col(VALUE))
        .agg(min(col(FIRST_SEEN)).as(FIRST_SEEN), max(col(LAST_SEEN)).as(LAST_SEEN))
        .withColumn(NODE, nodeId(col(TYPE), col(VALUE))));
    long collisions = nodes.groupBy(col(NODE)).count().where(col("count").gt(1)).count();
    if (collisions > 0) {
      throw collisions(collisions);
    }

    LargeStarSmallStar.Result raw = LargeStarSmallStar.run(
        links.select(col("a").as(LargeStarSmallStar.SRC), col("b").as(LargeStarSmallStar.DST)));
    Dataset<Row> info = kept.keep(nodes
        .join(raw.components().select(col(LargeStarSmallStar.NODE).as(NODE),
            col(LargeStarSmallStar.COMPONENT).as(CLUSTER)), NODE)
        .withColumn(RANK, rank(col(TYPE)))
        .withColumn(IS_CUSTOMER, col(TYPE).equalTo(IdentifierType.CUSTOMER_ID.key())));

    Dataset<Row> contested = kept.keep(contestedClusters(info));
    long contestedCount = contested.count();
    Dataset<Row> plain = info.join(contested, info.col(CLUSTER).equalTo(contested.col(CLUSTER)), "left_anti")
        .withColumn(COMPONENT, col(CLUSTER));
    if (contestedCount == 0) {
      return new Resolution(plain, emptyDecisions(info), raw.rounds(), 0);
    }
    Dataset<Row> contestedInfo = kept.keep(info.join(contested, CLUSTER));
    Contested resolved = resolveContested(links, contestedInfo);
    Dataset<Row> assignments = plain.unionByName(contestedInfo.join(resolved.components(), NODE));
    checkOneCustomerPerComponent(assignments);
    return new Resolution(assignments, resolved.decisions(), raw.rounds(), contestedCount);
  }

  /**
   * The same resolution as {@link #resolveWithSpark}, computed on the driver from the collected
   * links: node ids, the raw clusters ({@link UnionFind}, labelled by their lowest node id), the
   * contested clusters and {@link ClusterRules} on each of them. A small night's region is a few
   * thousand links, and Spark would spend some 20 jobs on it.
   */
  private Resolution resolveOnDriver(Dataset<Row> edges) {
    List<Row> rows = edges.select(
        nodeId(col(IdentityEdges.SRC_TYPE), col(IdentityEdges.SRC_VALUE)), nodeId(col(IdentityEdges.DST_TYPE),
            col(IdentityEdges.DST_VALUE)),
        col(IdentityEdges.SRC_TYPE), col(IdentityEdges.SRC_VALUE), col(IdentityEdges.DST_TYPE),
        col(IdentityEdges.DST_VALUE), col(FIRST_SEEN), col(LAST_SEEN)).collectAsList();
    Map<Long, Identifier> identifiers = new HashMap<>(4 * rows.size());
    Set<Long> collisions = new HashSet<>();
    UnionFind clusters = new UnionFind(Math.max(16, 2 * rows.size()));
    for (Row row : rows) {
      long a = row.getLong(0);
      long b = row.getLong(1);
      Timestamp first = row.getTimestamp(6);
      Timestamp last = row.getTimestamp(7);
      note(identifiers, collisions, a, row.getString(2), row.getString(3), first, last);
      note(identifiers, collisions, b, row.getString(4), row.getString(5), first, last);
      clusters.union(a, b);
    }
    if (!collisions.isEmpty()) {
      throw collisions(collisions.size());
    }
    // Each cluster's nodes in ascending order, as the rules take them.
    Map<Long, List<Long>> members = new HashMap<>();
    for (long node : identifiers.keySet().stream().mapToLong(Long::longValue).sorted().toArray()) {
      members.computeIfAbsent(clusters.componentOf(node), k -> new ArrayList<>()).add(node);
    }
    Map<Long, List<ClusterRules.Link>> contested = contestedLinks(rows, members, clusters, identifiers);
    Map<Long, Long> componentOf = new HashMap<>();
    List<Row> decisions = new ArrayList<>();
    ClusterRules clusterRules = clusterRules();
    for (Map.Entry<Long, List<Long>> cluster : members.entrySet()) {
      List<ClusterRules.Link> links = contested.get(cluster.getKey());
      if (links == null) {
        cluster.getValue().forEach(node -> componentOf.put(node, cluster.getKey()));
        continue;
      }
      List<ClusterRules.Node> nodes = new ArrayList<>();
      for (long node : cluster.getValue()) {
        Identifier identifier = identifiers.get(node);
        nodes.add(new ClusterRules.Node(node, identifier.type(), ranks.get(identifier.type()), micros(identifier.last())));
      }
      for (ClusterRules.Outcome outcome : clusterRules.resolve(nodes, links)) {
        if (outcome.rule() == null) {
          componentOf.put(outcome.node(), outcome.component());
        } else {
          decisions.add(RowFactory.create(outcome.node(), outcome.rule(), outcome.otherCustomer(), outcome.detail()));
        }
      }
    }
    SparkSession spark = edges.sparkSession();
    return new Resolution(kept.keep(spark.createDataFrame(assignmentRows(identifiers, clusters, componentOf),
        ASSIGNMENT_SCHEMA)), kept.keep(spark.createDataFrame(decisions, DECISION_SCHEMA)), 0, contested.size());
  }

  /** The links of each contested cluster (by its label), as {@link ClusterRules} takes them. */
  private Map<Long, List<ClusterRules.Link>> contestedLinks(List<Row> rows, Map<Long, List<Long>> members,
      UnionFind clusters, Map<Long, Identifier> identifiers) {
    Map<Long, List<ClusterRules.Link>> contested = new HashMap<>();
    for (Map.Entry<Long, List<Long>> cluster : members.entrySet()) {
      if (isContested(cluster.getValue(), identifiers)) {
        contested.put(cluster.getKey(), new ArrayList<>());
      }
    }
    for (Row row : rows) {
      List<ClusterRules.Link> links = contested.get(clusters.componentOf(row.getLong(0)));
      if (links != null && row.getLong(0) != row.getLong(1)) {
        links.add(new ClusterRules.Link(row.getLong(0), row.getLong(1), micros(row.getTimestamp(7))));
      }
    }
    return contested;
  }

  /** One row per identifier with its cluster and component; checks no component holds two customers. */
  private List<Row> assignmentRows(Map<Long, Identifier> identifiers, UnionFind clusters, Map<Long, Long> componentOf) {
    List<Row> assignments = new ArrayList<>(identifiers.size());
    Map<Long, Integer> customersPerComponent = new HashMap<>();
    for (Map.Entry<Long, Identifier> entry : identifiers.entrySet()) {
      Identifier identifier = entry.getValue();
      long component = componentOf.get(entry.getKey());
      boolean customer = identifier.type().equals(IdentifierType.CUSTOMER_ID.key());
      if (customer) {
        customersPerComponent.merge(component, 1, Integer::sum);
      }
      assignments.add(RowFactory.create(entry.getKey(), identifier.type(), identifier.value(), identifier.first(),
          identifier.last(), ranks.get(identifier.type()), customer, clusters.componentOf(entry.getKey()), component));
    }
    long bad = customersPerComponent.values().stream().filter(n -> n > 1).count();
    if (bad > 0) {
      throw severalCustomers(bad);
    }
    return assignments;
  }

  /** An identifier as the driver resolution holds it: the earliest and latest time it was linked. */
  private record Identifier(String type, String value, Timestamp first, Timestamp last) {}

  private static void note(Map<Long, Identifier> identifiers, Set<Long> collisions, long node, String type,
      String value, Timestamp first, Timestamp last) {
    Identifier seen = identifiers.get(node);
    if (seen == null) {
      identifiers.put(node, new Identifier(type, value, first, last));
    } else if (!seen.type().equals(type) || !seen.value().equals(value)) {
      collisions.add(node);
    } else {
      identifiers.put(node, new Identifier(type, value, earlier(seen.first(), first), later(seen.last(), last)));
    }
  }

  private static Timestamp earlier(Timestamp a, Timestamp b) {
    return a == null ? b : b == null || !b.before(a) ? a : b;
  }

  private static Timestamp later(Timestamp a, Timestamp b) {
    return a == null ? b : b == null || !b.after(a) ? a : b;
  }

  /** Microseconds since the epoch, as {@code unix_micros} gives them to the Spark resolution. */
  private static long micros(Timestamp time) {
    return time == null ? Long.MIN_VALUE : ChronoUnit.MICROS.between(Instant.EPOCH, time.toInstant());
  }

  /** {@link #contestedClusters}' test for one cluster. */
  private boolean isContested(List<Long> nodes, Map<Long, Identifier> identifiers) {
    Map<String, Integer> perType = new HashMap<>();
    nodes.forEach(node -> perType.merge(identifiers.get(node).type(), 1, Integer::sum));
    int customers = perType.getOrDefault(IdentifierType.CUSTOMER_ID.key(), 0);
    boolean overLimit = rules.maxPerCustomer().entrySet().stream()
        .anyMatch(limit -> perType.getOrDefault(limit.getKey().key(), 0) > limit.getValue());
    return customers >= 2 || customers == 1 && overLimit;
  }

  private ClusterRules clusterRules() {
    return new ClusterRules(rules.maxPerCustomer().entrySet().stream()
        .collect(java.util.stream.Collectors.toMap(entry -> entry.getKey().key(), Map.Entry::getValue)));
  }

  private static TarmoException collisions(long count) {
    return TarmoException.job(String.format(Locale.ROOT,
        "Cannot resolve identities: %d node ids of the 64-bit identifier hash collide", count));
  }

  private static TarmoException severalCustomers(long components) {
    return TarmoException.job(String.format(Locale.ROOT,
        "Cannot resolve identities: %d components would hold more than one customer_id (nothing was written to "
            + "identity_map)", components));
  }

  private static final StructType ASSIGNMENT_SCHEMA = new StructType()
      .add(NODE, DataTypes.LongType, false)
      .add(TYPE, DataTypes.StringType, true)
      .add(VALUE, DataTypes.StringType, true)
      .add(FIRST_SEEN, DataTypes.TimestampType, true)
      .add(LAST_SEEN, DataTypes.TimestampType, true)
      .add(RANK, DataTypes.IntegerType, true)
      .add(IS_CUSTOMER, DataTypes.BooleanType, true)
      .add(CLUSTER, DataTypes.LongType, false)
      .add(COMPONENT, DataTypes.LongType, false);

  private static final StructType DECISION_SCHEMA = new StructType()
      .add(NODE, DataTypes.LongType, false)
      .add(RULE, DataTypes.StringType, true)
      .add(OTHER, DataTypes.LongType, true)
      .add(DETAIL, DataTypes.StringType, true);

  private record Contested(Dataset<Row> components, Dataset<Row> decisions) {}

  /** Clusters with several customers, or one customer with more identifiers of a type than allowed. */
  private Dataset<Row> contestedClusters(Dataset<Row> info) {
    Column customers = count_if(col(IS_CUSTOMER)).as("customers");
    Column overLimit = lit(false);
    List<Column> counts = new java.util.ArrayList<>(List.of(customers));
    for (var limit : rules.maxPerCustomer().entrySet()) {
      String name = "n_" + limit.getKey().key();
      counts.add(count_if(col(TYPE).equalTo(limit.getKey().key())).as(name));
      overLimit = overLimit.or(col(name).gt(limit.getValue()));
    }
    return info.groupBy(col(CLUSTER))
        .agg(counts.get(0), counts.subList(1, counts.size()).toArray(Column[]::new))
        .where(col("customers").geq(2).or(col("customers").equalTo(1).and(overLimit)))
        .select(col(CLUSTER));
  }

  /**
   * Resolves each contested cluster whole in one task with {@link ClusterRules}: the nodes and
   * links of a cluster are grouped by it, and the rules give every node its component and the
   * decisions.
   */
  private Contested resolveContested(Dataset<Row> allLinks, Dataset<Row> info) {
    Dataset<Row> nodeRows = info.select(col(CLUSTER), col(NODE).as("a"), lit(null).cast(DataTypes.LongType).as("b"),
        col(TYPE).as("type"), col(RANK).as("rank"), unix_micros(col(LAST_SEEN)).as("seen"));
    Dataset<Row> linkRows = allLinks.join(info.select(col(NODE).as("a"), col(CLUSTER)), "a")
        .where(col("a").notEqual(col("b")))
        .select(col(CLUSTER), col("a"), col("b"), lit(null).cast(DataTypes.StringType).as("type"),
            lit(null).cast(DataTypes.IntegerType).as("rank"), unix_micros(col(LAST_SEEN)).as("seen"));
    ClusterRules clusterRules = clusterRules();
    Dataset<Row> outcomes = kept.keep(nodeRows.unionByName(linkRows)
        .groupByKey((MapFunction<Row, Long>) row -> row.getLong(0), Encoders.LONG())
        .flatMapGroups((FlatMapGroupsFunction<Long, Row, Row>) (cluster, rows) -> resolveCluster(clusterRules, rows),
            Encoders.row(OUTCOME_SCHEMA)));
    Dataset<Row> components = outcomes.where(col(RULE).isNull()).select(col(NODE), col(COMPONENT));
    Dataset<Row> decisions = outcomes.where(col(RULE).isNotNull()).select(col(NODE), col(RULE), col(OTHER), col(DETAIL));
    return new Contested(components, decisions);
  }

  private static final StructType OUTCOME_SCHEMA = new StructType()
      .add(NODE, DataTypes.LongType, false)
      .add(COMPONENT, DataTypes.LongType, false)
      .add(RULE, DataTypes.StringType, true)
      .add(OTHER, DataTypes.LongType, true)
      .add(DETAIL, DataTypes.StringType, true);

  private static Iterator<Row> resolveCluster(ClusterRules clusterRules, Iterator<Row> rows) {
    List<ClusterRules.Node> nodes = new ArrayList<>();
    List<ClusterRules.Link> links = new ArrayList<>();
    while (rows.hasNext()) {
      Row row = rows.next();
      if (row.isNullAt(2)) {
        nodes.add(new ClusterRules.Node(row.getLong(1), row.getString(3), row.getInt(4), row.getLong(5)));
      } else {
        links.add(new ClusterRules.Link(row.getLong(1), row.getLong(2), row.getLong(5)));
      }
    }
    return clusterRules.resolve(nodes, links).stream()
        .map(outcome -> RowFactory.create(outcome.node(), outcome.component(), outcome.rule(),
            outcome.otherCustomer(), outcome.detail()))
        .iterator();
  }

  /** The guarantee, verified rather than trusted: no component holds two customer_ids. */
  private static void checkOneCustomerPerComponent(Dataset<Row> components) {
    long bad = components.where(col(IS_CUSTOMER)).groupBy(col(COMPONENT)).count().where(col("count").gt(1)).count();
    if (bad > 0) {
      throw severalCustomers(bad);
    }
  }

  private static Dataset<Row> emptyDecisions(Dataset<Row> like) {
    return like.sparkSession().createDataFrame(List.of(), DECISION_SCHEMA);
  }

  /** The priority rank of an identifier type column: 0 is customer_id. */
  public Column rank(Column type) {
    Column rank = lit(null).cast(DataTypes.IntegerType);
    Column result = null;
    for (Map.Entry<String, Integer> entry : ranks.entrySet()) {
      result = result == null ? when(type.equalTo(entry.getKey()), entry.getValue())
          : result.when(type.equalTo(entry.getKey()), entry.getValue());
    }
    return result == null ? rank : result.otherwise(rank);
  }
}
