package io.tarmo.identity;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.pmod;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tarmo.TarmoException;
import io.tarmo.testing.SparkTest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

@SparkTest
class LargeStarSmallStarTest {

  private static final StructType EDGES = new StructType()
      .add(LargeStarSmallStar.SRC, DataTypes.LongType, true)
      .add(LargeStarSmallStar.DST, DataTypes.LongType, true);

  @Test
  void matchesUnionFindOnRandomGraphs(SparkSession spark) {
    assertRandomGraphsMatchUnionFind(spark, frameOfGraphs(spark, randomGraphs()), LargeStarSmallStar.defaultDriverEdges());
  }

  @Test
  void matchesUnionFindOnRandomGraphsSpreadOverPartitionsWithoutDriverFinish(SparkSession spark) {
    // Spread over many partitions, the per-partition pass can only do a little and the rounds
    // and the pruning of finished stars must resolve the rest.
    withShufflePartitions(spark, 8, () -> assertRandomGraphsMatchUnionFind(spark,
        frameOfGraphs(spark, randomGraphs()).repartition(32), 0));
  }

  @Test
  void matchesUnionFindWhenTheDriverFinishesAfterSomeRounds(SparkSession spark) {
    List<List<long[]>> graphs = randomGraphs();
    withShufflePartitions(spark, 8, () -> {
      Dataset<Row> edges = frameOfGraphs(spark, graphs).repartition(32);
      long working = LargeStarSmallStar.canonicalEdges(edges).count();
      assertRandomGraphsMatchUnionFind(spark, edges, working / 3);
    });
  }

  private static List<List<long[]>> randomGraphs() {
    // Thirty seeds in disjoint id ranges share one run: a run costs seconds, a graph milliseconds.
    List<List<long[]>> graphs = new ArrayList<>();
    for (int seed = 0; seed < 30; seed++) {
      graphs.add(randomGraph(new Random(seed), seed));
    }
    return graphs;
  }

  private static void assertRandomGraphsMatchUnionFind(SparkSession spark, Dataset<Row> edges, long driverEdges) {
    List<List<long[]>> graphs = randomGraphs();
    Map<Long, Long> actual = asMap(LargeStarSmallStar.run(edges, LargeStarSmallStar.DEFAULT_MAX_ROUNDS, driverEdges)
        .components());
    int nodes = 0;
    for (int seed = 0; seed < graphs.size(); seed++) {
      UnionFind oracle = new UnionFind(graphs.get(seed).size());
      for (long[] edge : graphs.get(seed)) {
        oracle.union(edge[0], edge[1]);
      }
      for (long node : oracle.nodes()) {
        assertThat(actual.get(node)).as("seed %d, node %d", seed, node).isEqualTo(oracle.componentOf(node));
      }
      nodes += oracle.nodeCount();
    }
    assertThat(actual).hasSize(nodes);
  }

  @Test
  void chainOfHundredThousandIsFinishedOnTheDriver(SparkSession spark) {
    LargeStarSmallStar.Result result = LargeStarSmallStar.run(scatteredChain(spark, 100_000));
    assertWholeChain(result, 100_000);
    assertThat(result.rounds()).isZero();
  }

  @Test
  void chainOfHundredThousandConvergesInFewRoundsWithoutDriverFinish(SparkSession spark) {
    withShufflePartitions(spark, 8, () -> {
      LargeStarSmallStar.Result result = LargeStarSmallStar.run(scatteredChain(spark, 100_000).repartition(8),
          LargeStarSmallStar.DEFAULT_MAX_ROUNDS, 0);
      assertWholeChain(result, 100_000);
      assertThat(result.rounds()).isBetween(1, 30);
    });
  }

