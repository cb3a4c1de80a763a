package io.tarmo.identity;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.when;

import io.tarmo.TarmoException;
import io.tarmo.lake.Intermediates;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;

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
 * <p>Three things keep the work proportional to what is still unresolved:
 * <ol>
 *   <li>A union-find pass inside every input partition (for inputs too large for the driver) turns
 *       each partition's share of the graph into stars rooted at their minimum before anything is
 *       shuffled: components whose edges
 *       arrive together (a CRM row, one identify call) are finished there.
 *   <li>Before every round, components that are already a star rooted at their minimum (a root
 *       with no smaller neighbour whose every neighbour has no other edge) are emitted to the
 *       result and leave the working set, so late rounds only carry the long chains and large
 *       components.
 *   <li>Once the working set has at most {@code driverEdges} edges it is collected and finished
 *       with {@link UnionFind} on the driver, which is faster than any further round. The input
 *       is first packed as primitive arrays and counted; when it is that small already, the driver
 *       takes it as it is (one pass over the edges, no shuffle), and otherwise when the stars the
 *       partition pass leaves are that few.
 * </ol>
 *
 * <p>The working edge set is kept canonical between rounds: {@code src < dst}, distinct, hash
 * partitioned on {@code src} and cut from its lineage by a local checkpoint. A round is the large
 * star (a co-partitioned join with the per-node minimum of smaller neighbours that the pruning
 * step computed anyway) followed by the small star, done as a union-find per partition after
 * grouping the edges by their larger end, which links every node and its smaller neighbours to
 * their minimum and, for free, merges whatever else shares the partition.
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

  /** Driver heap the finish on the driver needs per edge, with room to spare (about 100 bytes are used). */
  private static final long DRIVER_BYTES_PER_EDGE = 400;
  private static final long MIN_DRIVER_EDGES = 1_000_000L;

  private static final String JOB_DESCRIPTION = "spark.job.description";
  private static final String MIN_PARENT = "min_parent";
  private static final String MAX_PARENT = "max_parent";
  private static final String CHILDREN = "children";
  private static final String CLEAN = "clean";
  private static final Set<DataType> INTEGRAL =
      Set.of(DataTypes.LongType, DataTypes.IntegerType, DataTypes.ShortType, DataTypes.ByteType);

  /**
   * The components and how many large-star + small-star rounds it took (0 when the partition
   * pass and the driver finished it, or the input was already a forest of stars rooted at their
   * minimum). The components are computed lazily from local checkpoints: write or cache them
   * before the executors that hold them go.
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
    return run(edges, maxRounds, defaultDriverEdges());
  }

  /**
   * Working-set size (edges) at or below which {@link #run(Dataset, int)} finishes on the
   * driver: a quarter of the driver's maximum heap at about 100 bytes per edge (4 GB: 2.5
   * million edges, 12 GB: about 28 million), and at least a million.
   */
  public static long defaultDriverEdges() {
    return Math.max(MIN_DRIVER_EDGES, Runtime.getRuntime().maxMemory() / DRIVER_BYTES_PER_EDGE);
  }

  /**
   * Connected components of {@code edges} (needs {@value #SRC}, {@value #DST}), finishing on the
   * driver once at most {@code driverEdges} edges are unresolved (0: never, every component is
   * resolved by rounds); fails with a {@link TarmoException} if the edges have not converged
   * after {@code maxRounds} rounds.
   */
  public static Result run(Dataset<Row> edges, int maxRounds, long driverEdges) {
    requireEdgeColumns(edges);
    if (maxRounds < 0 || driverEdges < 0) {
      throw TarmoException.job(String.format(Locale.ROOT,
          "Cannot compute connected components: rounds and driver edges must not be negative (%d, %d)",
          maxRounds, driverEdges));
    }
    SparkContext context = edges.sparkSession().sparkContext();
    String previousDescription = context.getLocalProperty(JOB_DESCRIPTION);
    try {
      // One pass over the input packs the edges as primitive arrays and counts them. When they fit
      // the driver, it finishes from them. Otherwise a union-find in every partition turns them
      // into stars; when those fit the driver, it finishes from them; otherwise the rounds start.
      context.setJobDescription("tarmo identity: edges packed within each partition");
      JavaRDD<long[]> packed = UnionFindPasses.packedEdges(longEdges(edges)).persist(StorageLevel.MEMORY_AND_DISK());
      JavaRDD<long[]> local = null;
      Dataset<Row> current;
      try {
        if (pairCount(packed) <= driverEdges) {
          context.setJobDescription("tarmo identity: union-find on the driver");
          return new Result(UnionFindPasses.componentsOnDriver(edges.sparkSession(), packed.collect()), 0);
        }
        context.setJobDescription("tarmo identity: union-find within each partition");
        local = UnionFindPasses.localStarArrays(packed).persist(StorageLevel.MEMORY_AND_DISK());
        if (pairCount(local) <= driverEdges) {
          context.setJobDescription("tarmo identity: union-find on the driver");
          return new Result(UnionFindPasses.componentsOnDriver(edges.sparkSession(), local.collect()), 0);
        }
        context.setJobDescription("tarmo identity: stars within each partition");
        current = distinctEdges(UnionFindPasses.edgesOf(edges.sparkSession(), local)).localCheckpoint(true);
      } finally {
        packed.unpersist(false);
        if (local != null) {
          local.unpersist(false);
        }
      }
      context.setJobDescription("tarmo identity: self-loops");
      Dataset<Row> loops = selfLoopNodes(edges).localCheckpoint(true);
      long size = current.count();
      List<Dataset<Row>> finished = new ArrayList<>();
      int rounds = 0;
      while (size > driverEdges) {
        context.setJobDescription(String.format(Locale.ROOT, "tarmo identity: finished stars %d", rounds));
        Dataset<Row> parents = parentsOf(current).localCheckpoint(true);
        Dataset<Row> roots = finishedRoots(current, parents).localCheckpoint(true);
        finished.add(starsOf(current, roots).localCheckpoint(true));
        Dataset<Row> active = current.join(roots, col(SRC).equalTo(col(NODE)), "left_anti").localCheckpoint(true);
        Intermediates.release(roots);
        Intermediates.release(current);
        size = active.count();
        if (size <= driverEdges) {
          Intermediates.release(parents);
          current = active;
          break;
        }
        if (rounds == maxRounds) {
          throw TarmoException.job(String.format(Locale.ROOT,
              "Cannot compute connected components: the edges did not converge in %d rounds", maxRounds));
        }
        rounds++;
        context.setJobDescription(String.format(Locale.ROOT, "tarmo identity: large/small star round %d", rounds));
        Dataset<Row> next = smallStar(largeStar(active, parents)).localCheckpoint(true);
        Intermediates.release(parents);
        Intermediates.release(active);
        current = next;
        size = current.count();
      }
      context.setJobDescription("tarmo identity: union-find on the driver");
      Dataset<Row> components = UnionFindPasses.componentsOnDriver(current);
      Intermediates.release(current);
      for (Dataset<Row> stars : finished) {
        components = components.union(stars);
      }
      if (!loops.isEmpty()) {
        components = components.union(loops.join(components, NODE, "left_anti").select(col(NODE), col(NODE).as(COMPONENT)));
      }
      return new Result(components, rounds);
    } finally {
      context.setJobDescription(previousDescription);
    }
  }

  private static long pairCount(JavaRDD<long[]> packed) {
    return packed.map(pairs -> (long) pairs.length / 2).fold(0L, Long::sum);
  }

  /**
   * Canonical edges: needs {@value #SRC}, {@value #DST}; produces the same columns as long with
   * {@code src < dst}, without self-loops, null endpoints or duplicates, hash partitioned on
   * {@value #SRC}.
   */
  public static Dataset<Row> canonicalEdges(Dataset<Row> edges) {
    requireEdgeColumns(edges);
    return distinctEdges(longEdges(edges));
  }

  /**
   * Large star: needs canonical edges and their {@link #parentsOf}; links every neighbour v &gt; u
   * of each node u to m(u), the minimum of u and its neighbours. Produces {@value #SRC} &gt;
   * {@value #DST} (v, m(u)), with duplicates.
   */
  public static Dataset<Row> largeStar(Dataset<Row> canonical, Dataset<Row> parents) {
    Dataset<Row> edges = canonical.alias("e");
    Dataset<Row> minimums = parents.alias("m").hint("shuffle_hash");
    return edges.join(minimums, col("e." + SRC).equalTo(col("m." + DST)), "left_outer")
        .select(col("e." + DST).as(SRC), coalesce(col("m." + MIN_PARENT), col("e." + SRC)).as(DST));
  }

  /**
   * Small star: needs edges with {@value #SRC} &gt; {@value #DST}; groups them by {@value #SRC}
   * and links each group of connected edges in a partition (so at least each node u and its
   * smaller neighbours) to its minimum. Produces canonical edges ({@value #SRC} &lt;
   * {@value #DST}, distinct, hash partitioned on {@value #SRC}).
   */
  public static Dataset<Row> smallStar(Dataset<Row> downward) {
    return distinctEdges(UnionFindPasses.localStars(downward.repartition(col(SRC))));
  }

  /**
   * Per node with a smaller neighbour: needs canonical edges; produces {@value #DST} (the node),
   * {@code min_parent} and {@code max_parent} (its smallest and largest smaller neighbour, equal
   * when it has one), hash partitioned on {@value #DST}.
   */
  public static Dataset<Row> parentsOf(Dataset<Row> canonical) {
    return canonical.groupBy(col(DST)).agg(min(col(SRC)).as(MIN_PARENT), max(col(SRC)).as(MAX_PARENT));
  }

  /**
   * Roots of finished stars: needs canonical edges and their {@link #parentsOf}; produces
   * {@value #NODE} for every node without a smaller neighbour whose neighbours all have no other
   * edge. Such a node and its neighbours are a whole component, and the node is its minimum.
   */
  static Dataset<Row> finishedRoots(Dataset<Row> canonical, Dataset<Row> parents) {
    Dataset<Row> children = canonical.groupBy(col(SRC).as(NODE)).agg(count(lit(1)).as(CHILDREN));
    Dataset<Row> edges = canonical.alias("e");
    Column leafIsClean = col("c." + CHILDREN).isNull().and(col("p." + MIN_PARENT).equalTo(col("p." + MAX_PARENT)));
    return edges
        .join(parents.alias("p"), col("e." + DST).equalTo(col("p." + DST)))
        .join(children.alias("c"), col("e." + DST).equalTo(col("c." + NODE)), "left_outer")
        .groupBy(col("e." + SRC).as(NODE))
        .agg(min(when(leafIsClean, lit(1)).otherwise(lit(0))).as(CLEAN))
        .where(col(CLEAN).equalTo(1))
        .join(parents.alias("q"), col(NODE).equalTo(col("q." + DST)), "left_anti")
        .select(col(NODE));
  }

  /** The components of finished stars: {@link #COMPONENTS_SCHEMA} rows for their roots and leaves. */
  private static Dataset<Row> starsOf(Dataset<Row> canonical, Dataset<Row> roots) {
    Dataset<Row> leaves = canonical.join(roots, col(SRC).equalTo(col(NODE)), "left_semi")
        .select(col(DST).as(NODE), col(SRC).as(COMPONENT));
    return leaves.union(roots.select(col(NODE), col(NODE).as(COMPONENT)));
  }

  /** Long edges with {@code src <= dst}, self-loops kept, null endpoints dropped. */
  private static Dataset<Row> longEdges(Dataset<Row> edges) {
    Column srcLong = col(SRC).cast(DataTypes.LongType);
    Column dstLong = col(DST).cast(DataTypes.LongType);
    return edges
        .where(col(SRC).isNotNull().and(col(DST).isNotNull()))
        .select(least(srcLong, dstLong).as(SRC), greatest(srcLong, dstLong).as(DST));
  }

  private static Dataset<Row> distinctEdges(Dataset<Row> edges) {
    return edges.where(col(SRC).notEqual(col(DST))).repartition(col(SRC)).distinct();
  }

  private static Dataset<Row> selfLoopNodes(Dataset<Row> edges) {
    return edges.where(col(SRC).isNotNull().and(col(SRC).equalTo(col(DST))))
        .select(col(SRC).cast(DataTypes.LongType).as(NODE))
        .distinct();
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
