package io.tarmo.identity;

import static io.tarmo.identity.IdentityGraph.CLUSTER;
import static io.tarmo.identity.IdentityGraph.COMPONENT;
import static io.tarmo.identity.IdentityGraph.NODE;
import static io.tarmo.identity.IdentityGraph.TYPE;
import static io.tarmo.identity.IdentityGraph.VALUE;
import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.length;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.when;

import io.tarmo.Phases;
import io.tarmo.TarmoException;
import io.tarmo.lake.DeltaStore;
import io.tarmo.lake.Intermediates;
import io.tarmo.lake.TableSpec;
import io.tarmo.lake.Tables;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code identity --date D}: the links in day D's bronze rows ({@code events} and
 * {@code crm_customers} with {@code ingest_date = D}) into {@code identity_edges}, then the
 * identity graph into {@code identity_map}, {@code identity_merges}, {@code identity_decisions}
 * and {@code identity_stats}.
 *
 * <p>An incremental night re-solves only the raw clusters its new edges touch (found through
 * {@code identity_map.cluster_id}) from their stored edges, so its cost follows the day's edges,
 * not the history; {@code --full} re-solves every edge ever stored. Both give the same components
 * (see {@link IdentityGraph}). Re-running a day leaves the tables as one run would: the day's
 * edges, decisions and statistics are replaced, map rows are only updated where they changed, and
 * merges are only ever added.
 */
public final class IdentityJob {

  private static final Logger LOG = LoggerFactory.getLogger(IdentityJob.class);

  private static final List<String> MAP_COLUMNS = Arrays.asList(Tables.IDENTITY_MAP.schema().fieldNames());
  /** The map's columns besides the identifier, by the name their value before the run goes by. */
  private static final Map<String, String> PREVIOUS = new LinkedHashMap<>();
  /** How {@link #statisticsNote} ends: the map version and the day the statistics describe. */
  private static final Pattern STATISTICS_NOTE = Pattern.compile("\\[identity_map@(\\d+) (\\d{4}-\\d{2}-\\d{2})\\]");

  static {
    PREVIOUS.put("customer_key", CustomerKeys.PREVIOUS_KEY);
    PREVIOUS.put("cluster_id", "previous_cluster");
    PREVIOUS.put("first_seen", "previous_first");
    PREVIOUS.put("last_seen", "previous_last");
    PREVIOUS.put("added_date", "previous_added");
    PREVIOUS.put("updated_date", "previous_updated");
  }

  private final DeltaStore store;
  private final IdentitySettings settings;
  private final Clock clock;

  public IdentityJob(DeltaStore store, IdentitySettings settings, Clock clock) {
    this.store = store;
    this.settings = settings;
    this.clock = clock;
  }

  /**
   * Refuses to run (exit 2, nothing written) without bronze tables, or incrementally when
   * identity ran for an earlier day but its {@code identity_map} is missing or not readable:
   * starting over silently would hand every customer a new key.
   */
  public void check(LocalDate day, boolean full) {
    if (!store.exists(Tables.EVENTS) && !store.exists(Tables.CRM_CUSTOMERS)) {
      throw TarmoException.usage("Cannot run identity for " + day
          + ": there are no bronze tables (events, crm_customers) yet; run ingest first (" + store.lake().root() + ")");
    }
    if (full) {
      return;
    }
    Optional<LocalDate> earlier = earlierRun(day);
    if (earlier.isEmpty()) {
      return;
    }
    if (!store.exists(Tables.IDENTITY_MAP)) {
      throw TarmoException.usage("Cannot run identity for " + day + " incrementally: identity_map is missing although "
          + "identity ran for " + earlier.get() + "; re-run with --full to rebuild it from identity_edges ("
          + store.lake().tablePath(Tables.IDENTITY_MAP) + ")");
    }
    List<String> present;
    try {
      present = Arrays.asList(store.read(Tables.IDENTITY_MAP).columns());
    } catch (Exception e) {
      throw corruptMap(day, e);
    }
    for (String column : MAP_COLUMNS) {
      if (!present.contains(column)) {
        throw TarmoException.usage("Cannot run identity for " + day + " incrementally: identity_map has no column "
            + column + "; re-run with --full to rebuild it from identity_edges ("
            + store.lake().tablePath(Tables.IDENTITY_MAP) + ")");
      }
    }
  }