  @Test
  void driverFinishesWhenTheWorkingSetIsAtMostTheThreshold(SparkSession spark) {
    // One edge per partition: the per-partition pass changes nothing, so the working set is
    // exactly the 39 edges of the chain.
    List<long[]> chain = new ArrayList<>();
    long[] ids = shuffledIds(new Random(7), 40);
    for (int i = 1; i < ids.length; i++) {
      chain.add(new long[] {ids[i - 1], ids[i]});
    }
    withShufflePartitions(spark, 8, () -> {
      Dataset<Row> edges = frame(spark, chain).repartition(chain.size());
      LargeStarSmallStar.Result atThreshold = LargeStarSmallStar.run(edges, LargeStarSmallStar.DEFAULT_MAX_ROUNDS, 39);
      LargeStarSmallStar.Result belowThreshold = LargeStarSmallStar.run(edges, LargeStarSmallStar.DEFAULT_MAX_ROUNDS, 38);
      assertThat(atThreshold.rounds()).isZero();
      assertThat(belowThreshold.rounds()).isPositive();
      Map<Long, Long> expected = new HashMap<>();
      for (long id : ids) {
        expected.put(id, 0L);
      }
      assertThat(asMap(atThreshold.components())).isEqualTo(expected);
      assertThat(asMap(belowThreshold.components())).isEqualTo(expected);
    });
  }

  @Test
  void roundLimitIsEnforcedWithoutDriverFinish(SparkSession spark) {
    withShufflePartitions(spark, 8, () -> {
      Dataset<Row> chain = scatteredChain(spark, 10_000).repartition(8);
      assertThatThrownBy(() -> LargeStarSmallStar.run(chain, 1, 0))
          .isInstanceOf(TarmoException.class)
          .hasMessage("Cannot compute connected components: the edges did not converge in 1 rounds");
    });
  }

  @Test
  void negativeLimitsAreRefused(SparkSession spark) {
    Dataset<Row> edges = frame(spark, List.of(new long[] {1, 2}));
    assertThatThrownBy(() -> LargeStarSmallStar.run(edges, 10, -1))
        .isInstanceOf(TarmoException.class)
        .hasMessageStartingWith("Cannot compute connected components: rounds and driver edges must not be negative");
  }

  private static Dataset<Row> scatteredChain(SparkSession spark, long length) {
    // Node i of the chain is (i * 7919) mod length: a path whose ids are scattered, not sorted.
    Column position = col("id");
    return spark.range(1, length)
        .select(pmod(position.minus(1).multiply(7919), lit(length)).as(LargeStarSmallStar.SRC),
            pmod(position.multiply(7919), lit(length)).as(LargeStarSmallStar.DST));
  }

  private static void assertWholeChain(LargeStarSmallStar.Result result, long length) {
    Row summary = result.components()
        .agg(count(LargeStarSmallStar.NODE), countDistinct(col(LargeStarSmallStar.NODE)),
            countDistinct(col(LargeStarSmallStar.COMPONENT)), min(LargeStarSmallStar.COMPONENT))
        .first();
    assertThat(summary.getLong(0)).isEqualTo(length);
    assertThat(summary.getLong(1)).isEqualTo(length);
    assertThat(summary.getLong(2)).isEqualTo(1);
    assertThat(summary.getLong(3)).isEqualTo(0);
  }

  private static void withShufflePartitions(SparkSession spark, int partitions, Runnable body) {
    String key = "spark.sql.shuffle.partitions";
    String previous = spark.conf().get(key);
    spark.conf().set(key, String.valueOf(partitions));
    try {
      body.run();
    } finally {
      spark.conf().set(key, previous);
    }
  }

  @Test
  void selfLoopsDuplicatesAndNullsGiveOneRowPerNode(SparkSession spark) {
    List<long[]> edges = List.of(
        new long[] {5, 5}, new long[] {9, 9}, new long[] {9, 3}, new long[] {3, 9}, new long[] {3, 9},
        new long[] {-4, 12}, new long[] {12, 12});
    List<Row> rows = new ArrayList<>(rows(edges));
    rows.add(RowFactory.create(null, 1L));
    rows.add(RowFactory.create(2L, null));
    LargeStarSmallStar.Result result = LargeStarSmallStar.run(spark.createDataFrame(rows, EDGES));
    assertThat(asMap(result.components())).isEqualTo(Map.of(5L, 5L, 9L, 3L, 3L, 3L, -4L, -4L, 12L, -4L));
  }

