package io.tarmo.report;

import java.time.LocalDate;
import java.util.List;
import java.util.Locale;

/**
 * What a report run did, without anything from the data: the days it covers, the tables it found
 * missing, and where the page went.
 *
 * @param day the report's day D
 * @param from the first day shown
 * @param missingTables tables the report reads that do not exist yet (their charts say so)
 * @param bytes size of the page
 * @param location where the page was written
 */
public record ReportResult(LocalDate day, LocalDate from, List<String> missingTables, long bytes, String location,
    long durationMs) {

  public ReportResult {
    missingTables = List.copyOf(missingTables);
  }

  public String summary() {
    return String.format(Locale.ROOT, "report %s: %s to %s, %d KB%s -> %s", day, from, day, (bytes + 1023) / 1024,
        missingTables.isEmpty() ? "" : "; no table yet: " + String.join(", ", missingTables), location);
  }
}
