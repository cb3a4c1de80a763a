package io.tarmo.retention;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.countDistinct;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.not;
import static org.apache.spark.sql.functions.when;

import io.tarmo.lake.DayFolders;
import io.tarmo.lake.DeltaStore;
import io.tarmo.lake.Intermediates;
import io.tarmo.lake.JobRuns;
import io.tarmo.lake.LandingSpec;
import io.tarmo.lake.Retention;
import io.tarmo.lake.TableSpec;
import io.tarmo.lake.Tables;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.Period;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import io.tarmo.subject.IdentifierType;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.TimestampType;

/**
 * {@code retention --date D}: applies the retention policy ({@link RetentionSettings}) of every table
 * and folder the catalogue ({@link Tables}) gives an aged retention class, counting back from D.
 *
 * <ol>
 *   <li>Day folders ({@code dt=YYYY-MM-DD}) older than their folder's period are deleted; a landing
 *       day ({@link Retention#LANDING}) only once an ingest of that day has SUCCEEDED in
 *       {@code job_runs}: until then it is kept and reported, as it is the only copy of what was
 *       delivered. This step reads {@code job_runs} before the next step ages it.
 *   <li>Rows whose {@link TableSpec.Aging} column is older than their table's period are deleted
 *       with one Delta DELETE per table; its predicate (a column and a date) is what Delta records.
 *   <li>Visitors known only by cookies expire with their behaviour history: an identity cluster
 *       (identity_map's {@code cluster_id}, every link before the rules) whose identifiers are all
 *       {@code anonymous_id}s, none seen ({@code last_seen}) since the cutoff of {@code events},
 *       nor named by a consent record or an event not linked yet since then, leaves every table that
 *       keeps it while the customer exists: its cookies' {@code consent_events},
 *       {@code identity_edges} and {@code identity_decisions} rows, its keys' {@code consent_state}
 *       and {@code customer_profiles} rows, and last its {@code identity_map} rows, which a run
 *       killed half-way reads again. Whole clusters only,
 *       so no link of a remaining customer is cut; a cluster holding an email, phone, customer or
 *       loyalty id is a customer, kept until erased. The deletes join on the cluster's
 *       identifiers and keys ({@code MERGE ... WHEN MATCHED THEN DELETE}), so no commit records
 *       a value.
 *   <li>Every table this run deleted from is vacuumed, and so is every table with a delete that
 *       the VACUUMs since could not remove yet (younger than the VACUUM retention then, or a run
 *       killed between its delete and its VACUUM), so deleted rows leave the files too.
 * </ol>
 *
 * A second run for the same day finds nothing more to delete. Counts come from Delta's commit
 * metrics and from the folders deleted; nothing about a row's content is reported.
 */
public final class RetentionJob {

  /** How many of a table's latest commits are looked through for DELETEs not vacuumed yet. */
  private static final int HISTORY_DEPTH = 100;

  private static final String TYPE = "identifier_type";
  private static final String VALUE = "identifier_value";
  private static final String COOKIE = IdentifierType.ANONYMOUS_ID.key();
  private static final String RECENT = "recent_cookie";

  /**
   * Where a visitor's rows are, in the order they are deleted: identity_map last, as a run killed
   * half-way finds the visitors there again. An edge of a cookies-only cluster has both ends in it,
   * so its higher-priority end finds it. identity_decisions is aged too, but keeps the decisions
   * erasure needs while their identifier exists (see {@link Tables#IDENTITY_DECISIONS}); the daily
   * results lose the visitor's rows with their own period.
   */
  private static final List<VisitorRows> VISITOR_ROWS = List.of(
      VisitorRows.byCookie(Tables.CONSENT_EVENTS, "subject_type", "subject_value"),
      VisitorRows.byCookie(Tables.IDENTITY_EDGES, "src_type", "src_value"),
      VisitorRows.byCookie(Tables.IDENTITY_DECISIONS, TYPE, VALUE),
      VisitorRows.byCustomerKey(Tables.CONSENT_STATE),
      VisitorRows.byCustomerKey(Tables.CUSTOMER_PROFILES),
      VisitorRows.byCustomerKey(Tables.IDENTITY_MAP));

  private final DeltaStore store;
  private final DayFolders dayFolders;
  private final RetentionSettings settings;
  private final Clock clock;

  public RetentionJob(DeltaStore store, RetentionSettings settings, Clock clock) {
    this.store = store;
    this.dayFolders = new DayFolders(store.spark(), store.lake());
    this.settings = settings;
    this.clock = clock;
  }

