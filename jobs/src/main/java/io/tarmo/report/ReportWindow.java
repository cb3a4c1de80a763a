package io.tarmo.report;

import static org.apache.spark.sql.functions.lit;

import io.tarmo.consent.ConsentState;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.sql.Column;

/**
 * The days a report covers: from the first day with a recorded run among the {@code days} days
 * ending at D, through D. Days in between without a run stay on the axis, so a missing night shows
 * as a gap rather than disappearing.
 *
 * @param from the first day shown
 * @param to the report's day D, whose numbers are the headline
 */
public record ReportWindow(LocalDate from, LocalDate to) {

  public ReportWindow {
    if (from.isAfter(to)) {
      throw new IllegalArgumentException("a report window ends before it starts: " + from + " > " + to);
    }
  }

  /** Every day of the window, in order. */
  public List<LocalDate> days() {
    List<LocalDate> days = new ArrayList<>();
    for (LocalDate day = from; !day.isAfter(to); day = day.plusDays(1)) {
      days.add(day);
    }
    return days;
  }

  /** The first instant after the report's day: D+1 00:00 UTC, where "as of D" ends. */
  Timestamp end() {
    return ConsentState.endOf(to);
  }

  /** Whether the date column {@code date} falls in the window. */
  Column holds(Column date) {
    return date.between(lit(Date.valueOf(from)), lit(Date.valueOf(to)));
  }
}