  @Test
  void selfLoopsDuplicatesAndNullsGiveOneRowPerNodeWithoutDriverFinish(SparkSession spark) {
    List<Row> rows = new ArrayList<>(rows(List.of(
        new long[] {5, 5}, new long[] {9, 9}, new long[] {9, 3}, new long[] {3, 9}, new long[] {3, 9},
        new long[] {-4, 12}, new long[] {12, 12}, new long[] {12, 20}, new long[] {20, 7})));
    rows.add(RowFactory.create(null, 1L));
    Dataset<Row> edges = spark.createDataFrame(rows, EDGES).repartition(4);
    LargeStarSmallStar.Result result = LargeStarSmallStar.run(edges, LargeStarSmallStar.DEFAULT_MAX_ROUNDS, 0);
    assertThat(asMap(result.components()))
        .isEqualTo(Map.of(5L, 5L, 9L, 3L, 3L, 3L, -4L, -4L, 12L, -4L, 20L, -4L, 7L, -4L));
  }

  @Test
  void starsRootedAtTheirMinimumNeedNoRound(SparkSession spark) {
    List<long[]> edges = List.of(new long[] {1, 2}, new long[] {3, 1}, new long[] {10, 11}, new long[] {10, 12});
    // Spread over partitions and without the driver: the pruning of finished stars alone ends it.
    Dataset<Row> spread = frame(spark, edges).repartition(4);
    LargeStarSmallStar.Result result = LargeStarSmallStar.run(spread, LargeStarSmallStar.DEFAULT_MAX_ROUNDS, 0);
    assertThat(result.rounds()).isZero();
    assertThat(asMap(result.components()))
        .isEqualTo(Map.of(1L, 1L, 2L, 1L, 3L, 1L, 10L, 10L, 11L, 10L, 12L, 10L));
  }

  @Test
  void emptyInputGivesEmptyOutput(SparkSession spark) {
    LargeStarSmallStar.Result result = LargeStarSmallStar.run(frame(spark, List.of()));
    assertThat(result.components().isEmpty()).isTrue();
    assertThat(result.rounds()).isZero();
  }

  @Test
  void outputSchemaIsExact(SparkSession spark) {
    List<long[]> edges = List.of(new long[] {1, 2}, new long[] {2, 3}, new long[] {4, 4});
    StructType schema = LargeStarSmallStar.run(frame(spark, edges)).components().schema();
    assertThat(schema.fields()).containsExactly(LargeStarSmallStar.COMPONENTS_SCHEMA.fields());
    StructType emptySchema = LargeStarSmallStar.run(frame(spark, List.of())).components().schema();
    assertThat(emptySchema.fields()).containsExactly(LargeStarSmallStar.COMPONENTS_SCHEMA.fields());
    StructType roundsSchema = LargeStarSmallStar.run(frame(spark, edges), 10, 0).components().schema();
    assertThat(roundsSchema.fields()).containsExactly(LargeStarSmallStar.COMPONENTS_SCHEMA.fields());
  }

  @Test
  void integerColumnsAreWidenedToLong(SparkSession spark) {
    StructType ints = new StructType()
        .add(LargeStarSmallStar.SRC, DataTypes.IntegerType, false)
        .add(LargeStarSmallStar.DST, DataTypes.IntegerType, false);
    Dataset<Row> edges = spark.createDataFrame(List.of(RowFactory.create(7, 3), RowFactory.create(3, 8)), ints);
    assertThat(asMap(LargeStarSmallStar.run(edges).components())).isEqualTo(Map.of(3L, 3L, 7L, 3L, 8L, 3L));
  }

  @Test
  void missingOrNonIntegralColumnsAreRefusedReadably(SparkSession spark) {
    StructType wrong = new StructType()
        .add(LargeStarSmallStar.SRC, DataTypes.StringType, true)
        .add("target", DataTypes.LongType, true);
    Dataset<Row> edges = spark.createDataFrame(List.of(), wrong);
    assertThatThrownBy(() -> LargeStarSmallStar.run(edges))
        .isInstanceOf(TarmoException.class)
        .hasMessageStartingWith("Cannot compute connected components: the edges need integral columns src and dst");
  }

