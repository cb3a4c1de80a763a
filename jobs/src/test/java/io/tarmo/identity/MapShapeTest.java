package io.tarmo.identity;

import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;

import io.tarmo.testing.SparkTest;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;

/** The map's shape computed on the driver equals the one Spark aggregates. */
@SparkTest
class MapShapeTest {

  private static final StructType ROWS = new StructType()
      .add(IdentityGraph.TYPE, DataTypes.StringType, false)
      .add("component", DataTypes.LongType, false)
      .add("added", DataTypes.BooleanType, true);
  private static final List<String> TYPES = List.of("customer_id", "email", "phone", "anonymous_id",
      "loyalty_card_id", "not_a_type");

  private final SparkSession spark;

  MapShapeTest(SparkSession spark) {
    this.spark = spark;
  }

  @Test
  void theDriverShapeIsTheAggregatedOne() {
    Random random = new Random(11);
    List<Row> rows = new ArrayList<>();
    List<MapShape.Member> members = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      String type = TYPES.get(random.nextInt(TYPES.size()));
      long component = random.nextInt(90);
      Boolean added = random.nextInt(5) == 0 ? null : random.nextBoolean();
      rows.add(RowFactory.create(type, component, added));
      members.add(new MapShape.Member(type, component, Boolean.TRUE.equals(added)));
    }

    MapShape aggregated = MapShape.of(spark.createDataFrame(rows, ROWS), col("component"), col("added"));
    MapShape driver = MapShape.of(members);

    assertThat(driver).isEqualTo(aggregated);
    assertThat(driver.components()).isEqualTo(rows.stream().map(row -> row.getLong(1)).distinct().count());
    assertThat(driver.identifiers()).doesNotContainKey("not_a_type");
  }
}
