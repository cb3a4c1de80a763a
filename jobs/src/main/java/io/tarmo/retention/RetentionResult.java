package io.tarmo.retention;

import java.time.LocalDate;
import java.time.Period;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What one {@code retention} run removed: counts and dates only, never a row's content.
 *
 * @param day the business day retention ran for; cutoffs are counted back from it
 * @param tables one entry per aged table, in catalogue order
 * @param folders one entry per aged folder, in catalogue order
 * @param visitors the visitors known only by cookies that expired
 */
public record RetentionResult(LocalDate day, List<TableRetention> tables, List<FolderRetention> folders,
    Visitors visitors, long durationMs) {

  public RetentionResult {
    tables = List.copyOf(tables);
    folders = List.copyOf(folders);
  }

  /**
   * One table.
   *
   * @param period how long its rows are kept
   * @param cutoff rows dated before this day were deleted
   * @param rowsDeleted rows deleted, from Delta's {@code numDeletedRows}
   * @param vacuumed whether the table was vacuumed
   * @param filesVacuumed files and directories VACUUM deleted
   */
  public record TableRetention(String table, Period period, LocalDate cutoff, long rowsDeleted, boolean vacuumed,
      long filesVacuumed) {}

  /**
   * One folder.
   *
   * @param period how long its day folders are kept
   * @param cutoff day folders of days before this one are expired
   * @param daysDeleted expired day folders deleted
   * @param filesDeleted the files they held
   * @param notIngested expired landing days kept because no ingest of them has succeeded, sorted
   */
  public record FolderRetention(String folder, Period period, LocalDate cutoff, long daysDeleted, long filesDeleted,
      List<LocalDate> notIngested) {
    public FolderRetention {
      notIngested = List.copyOf(notIngested);
    }
  }

  /**
   * The visitors known only by cookies that were removed, with the history window of
   * {@code events}: none of their cookies was seen since {@code cutoff}.
   *
   * @param visitors their customer_keys
   * @param cookies their cookies (anonymous ids)
   * @param tables one entry per table they were removed from (period and cutoff are the window's)
   */
  public record Visitors(Period period, LocalDate cutoff, long visitors, long cookies, List<TableRetention> tables) {
    public Visitors {
      tables = List.copyOf(tables);
    }
  }

  /** Every table entry: the aged tables', then the visitors'. */
  private java.util.stream.Stream<TableRetention> allTables() {
    return java.util.stream.Stream.concat(tables.stream(), visitors.tables().stream());
  }

  /** Rows deleted, by age and with the visitors. */
  public long rowsDeleted() {
    return allTables().mapToLong(TableRetention::rowsDeleted).sum();
  }

  public long daysDeleted() {
    return folders.stream().mapToLong(FolderRetention::daysDeleted).sum();
  }

  public long filesVacuumed() {
    return allTables().mapToLong(TableRetention::filesVacuumed).sum();
  }

  /** Tables vacuumed at least once. */
  public long tablesVacuumed() {
    return allTables().filter(TableRetention::vacuumed).map(TableRetention::table).distinct().count();
  }

  public long keptNotIngested() {
    return folders.stream().mapToLong(folder -> folder.notIngested().size()).sum();
  }

  /** For {@code job_runs}: totals, then per table and folder. */
  public Map<String, Long> counts() {
    Map<String, Long> counts = new LinkedHashMap<>();
    counts.put("retention.rows_deleted", rowsDeleted());
    counts.put("retention.folders_deleted", daysDeleted());
    counts.put("retention.tables_vacuumed", tablesVacuumed());
    counts.put("retention.files_vacuumed", filesVacuumed());
    counts.put("retention.kept_not_ingested", keptNotIngested());
    counts.put("retention.visitors_expired", visitors.visitors());
    counts.put("retention.visitor_cookies_expired", visitors.cookies());
    for (TableRetention table : visitors.tables()) {
      counts.put("retention.visitor_rows_deleted." + table.table(), table.rowsDeleted());
      if (table.vacuumed()) {
        counts.merge("retention.files_vacuumed." + table.table(), table.filesVacuumed(), Long::sum);
      }
    }
    for (TableRetention table : tables) {
      counts.put("retention.rows_deleted." + table.table(), table.rowsDeleted());
      if (table.vacuumed()) {
        counts.merge("retention.files_vacuumed." + table.table(), table.filesVacuumed(), Long::sum);
      }
    }
    for (FolderRetention folder : folders) {
      counts.put("retention.folders_deleted." + folder.folder(), folder.daysDeleted());
      counts.put("retention.files_deleted." + folder.folder(), folder.filesDeleted());
      if (!folder.notIngested().isEmpty()) {
        counts.put("retention.kept_not_ingested." + folder.folder(), (long) folder.notIngested().size());
      }
    }
    return counts;
  }

  /** A line of totals, a line per table and folder, and a warning per folder with landing days kept. */
  public String summary() {
    String nl = System.lineSeparator();
    StringBuilder out = new StringBuilder(String.format(Locale.ROOT,
        "retention %s: %d rows deleted, %d day folders deleted, %d tables vacuumed (%d files) (%.1f s)", day,
        rowsDeleted(), daysDeleted(), tablesVacuumed(), filesVacuumed(),
        durationMs / 1000.0));
    out.append(nl).append(String.format(Locale.ROOT, "  %-24s %-10s %-12s %12s %16s", "table", "keeps", "deleted <",
        "rows deleted", "files vacuumed"));
    for (TableRetention table : tables) {
      out.append(nl).append(String.format(Locale.ROOT, "  %-24s %-10s %-12s %12d %16s", table.table(),
          describe(table.period()), table.cutoff(), table.rowsDeleted(),
          table.vacuumed() ? String.valueOf(table.filesVacuumed()) : "-"));
    }
    out.append(nl).append(String.format(Locale.ROOT, "  visitors known only by cookies, none seen since %s (%s):"
        + " %d removed, with %d cookies", visitors.cutoff(), describe(visitors.period()), visitors.visitors(),
        visitors.cookies()));
    for (TableRetention table : visitors.tables()) {
      out.append(nl).append(String.format(Locale.ROOT, "    %-22s %12d rows %16s", table.table(), table.rowsDeleted(),
          table.vacuumed() ? table.filesVacuumed() + " files vacuumed" : ""));
    }
    out.append(nl).append(String.format(Locale.ROOT, "  %-24s %-10s %-12s %12s %16s", "folder", "keeps", "deleted <",
        "days deleted", "files deleted"));
    for (FolderRetention folder : folders) {
      out.append(nl).append(String.format(Locale.ROOT, "  %-24s %-10s %-12s %12d %16d", folder.folder(),
          describe(folder.period()), folder.cutoff(), folder.daysDeleted(), folder.filesDeleted()));
    }
    for (FolderRetention folder : folders) {
      if (!folder.notIngested().isEmpty()) {
        out.append(nl).append(String.format(Locale.ROOT, "  warning: %d expired day folder(s) of %s kept: no ingest of"
            + " them has succeeded (%s); ingest them, or remove them by hand once they are not needed",
            folder.notIngested().size(), folder.folder(),
            folder.notIngested().stream().map(d -> "dt=" + d).collect(Collectors.joining(", "))));
      }
    }
    return out.toString();
  }

  /** A period as configuration would say it: {@code 30d}, {@code 13 months}, {@code 2y}. */
  static String describe(Period period) {
    StringBuilder out = new StringBuilder();
    if (period.getYears() != 0) {
      out.append(period.getYears()).append('y');
    }
    if (period.getMonths() != 0) {
      out.append(out.length() == 0 ? "" : " ").append(period.getMonths()).append(" months");
    }
    if (period.getDays() != 0 || out.length() == 0) {
      out.append(out.length() == 0 ? "" : " ").append(period.getDays()).append('d');
    }
    return out.toString();
  }
}
