package io.tarmo.cli;

import io.tarmo.TarmoException;
import io.tarmo.lake.JobRuns;
import java.time.LocalDate;
import java.util.Set;

/**
 * {@code --in-order}: a scheduler's guard that business days are processed in date order. A day's
 * identity builds on the graph of the day before, so a day after a gap would stitch customers
 * against a stale graph and every later day would inherit it. The first day a lake ever processes,
 * and a re-run of a day whose day before was processed, are in order.
 */
final class DayOrder {

  static final String OPTION = "--in-order";
  static final String DESCRIPTION = "Refuse D (exit 2, nothing written) when the lake has processed an earlier day"
      + " but not the day before D: for schedulers, so that days run in date order";

  /** The step whose success marks a day as processed: the next day's identity starts from its graph. */
  private static final String PROCESSED_BY = "identity";

  private DayOrder() {}

  /** Throws exit 2 when {@code day} would be processed out of order in the lake of {@code context}. */
  static void require(JobContext context, String command, LocalDate day) {
    Set<LocalDate> processed = JobRuns.succeededDays(context.store(), PROCESSED_BY);
    LocalDate dayBefore = day.minusDays(1);
    if (processed.contains(dayBefore) || processed.stream().noneMatch(day::isAfter)) {
      return;
    }
    LocalDate last = processed.stream().filter(day::isAfter).max(LocalDate::compareTo).orElseThrow();
    throw TarmoException.usage(command + " " + day + " refused (" + OPTION + "): the day before, " + dayBefore
        + ", was not processed (the last day processed before it is " + last + "); process the days in between"
        + " first, in date order");
  }
}
