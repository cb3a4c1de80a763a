package io.tarmo.segments;

import static io.tarmo.profiles.CustomerEvents.CUSTOMER_KEY;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.count_if;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.when;

import io.tarmo.TarmoException;
import io.tarmo.lake.DeltaStore;
import io.tarmo.lake.Tables;
import io.tarmo.profiles.CustomerEvents;
import java.sql.Date;
import java.time.Clock;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * {@code segments --date D}: every definition of the catalog evaluated as of D in one pass (see
 * {@link SegmentPlan}) into {@code segment_membership}, then who entered or exited each segment
 * since the latest earlier day evaluated ({@code segment_changes}) and the sizes
 * ({@code segment_sizes}). Each table's rows of D are replaced as a whole
 * ({@code replaceWhere as_of_date = D}), so a re-run leaves them as one run would.
 */
public final class SegmentsJob {

  private final DeltaStore store;
  private final SegmentCatalog catalog;
  private final Clock clock;

  public SegmentsJob(DeltaStore store, SegmentCatalog catalog, Clock clock) {
    this.store = store;
    this.catalog = catalog;
    this.clock = clock;
  }

  /** Refuses to run (exit 2, nothing written) before profiles (and identity) have run. */
  public void check(LocalDate day) {
    if (!store.exists(Tables.CUSTOMER_PROFILES)) {
      throw TarmoException.usage("Cannot run segments for " + day
          + ": customer_profiles does not exist yet; run profiles first (" + store.lake().root() + ")");
    }
    if (SegmentPlan.compile(catalog, day).scanStart().isPresent() && !store.exists(Tables.IDENTITY_MAP)) {
      throw TarmoException.usage("Cannot run segments for " + day
          + ": identity_map does not exist yet; run identity first (" + store.lake().root() + ")");
    }
  }

  public SegmentsResult run(LocalDate day, String commitNote) {
    check(day);
    long started = clock.millis();
    SparkSession spark = store.spark();
    SegmentPlan plan = SegmentPlan.compile(catalog, day);
    String today = "as_of_date = DATE'" + day + "'";

    spark.sparkContext().setJobDescription("segments " + day + ": membership");
    Dataset<Row> members = members(plan, store.read(Tables.EVENTS), store.read(Tables.IDENTITY_MAP),
        store.read(Tables.CUSTOMER_PROFILES), day);
    long memberships = store.replaceWhere(Tables.SEGMENT_MEMBERSHIP,
        members.withColumn("as_of_date", lit(Date.valueOf(day))), today, commitNote);

    spark.sparkContext().setJobDescription("segments " + day + ": changes");
    Dataset<Row> membership = store.read(Tables.SEGMENT_MEMBERSHIP);
    Row latest = membership.filter(col("as_of_date").lt(lit(Date.valueOf(day)))).agg(max(col("as_of_date"))).head();
    LocalDate previousDate = latest.isNullAt(0) ? null : latest.getDate(0).toLocalDate();
    List<String> ids = catalog.segments().stream().map(SegmentDefinition::id).toList();
    Dataset<Row> current = membership.filter(col("as_of_date").equalTo(lit(Date.valueOf(day))));
    Dataset<Row> previous = previousDate == null
        ? current.limit(0)
        : membership.filter(col("as_of_date").equalTo(lit(Date.valueOf(previousDate))))
            .filter(col("segment_id").isin(ids.toArray()));
    Dataset<Row> changes = changes(current, previous, day, previousDate);
    store.replaceWhere(Tables.SEGMENT_CHANGES, changes, today, commitNote);

    spark.sparkContext().setJobDescription("segments " + day + ": sizes");
    Dataset<Row> sizes = sizes(definitions(spark), current, store.read(Tables.SEGMENT_CHANGES)
        .filter(col("as_of_date").equalTo(lit(Date.valueOf(day)))), day);
    store.replaceWhere(Tables.SEGMENT_SIZES, sizes, today, commitNote);

    Map<String, SegmentsResult.Size> bySegment = new HashMap<>();
    for (Row row : store.read(Tables.SEGMENT_SIZES).filter(col("as_of_date").equalTo(lit(Date.valueOf(day))))
        .collectAsList()) {
      String id = row.getAs("segment_id");
      bySegment.put(id, new SegmentsResult.Size(id, row.<Long>getAs("members"), row.<Long>getAs("entered"),
          row.<Long>getAs("exited")));
    }
    List<SegmentsResult.Size> ordered = new ArrayList<>();
    for (String id : ids) {
      ordered.add(bySegment.getOrDefault(id, new SegmentsResult.Size(id, 0, 0, 0)));
    }
    return new SegmentsResult(day, previousDate, ordered, memberships, plan.aggregateCount(),
        clock.millis() - started);
  }

