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
 *
 * <p>Every engine starts from the same locally checkpointed frame whose rows were dealt round-robin
 * over {@value #PARTITIONS} partitions, so the edges of one component are spread over all of them
 * (the worst case for Tarmo's per-partition pass). Timed: Tarmo's {@code run} plus counting the
 * result rows; GraphX building the graph and its {@code connectedComponents} plus counting the
 * vertices; union-find collecting the frame's edges to the driver as primitive arrays plus
 * {@link UnionFind#of}. The number of distinct components is counted outside the timings.
 */
public final class ConnectedComponentsBenchmark {

  private static final int CHUNKS = 64;
  private static final int PARTITIONS = 8;
  private static final StructType EDGES = new StructType()
      .add(LargeStarSmallStar.SRC, DataTypes.LongType, false)
      .add(LargeStarSmallStar.DST, DataTypes.LongType, false);

  private record Timed<T>(T value, double seconds) {}

  private ConnectedComponentsBenchmark() {}

  public static void main(String[] args) {
    if (args.length > 5) {
      throw new IllegalArgumentException("usage: ConnectedComponentsBenchmark [edges] [pathNodes] "
          + "[graphxPathIterations] [graphxIterations] [pathRoundsOnly: true|false]");
    }
    long edges = args.length > 0 ? Long.parseLong(args[0]) : 10_000_000L;
    int pathNodes = args.length > 1 ? Integer.parseInt(args[1]) : 1_000_000;
    int graphxPathIterations = args.length > 2 ? Integer.parseInt(args[2]) : 100;
    int graphxIterations = args.length > 3 ? Integer.parseInt(args[3]) : Integer.MAX_VALUE;
    boolean pathRoundsOnly = args.length <= 4 || Boolean.parseBoolean(args[4]);
    SparkSession spark = SparkSession.builder()
        .master("local[2]")
        .appName("tarmo-cc-benchmark")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", String.valueOf(PARTITIONS))
        .config("spark.default.parallelism", String.valueOf(PARTITIONS))
        .config("spark.sql.adaptive.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .getOrCreate();
    spark.sparkContext().setLogLevel("ERROR");
    try {
      List<String> table = new ArrayList<>();
      table.add(String.format(Locale.ROOT, "| %-30s | %-30s | %-10s | %8s | %10s |",
          "graph", "engine", "rounds", "seconds", "components"));
      table.add("|" + "-".repeat(32) + "|" + "-".repeat(32) + "|" + "-".repeat(12) + "|" + "-".repeat(10) + "|" + "-".repeat(12) + "|");
      warmUp(spark);
      realistic(spark, edges, graphxIterations, table);
      path(spark, pathNodes, graphxPathIterations, pathRoundsOnly, table);
      System.out.println();
      table.forEach(System.out::println);
    } finally {
      spark.stop();
    }
  }

  /**
   * Runs Tarmo and union-find once, untimed, on a realistic graph of a million edges, so that the
   * timed runs compare compiled code rather than whichever engine happens to go first.
   */
  private static void warmUp(SparkSession spark) {
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    JavaRDD<Row> generated = jsc.parallelize(IntStream.range(0, CHUNKS).boxed().toList(), CHUNKS)
        .flatMap(chunk -> realisticChunk(chunk, 1_000_000 / CHUNKS).iterator())
        .map(e -> RowFactory.create(e[0], e[1]));
    Dataset<Row> frame = spark.createDataFrame(generated, EDGES).repartition(PARTITIONS).localCheckpoint(true);
    for (int i = 0; i < 2; i++) {
      tarmo("warm-up: Tarmo", frame, LargeStarSmallStar.defaultDriverEdges());
      timed("warm-up: union-find", () -> unionFindOnDriver(frame));
    }
  }

  private static void realistic(SparkSession spark, long edgeCount, int graphxIterations, List<String> table) {
    int perChunk = (int) Math.max(1, edgeCount / CHUNKS);
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    List<Integer> chunks = IntStream.range(0, CHUNKS).boxed().toList();
    JavaRDD<Row> generated = jsc.parallelize(chunks, CHUNKS)
        .flatMap(chunk -> realisticChunk(chunk, perChunk).iterator())
        .map(e -> RowFactory.create(e[0], e[1]));
    Dataset<Row> frame = spark.createDataFrame(generated, EDGES).repartition(PARTITIONS).localCheckpoint(true);
    long actualEdges = frame.count();
    String label = String.format(Locale.ROOT, "realistic, %,d edges", actualEdges);
    compare(spark, label, frame, graphxIterations, false, table);
  }

  private static void path(SparkSession spark, int nodes, int graphxIterations, boolean roundsOnly,
      List<String> table) {
    String label = String.format(Locale.ROOT, "path, %,d nodes", nodes);
    Dataset<Row> path = spark.range(1, nodes)
        .selectExpr("pmod((id - 1) * 7919, " + nodes + ") AS src", "pmod(id * 7919, " + nodes + ") AS dst")
        .repartition(PARTITIONS)
        .localCheckpoint(true);
    compare(spark, label, path, graphxIterations, roundsOnly, table);
  }

  private static void compare(SparkSession spark, String label, Dataset<Row> frame, int graphxIterations,
      boolean withRoundsOnly, List<String> table) {
    Timed<LargeStarSmallStar.Result> tarmo = tarmo(label + ": Tarmo", frame, LargeStarSmallStar.defaultDriverEdges());
    long tarmoComponents = distinctComponents(tarmo.value());
    Timed<LargeStarSmallStar.Result> rounds = withRoundsOnly ? tarmo(label + ": Tarmo without driver finish", frame, 0) : null;
    long roundsComponents = withRoundsOnly ? distinctComponents(rounds.value()) : tarmoComponents;

    JavaRDD<Tuple2<Object, Object>> tuples = frame.javaRDD().map(r -> new Tuple2<Object, Object>(r.getLong(0), r.getLong(1)));
    Timed<Graph<Object, Object>> graphx = timed(label + ": GraphX", () -> graphxComponents(tuples, graphxIterations));
    long graphxComponents = graphx.value().vertices().toJavaRDD().map(v -> (Long) v._2()).distinct().count();
    graphx.value().unpersist(false);

    Timed<UnionFind> unionFind = timed(label + ": union-find", () -> unionFindOnDriver(frame));
    long unionFindComponents = unionFind.value().componentCount();

    boolean capped = graphxComponents != unionFindComponents;
    check(label, tarmoComponents, roundsComponents, unionFindComponents);
    String driverLabel = String.format(Locale.ROOT, "Tarmo (driver at <= %,d)", LargeStarSmallStar.defaultDriverEdges());
    row(table, label, driverLabel, Integer.toString(tarmo.value().rounds()), tarmo.seconds(), tarmoComponents, "");
    if (withRoundsOnly) {
      row(table, label, "Tarmo rounds only (no driver)", Integer.toString(rounds.value().rounds()), rounds.seconds(),
          roundsComponents, "");
    }
    row(table, label, "GraphX connectedComponents", capped ? "capped " + graphxIterations : "converged",
        graphx.seconds(), graphxComponents, capped ? " not converged" : "");
    row(table, label, "union-find (collect + UF)", "-", unionFind.seconds(), unionFindComponents, "");
    table.add(String.format(Locale.ROOT, "| %-30s | %-30s | %-10s | %8s | %10s |", label, String.format(Locale.ROOT,
        "GraphX/Tarmo %s%.1fx", capped ? ">= " : "", graphx.seconds() / tarmo.seconds()), "", "", ""));
    table.add(String.format(Locale.ROOT, "| %-30s | %-30s | %-10s | %8s | %10s |", label, String.format(Locale.ROOT,
        "Tarmo/union-find %.1fx", tarmo.seconds() / unionFind.seconds()), "", "", ""));
  }

  private static Timed<LargeStarSmallStar.Result> tarmo(String what, Dataset<Row> frame, long driverEdges) {
    return timed(what, () -> {
      LargeStarSmallStar.Result result = LargeStarSmallStar.run(frame, LargeStarSmallStar.DEFAULT_MAX_ROUNDS, driverEdges);
      Dataset<Row> components = result.components().localCheckpoint(true);
      return new LargeStarSmallStar.Result(components, result.rounds());
    });
  }

  private static long distinctComponents(LargeStarSmallStar.Result result) {
    return result.components().select(LargeStarSmallStar.COMPONENT).distinct().count();
  }

  private static Graph<Object, Object> graphxComponents(JavaRDD<Tuple2<Object, Object>> tuples, int maxIterations) {
    ClassTag<Object> objectTag = ClassTag$.MODULE$.Any();
    Graph<Object, Object> graph = Graph.fromEdgeTuples(tuples.rdd(), 0L, Option.empty(),
        StorageLevel.MEMORY_ONLY(), StorageLevel.MEMORY_ONLY(), objectTag);
    Graph<Object, Object> components = ConnectedComponents.run(graph, maxIterations, objectTag, objectTag);
    components.vertices().count();
    graph.unpersist(false);
    return components;
  }

  /** What union-find needs in practice: the edges on the driver as primitive arrays, then one pass. */
  private static UnionFind unionFindOnDriver(Dataset<Row> frame) {
    List<long[]> parts = frame.javaRDD().mapPartitions(rows -> {
      long[] pairs = new long[1024];
      int size = 0;
      while (rows.hasNext()) {
        Row row = rows.next();
        if (size + 2 > pairs.length) {
          pairs = java.util.Arrays.copyOf(pairs, pairs.length * 2);
        }
        pairs[size++] = row.getLong(0);
        pairs[size++] = row.getLong(1);
      }
      return List.of(java.util.Arrays.copyOf(pairs, size)).iterator();
    }).collect();
    int total = 0;
    for (long[] part : parts) {
      total += part.length / 2;
    }
    long[] src = new long[total];
    long[] dst = new long[total];
    int i = 0;
    for (long[] part : parts) {
      for (int j = 0; j < part.length; j += 2, i++) {
        src[i] = part[j];
        dst[i] = part[j + 1];
      }
    }
    return UnionFind.of(src, dst);
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

  private static void row(List<String> table, String graph, String engine, String rounds, double seconds,
      long components, String note) {
    table.add(String.format(Locale.ROOT, "| %-30s | %-30s | %-10s | %8.1f | %,10d%s |", graph, engine, rounds, seconds,
        components, note));
  }

  private static <T> Timed<T> timed(String what, java.util.function.Supplier<T> work) {
    System.err.printf(Locale.ROOT, "%s ...%n", what);
    long start = System.nanoTime();
    T value = work.get();
    double seconds = (System.nanoTime() - start) / 1e9;
    System.err.printf(Locale.ROOT, "%s: %s in %.1f s%n", what,
        value instanceof LargeStarSmallStar.Result r ? r.rounds() + " rounds" : "done", seconds);
    return new Timed<>(value, seconds);
  }
}