  /** Checks ({@link #check}), then resolves day D. */
  public IdentityResult run(LocalDate day, boolean full, String commitNote) {
    check(day, full);
    return runChecked(day, full, commitNote);
  }

  /**
   * Resolves day D when {@link #check} has just passed (the command runner checks every step
   * before it records the run; checking again would read the identity tables twice more).
   */
  public IdentityResult runChecked(LocalDate day, boolean full, String commitNote) {
    SparkSession spark = store.spark();
    Date date = Date.valueOf(day);
    Intermediates kept = new Intermediates();
    Map<String, Long> counts = new LinkedHashMap<>();
    Phases phases = Phases.start(spark, "identity " + day);
    Map<String, Long> versionsBefore = store.committedVersions();
    for (TableSpec table : List.of(Tables.IDENTITY_EDGES, Tables.IDENTITY_MAP, Tables.IDENTITY_MERGES,
        Tables.IDENTITY_DECISIONS, Tables.IDENTITY_STATS)) {
      store.ensure(table);
    }
    try {
      phases.describe("edges");
      IdentityEdges.Extracted extracted = IdentityEdges.fromEvents(readDay(Tables.EVENTS, day), settings)
          .union(IdentityEdges.fromCrm(readDay(Tables.CRM_CUSTOMERS, day), settings));
      Dataset<Row> aggregated = kept.keep(IdentityEdges.aggregate(extracted));
      Dataset<Row> dayEdges = IdentityEdges.links(aggregated).withColumn("seen_date", lit(date));
      long dayLinks = store.replaceWhere(Tables.IDENTITY_EDGES, dayEdges, "seen_date = DATE'" + day + "'", commitNote).rows();
      counts.put("identity.edges", dayLinks);
      long rejected = 0;
      for (Row row : IdentityEdges.rejections(aggregated)
          .orderBy(IdentityEdges.IDENTIFIER_TYPE, IdentityEdges.REASON).collectAsList()) {
        counts.put("identity.rejected." + row.getString(0) + "." + row.getString(1), row.getLong(2));
        rejected += row.getLong(2);
      }
      counts.put("identity.rejected", rejected);
      phases.done("edges");

      phases.describe("region");
      // Pinned: frames built on the previous map are evaluated again after the map is written.
      long mapVersion = store.version(Tables.IDENTITY_MAP);
      Dataset<Row> previous = store.readAsOf(Tables.IDENTITY_MAP, mapVersion);
      long highWater = highWater(previous, day, full);
      Dataset<Row> allEdges = store.read(Tables.IDENTITY_EDGES);
      Dataset<Row> region = full ? allEdges : region(allEdges, previous, date, dayLinks <= settings.driverLinks());
      Dataset<Row> pairs = pairs(region, kept);
      long links = pairs.count();
      counts.put("identity.region.links", links);
      phases.done("region");

      phases.describe("resolve");
      Solved solved = solve(pairs, links, previous, full, highWater, kept);
      Dataset<Row> keyed = solved.keyed();
      counts.put("identity.region.identifiers", keyed.count());
      Dataset<Row> decisions = kept.keep(decisionRows(solved.resolution().decisions(), keyed, date));
      for (Row row : decisions.groupBy(col("rule")).count().orderBy("rule").collectAsList()) {
        counts.put("identity.decisions." + row.getString(0), row.getLong(1));
      }
      counts.put("identity.rounds", (long) solved.resolution().rounds());
      counts.put("identity.contested_clusters", solved.resolution().contestedClusters());
      phases.done("resolve");

      phases.describe("write");
      counts.putAll(write(solved, date, full, commitNote));
      counts.put("identity.decisions", store.replaceWhere(Tables.IDENTITY_DECISIONS,
          notRecordedBefore(decisions, date), "business_date = DATE'" + day + "'", commitNote).rows());
      phases.done("write");

      phases.describe("statistics");
      List<Row> keyedRows = solved.onDriver() ? keyed.select(col(TYPE), col("customer_key"),
          col(CustomerKeys.PREVIOUS_KEY), col("previous_added")).collectAsList() : null;
      long maxKey;
      if (keyedRows != null) {
        maxKey = keyedRows.stream().mapToLong(row -> row.getLong(1)).max().orElse(0L);
      } else {
        Row maxRow = keyed.agg(max(col("customer_key"))).first();
        maxKey = maxRow.isNullAt(0) ? 0L : maxRow.getLong(0);
      }
      counts.put("identity.key_high_water", Math.max(highWater, maxKey));
      Optional<MapShape> fromRegion = full ? Optional.empty()
          : shapeFromRegion(day, mapVersion, previous, regionShapes(keyed, keyedRows, day));
      counts.put("identity.map.statistics_from_region", fromRegion.isPresent() ? 1L : 0L);
      MapShape shape = fromRegion.orElseGet(() -> MapShape.of(store.read(Tables.IDENTITY_MAP), col("customer_key"),
          col("added_date").equalTo(lit(date))));
      shape.into(counts);
      counts.put("identity.merges", store.read(Tables.IDENTITY_MERGES)
          .where(col("merged_date").equalTo(lit(date))).count());
      long largest = shape.largest();
      writeStatistics(date, counts, statisticsNote(commitNote, store.version(Tables.IDENTITY_MAP), day));
      phases.done("statistics");
      return new IdentityResult(day, full, counts, largest, settings.maxComponentSize(),
          store.committedSince(versionsBefore), phases.elapsedMillis());
    } finally {
      kept.close();
      phases.close();
    }
  }

