package io.tarmo.identity;

import static org.assertj.core.api.Assertions.assertThat;

import io.tarmo.testing.SparkTest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;

@SparkTest
class UnionFindPassesTest {

  @Test
  void localStarsTurnAPartitionIntoStarsRootedAtItsMinimum(SparkSession spark) {
    // A chain 5-3-9-1 with a duplicate and a cycle-closing edge, and a separate pair.
    Dataset<Row> edges = frame(spark, new long[][] {{3, 5}, {3, 9}, {1, 9}, {3, 5}, {1, 5}, {20, 30}});
    Dataset<Row> stars = UnionFindPasses.localStars(edges);
    assertThat(stars.schema()).isEqualTo(UnionFindPasses.EDGES_SCHEMA);
    assertThat(pairs(stars)).containsExactlyInAnyOrder(List.of(1L, 3L), List.of(1L, 5L), List.of(1L, 9L),
        List.of(20L, 30L));
  }

  @Test
  void localStarsOnlyMergeWhatSharesAPartition(SparkSession spark) {
    // 3-5 and 5-9 in different partitions stay two stars; their connectivity is kept.
    Dataset<Row> edges = frame(spark, new long[][] {{3, 5}, {-2, 3}}).union(frame(spark, new long[][] {{5, 9}}));
    assertThat(edges.javaRDD().getNumPartitions()).isEqualTo(2);
    assertThat(pairs(UnionFindPasses.localStars(edges)))
        .containsExactlyInAnyOrder(List.of(-2L, 3L), List.of(-2L, 5L), List.of(5L, 9L));
  }

  @Test
  void packedLocalStarsHoldTheSamePairsOneArrayPerPartition(SparkSession spark) {
    // Two partitions; 7 is seen only in a self-loop and stays as (7, 7).
    Dataset<Row> edges = frame(spark, new long[][] {{3, 5}, {3, 9}, {1, 9}, {3, 5}, {7, 7}})
        .union(frame(spark, new long[][] {{5, 9}, {20, 30}}));
    List<long[]> packed = UnionFindPasses.localStarArrays(edges).collect();
    assertThat(packed).hasSize(2);
    assertThat(pairs(UnionFindPasses.edgesOf(spark, UnionFindPasses.localStarArrays(edges))))
        .isEqualTo(pairs(UnionFindPasses.localStars(edges)))
        .containsExactlyInAnyOrder(List.of(1L, 3L), List.of(1L, 5L), List.of(1L, 9L), List.of(7L, 7L),
            List.of(5L, 9L), List.of(20L, 30L));
    assertThat(UnionFindPasses.componentsOnDriver(spark, packed).collectAsList())
        .extracting(row -> List.of(row.getLong(0), row.getLong(1)))
        .containsExactlyInAnyOrder(List.of(1L, 1L), List.of(3L, 1L), List.of(5L, 1L), List.of(9L, 1L),
            List.of(7L, 7L), List.of(20L, 20L), List.of(30L, 20L));
  }

  @Test
  void localStarsOfAnEmptyPartitionAreEmpty(SparkSession spark) {
    assertThat(UnionFindPasses.localStars(frame(spark, new long[][] {})).isEmpty()).isTrue();
  }

  @Test
  void componentsOnDriverGiveEveryNodeItsMinimum(SparkSession spark) {
    Dataset<Row> edges = frame(spark, new long[][] {{3, 5}, {9, 5}, {7, 8}}).union(frame(spark, new long[][] {{9, 1}}));
    Dataset<Row> components = UnionFindPasses.componentsOnDriver(edges);
    assertThat(components.schema()).isEqualTo(LargeStarSmallStar.COMPONENTS_SCHEMA);
    Map<Long, Long> map = new HashMap<>();
    for (Row row : components.collectAsList()) {
      assertThat(map.put(row.getLong(0), row.getLong(1))).isNull();
    }
    assertThat(map).isEqualTo(Map.of(1L, 1L, 3L, 1L, 5L, 1L, 9L, 1L, 7L, 7L, 8L, 7L));
  }

  @Test
  void componentsOnDriverOfNoEdgesAreEmpty(SparkSession spark) {
    Dataset<Row> components = UnionFindPasses.componentsOnDriver(frame(spark, new long[][] {}));
    assertThat(components.schema()).isEqualTo(LargeStarSmallStar.COMPONENTS_SCHEMA);
    assertThat(components.isEmpty()).isTrue();
  }

  private static Dataset<Row> frame(SparkSession spark, long[][] edges) {
    List<Row> rows = new ArrayList<>();
    for (long[] edge : edges) {
      rows.add(RowFactory.create(edge[0], edge[1]));
    }
    // One partition per frame, so a union of frames has one partition per frame.
    JavaSparkContext context = JavaSparkContext.fromSparkContext(spark.sparkContext());
    return spark.createDataFrame(context.parallelize(rows, 1), UnionFindPasses.EDGES_SCHEMA);
  }

  private static Set<List<Long>> pairs(Dataset<Row> edges) {
    Set<List<Long>> pairs = new HashSet<>();
    for (Row row : edges.collectAsList()) {
      assertThat(pairs.add(List.of(row.getLong(0), row.getLong(1)))).as("no duplicate %s", row).isTrue();
    }
    return pairs;
  }
}
