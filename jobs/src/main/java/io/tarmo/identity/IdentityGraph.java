package io.tarmo.identity;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.count_distinct;
import static org.apache.spark.sql.functions.count_if;
import static org.apache.spark.sql.functions.format_string;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.row_number;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.xxhash64;

import io.tarmo.TarmoException;
import io.tarmo.config.TarmoSettings.IdentitySettings;
import java.util.List;
import java.util.Locale;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.storage.StorageLevel;

/**
 * Resolves identity graph edges into components, one customer at most in each.
 *
 * <p>Identifiers become long node ids (a 64-bit hash of type and value, used inside one run only
 * and checked for collisions). The raw <em>clusters</em> are the connected components of all
 * edges. A cluster with at most one customer_id, and within the per-type limits, is one
 * component as it is. The others are <em>contested</em>, and resolved by rules that never put two
 * customer_ids in one component:
 * <ol>
 *   <li>an identifier linked directly to several customers belongs to the most recent link
 *       ({@code shared_identifier}; the family laptop);</li>
 *   <li>identifiers linked to each other but not directly to a customer form groups (connected
 *       components without the customers); a group whose members point at one customer joins it;
 *       in a group that points at several, each such member follows its most trusted, most recent
 *       link to a member that has a customer ({@code bridge_attached}), or stays apart
 *       ({@code bridge_detached});</li>
 *   <li>of each type, a customer keeps the most recently seen identifiers up to the limit; the
 *       others are cut off ({@code over_limit});</li>
 *   <li>a link is kept only between identifiers given the same customer (or both none), and the
 *       components of the kept links are the result.</li>
 * </ol>
 * Each step depends only on the cluster, which is what lets an incremental night re-solve just
 * the clusters its new edges touch and get what a full rebuild gets.
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

  private static final String OWNER = "owner";
  private static final String GROUP = "group_id";
  private static final String CUSTOMER = "customer";
  private static final String NEIGHBOUR = "neighbour";

  /**
   * The outcome. {@code assignments}: one row per identifier with {@value #NODE}, {@value #TYPE},
   * {@value #VALUE}, {@value #FIRST_SEEN}, {@value #LAST_SEEN}, {@value #RANK},
   * {@value #IS_CUSTOMER}, {@value #CLUSTER} and {@value #COMPONENT} (labels: the lowest node id
   * of each). {@code decisions}: {@value #NODE}, {@value #RULE}, {@value #OTHER} (the customer's
   * node it was kept from, if any) and {@value #DETAIL}.
   */
  public record Resolution(Dataset<Row> assignments, Dataset<Row> decisions, int rounds, long contestedClusters) {}

  private final IdentitySettings rules;
  private final List<Dataset<Row>> cached;

  /** Frames this resolver persists are added to {@code cached}; the caller unpersists them. */
  public IdentityGraph(IdentitySettings rules, List<Dataset<Row>> cached) {
    this.rules = rules;
    this.cached = cached;
  }

  /** The run-local node id of an identifier. */
  public static Column nodeId(Column type, Column value) {
    return xxhash64(type, value);
  }

  /**
   * Resolves {@code edges}: needs {@code src_type, src_value, dst_type, dst_value, first_seen,
   * last_seen}, at most one row per pair.
   */
  public Resolution resolve(Dataset<Row> edges) {
    Dataset<Row> links = cache(edges.select(
        nodeId(col(IdentityEdges.SRC_TYPE), col(IdentityEdges.SRC_VALUE)).as("a"),
        nodeId(col(IdentityEdges.DST_TYPE), col(IdentityEdges.DST_VALUE)).as("b"),
        col(IdentityEdges.SRC_TYPE).as("a_type"),
        col(IdentityEdges.DST_TYPE).as("b_type"),
        col(LAST_SEEN)));
    Dataset<Row> ends = edges.select(col(IdentityEdges.SRC_TYPE).as(TYPE), col(IdentityEdges.SRC_VALUE).as(VALUE),
            col(FIRST_SEEN), col(LAST_SEEN))
        .unionByName(edges.select(col(IdentityEdges.DST_TYPE).as(TYPE), col(IdentityEdges.DST_VALUE).as(VALUE),
            col(FIRST_SEEN), col(LAST_SEEN)));
    Dataset<Row> nodes = cache(ends.groupBy(col(TYPE), col(VALUE))
        .agg(min(col(FIRST_SEEN)).as(FIRST_SEEN), max(col(LAST_SEEN)).as(LAST_SEEN))
        .withColumn(NODE, nodeId(col(TYPE), col(VALUE))));
    long collisions = nodes.groupBy(col(NODE)).count().where(col("count").gt(1)).count();
    if (collisions > 0) {
      throw TarmoException.job(String.format(Locale.ROOT,
          "Cannot resolve identities: %d node ids of the 64-bit identifier hash collide", collisions));
    }

    LargeStarSmallStar.Result raw = LargeStarSmallStar.run(
        links.select(col("a").as(LargeStarSmallStar.SRC), col("b").as(LargeStarSmallStar.DST)));
    Dataset<Row> info = cache(nodes
        .join(raw.components().select(col(LargeStarSmallStar.NODE).as(NODE),
            col(LargeStarSmallStar.COMPONENT).as(CLUSTER)), NODE)
        .withColumn(RANK, rank(col(TYPE)))
        .withColumn(IS_CUSTOMER, col(TYPE).equalTo(IdentifierType.CUSTOMER_ID.key())));

    Dataset<Row> contested = cache(contestedClusters(info));
    long contestedCount = contested.count();
    Dataset<Row> plain = info.join(contested, info.col(CLUSTER).equalTo(contested.col(CLUSTER)), "left_anti")
        .withColumn(COMPONENT, col(CLUSTER));
    if (contestedCount == 0) {
      return new Resolution(plain, emptyDecisions(info), raw.rounds(), 0);
    }
    Dataset<Row> contestedInfo = cache(info.join(contested, CLUSTER));
    Contested resolved = resolveContested(links, contestedInfo);
    Dataset<Row> assignments = plain.unionByName(contestedInfo.join(resolved.components(), NODE));
    checkOneCustomerPerComponent(assignments);
    return new Resolution(assignments, resolved.decisions(), raw.rounds(), contestedCount);
  }

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

  private Contested resolveContested(Dataset<Row> allLinks, Dataset<Row> info) {
    Dataset<Row> links = cache(allLinks.join(info.select(col(NODE).as("a")), "a"));
    Column aCustomer = col("a_type").equalTo(IdentifierType.CUSTOMER_ID.key());
    Column bCustomer = col("b_type").equalTo(IdentifierType.CUSTOMER_ID.key());

    // 1. Identifiers linked directly to customers: the most recent link wins.
    Dataset<Row> direct = links.where(aCustomer.notEqual(bCustomer))
        .select(when(aCustomer, col("b")).otherwise(col("a")).as(NODE),
            when(aCustomer, col("a")).otherwise(col("b")).as(CUSTOMER), col(LAST_SEEN))
        .groupBy(col(NODE), col(CUSTOMER)).agg(max(col(LAST_SEEN)).as(LAST_SEEN));
    Dataset<Row> ranked = cache(direct
        .withColumn("r", row_number().over(Window.partitionBy(col(NODE))
            .orderBy(col(LAST_SEEN).desc(), col(CUSTOMER).asc())))
        .withColumn("links", count(lit(1)).over(Window.partitionBy(col(NODE)))));
    Dataset<Row> seeds = cache(ranked.where(col("r").equalTo(1)).select(col(NODE), col(CUSTOMER).as(OWNER)));
    Dataset<Row> shared = ranked.where(col("r").gt(1)).select(col(NODE), lit("shared_identifier").as(RULE),
        col(CUSTOMER).as(OTHER),
        format_string("linked directly to %d customers; the most recent link wins", col("links")).as(DETAIL));

    // 2. Groups of identifiers linked without a customer, and whom each of their members follows.
    Dataset<Row> between = links.where(not(aCustomer).and(not(bCustomer)));
    Dataset<Row> identifiers = info.where(not(col(IS_CUSTOMER))).select(col(NODE));
    LargeStarSmallStar.Result groupResult = LargeStarSmallStar.run(
        between.select(col("a").as(LargeStarSmallStar.SRC), col("b").as(LargeStarSmallStar.DST))
            .union(identifiers.select(col(NODE).as(LargeStarSmallStar.SRC), col(NODE).as(LargeStarSmallStar.DST))));
    Dataset<Row> groups = cache(groupResult.components()
        .select(col(LargeStarSmallStar.NODE).as(NODE), col(LargeStarSmallStar.COMPONENT).as(GROUP)));
    Dataset<Row> groupOwners = groups.join(seeds, NODE).groupBy(col(GROUP))
        .agg(count_distinct(col(OWNER)).as("owners"), min(col(OWNER)).as("only_owner"));
    Dataset<Row> bothWays = between.select(col("a").as(NODE), col("b").as(NEIGHBOUR), col("b_type").as("n_type"),
            col(LAST_SEEN))
        .union(between.select(col("b").as(NODE), col("a").as(NEIGHBOUR), col("a_type").as("n_type"), col(LAST_SEEN)));
    Dataset<Row> followed = bothWays
        .join(seeds.select(col(NODE).as(NEIGHBOUR), col(OWNER).as("neighbour_owner")), NEIGHBOUR)
        .withColumn("r", row_number().over(Window.partitionBy(col(NODE))
            .orderBy(rank(col("n_type")).asc(), col(LAST_SEEN).desc(), col(NEIGHBOUR).asc())))
        .where(col("r").equalTo(1))
        .select(col(NODE), col("neighbour_owner"));
    Dataset<Row> others = cache(groups.join(seeds, groups.col(NODE).equalTo(seeds.col(NODE)), "left_anti")
        .join(groupOwners, GROUP, "left_outer")
        .join(followed, NODE, "left_outer")
        .select(col(NODE), col("owners"),
            when(col("owners").equalTo(1), col("only_owner"))
                .when(col("owners").geq(2), col("neighbour_owner"))
                .otherwise(lit(null).cast(DataTypes.LongType)).as(OWNER)));
    Dataset<Row> bridges = others.where(col("owners").geq(2)).select(col(NODE),
        when(col(OWNER).isNull(), lit("bridge_detached")).otherwise(lit("bridge_attached")).as(RULE),
        lit(null).cast(DataTypes.LongType).as(OTHER),
        when(col(OWNER).isNull(), format_string(
                "linked through other identifiers to %d customers, to none directly; kept apart", col("owners")))
            .otherwise(format_string("linked through other identifiers to %d customers; follows its most trusted, "
                + "most recent link", col("owners"))).as(DETAIL));

    // 3. Per-type limits: the most recently seen identifiers stay.
    Dataset<Row> owners = seeds.unionByName(others.select(col(NODE), col(OWNER)))
        .unionByName(info.where(col(IS_CUSTOMER)).select(col(NODE), col(NODE).as(OWNER)));
    Dataset<Row> owned = owners.join(info.select(col(NODE), col(TYPE), col(LAST_SEEN)), NODE)
        .where(col(OWNER).isNotNull().and(col(TYPE).notEqual(IdentifierType.CUSTOMER_ID.key())))
        .withColumn("r", row_number().over(Window.partitionBy(col(OWNER), col(TYPE))
            .orderBy(col(LAST_SEEN).desc(), col(NODE).asc())))
        .withColumn("limit", limit(col(TYPE)));
    Dataset<Row> cut = cache(owned.where(col("r").gt(col("limit"))));
    Dataset<Row> overLimit = cut.select(col(NODE), lit("over_limit").as(RULE), col(OWNER).as(OTHER),
        format_string("more than %d identifiers of its type for one customer; the most recently seen stay",
            col("limit")).as(DETAIL));
    Dataset<Row> finalOwners = cache(owners
        .join(cut.select(col(NODE), lit(true).as("cut")), NODE, "left_outer")
        .select(col(NODE), when(col("cut"), lit(null).cast(DataTypes.LongType)).otherwise(col(OWNER)).as(OWNER)));

    // 4. Links between identifiers of the same customer (or of none) are kept.
    Dataset<Row> kept = links
        .join(finalOwners.select(col(NODE).as("a"), col(OWNER).as("a_owner")), "a")
        .join(finalOwners.select(col(NODE).as("b"), col(OWNER).as("b_owner")), "b")
        .where(col("a_owner").eqNullSafe(col("b_owner")))
        .select(col("a").as(LargeStarSmallStar.SRC), col("b").as(LargeStarSmallStar.DST))
        .union(info.select(col(NODE).as(LargeStarSmallStar.SRC), col(NODE).as(LargeStarSmallStar.DST)));
    Dataset<Row> components = cache(LargeStarSmallStar.run(kept).components()
        .select(col(LargeStarSmallStar.NODE).as(NODE), col(LargeStarSmallStar.COMPONENT).as(COMPONENT)));
    return new Contested(components, shared.unionByName(bridges).unionByName(overLimit));
  }

  /** The guarantee, verified rather than trusted: no component holds two customer_ids. */
  private static void checkOneCustomerPerComponent(Dataset<Row> components) {
    long bad = components.where(col(IS_CUSTOMER)).groupBy(col(COMPONENT)).count().where(col("count").gt(1)).count();
    if (bad > 0) {
      throw TarmoException.job(String.format(Locale.ROOT,
          "Cannot resolve identities: %d components would hold more than one customer_id (nothing was written to "
              + "identity_map)", bad));
    }
  }

  private static Dataset<Row> emptyDecisions(Dataset<Row> like) {
    return like.sparkSession().emptyDataFrame().select(
        lit(null).cast(DataTypes.LongType).as(NODE), lit(null).cast(DataTypes.StringType).as(RULE),
        lit(null).cast(DataTypes.LongType).as(OTHER), lit(null).cast(DataTypes.StringType).as(DETAIL));
  }

  /** The priority rank of an identifier type column: 0 is customer_id. */
  public Column rank(Column type) {
    Column rank = lit(null).cast(DataTypes.IntegerType);
    Column result = null;
    for (IdentifierType t : rules.priority()) {
      result = result == null ? when(type.equalTo(t.key()), rules.rank(t)) : result.when(type.equalTo(t.key()), rules.rank(t));
    }
    return result == null ? rank : result.otherwise(rank);
  }

  private Column limit(Column type) {
    Column result = when(type.equalTo(IdentifierType.CUSTOMER_ID.key()), lit(1));
    for (var limit : rules.maxPerCustomer().entrySet()) {
      result = result.when(type.equalTo(limit.getKey().key()), lit(limit.getValue()));
    }
    return result.otherwise(lit(Integer.MAX_VALUE));
  }

  private Dataset<Row> cache(Dataset<Row> frame) {
    Dataset<Row> persisted = frame.persist(StorageLevel.MEMORY_AND_DISK());
    cached.add(persisted);
    return persisted;
  }
}
