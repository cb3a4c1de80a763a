package io.tarmo.dsar;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The outcome of one access request: counts only, never a value, so it can go to the console and
 * {@code job_runs}.
 *
 * @param known whether anything about the subject was found (a row or a file line)
 * @param keys customer_keys the subject resolved to (merged-away keys included)
 * @param identifiers identifiers of the subject used to find rows
 * @param sharedIdentifiers identifiers of the subject also linked to another customer: not used to find rows
 * @param rowsByTable rows exported per table, every table searched (0 included), in catalogue order
 * @param linesByFolder file records exported per folder, every folder searched, in catalogue order
 * @param folder where the export was written
 */
public record DsarResult(boolean known, long keys, long identifiers, long sharedIdentifiers,
    Map<String, Long> rowsByTable, Map<String, Long> linesByFolder, String folder, long durationMs) {

  public DsarResult {
    rowsByTable = Collections.unmodifiableMap(new LinkedHashMap<>(rowsByTable));
    linesByFolder = Collections.unmodifiableMap(new LinkedHashMap<>(linesByFolder));
  }

  public long rows() {
    return rowsByTable.values().stream().mapToLong(Long::longValue).sum();
  }

  public long lines() {
    return linesByFolder.values().stream().mapToLong(Long::longValue).sum();
  }

  /** Tables with at least one row exported. */
  public long tables() {
    return rowsByTable.values().stream().filter(rows -> rows > 0).count();
  }

  public Map<String, Long> counts() {
    Map<String, Long> counts = new LinkedHashMap<>();
    counts.put("dsar.known", known ? 1L : 0L);
    counts.put("dsar.customer_keys", keys);
    counts.put("dsar.identifiers", identifiers);
    counts.put("dsar.shared_identifiers", sharedIdentifiers);
    counts.put("dsar.tables", tables());
    counts.put("dsar.rows", rows());
    counts.put("dsar.file_lines", lines());
    rowsByTable.forEach((table, rows) -> {
      if (rows > 0) {
        counts.put("dsar.rows." + table, rows);
      }
    });
    linesByFolder.forEach((folder, lines) -> {
      if (lines > 0) {
        counts.put("dsar.file_lines." + folder, lines);
      }
    });
    counts.put("dsar.duration_ms", durationMs);
    return counts;
  }

  /** What the console shows: counts and the output folder. */
  public String summary() {
    StringBuilder text = new StringBuilder();
    text.append("dsar: ").append(known ? "" : "the lake holds nothing about the subject; ")
        .append(tables()).append(" tables, ").append(rows()).append(" rows, ").append(lines())
        .append(" file lines exported to ").append(folder).append(" (").append(keys).append(" customer_keys, ")
        .append(identifiers).append(" identifiers, ").append(sharedIdentifiers).append(" shared and not used)");
    rowsByTable.forEach((table, rows) -> {
      if (rows > 0) {
        text.append(System.lineSeparator()).append("  ").append(table).append(": ").append(rows).append(" rows");
      }
    });
    linesByFolder.forEach((folder, lines) -> {
      if (lines > 0) {
        text.append(System.lineSeparator()).append("  ").append(folder).append(": ").append(lines).append(" lines");
      }
    });
    return text.toString();
  }
}
