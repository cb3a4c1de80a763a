package io.tarmo.activate;

import static io.tarmo.profiles.CustomerEvents.CUSTOMER_KEY;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.when;

import io.tarmo.Phases;
import io.tarmo.TarmoException;
import io.tarmo.consent.ConsentState;
import io.tarmo.lake.DeltaStore;
import io.tarmo.lake.ExportFiles;
import io.tarmo.lake.Intermediates;
import io.tarmo.lake.JobRuns;
import io.tarmo.lake.SuppressionKeys;
import io.tarmo.lake.TableSpec;
import io.tarmo.lake.Tables;
import io.tarmo.segments.SegmentCatalog;
import io.tarmo.segments.SegmentDefinition;
import io.tarmo.subject.Pseudonyms;
import java.sql.Date;
import java.time.Clock;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * {@code activate --date D}: for every configured segment × channel pair
 * ({@code tarmo.activation.audiences}), the members of {@code segment_membership} as of D who may
 * be contacted on the channel under CONTRACT 6 ({@link ActivationRules}) into {@code activation},
 * everyone else with one reason into {@code activation_exclusions}, and the day's export files
 * ({@link ExportFiles}). Both tables' rows of D are replaced as a whole and so is the day's export
 * folder, so a re-run leaves them as one run would.
 *
 * <p>{@code suppression_list} holds keyed hashes of erased identifiers: while it has rows, the job
 * needs the key ({@link Pseudonyms}) and refuses to start without it, since it could not tell the
 * erased from the rest. An empty list needs no key and hashes nothing.
 */
public final class ActivateJob {

  private static final StructType PAIRS = new StructType()
      .add("segment_id", DataTypes.StringType, false)
      .add("channel", DataTypes.StringType, false)
      .add("sensitive", DataTypes.BooleanType, false);

  private final DeltaStore store;
  private final SegmentCatalog catalog;
  private final ActivationSettings settings;
  private final Optional<Pseudonyms> pseudonyms;
  private final Clock clock;

  /**
   * @param pseudonyms the suppression list's key, resolved by the caller (the command line reads
   *     {@value Pseudonyms#KEY_VARIABLE}); empty when none is set
   */
  public ActivateJob(DeltaStore store, SegmentCatalog catalog, ActivationSettings settings,
      Optional<Pseudonyms> pseudonyms, Clock clock) {
    this.store = store;
    this.catalog = catalog;
    this.settings = settings;
    this.pseudonyms = pseudonyms;
    this.clock = clock;
  }

  /**
   * Refuses what no run of {@code day} could get past, before a nightly run writes anything: an
   * audience naming a segment the segments file does not define, and erased identifiers that
   * cannot be recognised without the pseudonym key (the night does not write suppression_list).
   */
  public void validate(LocalDate day) {
    Set<String> defined = catalog.segments().stream().map(SegmentDefinition::id)
        .collect(Collectors.toCollection(LinkedHashSet::new));
    for (ActivationSettings.Audience audience : settings.audiences()) {
      if (!defined.contains(audience.segmentId())) {
        throw TarmoException.usage("Cannot run activate for " + day + ": tarmo.activation.audiences names segment "
            + audience.segmentId() + ", which the segments file does not define (defined: "
            + String.join(", ", defined) + ")");
      }
    }
    if (pseudonyms.isEmpty() && suppressionListHasRows()) {
      throw TarmoException.usage("Cannot run activate for " + day + ": suppression_list holds erased identifiers "
          + "and " + Pseudonyms.KEY_VARIABLE + " is not set; set it to the key the erasures used");
    }
  }

  /**
   * {@link #validate}, and that the steps before it have run for {@code day}: consent (its state
   * built for D or later) and segments; exit 2, nothing written, otherwise.
   */
  public void check(LocalDate day) {
    validate(day);
    if (!store.exists(Tables.CONSENT_STATE)) {
      throw TarmoException.usage("Cannot run activate for " + day
          + ": consent_state does not exist yet; run consent first (" + store.lake().root() + ")");
    }
    ConsentState.requireBuiltFor(store, day, "activate");
    if (!store.exists(Tables.SEGMENT_SIZES) || store.read(Tables.SEGMENT_SIZES)
        .where(col("as_of_date").equalTo(lit(Date.valueOf(day)))).isEmpty()) {
      throw TarmoException.usage("Cannot run activate for " + day + ": segments were not evaluated for "
          + day + "; run segments --date " + day + " first");
    }
  }

  private boolean suppressionListHasRows() {
    return store.exists(Tables.SUPPRESSION_LIST) && !store.read(Tables.SUPPRESSION_LIST).isEmpty();
  }