  /**
   * Re-solves the raw clusters named {@code clusterIds} from the links they still have, after an
   * erasure removed a subject's identifiers and every link through them. A cluster whose only links
   * went through the subject splits; each piece is solved by the rules of a night: customers keep
   * their keys, of a split component the piece with the anchor keeps the key and the other pieces
   * get new ones, keys that end up together merge ({@code identity_merges}), and each piece is named
   * by its own lowest key, so no row keeps the erased customer's key as its cluster. Identifiers of
   * those clusters left with no link at all leave the map, as {@code --full} would drop them.
   * Running it again changes nothing. Decisions and statistics stay those of the nights.
   *
   * @param day the business day recorded as the changed rows' {@code updated_date} and the merges'
   * @return counts under {@code identity.regroup.*}: identifiers re-solved, map rows changed and
   *     deleted, keys merged
   */
  public Map<String, Long> regroup(Collection<Long> clusterIds, LocalDate day, String commitNote) {
    Map<String, Long> counts = new LinkedHashMap<>();
    if (clusterIds.isEmpty() || !store.exists(Tables.IDENTITY_MAP) || !store.exists(Tables.IDENTITY_EDGES)) {
      return counts;
    }
    SparkSession spark = store.spark();
    Date date = Date.valueOf(day);
    try (Intermediates kept = new Intermediates()) {
      long mapVersion = store.version(Tables.IDENTITY_MAP);
      Dataset<Row> previous = store.readAsOf(Tables.IDENTITY_MAP, mapVersion);
      List<Row> members = previous.where(col("cluster_id").isin(clusterIds.toArray()))
          .select(col(TYPE), col(VALUE)).collectAsList();
      counts.put("identity.regroup.identifiers", (long) members.size());
      if (members.isEmpty()) {
        return counts;
      }
      Dataset<Row> nodes = broadcast(spark.createDataFrame(members, previous.select(col(TYPE), col(VALUE)).schema()));
      Dataset<Row> allEdges = store.read(Tables.IDENTITY_EDGES);
      Dataset<Row> region = allEdges.join(nodes, allEdges.col(IdentityEdges.SRC_TYPE).equalTo(nodes.col(TYPE))
          .and(allEdges.col(IdentityEdges.SRC_VALUE).equalTo(nodes.col(VALUE))), "left_semi");
      Dataset<Row> pairs = pairs(region, kept);
      Solved solved = solve(pairs, pairs.count(), previous, false, highWater(previous, day, false), kept);
      Map<String, Long> written = write(solved, date, false, commitNote);
      Dataset<Row> unlinked = nodes.join(solved.keyed().select(col(TYPE), col(VALUE)), columns(TYPE, VALUE),
          "left_anti");
      long deleted = unlinked.isEmpty() ? 0
          : store.deleteMatching(Tables.IDENTITY_MAP, unlinked, List.of(TYPE, VALUE), commitNote);
      counts.put("identity.regroup.changed", written.get("identity.map.updated") + written.get("identity.map.inserted"));
      counts.put("identity.regroup.deleted", deleted);
      counts.put("identity.regroup.merges", solved.mergeCount());
      return counts;
    }
  }

