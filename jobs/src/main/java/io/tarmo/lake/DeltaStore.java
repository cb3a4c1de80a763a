package io.tarmo.lake;

import static org.apache.spark.sql.functions.col;

import io.delta.tables.DeltaTable;
import io.delta.tables.DeltaTableBuilder;
import io.tarmo.TarmoException;
import java.util.Arrays;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;
import scala.jdk.javaapi.CollectionConverters;

/**
 * All Delta I/O of Tarmo: creating tables with their declared layout and privacy properties,
 * reading them, and the few write patterns jobs use. Written rows are always conformed to the
 * table's schema first, so a job cannot widen a table by accident.
 */
public final class DeltaStore {

  private final SparkSession spark;
  private final Lake lake;

  public DeltaStore(SparkSession spark, Lake lake) {
    this.spark = spark;
    this.lake = lake;
  }

  public Lake lake() {
    return lake;
  }

  public SparkSession spark() {
    return spark;
  }

  public boolean exists(TableSpec spec) {
    return DeltaTable.isDeltaTable(spark, lake.tablePath(spec));
  }

  /** Creates the table with its schema, comments, layout and statistics columns when missing. */
  public void ensure(TableSpec spec) {
    if (exists(spec)) {
      return;
    }
    DeltaTableBuilder builder = DeltaTable.createIfNotExists(spark)
        .location(lake.tablePath(spec))
        .addColumns(spec.schema())
        .comment(spec.comment())
        .property("delta.dataSkippingStatsColumns", String.join(",", spec.statsColumns()));
    if (!spec.partitionColumns().isEmpty()) {
      builder = builder.partitionedBy(spec.partitionColumns().toArray(String[]::new));
    }
    if (!spec.clusterColumns().isEmpty()) {
      builder = builder.clusterBy(spec.clusterColumns().toArray(String[]::new));
    }
    builder.execute();
  }

  /** The table's rows; an empty frame of its schema when it does not exist yet. */
  public Dataset<Row> read(TableSpec spec) {
    if (!exists(spec)) {
      return spark.createDataFrame(java.util.List.of(), spec.schema());
    }
    return spark.read().format("delta").load(lake.tablePath(spec));
  }

  public DeltaTable table(TableSpec spec) {
    ensure(spec);
    return DeltaTable.forPath(spark, lake.tablePath(spec));
  }

  /** Selects and casts {@code rows} to exactly the table's columns, in order. */
  public static Dataset<Row> conform(Dataset<Row> rows, TableSpec spec) {
    java.util.Set<String> present = java.util.Set.of(rows.columns());
    Column[] columns = Arrays.stream(spec.schema().fields())
        .map(field -> conformColumn(field, present, spec))
        .toArray(Column[]::new);
    return rows.select(columns);
  }

  private static Column conformColumn(StructField field, java.util.Set<String> present, TableSpec spec) {
    if (!present.contains(field.name())) {
      throw TarmoException.job(
          "Cannot write table " + spec.name() + ": the rows have no column " + field.name());
    }
    return col(field.name()).cast(field.dataType()).as(field.name());
  }

  /**
   * Atomically replaces the rows matching {@code predicate} with {@code rows} (all of which must
   * match it). The predicate is recorded in the Delta log, so it must never hold personal data.
   *
   * @return rows written, from the commit's own metrics
   */
  public long replaceWhere(TableSpec spec, Dataset<Row> rows, String predicate, String commitNote) {
    ensure(spec);
    conform(rows, spec).write()
        .format("delta")
        .mode("overwrite")
        .option("replaceWhere", predicate)
        .option("userMetadata", commitNote)
        .save(lake.tablePath(spec));
    return lastCommitMetric(spec, "numOutputRows");
  }

  /** Appends {@code rows}; returns rows written from the commit's own metrics. */
  public long append(TableSpec spec, Dataset<Row> rows, String commitNote) {
    ensure(spec);
    conform(rows, spec).write()
        .format("delta")
        .mode("append")
        .option("userMetadata", commitNote)
        .save(lake.tablePath(spec));
    return lastCommitMetric(spec, "numOutputRows");
  }

  /** An operation metric of the table's latest commit, 0 when absent. */
  public long lastCommitMetric(TableSpec spec, String metric) {
    Row last = DeltaTable.forPath(spark, lake.tablePath(spec)).history(1)
        .select("operationMetrics").head();
    if (last.isNullAt(0)) {
      return 0L;
    }
    Map<String, String> metrics = CollectionConverters.asJava(last.<String, String>getMap(0));
    String value = metrics.get(metric);
    return value == null ? 0L : Long.parseLong(value);
  }

  public long version(TableSpec spec) {
    if (!exists(spec)) {
      return -1L;
    }
    return DeltaTable.forPath(spark, lake.tablePath(spec)).history(1).select("version").head().getLong(0);
  }
}