  public ActivationResult run(LocalDate day, String commitNote) {
    check(day);
    SparkSession spark = store.spark();
    Date date = Date.valueOf(day);
    String today = "as_of_date = DATE'" + day + "'";
    store.ensure(Tables.SUPPRESSION_LIST);
    pseudonyms.ifPresent(keyed -> SuppressionKeys.verify(store, keyed, "activate"));
    try (Phases phases = Phases.start(spark, "activate " + day, clock); Intermediates held = new Intermediates()) {
      phases.describe("decide");
      Dataset<Row> pairs = pairs(spark);
      Dataset<Row> members = store.read(Tables.SEGMENT_MEMBERSHIP).where(col("as_of_date").equalTo(lit(date))
              .and(col("segment_id").isin(settings.pairs().stream().map(ActivationSettings.Pair::segmentId)
                  .distinct().toArray())))
          .select(col("segment_id"), col(CUSTOMER_KEY));
      Dataset<Row> profiles = store.read(Tables.CUSTOMER_PROFILES);
      Dataset<Row> identityMap = store.read(Tables.IDENTITY_MAP);
      Dataset<Row> suppressionList = store.read(Tables.SUPPRESSION_LIST);
      Dataset<Row> suppressed = suppressionList.isEmpty()
          ? spark.createDataFrame(List.of(), new StructType().add(CUSTOMER_KEY, DataTypes.LongType))
          : ActivationRules.suppressed(members, identityMap, profiles, suppressionList, pseudonyms.orElseThrow(() ->
              TarmoException.usage("Cannot run activate for " + day + ": suppression_list holds erased identifiers "
                  + "and " + Pseudonyms.KEY_VARIABLE + " is not set")));
      Dataset<Row> decided = held.keep(ActivationRules.decide(members, pairs,
          store.read(Tables.CONSENT_STATE).where(ConsentState.asOf(day)), suppressed, profiles, identityMap,
          settings.legitimateInterestChannels()).withColumn("as_of_date", lit(date)));
      LocalDate previousDate = previousDate(day);
      long activationRows = store.replaceWhere(Tables.ACTIVATION, decided.where(col("reason").isNull()), today,
          commitNote).rows();
      long exclusionRows = store.replaceWhere(Tables.ACTIVATION_EXCLUSIONS, decided.where(col("reason").isNotNull()),
          today, commitNote).rows();
      phases.done("decide");

      phases.describe("exports");
      ExportFiles.Export export = new ExportFiles(spark, store.lake())
          .write(day, previousDate, exportAudiences(), exportRows(pairs, date, previousDate));
      phases.done("exports");

      phases.describe("tally");
      List<ActivationResult.AudienceCount> audiences = tally(decided);
      Map<String, Long> excluded = new TreeMap<>();
      audiences.forEach(audience -> audience.excluded().forEach((reason, n) -> excluded.merge(reason, n, Long::sum)));
      phases.done("tally");
      return new ActivationResult(day, previousDate, audiences, excluded, activationRows, exclusionRows,
          export.files().size(), phases.elapsedMillis());
    }
  }

  /** {@code segment_id, channel, sensitive} of every configured pair. */
  private Dataset<Row> pairs(SparkSession spark) {
    Map<String, Boolean> sensitive = new HashMap<>();
    catalog.segments().forEach(definition -> sensitive.put(definition.id(), definition.sensitive()));
    List<Row> rows = settings.pairs().stream()
        .map(pair -> RowFactory.create(pair.segmentId(), pair.channel().key(), sensitive.get(pair.segmentId())))
        .toList();
    return spark.createDataFrame(rows, PAIRS);
  }

  private List<ExportFiles.Audience> exportAudiences() {
    return settings.pairs().stream()
        .map(pair -> new ExportFiles.Audience(pair.channel().key(), pair.segmentId(), pair.channel().addressColumn()))
        .toList();
  }

