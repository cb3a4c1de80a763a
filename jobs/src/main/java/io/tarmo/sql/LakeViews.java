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
