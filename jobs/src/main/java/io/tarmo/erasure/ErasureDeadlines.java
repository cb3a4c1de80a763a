package io.tarmo.erasure;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.count_if;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min;

import io.tarmo.lake.DeltaStore;
import io.tarmo.lake.Tables;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Locale;
import java.util.Optional;
import org.apache.spark.sql.Row;

/**
 * The requests of {@code erasure_log} that are still open (neither COMPLETED nor REJECTED) and due
 * within a window: what a scheduler alerts a compliance officer about before the 30-day deadline
 * of GDPR Art. 12(3) passes. Counts and a date only: the log holds no identifier in clear.
 *
 * @param open requests still open
 * @param dueSoon open requests due before the end of the window (past due ones included)
 * @param pastDue open requests whose deadline has passed
 * @param earliestDue the earliest deadline of those due soon
 */
public record ErasureDeadlines(long open, long dueSoon, long pastDue, Optional<LocalDate> earliestDue) {

  /** The open requests of the lake's {@code erasure_log} due within {@code window} of {@code now}. */
  public static ErasureDeadlines within(DeltaStore store, Duration window, Instant now) {
    if (!store.exists(Tables.ERASURE_LOG)) {
      return new ErasureDeadlines(0, 0, 0, Optional.empty());
    }
    Timestamp horizon = Timestamp.from(now.plus(window));
    Row row = store.read(Tables.ERASURE_LOG)
        .where(col("status").isin(ErasureJob.Status.CLOSED.toArray()).unary_$bang())
        .agg(count(lit(1)),
            count_if(col("due_at").lt(lit(horizon))),
            count_if(col("due_at").lt(lit(Timestamp.from(now)))),
            min(col("due_at")))
        .first();
    Optional<LocalDate> earliest = Optional.ofNullable((Timestamp) row.get(3))
        .map(due -> LocalDate.ofInstant(due.toInstant(), ZoneOffset.UTC));
    return new ErasureDeadlines(row.getLong(0), row.getLong(1), row.getLong(2), row.getLong(1) == 0
        ? Optional.empty() : earliest);
  }

  public boolean anyDueSoon() {
    return dueSoon > 0;
  }

  /** One line for the console and the scheduler's log. */
  public String summary(long days) {
    return anyDueSoon()
        ? String.format(Locale.ROOT, "%d erasure request(s) not COMPLETED are due within %d day(s) (%d past due,"
            + " earliest due %s): see erasure_log", dueSoon, days, pastDue, earliestDue.orElseThrow())
        : String.format(Locale.ROOT, "erasure deadlines: %d request(s) open, none due within %d day(s)", open, days);
  }
}