  /** One row per linked pair of {@code region}'s edges, with the first and last time any day saw it. */
  private static Dataset<Row> pairs(Dataset<Row> region, Intermediates kept) {
    return kept.keep(region
        .groupBy(col(IdentityEdges.SRC_TYPE), col(IdentityEdges.SRC_VALUE), col(IdentityEdges.DST_TYPE),
            col(IdentityEdges.DST_VALUE))
        .agg(min(col("first_seen")).as("first_seen"), max(col("last_seen")).as("last_seen")));
  }

  /**
   * A region solved and keyed: the rules' resolution, one row per identifier with its new
   * {@code customer_key} beside its previous map row's columns, and the keys that stop existing.
   */
  private record Solved(IdentityGraph.Resolution resolution, Dataset<Row> keyed, Dataset<Row> merges,
      long mergeCount, boolean onDriver) {}

  /** Resolves {@code pairs} ({@code links} of them) and keys the components against {@code previous}. */
  private Solved solve(Dataset<Row> pairs, long links, Dataset<Row> previous, boolean full, long highWater,
      Intermediates kept) {
    // A region the driver resolves is small: its keys and statistics are computed there too.
    boolean onDriver = links <= settings.driverLinks();
    IdentityGraph.Resolution resolution = new IdentityGraph(settings, kept).resolve(pairs, links);
    List<Column> previousRows = new ArrayList<>(List.of(col(TYPE), col(VALUE)));
    PREVIOUS.forEach((column, alias) -> previousRows.add(col(column).as(alias)));
    Dataset<Row> before = previous.select(previousRows.toArray(Column[]::new));
    if (!full && onDriver) {
      // The region's rows of the map, found by broadcasting the region's identifiers (the
      // driver held them anyway) rather than by shuffling the whole map for the join below.
      before = before.join(broadcast(resolution.assignments().select(col(TYPE), col(VALUE))), columns(TYPE, VALUE),
          "left_semi");
    }
    Dataset<Row> assigned = kept.keep(resolution.assignments().join(before, columns(TYPE, VALUE), "left_outer"));
    CustomerKeys.Keys keys = onDriver ? CustomerKeys.assignOnDriver(assigned, highWater + 1)
        : CustomerKeys.assign(assigned, highWater + 1);
    Dataset<Row> keyed = kept.keep(assigned.join(keys.keys(), COMPONENT));
    Dataset<Row> merges = kept.keep(keys.merges());
    return new Solved(resolution, keyed, merges, merges.count(), onDriver);
  }

  /**
   * Writes a solved region: the map rows that changed (every row, and the deletion of the rest,
   * with {@code full}) and the merges. Returns Delta's counts as {@code identity.map.*}.
   */
  private Map<String, Long> write(Solved solved, Date date, boolean full, String commitNote) {
    Dataset<Row> keyed = solved.keyed();
    Dataset<Row> clusters = keyed.groupBy(col(CLUSTER)).agg(min(col("customer_key")).as("cluster_id"));
    List<Column> newAndPrevious = new ArrayList<>(List.of(
        col(TYPE), col(VALUE), col("customer_key"), col("cluster_id"), col("first_seen"), col("last_seen"),
        coalesce(col("previous_added"), lit(date)).as("added_date"),
        when(col(CustomerKeys.PREVIOUS_KEY).isNull()
                .or(col(CustomerKeys.PREVIOUS_KEY).notEqual(col("customer_key")))
                .or(col("previous_cluster").notEqual(col("cluster_id"))), lit(date))
            .otherwise(col("previous_updated")).as("updated_date")));
    PREVIOUS.values().forEach(alias -> newAndPrevious.add(col(alias)));
    Dataset<Row> rows = keyed.join(clusters, CLUSTER).select(newAndPrevious.toArray(Column[]::new));
    String changed = MAP_COLUMNS.stream().map(c -> "NOT (t." + c + " <=> s." + c + ")")
        .reduce((a, b) -> a + " OR " + b).orElseThrow();
    // An incremental night sends only the rows that differ from the map (compared with the map
    // rows the region was joined with, not the whole map again), so the merge rewrites no more
    // than their files; a full rebuild sends every row, the rows it lacks are deleted.
    Column[] mapColumns = MAP_COLUMNS.stream().map(c -> col(c)).toArray(Column[]::new);
    Dataset<Row> source = (full ? rows : rows.where(not(asBefore()))).select(mapColumns);
    DeltaStore.Upsert written = store.upsert(Tables.IDENTITY_MAP, source, List.of(TYPE, VALUE), changed, full,
        commitNote);
    Map<String, Long> counts = new LinkedHashMap<>();
    counts.put("identity.map.inserted", written.count("numTargetRowsInserted"));
    counts.put("identity.map.updated", written.count("numTargetRowsUpdated"));
    counts.put("identity.map.deleted", written.count("numTargetRowsDeleted"));
    if (solved.mergeCount() > 0) {
      store.upsert(Tables.IDENTITY_MERGES, solved.merges()
              .withColumn("merged_at", lit(Timestamp.from(clock.instant())))
              .withColumn("merged_date", lit(date)),
          List.of(CustomerKeys.OLD_KEY), null, false, commitNote);
    }
    return counts;
  }

