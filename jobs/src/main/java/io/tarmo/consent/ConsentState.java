package io.tarmo.consent;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import java.sql.Timestamp;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import org.apache.spark.sql.Column;

/**
 * How to read {@code consent_state}: the table holds validity intervals, so the state as of any
 * day is a filter, not a recompute. Activation and segments ask through here.
 */
public final class ConsentState {

  /** The channels a ledger record for {@code all} stands for, one {@code consent_state} row each. */
  public static final List<String> CHANNELS = List.of("email", "sms", "push", "phone", "web");
  /** The statuses that refuse: a grant ended by the person, and the objection legitimate interest yields to. */
  public static final List<String> OBJECTIONS = List.of("denied", "withdrawn");

  private ConsentState() {}

  /**
   * The rows valid at the end of business day {@code day} (UTC): {@code valid_from < D+1 00:00}
   * and {@code valid_to} null or at or after {@code D+1 00:00}. One row per customer, purpose and
   * channel at most.
   */
  public static Column asOf(LocalDate day) {
    Column end = lit(endOf(day));
    return col("valid_from").lt(end).and(col("valid_to").isNull().or(col("valid_to").geq(end)));
  }

  /** The rows as of {@code day} that say no to {@code purpose} on some channel (denied or withdrawn). */
  public static Column objectsAsOf(LocalDate day, String purpose) {
    return asOf(day).and(col("purpose").equalTo(purpose)).and(col("status").isin(OBJECTIONS.toArray()));
  }

  /** The first instant after business day {@code day}: {@code D+1 00:00 UTC}. */
  public static Timestamp endOf(LocalDate day) {
    return Timestamp.from(day.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant());
  }
}
