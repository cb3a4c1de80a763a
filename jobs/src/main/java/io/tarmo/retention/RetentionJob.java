package io.tarmo.retention;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.not;

import io.tarmo.lake.DayFolders;
import io.tarmo.lake.DeltaStore;
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
import org.apache.spark.sql.Column;
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
 *   <li>Every table this run deleted from is vacuumed, and so is every table with a DELETE that
 *       the VACUUMs since could not remove yet (younger than the VACUUM retention then, or a run
 *       killed between its DELETE and its VACUUM), so deleted rows leave the files too.
 * </ol>
 *
 * A second run for the same day finds nothing more to delete. Counts come from Delta's commit
 * metrics and from the folders deleted; nothing about a row's content is reported.
 */
public final class RetentionJob {

  /** How many of a table's latest commits are looked through for DELETEs not vacuumed yet. */
  private static final int HISTORY_DEPTH = 100;

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
    return new RetentionResult(day, tables, folders, clock.millis() - started);
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
    boolean vacuum = rows > 0 || deleteNotVacuumed(table);
    long files = vacuum ? store.vacuum(table, settings.vacuumRetention()) : 0L;
    return new RetentionResult.TableRetention(table.name(), period, cutoff, rows, vacuum, files);
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
   * Whether the table has a DELETE whose files no VACUUM since could remove: one after the start of
   * the window the latest VACUUM kept (its time minus the VACUUM retention), or any when the latest
   * commits hold no VACUUM.
   */
  private boolean deleteNotVacuumed(TableSpec table) {
    List<DeltaStore.TimedCommit> history = store.history(table, HISTORY_DEPTH);
    Optional<Instant> vacuumed = history.stream()
        .filter(entry -> entry.commit().operation().equals("VACUUM END"))
        .map(DeltaStore.TimedCommit::timestamp)
        .findFirst();
    Instant keptFrom = vacuumed.map(time -> time.minus(settings.vacuumRetention())).orElse(Instant.MIN);
    return history.stream()
        .anyMatch(entry -> entry.commit().operation().equals("DELETE") && entry.timestamp().isAfter(keptFrom));
  }
}
