package io.tarmo.bench;

import io.tarmo.identity.LargeStarSmallStar;
import io.tarmo.identity.UnionFind;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.IntStream;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.graphx.Graph;
import org.apache.spark.graphx.lib.ConnectedComponents;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import scala.Option;
import scala.Tuple2;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

/**
 * Connected components three ways on the same edges: Tarmo's large-star / small-star, GraphX's
 * Pregel label propagation, and single-threaded union-find. Run by {@code bench/connected-components.sh}.
 *
 * <p>Arguments: {@code [edges (default 10000000)] [path nodes (default 1000000)] [GraphX max
 * iterations on the path (default 100)] [GraphX max iterations on the realistic graph (default
 * unlimited)]}. A capped GraphX run is reported as such and left out of the agreement check.
 */
public final class ConnectedComponentsBenchmark {

  private static final int CHUNKS = 64;
  private static final StructType EDGES = new StructType()
      .add(LargeStarSmallStar.SRC, DataTypes.LongType, false)
      .add(LargeStarSmallStar.DST, DataTypes.LongType, false);

  private record Timed<T>(T value, double seconds) {}

  private ConnectedComponentsBenchmark() {}

  public static void main(String[] args) {
    if (args.length > 4) {
      throw new IllegalArgumentException(
          "usage: ConnectedComponentsBenchmark [edges] [pathNodes] [graphxPathIterations] [graphxIterations]");
    }
    long edges = args.length > 0 ? Long.parseLong(args[0]) : 10_000_000L;
    int pathNodes = args.length > 1 ? Integer.parseInt(args[1]) : 1_000_000;
    int graphxPathIterations = args.length > 2 ? Integer.parseInt(args[2]) : 100;
    int graphxIterations = args.length > 3 ? Integer.parseInt(args[3]) : Integer.MAX_VALUE;
    SparkSession spark = SparkSession.builder()
        .master("local[2]")
        .appName("tarmo-cc-benchmark")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "8")
        .config("spark.default.parallelism", "8")
        .config("spark.sql.adaptive.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .getOrCreate();
    spark.sparkContext().setLogLevel("ERROR");
    try {
      List<String> table = new ArrayList<>();
      table.add(String.format(Locale.ROOT, "| %-34s | %12s | %6s | %10s | %10s |",
          "graph", "engine", "rounds", "seconds", "components"));
      table.add("|" + "-".repeat(36) + "|" + "-".repeat(14) + "|" + "-".repeat(8) + "|" + "-".repeat(12) + "|" + "-".repeat(12) + "|");
      realistic(spark, edges, graphxIterations, table);
      path(spark, pathNodes, graphxPathIterations, table);
      System.out.println();
      table.forEach(System.out::println);
    } finally {
      spark.stop();
    }
  }

  private static void realistic(SparkSession spark, long edgeCount, int graphxIterations, List<String> table) {
    int perChunk = (int) Math.max(1, edgeCount / CHUNKS);
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    List<Integer> chunks = IntStream.range(0, CHUNKS).boxed().toList();
    JavaRDD<long[]> generated = jsc.parallelize(chunks, CHUNKS)
        .flatMap(chunk -> realisticChunk(chunk, perChunk).iterator());
    generated.persist(StorageLevel.MEMORY_ONLY());
    long actualEdges = generated.count();
    String label = String.format(Locale.ROOT, "realistic, %,d edges", actualEdges);

    Dataset<Row> frame = spark.createDataFrame(generated.map(e -> RowFactory.create(e[0], e[1])), EDGES)
        .localCheckpoint(true);
    Timed<long[]> tarmo = timed(label + ": Tarmo LSSS", () -> {
      LargeStarSmallStar.Result result = LargeStarSmallStar.run(frame);
      long components = result.components().select(LargeStarSmallStar.COMPONENT).distinct().count();
      return new long[] {result.rounds(), components};
    });

    JavaRDD<Tuple2<Object, Object>> tuples = generated.map(e -> new Tuple2<Object, Object>(e[0], e[1]));
    Timed<Long> graphx = timed(label + ": GraphX", () -> graphxComponents(tuples, graphxIterations));

    long[] src = new long[(int) actualEdges];
    long[] dst = new long[(int) actualEdges];
    for (int chunk = 0, i = 0; chunk < CHUNKS; chunk++) {
      for (long[] edge : realisticChunk(chunk, perChunk)) {
        src[i] = edge[0];
        dst[i] = edge[1];
        i++;
      }
    }
    generated.unpersist(false);
    Timed<Long> unionFind = timed(label + ": union-find", () -> (long) UnionFind.of(src, dst).componentCount());

    boolean capped = graphxIterations != Integer.MAX_VALUE && graphx.value() != unionFind.value();
    if (capped) {
      check(label, tarmo.value()[1], unionFind.value());
    } else {
      check(label, tarmo.value()[1], graphx.value(), unionFind.value());
    }
    row(table, label, "Tarmo LSSS", Long.toString(tarmo.value()[0]), tarmo.seconds(), tarmo.value()[1]);
    row(table, label, "GraphX", capped ? "capped " + graphxIterations : "-", graphx.seconds(), graphx.value());
    row(table, label, "union-find", "-", unionFind.seconds(), unionFind.value());
    table.add(String.format(Locale.ROOT, "| %-34s | %12s | %6s | %10s | %10s |", label,
        "ratios", "", String.format(Locale.ROOT, "GraphX/LSSS %s%.2fx, LSSS/UF %.2fx", capped ? ">= " : "",
            graphx.seconds() / tarmo.seconds(), tarmo.seconds() / unionFind.seconds()), ""));
  }