  /** Whether a map row equals the row the identifier had before the run (false for a new one). */
  private static Column asBefore() {
    return col(CustomerKeys.PREVIOUS_KEY).isNotNull().and(same(PREVIOUS));
  }

  /** Whether each column (a key of {@code partners}) equals its partner column, nulls equal to nulls. */
  private static Column same(Map<String, String> partners) {
    return partners.entrySet().stream()
        .map(column -> col(column.getKey()).eqNullSafe(col(column.getValue())))
        .reduce(Column::and).orElseThrow();
  }

  /**
   * The map's shape after an incremental night, from the shape {@code identity_stats} recorded for
   * the map the night started from: the latest statistics commit names the map version it
   * describes ({@link #statisticsNote}), and only when that is {@code mapVersion} are its rows the
   * base. Empty (so the whole map is aggregated) when they are not: a first night, a crash between
   * the map's commit and the statistics', any other writer of the map in between.
   */
  private Optional<MapShape> shapeFromRegion(LocalDate day, long mapVersion, Dataset<Row> previous,
      Supplier<RegionShapes> region) {
    Optional<LocalDate> baseDay = store.latestCommitNote(Tables.IDENTITY_STATS)
        .map(STATISTICS_NOTE::matcher)
        .filter(note -> note.find() && Long.parseLong(note.group(1)) == mapVersion)
        .map(note -> LocalDate.parse(note.group(2)));
    if (baseDay.isEmpty()) {
      return Optional.empty();
    }
    Map<String, Long> recorded = new HashMap<>();
    for (Row row : store.read(Tables.IDENTITY_STATS)
        .where(col("business_date").equalTo(lit(Date.valueOf(baseDay.get())))).collectAsList()) {
      String label = row.getAs("label");
      recorded.put(row.<String>getAs("metric") + (label.isEmpty() ? "" : "." + label), row.<Long>getAs("value"));
    }
    Optional<MapShape> base = MapShape.fromStatistics(recorded);
    if (base.isEmpty()) {
      return Optional.empty();
    }
    Column today = lit(Date.valueOf(day));
    RegionShapes shapes = region.get();
    // The base counts the identifiers added on its own day; those added on this day before the
    // night (by an earlier run of it) are counted in the map it started from.
    long addedToday = baseDay.get().equals(day) ? base.get().added()
        : previous.where(col("added_date").equalTo(today)).count();
    MapShape shape = base.get().withAdded(addedToday).minus(shapes.before()).plus(shapes.after());
    if (!shape.isPossible()) {
      LOG.warn("identity {}: the statistics of identity_map version {} do not add up with the night's region; "
          + "aggregating the whole map instead", day, mapVersion);
      return Optional.empty();
    }
    return Optional.of(shape);
  }

  private record RegionShapes(MapShape before, MapShape after) {}