  public RetentionResult run(LocalDate day, String commitNote) {
    long started = clock.millis();
    List<RetentionResult.FolderRetention> folders = new ArrayList<>();
    Set<LocalDate> ingested = ingestedDays();
    for (LandingSpec folder : Tables.FOLDERS) {
      if (folder.aged()) {
        folders.add(ageFolder(folder, day, ingested));
      }
    }
    List<RetentionResult.TableRetention> tables = new ArrayList<>();
    for (TableSpec table : Tables.ALL) {
      if (table.retention().aged()) {
        tables.add(ageTable(table, day, commitNote));
      }
    }
    RetentionResult.Visitors visitors = expireVisitors(day, commitNote);
    return new RetentionResult(day, tables, folders, visitors, clock.millis() - started);
  }

  private RetentionResult.FolderRetention ageFolder(LandingSpec folder, LocalDate day, Set<LocalDate> ingested) {
    Period period = settings.periodOf(folder);
    LocalDate cutoff = day.minus(period);
    long days = 0;
    long files = 0;
    List<LocalDate> notIngested = new ArrayList<>();
    for (DayFolders.DayFolder dayFolder : dayFolders.list(folder)) {
      if (!dayFolder.day().isBefore(cutoff)) {
        continue;
      }
      if (folder.retention() == Retention.LANDING && !ingested.contains(dayFolder.day())) {
        notIngested.add(dayFolder.day());
        continue;
      }
      files += dayFolders.delete(dayFolder);
      days++;
    }
    return new RetentionResult.FolderRetention(folder.path(), period, cutoff, days, files,
        notIngested.stream().distinct().sorted().toList());
  }

  /** The business days with a SUCCEEDED ingest (alone or as a step of a night). */
  private Set<LocalDate> ingestedDays() {
    return JobRuns.succeededDays(store, "ingest");
  }

  private RetentionResult.TableRetention ageTable(TableSpec table, LocalDate day, String commitNote) {
    Period period = settings.periodOf(table);
    LocalDate cutoff = day.minus(period);
    long rows = store.delete(table, expired(table, cutoff), commitNote);
    return vacuumed(table, period, cutoff, rows);
  }

  /** The entry of a table retention deleted {@code rows} from, after the VACUUM it needs, if any. */
  private RetentionResult.TableRetention vacuumed(TableSpec table, Period period, LocalDate cutoff, long rows) {
    boolean vacuum = rows > 0 || deleteNotVacuumed(table);
    long files = vacuum ? store.vacuum(table, settings.vacuumRetention()) : 0L;
    return new RetentionResult.TableRetention(table.name(), period, cutoff, rows, vacuum, files);
  }

  /**
   * Removes the visitors known only by cookies that were not seen within the history window of
   * {@code events} (see the class comment). Nothing happens without an identity_map.
   */
  private RetentionResult.Visitors expireVisitors(LocalDate day, String commitNote) {
    Period period = settings.periodOf(Tables.EVENTS);
    LocalDate cutoff = day.minus(period);
    List<RetentionResult.TableRetention> tables = new ArrayList<>();
    if (!store.exists(Tables.IDENTITY_MAP)) {
      return new RetentionResult.Visitors(period, cutoff, 0, 0, tables);
    }
    try (Intermediates kept = new Intermediates()) {
      Dataset<Row> candidates = expiredVisitors(store.read(Tables.IDENTITY_MAP), cutoff);
      // One recent cookie keeps its whole cluster: a cluster is never cut.
      Dataset<Row> active = candidates.join(recentCookies(cutoff), col(VALUE).equalTo(col(RECENT)))
          .select(col("cluster_id")).distinct();
      Dataset<Row> cookies = kept.keep(candidates.join(active, "cluster_id", "left_anti")
          .select(col(TYPE), col(VALUE), col("customer_key")));
      Row sizes = cookies.agg(countDistinct(col("customer_key")), count(lit(1))).first();
      for (VisitorRows found : VISITOR_ROWS) {
        long rows = sizes.getLong(1) == 0 ? 0L
            : store.deleteMatching(found.table(), found.of(cookies), found.keyColumns(), commitNote);
        tables.add(vacuumed(found.table(), period, cutoff, rows));
      }
      return new RetentionResult.Visitors(period, cutoff, sizes.getLong(0), sizes.getLong(1), tables);
    }
  }

  /**
   * The identifiers ({@code identifier_type}, {@code identifier_value}, {@code customer_key},
   * {@code cluster_id}) of the identity clusters of {@code map} that hold only cookies, each seen,
   * and none since the start of {@code cutoff} (UTC). A cluster with an identifier never seen is kept: when in doubt,
   * nothing is deleted.
   */
  static Dataset<Row> expiredVisitors(Dataset<Row> map, LocalDate cutoff) {
    Dataset<Row> clusters = map.groupBy(col("cluster_id"))
        .agg(count(when(not(coalesce(col(TYPE).equalTo(lit(COOKIE)), lit(false))), lit(1))).as("known"),
            count(when(col("last_seen").isNull(), lit(1))).as("undated"),
            max(col("last_seen")).as("last_seen"))
        .where(col("known").equalTo(0).and(col("undated").equalTo(0)).and(col("last_seen").lt(lit(startOf(cutoff)))))
        .select(col("cluster_id"));
    return map.join(clusters, "cluster_id").select(col(TYPE), col(VALUE), col("customer_key"), col("cluster_id"));
  }