  /**
   * {@code (customer_key, segment_id)} of every member as of {@code day}: one scan of the events
   * of the widest window known by the end of the day, keyed through the current identity map.
   */
  public static Dataset<Row> members(SegmentPlan plan, Dataset<Row> events, Dataset<Row> identityMap,
      Dataset<Row> profiles, LocalDate day) {
    Dataset<Row> behaviour = plan.scanStart()
        .map(start -> plan.behaviour(CustomerEvents.withCustomerKey(
            CustomerEvents.filterKnownBy(events, start, day), identityMap), profiles::count))
        .orElseGet(() -> profiles.sparkSession().createDataFrame(List.of(),
            new StructType().add(CUSTOMER_KEY, DataTypes.LongType)));
    return plan.members(plan.withDerivedTraits(profiles), behaviour);
  }

  /**
   * Entries ({@code current} but not {@code previous}) and exits (the reverse) of
   * {@code (segment_id, customer_key)} rows, as {@code segment_changes} rows of {@code day}.
   */
  public static Dataset<Row> changes(Dataset<Row> current, Dataset<Row> previous, LocalDate day,
      LocalDate previousDate) {
    Dataset<Row> now = current.select(col("segment_id"), col(CUSTOMER_KEY), lit(true).as("__now"));
    Dataset<Row> before = previous.select(col("segment_id"), col(CUSTOMER_KEY), lit(true).as("__before"));
    return now.join(before, new String[] {"segment_id", CUSTOMER_KEY}, "full_outer")
        .filter(col("__now").isNull().or(col("__before").isNull()))
        .select(lit(Date.valueOf(day)).as("as_of_date"), col("segment_id"), col(CUSTOMER_KEY),
            when(col("__now").isNotNull(), lit("entered")).otherwise(lit("exited")).as("change"),
            lit(previousDate == null ? null : Date.valueOf(previousDate)).cast("date").as("previous_date"));
  }

  /** One row per definition with its members, entries and exits on {@code day} (zeros included). */
  static Dataset<Row> sizes(Dataset<Row> definitions, Dataset<Row> current, Dataset<Row> dayChanges, LocalDate day) {
    Dataset<Row> members = current.groupBy(col("segment_id")).agg(count(lit(1)).as("members"));
    Dataset<Row> moves = dayChanges.groupBy(col("segment_id")).agg(
        count_if(col("change").equalTo("entered")).as("entered"),
        count_if(col("change").equalTo("exited")).as("exited"));
    return definitions
        .join(members, new String[] {"segment_id"}, "left")
        .join(moves, new String[] {"segment_id"}, "left")
        .select(lit(Date.valueOf(day)).as("as_of_date"), col("segment_id"), col("title"),
            coalesce(col("members"), lit(0L)).as("members"), coalesce(col("entered"), lit(0L)).as("entered"),
            coalesce(col("exited"), lit(0L)).as("exited"), col("definition_hash"));
  }

  private Dataset<Row> definitions(SparkSession spark) {
    List<Row> rows = catalog.segments().stream()
        .map(s -> RowFactory.create(s.id(), s.title(), s.hash()))
        .toList();
    return spark.createDataFrame(rows, new StructType()
        .add("segment_id", DataTypes.StringType).add("title", DataTypes.StringType)
        .add("definition_hash", DataTypes.StringType));
  }
}