  /**
   * The shapes of the region's components before the night (by their previous keys) and after it,
   * from {@code keyedRows} (type, customer_key, previous key, previous added date) when the driver
   * holds them, else aggregated from {@code keyed}.
   */
  private static Supplier<RegionShapes> regionShapes(Dataset<Row> keyed, List<Row> keyedRows, LocalDate day) {
    if (keyedRows != null) {
      return () -> {
        List<MapShape.Member> before = new ArrayList<>();
        List<MapShape.Member> after = new ArrayList<>();
        for (Row row : keyedRows) {
          boolean addedBefore = !row.isNullAt(3) && row.getDate(3).toLocalDate().equals(day);
          if (!row.isNullAt(2)) {
            before.add(new MapShape.Member(row.getString(0), row.getLong(2), addedBefore));
          }
          after.add(new MapShape.Member(row.getString(0), row.getLong(1), row.isNullAt(3) || addedBefore));
        }
        return new RegionShapes(MapShape.of(before), MapShape.of(after));
      };
    }
    Column today = lit(Date.valueOf(day));
    return () -> new RegionShapes(
        MapShape.of(keyed.where(col(CustomerKeys.PREVIOUS_KEY).isNotNull()), col(CustomerKeys.PREVIOUS_KEY),
            col("previous_added").equalTo(today)),
        MapShape.of(keyed, col("customer_key"), coalesce(col("previous_added"), today).equalTo(today)));
  }

  /** The note of a statistics commit: the run's note, the map version they describe and their day. */
  private static String statisticsNote(String commitNote, long mapVersion, LocalDate day) {
    return commitNote + " [identity_map@" + mapVersion + " " + day + "]";
  }

  /**
   * {@code identity_stats} rows for the day: every count that describes the graph (not what this
   * particular run wrote, so a re-run gives the same rows), split at its first dot after the metric.
   */
  private void writeStatistics(Date date, Map<String, Long> counts, String commitNote) {
    List<Row> rows = new ArrayList<>();
    for (Map.Entry<String, Long> entry : counts.entrySet()) {
      if (entry.getKey().startsWith("identity.map.")) {
        continue;
      }
      String name = entry.getKey().substring("identity.".length());
      int dot = name.indexOf('.');
      String metric = dot < 0 ? name : name.substring(0, dot);
      String label = dot < 0 ? "" : name.substring(dot + 1);
      rows.add(RowFactory.create(date, metric, label, entry.getValue()));
    }
    store.replaceWhere(Tables.IDENTITY_STATS,
        store.spark().createDataFrame(rows, Tables.IDENTITY_STATS.schema()),
        "business_date = DATE'" + date.toLocalDate() + "'", commitNote);
  }

  /**
   * The stored edges of every raw cluster that day D's edges touch, plus D's edges: the part of
   * the graph whose resolution can change. With {@code small} (a night with no more links than the
   * driver resolves itself), the night's identifiers and clusters are broadcast to the joins, so
   * neither the map nor the stored edges, which grow with the history, are shuffled.
   */
  static Dataset<Row> region(Dataset<Row> allEdges, Dataset<Row> previous, Date date, boolean small) {
    Dataset<Row> today = allEdges.where(col("seen_date").equalTo(lit(date)));
    Dataset<Row> endpoints = today.select(col(IdentityEdges.SRC_TYPE).as(TYPE), col(IdentityEdges.SRC_VALUE).as(VALUE))
        .union(today.select(col(IdentityEdges.DST_TYPE).as(TYPE), col(IdentityEdges.DST_VALUE).as(VALUE)))
        .distinct();
    Dataset<Row> touched = previous.join(sent(endpoints, small), columns(TYPE, VALUE)).select(col("cluster_id"))
        .distinct();
    Dataset<Row> nodes = previous.join(sent(touched, small), "cluster_id").select(col(TYPE), col(VALUE))
        .union(endpoints)
        .distinct();
    Dataset<Row> sentNodes = sent(nodes, small);
    return allEdges.join(sentNodes, allEdges.col(IdentityEdges.SRC_TYPE).equalTo(sentNodes.col(TYPE))
        .and(allEdges.col(IdentityEdges.SRC_VALUE).equalTo(sentNodes.col(VALUE))), "left_semi");
  }

  private static Dataset<Row> sent(Dataset<Row> side, boolean broadcast) {
    return broadcast ? broadcast(side) : side;
  }