  /**
   * Cookies with activity since {@code cutoff} that {@code identity_map.last_seen} may not show
   * (column {@value #RECENT}): consent records made on them (a visitor who refused analytics sends no
   * stored events, only banner choices), and events that no identity run has linked yet (delivered
   * after the latest day in {@code identity_stats}, or any when identity never ran).
   */
  private Dataset<Row> recentCookies(LocalDate cutoff) {
    Dataset<Row> recent = store.spark().emptyDataFrame().select(lit(null).cast("string").as(RECENT));
    if (store.exists(Tables.CONSENT_EVENTS)) {
      recent = recent.union(store.read(Tables.CONSENT_EVENTS)
          .where(col("subject_type").equalTo(lit(COOKIE))
              .and(col("ts").geq(lit(startOf(cutoff))).or(col("ingest_date").geq(lit(Date.valueOf(cutoff))))))
          .select(col("subject_value").as(RECENT)));
    }
    if (store.exists(Tables.EVENTS)) {
      Column unlinked = col("event_date").geq(lit(Date.valueOf(cutoff)));
      if (store.exists(Tables.IDENTITY_STATS)) {
        Row linked = store.read(Tables.IDENTITY_STATS).agg(max(col("business_date"))).first();
        if (!linked.isNullAt(0)) {
          unlinked = unlinked.and(col("ingest_date").gt(lit(linked.getDate(0))));
        }
      }
      Dataset<Row> events = store.read(Tables.EVENTS).where(unlinked);
      recent = recent.union(events.select(col("anonymous_id").as(RECENT)))
          .union(events.select(col("previous_id").as(RECENT)));
    }
    return recent.where(col(RECENT).isNotNull()).distinct();
  }

  private static Timestamp startOf(LocalDate day) {
    return Timestamp.from(day.atStartOfDay(ZoneOffset.UTC).toInstant());
  }

  /**
   * A table a visitor has rows in, found by the visitor's customer_key ({@code typeColumn} null) or
   * by one of its cookies in the given type and value columns.
   */
  private record VisitorRows(TableSpec table, String typeColumn, String valueColumn) {
    static VisitorRows byCustomerKey(TableSpec table) {
      return new VisitorRows(table, null, null);
    }

    static VisitorRows byCookie(TableSpec table, String typeColumn, String valueColumn) {
      return new VisitorRows(table, typeColumn, valueColumn);
    }

    /** The columns the rows are matched on, and the visitors' rows to match, named so. */
    List<String> keyColumns() {
      return typeColumn == null ? List.of("customer_key") : List.of(typeColumn, valueColumn);
    }

    Dataset<Row> of(Dataset<Row> cookies) {
      return typeColumn == null ? cookies.select(col("customer_key"))
          : cookies.select(col(TYPE).as(typeColumn), col(VALUE).as(valueColumn));
    }
  }

  /**
   * Rows of {@code table} dated before {@code cutoff} (for a timestamp: before 00:00 UTC of it),
   * but none its {@link TableSpec.Aging#keptWhen} keeps.
   */
  static Column expired(TableSpec table, LocalDate cutoff) {
    TableSpec.Aging aging = table.aging();
    Column dated = table.schema().apply(aging.column()).dataType() instanceof TimestampType
        ? col(aging.column()).lt(lit(Timestamp.from(cutoff.atStartOfDay(ZoneOffset.UTC).toInstant())))
        : col(aging.column()).lt(lit(Date.valueOf(cutoff)));
    return aging.keptWhen() == null ? dated : dated.and(not(coalesce(expr(aging.keptWhen()), lit(false))));
  }

  /**
   * Whether the table has a delete (a DELETE, or a MERGE that deleted rows) whose files no VACUUM
   * since could remove: one after the start of the window the latest VACUUM kept (its time minus the
   * VACUUM retention), or any when the latest commits hold no VACUUM.
   */
  private boolean deleteNotVacuumed(TableSpec table) {
    List<DeltaStore.TimedCommit> history = store.history(table, HISTORY_DEPTH);
    Optional<Instant> vacuumed = history.stream()
        .filter(entry -> entry.commit().operation().equals("VACUUM END"))
        .map(DeltaStore.TimedCommit::timestamp)
        .findFirst();
    Instant keptFrom = vacuumed.map(time -> time.minus(settings.vacuumRetention())).orElse(Instant.MIN);
    return history.stream()
        .anyMatch(entry -> deletes(entry.commit()) && entry.timestamp().isAfter(keptFrom));
  }

  private static boolean deletes(DeltaStore.Commit commit) {
    return commit.operation().equals("DELETE")
        || commit.operation().equals("MERGE") && commit.metric("numTargetRowsDeleted") > 0;
  }
}
