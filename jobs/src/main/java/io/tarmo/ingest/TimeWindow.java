package io.tarmo.ingest;

import static org.apache.spark.sql.functions.lit;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import org.apache.spark.sql.Column;

/**
 * The times a delivery day may carry: not more than {@code maxAgeDays} before the day starts, not
 * after it ends plus the allowed clock skew (UTC). Events and consent entries are held to the same
 * window.
 */
public record TimeWindow(Timestamp earliest, Timestamp latest, int maxAgeDays) {

  public static TimeWindow around(LocalDate day, int maxAgeDays, Duration maxClockSkew) {
    return new TimeWindow(
        Timestamp.from(day.atStartOfDay(ZoneOffset.UTC).toInstant().minus(Duration.ofDays(maxAgeDays))),
        Timestamp.from(day.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant().plus(maxClockSkew)),
        maxAgeDays);
  }

  /** True where {@code ts} is outside the window, null where it is null. */
  public Column outside(Column ts) {
    return ts.lt(lit(earliest)).or(ts.geq(lit(latest)));
  }

  /** The quarantine reason for a {@code field} outside the window. */
  public String reason(String field) {
    return field + " out of range (more than " + maxAgeDays
        + " days before the delivery day or after it ends plus the allowed clock skew)";
  }
}