  private static Dataset<Row> decisionRows(Dataset<Row> decisions, Dataset<Row> keyed, Date date) {
    Dataset<Row> identifiers = keyed.select(col(NODE), col(TYPE), col(VALUE), col("customer_key"));
    Dataset<Row> customers = keyed.where(col(IdentityGraph.IS_CUSTOMER))
        .select(col(NODE).as(IdentityGraph.OTHER), col("customer_key").as("other_customer_key"));
    return decisions.join(identifiers, NODE)
        .join(customers, columns(IdentityGraph.OTHER), "left_outer")
        .withColumn("business_date", lit(date));
  }

  /**
   * The night's decisions that no earlier night recorded: a cluster solved again (a new link to it,
   * a full rebuild) mostly comes to the decisions it came to before, and {@code shared_identifier}
   * and {@code over_limit} rows do not age, so recording each again would grow the table night
   * after night. A decision about the same identifier with another customer or another other
   * customer is a new one. A re-run of the same day compares with earlier days only, so it writes
   * what the first run wrote.
   */
  private Dataset<Row> notRecordedBefore(Dataset<Row> decisions, Date date) {
    Map<String, String> earlierColumns = new LinkedHashMap<>();
    for (String column : List.of("rule", TYPE, VALUE, "customer_key", "other_customer_key")) {
      earlierColumns.put(column, "earlier_" + column);
    }
    Dataset<Row> earlier = store.read(Tables.IDENTITY_DECISIONS).where(col("business_date").lt(lit(date)))
        .select(earlierColumns.entrySet().stream().map(column -> col(column.getKey()).as(column.getValue()))
            .toArray(Column[]::new));
    return decisions.join(earlier, same(earlierColumns), "left_anti");
  }

  /**
   * The highest customer_key ever handed out: keys are never reused, even after a merge or an
   * erasure removed every row holding them.
   */
  private long highWater(Dataset<Row> previous, LocalDate day, boolean full) {
    // One query over the three sources; only when it fails is the map read alone, to tell a map
    // that cannot be read (which --full can rebuild) from any other failure.
    Dataset<Row> keys = previous.select(col("customer_key").as("key"))
        .union(store.read(Tables.IDENTITY_MERGES).select(greatest(col("old_key"), col("new_key")).as("key")))
        .union(store.read(Tables.IDENTITY_STATS).where(col("metric").equalTo("key_high_water"))
            .select(col("value").as("key")));
    Row row;
    try {
      row = keys.agg(max(col("key"))).first();
    } catch (Exception e) {
      try {
        // Reads every file of the map: Delta answers max(customer_key) from file statistics alone.
        previous.agg(max(length(col(VALUE)))).first();
      } catch (Exception mapFailure) {
        if (full) {
          throw TarmoException.job("Cannot read identity_map to keep its keys ("
              + store.lake().tablePath(Tables.IDENTITY_MAP)
              + "); move it away and re-run with --full to rebuild it from identity_edges with new keys", mapFailure);
        }
        throw corruptMap(day, mapFailure);
      }
      throw e;
    }
    return row.isNullAt(0) ? 0L : row.getLong(0);
  }

  private TarmoException corruptMap(LocalDate day, Exception cause) {
    return TarmoException.job("Cannot run identity for " + day + " incrementally: identity_map cannot be read ("
        + store.lake().tablePath(Tables.IDENTITY_MAP) + "); re-run with --full to rebuild it from identity_edges", cause);
  }

  /** The latest earlier day identity ran for, from its edges and statistics. */
  private Optional<LocalDate> earlierRun(LocalDate day) {
    Column before = lit(Date.valueOf(day));
    Row row = store.read(Tables.IDENTITY_EDGES).select(col("seen_date").as("day"))
        .union(store.read(Tables.IDENTITY_STATS).select(col("business_date").as("day")))
        .where(col("day").lt(before))
        .agg(max(col("day"))).first();
    return row.isNullAt(0) ? Optional.empty() : Optional.of(row.getDate(0).toLocalDate());
  }

  private static scala.collection.immutable.Seq<String> columns(String... names) {
    return scala.jdk.javaapi.CollectionConverters.asScala(List.of(names)).toSeq();
  }

  private Dataset<Row> readDay(TableSpec table, LocalDate day) {
    return store.read(table).where(col("ingest_date").equalTo(lit(Date.valueOf(day))));
  }
}
