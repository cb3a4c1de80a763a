package io.tarmo.ingest;

import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.monotonically_increasing_id;

import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/** Landing lines as ingest reads them, built in memory. */
final class Fixtures {

  private Fixtures() {}

  static Dataset<Row> lines(SparkSession spark, String... lines) {
    return spark.createDataset(List.of(lines), Encoders.STRING()).toDF(LineChecks.VALUE)
        .withColumn(LineChecks.FILE, lit("file:/landing/test.json"))
        .withColumn(LineChecks.LINE_ID, monotonically_increasing_id())
        .withColumn(LineChecks.PROBLEM, lit(null).cast("string"));
  }

  /** The reason each line got, in input order (null for accepted lines). */
  static List<String> reasons(Dataset<Row> classified) {
    return classified.select(LineChecks.REASON).collectAsList().stream().map(row -> row.getString(0)).toList();
  }
}
