package io.tarmo.sql;

import io.tarmo.TarmoException;
import io.tarmo.lake.DeltaStore;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.AnalysisException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/** Registers every Delta table under {@code <lake>/tables} as a temporary view named after it. */
public final class LakeViews {

  private LakeViews() {}

  /** Registers the views and returns their names, sorted. */
  public static List<String> register(DeltaStore store) {
    List<String> names = new ArrayList<>();
    store.readAll().forEach((name, rows) -> {
      rows.createOrReplaceTempView(name);
      names.add(name);
    });
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
