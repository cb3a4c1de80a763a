package io.tarmo.identity;

import static io.tarmo.identity.LargeStarSmallStar.COMPONENTS_SCHEMA;
import static io.tarmo.identity.LargeStarSmallStar.DST;
import static io.tarmo.identity.LargeStarSmallStar.SRC;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The two union-find steps around {@link LargeStarSmallStar}'s rounds: one in every partition
 * before the first round, one on the driver once few edges are left. Both work on primitive
 * arrays, so they cost a pass over the rows and no shuffle.
 */
final class UnionFindPasses {

  /** Canonical edge schema: {@value LargeStarSmallStar#SRC} &lt; {@value LargeStarSmallStar#DST}, both long. */
  static final StructType EDGES_SCHEMA = new StructType()
      .add(SRC, DataTypes.LongType, true)
      .add(DST, DataTypes.LongType, true);

  /** Nodes (and their components) per slice when the driver's result goes back to the executors. */
  private static final int SLICE = 1 << 20;

  private UnionFindPasses() {}

  /**
   * Local stars: needs long {@value LargeStarSmallStar#SRC}, {@value LargeStarSmallStar#DST}
   * without nulls; within each partition, links every node to the minimum of its component in
   * that partition. Produces edges {@code src < dst} with the same connectivity, without the
   * partition's duplicates and cycles, each partition's components already stars rooted at their
   * minimum, plus a self-loop {@code (n, n)} for a node seen only in self-loops. Edges of one
   * component that sit in one partition collapse to a star in this pass.
   */
  static Dataset<Row> localStars(Dataset<Row> edges) {
    return edges.mapPartitions((MapPartitionsFunction<Row, Row>) UnionFindPasses::starsOfPartition,
        Encoders.row(EDGES_SCHEMA));
  }

  /**
   * The same local stars as {@link #localStars}, packed: one {@code long[]} per partition holding
   * {@code root, node} pairs. No row is built for a star, so the driver can take the pairs as
   * they are.
   */
  static JavaRDD<long[]> localStarArrays(Dataset<Row> edges) {
    return localStarArrays(packedEdges(edges));
  }

  /** {@link #localStarArrays(Dataset)} of edges already packed by {@link #packedEdges}. */
  static JavaRDD<long[]> localStarArrays(JavaRDD<long[]> packed) {
    return packed.map(UnionFindPasses::packedStars);
  }

  /**
   * The edges (long {@value LargeStarSmallStar#SRC}, {@value LargeStarSmallStar#DST} without
   * nulls) packed as {@code src, dst} pairs, one array per partition: a pass that builds no object
   * per edge, after which the edges can be counted, collected or turned into stars cheaply.
   */
  static JavaRDD<long[]> packedEdges(Dataset<Row> edges) {
    return edges.javaRDD().mapPartitions(UnionFindPasses::pack);
  }

  /** Packed {@code src, dst} pairs as an edge frame ({@link #EDGES_SCHEMA}). */
  static Dataset<Row> edgesOf(SparkSession spark, JavaRDD<long[]> packed) {
    return spark.createDataFrame(packed.flatMap((FlatMapFunction<long[], Row>) UnionFindPasses::unpack), EDGES_SCHEMA);
  }

  /**
   * Components on the driver: collects {@code edges} (long {@value LargeStarSmallStar#SRC},
   * {@value LargeStarSmallStar#DST} without nulls) as primitive arrays, runs {@link UnionFind}
   * and hands the result back as a {@link LargeStarSmallStar#COMPONENTS_SCHEMA} frame, one row
   * per node of the edges. The driver holds about 100 bytes per edge meanwhile.
   */
  static Dataset<Row> componentsOnDriver(Dataset<Row> edges) {
    return componentsOnDriver(edges.sparkSession(), packedEdges(edges).collect());
  }

  /** Components on the driver of edges already packed as {@code src, dst} pairs, one array per partition. */
  static Dataset<Row> componentsOnDriver(SparkSession spark, List<long[]> packed) {
    long total = 0;
    for (long[] part : packed) {
      total += part.length / 2;
    }
    UnionFind unionFind = new UnionFind((int) Math.min(Integer.MAX_VALUE - 8, total));
    for (long[] part : packed) {
      for (int i = 0; i < part.length; i += 2) {
        unionFind.union(part[i], part[i + 1]);
      }
    }
    long[] nodes = unionFind.nodes();
    List<long[]> slices = new ArrayList<>();
    for (int from = 0; from < nodes.length; from += SLICE) {
      int to = Math.min(nodes.length, from + SLICE);
      long[] slice = new long[2 * (to - from)];
      for (int i = from; i < to; i++) {
        slice[2 * (i - from)] = nodes[i];
        slice[2 * (i - from) + 1] = unionFind.componentOf(nodes[i]);
      }
      slices.add(slice);
    }
    JavaSparkContext context = JavaSparkContext.fromSparkContext(spark.sparkContext());
    JavaRDD<Row> rows = context.parallelize(slices, Math.max(1, slices.size()))
        .flatMap((FlatMapFunction<long[], Row>) UnionFindPasses::unpack);
    return spark.createDataFrame(rows, COMPONENTS_SCHEMA);
  }

  private static Iterator<Row> starsOfPartition(Iterator<Row> rows) {
    return unpack(packedStars(pack(rows).next()));
  }

  /**
   * One partition's stars as {@code root, node} pairs: every node that is not its component's
   * root, plus {@code (n, n)} for a node seen only in self-loops.
   */
  private static long[] packedStars(long[] edges) {
    UnionFind unionFind = new UnionFind(Math.max(1024, edges.length / 2));
    for (int i = 0; i < edges.length; i += 2) {
      unionFind.union(edges[i], edges[i + 1]);
    }
    long[] nodes = unionFind.nodes();
    long[] pairs = new long[2 * nodes.length];
    int size = 0;
    for (long node : nodes) {
      long root = unionFind.componentOf(node);
      if (root != node || unionFind.isAlone(node)) {
        pairs[size++] = root;
        pairs[size++] = node;
      }
    }
    return Arrays.copyOf(pairs, size);
  }

  private static Iterator<long[]> pack(Iterator<Row> rows) {
    long[] pairs = new long[1024];
    int size = 0;
    while (rows.hasNext()) {
      Row row = rows.next();
      if (size + 2 > pairs.length) {
        pairs = Arrays.copyOf(pairs, pairs.length * 2);
      }
      pairs[size++] = row.getLong(0);
      pairs[size++] = row.getLong(1);
    }
    return List.of(Arrays.copyOf(pairs, size)).iterator();
  }

  private static Iterator<Row> unpack(long[] slice) {
    List<Row> rows = new ArrayList<>(slice.length / 2);
    for (int i = 0; i < slice.length; i += 2) {
      rows.add(RowFactory.create(slice[i], slice[i + 1]));
    }
    return rows.iterator();
  }
}
