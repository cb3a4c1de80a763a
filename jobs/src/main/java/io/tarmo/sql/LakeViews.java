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
   * Plans {@code query} after {@link ReadOnlyQueries} accepted it: nothing but a read-only query
   * runs. A query Spark cannot parse or resolve is bad usage (exit 2) and the first line of its
   * message, which only quotes the user's own query, is shown with the views that exist.
   */
  public static Dataset<Row> query(SparkSession spark, String query, List<String> views) {
    try {
      ReadOnlyQueries.check(spark.sessionState().sqlParser().parsePlan(query));
      return spark.sql(query);
    } catch (Exception e) {
      // Scala declares no checked exceptions: AnalysisException (and ParseException) reach Java undeclared.
      if (!(e instanceof AnalysisException)) {
        throw e instanceof RuntimeException r ? r : new IllegalStateException(e);
      }
      throw TarmoException.usage("Cannot run query: " + reason(e)
          + " (tables: " + (views.isEmpty() ? "none yet" : String.join(", ", views)) + ")", e);
    }
  }

  /**
   * The first non-empty line of Spark's message: a ParseException's starts with an empty line,
   * then the error class and what is wrong, then the query with a pointer under it.
   */
  static String reason(Exception e) {
    String message = e.getMessage() == null ? "" : e.getMessage();
    return message.lines().map(String::strip).filter(line -> !line.isEmpty()).findFirst()
        .orElse(e.getClass().getSimpleName());
  }
}