  private static void path(SparkSession spark, int nodes, int graphxIterations, List<String> table) {
    String label = String.format(Locale.ROOT, "path, %,d nodes (scattered ids)", nodes);
    Dataset<Row> path = spark.range(1, nodes)
        .selectExpr("pmod((id - 1) * 7919, " + nodes + ") AS src", "pmod(id * 7919, " + nodes + ") AS dst")
        .localCheckpoint(true);
    Timed<long[]> tarmo = timed(label + ": Tarmo LSSS", () -> {
      LargeStarSmallStar.Result result = LargeStarSmallStar.run(path);
      long components = result.components().select(LargeStarSmallStar.COMPONENT).distinct().count();
      return new long[] {result.rounds(), components};
    });
    JavaRDD<Tuple2<Object, Object>> tuples = path.javaRDD()
        .map(r -> new Tuple2<Object, Object>(r.getLong(0), r.getLong(1)));
    Timed<Long> graphx = timed(label + ": GraphX", () -> graphxComponents(tuples, graphxIterations));
    boolean capped = graphx.value() != 1;
    if (tarmo.value()[1] != 1) {
      throw new IllegalStateException("Tarmo found " + tarmo.value()[1] + " components on a path");
    }
    row(table, label, "Tarmo LSSS", Long.toString(tarmo.value()[0]), tarmo.seconds(), tarmo.value()[1]);
    row(table, label, "GraphX", (capped ? "capped " : "") + graphxIterations, graphx.seconds(), graphx.value());
  }

  private static long graphxComponents(JavaRDD<Tuple2<Object, Object>> tuples, int maxIterations) {
    ClassTag<Object> objectTag = ClassTag$.MODULE$.Any();
    Graph<Object, Object> graph = Graph.fromEdgeTuples(tuples.rdd(), 0L, Option.empty(),
        StorageLevel.MEMORY_ONLY(), StorageLevel.MEMORY_ONLY(), objectTag);
    Graph<Object, Object> components = ConnectedComponents.run(graph, maxIterations, objectTag, objectTag);
    long count = components.vertices().toJavaRDD().map(v -> (Long) v._2()).distinct().count();
    components.unpersist(false);
    graph.unpersist(false);
    return count;
  }

  /**
   * Edges of one chunk: mostly components of 2–10 identifiers, a heavy tail of larger ones up to
   * about 10,000 (Pareto sizes, random trees plus a few cycle-closing and duplicate edges), and
   * about 1% of components as chains of 50–1,000. Ids are unique per chunk and scattered.
   */
  static List<long[]> realisticChunk(int chunk, int edgeBudget) {
    Random random = new Random(31L * chunk + 17);
    List<long[]> edges = new ArrayList<>(edgeBudget + 10_000);
    long next = 0;
    while (edges.size() < edgeBudget) {
      double draw = random.nextDouble();
      int size;
      boolean chain = false;
      if (draw < 0.01) {
        size = 50 + random.nextInt(951);
        chain = true;
      } else if (draw < 0.90) {
        size = 2 + random.nextInt(9);
      } else {
        size = (int) Math.min(10_000, 10 / Math.pow(1 - random.nextDouble(), 1 / 1.2));
      }
      size = Math.min(size, Math.max(2, edgeBudget - edges.size() + 1));
      long base = next;
      next += size;
      for (int i = 1; i < size; i++) {
        long parent = chain ? i - 1 : random.nextInt(i);
        edges.add(new long[] {id(chunk, base + i), id(chunk, base + parent)});
      }
      int extra = chain ? 0 : size / 8;
      for (int i = 0; i < extra && edges.size() < edgeBudget; i++) {
        edges.add(new long[] {id(chunk, base + random.nextInt(size)), id(chunk, base + random.nextInt(size))});
      }
    }
    return edges;
  }

  private static long id(int chunk, long local) {
    return (((long) chunk << 40) | local) * 0x9E3779B97F4A7C15L & Long.MAX_VALUE;
  }

  private static void check(String label, long... components) {
    for (long count : components) {
      if (count != components[0]) {
        throw new IllegalStateException("Engines disagree on " + label + ": " + java.util.Arrays.toString(components));
      }
    }
  }

  private static void row(List<String> table, String graph, String engine, String rounds, double seconds, long components) {
    table.add(String.format(Locale.ROOT, "| %-34s | %12s | %6s | %10.1f | %,10d |", graph, engine, rounds, seconds, components));
  }

  private static <T> Timed<T> timed(String what, java.util.function.Supplier<T> work) {
    System.err.printf(Locale.ROOT, "%s ...%n", what);
    long start = System.nanoTime();
    T value = work.get();
    double seconds = (System.nanoTime() - start) / 1e9;
    System.err.printf(Locale.ROOT, "%s: %s in %.1f s%n", what,
        value instanceof long[] array ? java.util.Arrays.toString(array) : value, seconds);
    return new Timed<>(value, seconds);
  }
}
