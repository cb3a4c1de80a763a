package io.tarmo.sql;

import io.tarmo.TarmoException;
import io.tarmo.lake.DeltaStore;
import io.tarmo.lake.Lake;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import io.delta.tables.DeltaTable;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/** Registers every Delta table under {@code <lake>/tables} as a temporary view named after it. */
public final class LakeViews {

  private LakeViews() {}

  /** Registers the views and returns their names, sorted. */
  public static List<String> register(DeltaStore store) {
    Lake lake = store.lake();
    SparkSession spark = store.spark();
    List<String> names = new ArrayList<>();
    FileSystem fs = lake.fileSystem(spark.sparkContext().hadoopConfiguration());
    Path tables = new Path(lake.tablesRoot());
    try {
      if (!fs.exists(tables)) {
        return names;
      }
      for (FileStatus status : fs.listStatus(tables)) {
        String name = status.getPath().getName();
        String path = status.getPath().toString();
        if (status.isDirectory() && name.matches("[a-z][a-z0-9_]*") && DeltaTable.isDeltaTable(spark, path)) {
          store.readPath(path).createOrReplaceTempView(name);
          names.add(name);
        }
      }
    } catch (IOException e) {
      throw TarmoException.job("Cannot list lake tables: " + e.getMessage() + " (" + tables + ")", e);
    }
    names.sort(String::compareTo);
    return names;
  }

  /**
   * Plans {@code query}; a query Spark cannot parse or resolve is bad usage (exit 2) and its
   * message, which only quotes the user's own query, is shown with the views that exist.
   */
  public static Dataset<Row> query(SparkSession spark, String query, List<String> views) {
    try {
      return spark.sql(query);
    } catch (Exception e) {
      // Scala declares no checked exceptions: AnalysisException reaches Java undeclared.
      if (!(e instanceof AnalysisException)) {
        throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
      }
      String first = e.getMessage().lines().findFirst().orElse(e.getClass().getSimpleName());
      throw TarmoException.usage("Cannot run query: " + first
          + " (tables: " + (views.isEmpty() ? "none yet" : String.join(", ", views)) + ")", e);
    }
  }
}