  private static void assertMatchesUnionFind(SparkSession spark, List<long[]> edges, String label) {
    UnionFind oracle = new UnionFind(edges.size());
    for (long[] edge : edges) {
      oracle.union(edge[0], edge[1]);
    }
    Map<Long, Long> actual = asMap(LargeStarSmallStar.run(frame(spark, edges)).components());
    Map<Long, Long> expected = new HashMap<>();
    for (long node : oracle.nodes()) {
      expected.put(node, oracle.componentOf(node));
    }
    assertThat(actual).as(label).isEqualTo(expected);
  }

  /**
   * A few hundred edges mixing the shapes identity graphs have: isolated pairs, stars around a
   * hub, chains in random id order, a denser random blob, self-loops and duplicates; ids sparse
   * and sometimes negative.
   */
  private static List<long[]> randomGraph(Random random, int seed) {
    int nodes = 50 + random.nextInt(300);
    long[] ids = shuffledIds(random, nodes);
    long offset = (seed % 3 == 0 ? -1_000_000_000_000L : 0) + seed * 10_000_000L;
    for (int i = 0; i < nodes; i++) {
      ids[i] = ids[i] * (1 + seed % 5) + offset;
    }
    List<long[]> edges = new ArrayList<>();
    int cursor = 0;
    while (cursor < nodes) {
      int remaining = nodes - cursor;
      int shape = random.nextInt(5);
      int size = Math.min(remaining, 2 + random.nextInt(shape == 4 ? 60 : 12));
      for (int i = 1; i < size; i++) {
        long a = ids[cursor + i];
        long b = switch (shape) {
          case 0 -> ids[cursor + i - 1];
          case 1 -> ids[cursor];
          default -> ids[cursor + random.nextInt(i)];
        };
        edges.add(random.nextBoolean() ? new long[] {a, b} : new long[] {b, a});
      }
      if (shape == 4) {
        double density = 0.05 + random.nextDouble() * 0.3;
        for (int i = 0; i < size * size * density / 4; i++) {
          edges.add(new long[] {ids[cursor + random.nextInt(size)], ids[cursor + random.nextInt(size)]});
        }
      }
      if (size == 1 || random.nextInt(8) == 0) {
        edges.add(new long[] {ids[cursor], ids[cursor]});
      }
      cursor += size;
    }
    int duplicates = edges.size() / 10;
    for (int i = 0; i < duplicates; i++) {
      long[] edge = edges.get(random.nextInt(edges.size()));
      edges.add(random.nextBoolean() ? edge : new long[] {edge[1], edge[0]});
    }
    return edges;
  }

  private static long[] shuffledIds(Random random, int count) {
    long[] ids = new long[count];
    for (int i = 0; i < count; i++) {
      ids[i] = i;
    }
    for (int i = count - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      long swap = ids[i];
      ids[i] = ids[j];
      ids[j] = swap;
    }
    return ids;
  }

  private static Dataset<Row> frameOfGraphs(SparkSession spark, List<List<long[]>> graphs) {
    List<long[]> all = new ArrayList<>();
    graphs.forEach(all::addAll);
    return frame(spark, all);
  }

  private static Dataset<Row> frame(SparkSession spark, List<long[]> edges) {
    return spark.createDataFrame(rows(edges), EDGES);
  }

  private static List<Row> rows(List<long[]> edges) {
    List<Row> rows = new ArrayList<>(edges.size());
    for (long[] edge : edges) {
      rows.add(RowFactory.create(edge[0], edge[1]));
    }
    return rows;
  }

  private static Map<Long, Long> asMap(Dataset<Row> components) {
    Map<Long, Long> map = new HashMap<>();
    for (Row row : components.collectAsList()) {
      Long previous = map.put(row.getLong(0), row.getLong(1));
      assertThat(previous).as("node %d appears once", row.getLong(0)).isNull();
    }
    return map;
  }
}