  /**
   * The rows of the export files: today's activation in full, and what was added and removed since
   * the previous activation day, for the configured pairs only. Each file's rows are in one
   * partition, sorted ({@link ExportFiles#write}): partitioned by channel and segment rather than
   * sorted as a whole, which would first sample everything once more to find the ranges.
   */
  private Dataset<Row> exportRows(Dataset<Row> pairs, Date date, LocalDate previousDate) {
    Column[] columns = {col("channel"), col("segment_id"), col(CUSTOMER_KEY), col("address")};
    Dataset<Row> activation = store.read(Tables.ACTIVATION);
    Dataset<Row> today = activation.where(col("as_of_date").equalTo(lit(date))).select(columns);
    Dataset<Row> rows = today.withColumn("kind", lit(ExportFiles.Kind.FULL.key()));
    if (previousDate != null) {
      Dataset<Row> configured = pairs.select(col("segment_id").as("p_segment"), col("channel").as("p_channel"));
      Dataset<Row> before = activation
          .where(col("as_of_date").equalTo(lit(Date.valueOf(previousDate))))
          .join(configured, col("segment_id").equalTo(col("p_segment")).and(col("channel").equalTo(col("p_channel"))),
              "left_semi")
          .select(col("channel").as("b_channel"), col("segment_id").as("b_segment"), col(CUSTOMER_KEY).as("b_key"),
              col("address").as("b_address"));
      // Activation rows are distinct, so one outer join tells who came (no row before) and who
      // went (no row today).
      Dataset<Row> changes = today.withColumn("t_present", lit(true))
          .join(before.withColumn("b_present", lit(true)), col("channel").equalTo(col("b_channel"))
              .and(col("segment_id").equalTo(col("b_segment"))).and(col(CUSTOMER_KEY).equalTo(col("b_key")))
              .and(col("address").eqNullSafe(col("b_address"))), "full_outer")
          .where(col("t_present").isNull().or(col("b_present").isNull()));
      Column added = col("b_present").isNull();
      rows = rows.unionByName(changes.select(
          when(added, col("channel")).otherwise(col("b_channel")).as("channel"),
          when(added, col("segment_id")).otherwise(col("b_segment")).as("segment_id"),
          when(added, col(CUSTOMER_KEY)).otherwise(col("b_key")).as(CUSTOMER_KEY),
          when(added, col("address")).otherwise(col("b_address")).as("address"),
          when(added, lit(ExportFiles.Kind.ADDED.key())).otherwise(lit(ExportFiles.Kind.REMOVED.key())).as("kind")));
    } else {
      rows = rows.unionByName(today.withColumn("kind", lit(ExportFiles.Kind.ADDED.key())));
    }
    return rows.repartition(col("channel"), col("segment_id"))
        .sortWithinPartitions(col("channel"), col("segment_id"), col("kind"), col(CUSTOMER_KEY), col("address"));
  }

  /**
   * The latest day before {@code day} that was activated, null when there is none: a day with rows
   * in {@code activation} or {@code activation_exclusions}, or with a SUCCEEDED activate in
   * {@code job_runs}. A day whose audiences were all empty has no row in either table, and its
   * files removed everyone; the day after compares with it, so whoever comes back is added again.
   */
  private LocalDate previousDate(LocalDate day) {
    Column before = lit(Date.valueOf(day));
    List<Dataset<Row>> days = new ArrayList<>();
    if (store.exists(Tables.JOB_RUNS)) {
      days.add(JobRuns.succeededRunDates(store, "activate").where(col("business_date").lt(before))
          .select(col("business_date").as("day")));
    }
    for (TableSpec table : List.of(Tables.ACTIVATION, Tables.ACTIVATION_EXCLUSIONS)) {
      if (store.exists(table)) {
        days.add(store.read(table).where(col("as_of_date").lt(before)).select(col("as_of_date").as("day")));
      }
    }
    if (days.isEmpty()) {
      return null;
    }
    // One job for the three places a day can show that it was activated.
    Row latest = days.stream().reduce(Dataset::unionByName).orElseThrow().agg(max(col("day"))).head();
    return latest.isNullAt(0) ? null : latest.getDate(0).toLocalDate();
  }

  /**
   * Distinct customers per pair and outcome, in configuration order, zeros included. An excluded
   * member has one decision row per pair (one reason, no address), so excluded rows are counted as
   * they are; an activated member has a row per address (web: each of their cookies), so only the
   * activated rows are made distinct first.
   */
  private List<ActivationResult.AudienceCount> tally(Dataset<Row> decided) {
    Dataset<Row> refused = decided.where(col("reason").isNotNull())
        .groupBy(col("segment_id"), col("channel"), col("reason")).agg(count(lit(1)).as("customers"));
    Dataset<Row> reached = decided.where(col("reason").isNull())
        .select(col("segment_id"), col("channel"), col(CUSTOMER_KEY)).distinct()
        .groupBy(col("segment_id"), col("channel")).agg(count(lit(1)).as("customers"))
        .select(col("segment_id"), col("channel"), lit(null).cast(DataTypes.StringType).as("reason"), col("customers"));
    Map<String, Map<String, Long>> byPair = new HashMap<>();
    for (Row row : refused.unionByName(reached).collectAsList()) {
      byPair.computeIfAbsent(row.getString(0) + "\u0000" + row.getString(1), k -> new HashMap<>())
          .put(row.isNullAt(2) ? "" : row.getString(2), row.getLong(3));
    }
    List<ActivationResult.AudienceCount> counts = new ArrayList<>();
    for (ActivationSettings.Pair pair : settings.pairs()) {
      Map<String, Long> outcomes = byPair.getOrDefault(pair.segmentId() + "\u0000" + pair.channel().key(), Map.of());
      Map<String, Long> excluded = new TreeMap<>(outcomes);
      Long activated = excluded.remove("");
      counts.add(new ActivationResult.AudienceCount(pair.segmentId(), pair.channel().key(),
          activated == null ? 0L : activated, excluded));
    }
    return counts;
  }
}
