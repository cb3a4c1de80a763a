package io.tarmo.identity;

import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.struct;

import io.tarmo.TarmoException;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.spark.SparkContext;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.catalyst.plans.logical.LogicalPlan;
import org.apache.spark.sql.execution.LogicalRDD;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Connected components of an undirected graph with the alternating large-star / small-star
 * algorithm of Kiveris et al., "Connected Components in MapReduce and Beyond" (SoCC 2014):
 * O(log² n) rounds even on a long chain, where label propagation needs one round per hop.
 *
 * <p>Input: edges with columns {@value #SRC} and {@value #DST} (integral, widened to long);
 * self-loops and duplicates are allowed, rows with a null endpoint are ignored. Output: columns
 * {@value #NODE} and {@value #COMPONENT} ({@link #COMPONENTS_SCHEMA}), one row per node that
 * appears in an edge, the component being the minimum node id of its component.
 *
 * <p>The working edge set is kept canonical between rounds: {@code src < dst}, distinct, hash
 * partitioned on {@code src} and cut from its lineage by a local checkpoint. With that layout a
 * round costs three shuffles: the per-node minimum of smaller neighbours, the large-star output
 * keyed for the small star, and the small-star output keyed for the next round. Joins are
 * shuffled hash joins over co-partitioned sides, so nothing is sorted. The algorithm has
 * converged exactly when the edge set is a forest of stars rooted at their minimum (every
 * {@code dst} has one {@code src} and no {@code src} is a {@code dst}); that test reuses the
 * aggregate the next large star needs, so convergence costs no extra round, and an input that is
 * already such a forest finishes in zero rounds. The stars then give the components directly.
 */
public final class LargeStarSmallStar {

  public static final String SRC = "src";
  public static final String DST = "dst";
  public static final String NODE = "node";
  public static final String COMPONENT = "component";

  /**
   * The schema of {@link Result#components()}. The values are never null, but Spark cannot prove
   * it through aggregates and checkpoints, so the fields say nullable.
   */
  public static final StructType COMPONENTS_SCHEMA = new StructType(new StructField[] {
      DataTypes.createStructField(NODE, DataTypes.LongType, true),
      DataTypes.createStructField(COMPONENT, DataTypes.LongType, true)
  });

  /** Rounds after which the computation is refused; O(log² n) stays far below for any real graph. */
  public static final int DEFAULT_MAX_ROUNDS = 200;

  private static final String JOB_DESCRIPTION = "spark.job.description";
  private static final String MIN_SMALLER = "min_smaller";
  private static final String PARENTS = "parents";
  private static final String MIN_NEIGHBOUR = "min_neighbour";
  private static final String EDGE = "edge";
  private static final Set<DataType> INTEGRAL =
      Set.of(DataTypes.LongType, DataTypes.IntegerType, DataTypes.ShortType, DataTypes.ByteType);

  /**
   * The components and how many large-star + small-star rounds it took (0 when the input was
   * already a forest of stars rooted at their minimum). The components are computed lazily from
   * the last round's local checkpoint: write or cache them before the executors that hold it go.
   */
  public record Result(Dataset<Row> components, int rounds) {}

  private LargeStarSmallStar() {}

  /** Connected components of {@code edges} (needs {@value #SRC}, {@value #DST}). */
  public static Result run(Dataset<Row> edges) {
    return run(edges, DEFAULT_MAX_ROUNDS);
  }

  /**
   * Connected components of {@code edges} (needs {@value #SRC}, {@value #DST}); fails with a
   * {@link TarmoException} if the edges have not converged after {@code maxRounds} rounds.
   */
  public static Result run(Dataset<Row> edges, int maxRounds) {
    requireEdgeColumns(edges);
    SparkContext context = edges.sparkSession().sparkContext();
    String previousDescription = context.getLocalProperty(JOB_DESCRIPTION);
    try {
      context.setJobDescription("tarmo identity: canonical edges");
      Dataset<Row> loops = selfLoopNodes(edges).localCheckpoint(true);
      Dataset<Row> current = canonicalEdges(edges).localCheckpoint(true);
      int rounds = 0;
      while (true) {
        context.setJobDescription(String.format(Locale.ROOT, "tarmo identity: stars check %d", rounds));
        Dataset<Row> smaller = minSmallerNeighbours(current).localCheckpoint(true);
        if (isStarForest(current, smaller)) {
          release(smaller);
          break;
        }
        if (rounds == maxRounds) {
          throw TarmoException.job(String.format(Locale.ROOT,
              "Cannot compute connected components: the edges did not converge in %d rounds", maxRounds));
        }
        rounds++;
        context.setJobDescription(String.format(Locale.ROOT, "tarmo identity: large/small star round %d", rounds));
        Dataset<Row> next = smallStar(largeStar(current, smaller)).localCheckpoint(true);
        release(smaller);
        release(current);
        current = next;
      }
      context.setJobDescription("tarmo identity: components");
      boolean anyLoops = !loops.isEmpty();
      Dataset<Row> components = componentsOfStars(current, anyLoops ? loops : null);
      return new Result(components, rounds);
    } finally {
      context.setJobDescription(previousDescription);
    }
  }

  /**
   * Canonical edges: needs {@value #SRC}, {@value #DST}; produces the same columns as long with
   * {@code src < dst}, without self-loops, null endpoints or duplicates, hash partitioned on
   * {@value #SRC}.
   */
  public static Dataset<Row> canonicalEdges(Dataset<Row> edges) {
    requireEdgeColumns(edges);
    Column srcLong = col(SRC).cast(DataTypes.LongType);
    Column dstLong = col(DST).cast(DataTypes.LongType);
    return edges
        .where(col(SRC).isNotNull().and(col(DST).isNotNull()).and(srcLong.notEqual(dstLong)))
        .select(least(srcLong, dstLong).as(SRC), greatest(srcLong, dstLong).as(DST))
        .repartition(col(SRC))
        .distinct();
  }

  /**
   * Per node with a smaller neighbour: needs canonical edges ({@value #SRC} &lt; {@value #DST});
   * produces {@value #DST} (the node), {@code min_smaller} (its smallest neighbour) and
   * {@code parents} (how many smaller neighbours it has), hash partitioned on {@value #DST}.
   */
  public static Dataset<Row> minSmallerNeighbours(Dataset<Row> canonical) {
    return canonical.groupBy(col(DST))
        .agg(min(col(SRC)).as(MIN_SMALLER), count(lit(1)).as(PARENTS));
  }

  /**
   * Large star: needs canonical edges and their {@link #minSmallerNeighbours}; links every
   * neighbour v &gt; u of each node u to m(u), the minimum of u and its neighbours. Produces
   * {@value #SRC} &gt; {@value #DST} (v, m(u)), with duplicates.
   */
  public static Dataset<Row> largeStar(Dataset<Row> canonical, Dataset<Row> smaller) {
    Dataset<Row> edges = canonical.alias("e");
    Dataset<Row> minimums = smaller.alias("m").hint("shuffle_hash");
    return edges.join(minimums, col("e." + SRC).equalTo(col("m." + DST)), "left_outer")
        .select(col("e." + DST).as(SRC), coalesce(col("m." + MIN_SMALLER), col("e." + SRC)).as(DST));
  }

  /**
   * Small star: needs edges with {@value #SRC} &gt; {@value #DST}; links each node u and its
   * smaller neighbours to the smallest of them. Produces canonical edges ({@value #SRC} &lt;
   * {@value #DST}, distinct, hash partitioned on {@value #SRC}).
   */
  public static Dataset<Row> smallStar(Dataset<Row> downward) {
    Dataset<Row> byNode = downward.repartition(col(SRC)).distinct();
    Dataset<Row> minimums = byNode.groupBy(col(SRC)).agg(min(col(DST)).as(MIN_NEIGHBOUR));
    return byNode.join(minimums.hint("shuffle_hash"), SRC)
        .select(explode(array(
            struct(col(MIN_NEIGHBOUR).as(SRC), col(DST).as(DST)),
            struct(col(MIN_NEIGHBOUR).as(SRC), col(SRC).as(DST)))).as(EDGE))
        .select(col(EDGE + "." + SRC).as(SRC), col(EDGE + "." + DST).as(DST))
        .where(col(SRC).isNotNull().and(col(DST).isNotNull()).and(col(SRC).notEqual(col(DST))))
        .repartition(col(SRC))
        .distinct();
  }

  /**
   * Components of a forest of stars rooted at their minimum: needs canonical edges; produces
   * {@link #COMPONENTS_SCHEMA}. Nodes seen only in self-loops ({@value #NODE} column of
   * {@code loops}, may be null) are their own component unless an edge says otherwise.
   */
  public static Dataset<Row> componentsOfStars(Dataset<Row> stars, Dataset<Row> loops) {
    Dataset<Row> leaves = stars.select(col(DST).as(NODE), col(SRC).as(COMPONENT));
    Dataset<Row> roots = stars.select(col(SRC).as(NODE), col(SRC).as(COMPONENT)).distinct();
    Dataset<Row> components = leaves.union(roots);
    if (loops != null) {
      components = components.union(loops.select(col(NODE), col(NODE).as(COMPONENT)))
          .groupBy(col(NODE)).agg(min(col(COMPONENT)).as(COMPONENT));
    }
    return components;
  }

  private static Dataset<Row> selfLoopNodes(Dataset<Row> edges) {
    return edges.where(col(SRC).isNotNull().and(col(SRC).equalTo(col(DST))))
        .select(col(SRC).cast(DataTypes.LongType).as(NODE))
        .distinct();
  }

  /** Whether every dst has exactly one src and no src is a dst: then no round changes anything. */
  private static boolean isStarForest(Dataset<Row> canonical, Dataset<Row> smaller) {
    Row shape = smaller.agg(max(col(PARENTS))).first();
    if (!shape.isNullAt(0) && shape.getLong(0) > 1) {
      return false;
    }
    return canonical.alias("e")
        .join(smaller.alias("m").hint("shuffle_hash"), col("e." + SRC).equalTo(col("m." + DST)), "left_semi")
        .isEmpty();
  }

  /** Frees the blocks of a local checkpoint now rather than when the garbage collector finds it. */
  private static void release(Dataset<Row> checkpointed) {
    LogicalPlan plan = checkpointed.queryExecution().analyzed();
    if (plan instanceof LogicalRDD logicalRdd) {
      logicalRdd.rdd().unpersist(false);
    }
  }

  private static void requireEdgeColumns(Dataset<Row> edges) {
    Map<String, DataType> types = new HashMap<>();
    for (StructField field : edges.schema().fields()) {
      types.put(field.name(), field.dataType());
    }
    for (String column : List.of(SRC, DST)) {
      DataType type = types.get(column);
      if (type == null || !INTEGRAL.contains(type)) {
        throw TarmoException.job(String.format(Locale.ROOT,
            "Cannot compute connected components: the edges need integral columns %s and %s (found %s)",
            SRC, DST, Arrays.toString(edges.schema().fields())));
      }
    }
  }
}
