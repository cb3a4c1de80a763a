package io.tarmo.segments;

import static io.tarmo.profiles.CustomerEvents.CUSTOMER_KEY;
import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;

import io.tarmo.Phases;
import io.tarmo.TarmoException;
import io.tarmo.consent.ConsentState;
import io.tarmo.lake.DeltaStore;
import io.tarmo.lake.Intermediates;
import io.tarmo.lake.Tables;
import java.sql.Date;
import java.time.Clock;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;

/**
 * {@code segments --date D}: every definition of the catalog evaluated as of D in one pass (see
 * {@link SegmentPlan}) into {@code segment_membership}, who entered or exited each segment since
 * the latest earlier day evaluated ({@code segment_changes}) and the sizes ({@code segment_sizes}),
 * all three from one row of membership bits per customer for both days ({@link SegmentBits}).
 * Customers who object to profiling as of D in {@code consent_state} are not evaluated (when the
 * table does not exist on a lake without a consent ledger, everyone is, and the result says so).
 * Each table's rows of D are replaced as a whole ({@code replaceWhere as_of_date = D}), so a
 * re-run leaves them as one run would.
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

  /**
   * Refuses to run (exit 2, nothing written) before profiles (and identity) have run, when the
   * profiles were built for another day (their traits, recency and RFM scores, are as of that day),
   * or when consent_state was built for an earlier day or not at all although the lake has a consent
   * ledger (an objection to profiling would be missed).
   */
  public void check(LocalDate day) {
    if (!store.exists(Tables.CUSTOMER_PROFILES)) {
      throw TarmoException.usage("Cannot run segments for " + day
          + ": customer_profiles does not exist yet; run profiles first (" + store.lake().root() + ")");
    }
    List<LocalDate> profileDays = store.read(Tables.CUSTOMER_PROFILES).select(col("as_of_date")).distinct()
        .orderBy(col("as_of_date")).limit(3).collectAsList().stream()
        .map(row -> row.isNullAt(0) ? null : row.getDate(0).toLocalDate()).toList();
    if (!profileDays.isEmpty() && !profileDays.equals(List.of(day))) {
      throw TarmoException.usage("Cannot run segments for " + day + ": customer_profiles was built for "
          + profileDays.stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(", "))
          + "; run profiles --date " + day + " first");
    }
    // Objections to profiling as of D must be known: a state built before D would miss the latest,
    // and a ledger without any state would be missed whole.
    ConsentState.requireBuiltFor(store, day, "segments");
    if (!store.exists(Tables.CONSENT_STATE) && store.exists(Tables.CONSENT_EVENTS)
        && !store.read(Tables.CONSENT_EVENTS).limit(1).isEmpty()) {
      throw TarmoException.usage("Cannot run segments for " + day + ": consent_events holds a consent ledger but "
          + "consent_state does not exist yet, so objections to profiling would be missed; run consent --date " + day
          + " first");
    }
    if (SegmentPlan.compile(catalog, day).scanStart().isPresent() && !store.exists(Tables.IDENTITY_MAP)) {
      throw TarmoException.usage("Cannot run segments for " + day
          + ": identity_map does not exist yet; run identity first (" + store.lake().root() + ")");
    }
  }

  public SegmentsResult run(LocalDate day, String commitNote) {
    check(day);
    SparkSession spark = store.spark();
    SegmentPlan plan = SegmentPlan.compile(catalog, day);
    SegmentBits bits = plan.bits();
    String today = "as_of_date = DATE'" + day + "'";

    try (Phases phases = Phases.start(spark, "segments " + day, clock); Intermediates held = new Intermediates()) {
      phases.describe("membership");
      LocalDate previousDate = previousDate(day);
      Dataset<Row> previous = previousDate == null ? null : store.read(Tables.SEGMENT_MEMBERSHIP)
          .filter(col("as_of_date").equalTo(lit(Date.valueOf(previousDate))));
      Dataset<Row> identityMap = store.read(Tables.IDENTITY_MAP);
      Dataset<Row> profiles = store.read(Tables.CUSTOMER_PROFILES);
      Long objecting = null;
      if (store.exists(Tables.CONSENT_STATE)) {
        Dataset<Row> objectors = broadcast(held.keep(profilingObjectors(store.read(Tables.CONSENT_STATE), day)));
        objecting = objectors.count();
        identityMap = identityMap.join(objectors, new String[] {CUSTOMER_KEY}, "left_anti");
        profiles = profiles.join(objectors, new String[] {CUSTOMER_KEY}, "left_anti");
      }
      Dataset<Row> compared = held.keep(plan.compared(store.read(Tables.EVENTS), identityMap, profiles, previous));
      List<SegmentsResult.Size> sizes = bits.sizes(compared);
      long memberships = store.replaceWhere(Tables.SEGMENT_MEMBERSHIP,
          bits.members(compared).withColumn("as_of_date", lit(Date.valueOf(day))), today, commitNote).rows();
      long expected = sizes.stream().mapToLong(SegmentsResult.Size::members).sum();
      if (memberships != expected) {
        throw new IllegalStateException("segments " + day + " wrote " + memberships
            + " memberships where the segment sizes add up to " + expected);
      }
      phases.done("membership");

      phases.describe("changes");
      Dataset<Row> changes = bits.changes(compared).select(lit(Date.valueOf(day)).as("as_of_date"), col("segment_id"),
          col(CUSTOMER_KEY), col("change"),
          lit(previousDate == null ? null : Date.valueOf(previousDate)).cast("date").as("previous_date"));
      store.replaceWhere(Tables.SEGMENT_CHANGES, changes, today, commitNote);
      phases.done("changes");

      phases.describe("sizes");
      store.replaceWhere(Tables.SEGMENT_SIZES, sizes(spark, day, sizes), today, commitNote);
      phases.done("sizes");
      return new SegmentsResult(day, previousDate, sizes, memberships, plan.aggregateCount(), objecting,
          phases.elapsedMillis());
    }
  }

  /**
   * {@code customer_key} of every customer who objects to profiling as of {@code day}: a
   * {@code profiling} row of {@code consentState} denied or withdrawn on any channel (GDPR Art. 21).
   * They are not evaluated: neither their profile nor their events take part, so a member of the day
   * before exits.
   */
  public static Dataset<Row> profilingObjectors(Dataset<Row> consentState, LocalDate day) {
    return consentState.filter(ConsentState.objectsAsOf(day, "profiling")).select(col(CUSTOMER_KEY)).distinct();
  }

  /** The latest day before {@code day} with evaluated segments; null when there is none. */
  private LocalDate previousDate(LocalDate day) {
    if (!store.exists(Tables.SEGMENT_MEMBERSHIP)) {
      return null;
    }
    Row latest = store.read(Tables.SEGMENT_MEMBERSHIP).filter(col("as_of_date").lt(lit(Date.valueOf(day))))
        .agg(max(col("as_of_date"))).head();
    return latest.isNullAt(0) ? null : latest.getDate(0).toLocalDate();
  }

  /**
   * {@code (customer_key, segment_id)} of every member as of the plan's day: one scan of the events
   * of the widest window known by the end of the day, keyed through the current identity map.
   */
  public static Dataset<Row> members(SegmentPlan plan, Dataset<Row> events, Dataset<Row> identityMap,
      Dataset<Row> profiles) {
    return plan.bits().members(plan.compared(events, identityMap, profiles, null));
  }

  /** One {@code segment_sizes} row per definition of the catalog, in its order (zeros included). */
  private Dataset<Row> sizes(SparkSession spark, LocalDate day, List<SegmentsResult.Size> sizes) {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < sizes.size(); i++) {
      SegmentDefinition definition = catalog.segments().get(i);
      SegmentsResult.Size size = sizes.get(i);
      rows.add(RowFactory.create(Date.valueOf(day), definition.id(), definition.title(), size.members(),
          size.entered(), size.exited(), definition.hash()));
    }
    return spark.createDataFrame(rows, Tables.SEGMENT_SIZES.schema());
  }
}
