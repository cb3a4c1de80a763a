package io.tarmo.consent;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;

import io.tarmo.TarmoException;
import io.tarmo.lake.DeltaStore;
import io.tarmo.lake.Tables;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Row;

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

  /**
   * Refuses (exit 2) a {@code command} for {@code day} whose {@code consent_state} was built for an
   * earlier day: a withdrawal or objection delivered since would be missed. A state built for a
   * later day holds day D too (the state as of a past day is a filter); a table without rows, or
   * without the table, is left to the command (absence of a record means no).
   */
  public static void requireBuiltFor(DeltaStore store, LocalDate day, String command) {
    if (!store.exists(Tables.CONSENT_STATE)) {
      return;
    }
    Row built = store.read(Tables.CONSENT_STATE).agg(max(col("as_of_date"))).first();
    if (!built.isNullAt(0) && built.getDate(0).toLocalDate().isBefore(day)) {
      throw TarmoException.usage("Cannot run " + command + " for " + day + ": consent_state was built for "
          + built.getDate(0).toLocalDate() + ", before it, and would miss the withdrawals and objections delivered "
          + "since; run consent --date " + day + " first");
    }
  }

  /** The first instant after business day {@code day}: {@code D+1 00:00 UTC}. */
  public static Timestamp endOf(LocalDate day) {
    return Timestamp.from(day.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant());
  }
}
