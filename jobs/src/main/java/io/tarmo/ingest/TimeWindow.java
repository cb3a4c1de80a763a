package io.tarmo.ingest;

import static org.apache.spark.sql.functions.lit;

import java.sql.Timestamp;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import org.apache.spark.sql.Column;

/**
 * The times a delivery day may carry (UTC): from {@code earliest}, and not after the day ends plus
 * the allowed clock skew. Events and consent entries share the upper bound; they differ in how old
 * an entry may be.
 *
 * @param earliest the earliest time accepted
 * @param latest the first time no longer accepted
 * @param described the window's bounds as the quarantine reason names them
 */
public record TimeWindow(Timestamp earliest, Timestamp latest, String described) {

  /**
   * The earliest consent accepted. A consent ledger is evidence kept for years, and its first
   * delivery is a backfill of its history, so the events' lower bound does not fit it; a time
   * before this is a default value (the Unix epoch, a year 1900), not when anyone consented.
   */
  public static final LocalDate EARLIEST_CONSENT = LocalDate.of(2000, 1, 1);

  /** For events: not more than {@code maxAgeDays} before {@code day} starts. */
  public static TimeWindow around(LocalDate day, int maxAgeDays, Duration maxClockSkew) {
    return new TimeWindow(
        Timestamp.from(day.atStartOfDay(ZoneOffset.UTC).toInstant().minus(Duration.ofDays(maxAgeDays))),
        latest(day, maxClockSkew),
        "more than " + maxAgeDays + " days before the delivery day or after it ends plus the allowed clock skew");
  }

  /** For consent entries: not before {@link #EARLIEST_CONSENT}. */
  public static TimeWindow forConsent(LocalDate day, Duration maxClockSkew) {
    return new TimeWindow(Timestamp.from(EARLIEST_CONSENT.atStartOfDay(ZoneOffset.UTC).toInstant()),
        latest(day, maxClockSkew),
        "before " + EARLIEST_CONSENT + " or after the delivery day ends plus the allowed clock skew");
  }

  private static Timestamp latest(LocalDate day, Duration maxClockSkew) {
    return Timestamp.from(day.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant().plus(maxClockSkew));
  }

  /** True where {@code ts} is outside the window, null where it is null. */
  public Column outside(Column ts) {
    return ts.lt(lit(earliest)).or(ts.geq(lit(latest)));
  }

  /** The quarantine reason for a {@code field} outside the window. */
  public String reason(String field) {
    return field + " out of range (" + described + ")";
  }
}
