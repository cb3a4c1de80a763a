package io.tarmo.consent;

import static io.tarmo.profiles.CustomerEvents.CUSTOMER_KEY;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.count_if;
import static org.apache.spark.sql.functions.lit;

import io.tarmo.Observations;
import io.tarmo.Phases;
import io.tarmo.TarmoException;
import io.tarmo.lake.DeltaStore;
import io.tarmo.lake.Tables;
import java.time.Clock;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Observation;
import org.apache.spark.sql.Row;

/**
 * {@code consent --date D}: {@code consent_state} rebuilt from every {@code consent_events} row
 * delivered by the end of D, keyed through the current {@code identity_map}, by the rules of
 * {@link ConsentIntervals}. The whole table is replaced in one commit, so a re-run leaves it as one
 * run would. Records whose subject is not in the map yet give no row and are counted; a later run,
 * after identity has met the subject, places them.
 */
public final class ConsentJob {

  private final DeltaStore store;
  private final Clock clock;

  public ConsentJob(DeltaStore store, Clock clock) {
    this.store = store;
    this.clock = clock;
  }

  /**
   * Refuses to run (exit 2, nothing written) before identity has built {@code identity_map}: every
   * record would read as unresolved. A lake without a consent ledger is fine (an empty state).
   */
  public void check(LocalDate day) {
    if (!store.exists(Tables.IDENTITY_MAP)) {
      throw TarmoException.usage("Cannot run consent for " + day
          + ": identity_map does not exist yet; run identity first (" + store.lake().root() + ")");
    }
  }

  public ConsentResult run(LocalDate day, String commitNote) {
    check(day);
    try (Phases phases = Phases.start(store.spark(), "consent " + day, clock)) {
      phases.describe("state");
      boolean ledger = store.exists(Tables.CONSENT_EVENTS);
      long read = 0;
      long unresolved = 0;
      long written;
      if (ledger) {
        Observation records = new Observation("consent_records");
        Dataset<Row> keyed = ConsentIntervals.withCustomerKey(
                ConsentIntervals.filterDeliveredBy(store.read(Tables.CONSENT_EVENTS), day), store.read(Tables.IDENTITY_MAP))
            .observe(records, count(lit(1)).as("read"), count_if(col(CUSTOMER_KEY).isNull()).as("unresolved"));
        written = store.overwrite(Tables.CONSENT_STATE,
            ConsentIntervals.intervals(keyed.filter(col(CUSTOMER_KEY).isNotNull()), day), commitNote).rows();
        read = Observations.count(records, "read");
        unresolved = Observations.count(records, "unresolved");
      } else {
        written = store.overwrite(Tables.CONSENT_STATE,
            store.spark().createDataFrame(List.of(), Tables.CONSENT_STATE.schema()), commitNote).rows();
      }
      phases.done("state");

      phases.describe("tally");
      Map<String, Long> customers = new LinkedHashMap<>();
      for (Row row : store.read(Tables.CONSENT_STATE).filter(ConsentState.asOf(day))
          .groupBy(col("purpose"), col("channel"), col("status")).agg(count(lit(1)))
          .orderBy(col("purpose"), col("channel"), col("status")).collectAsList()) {
        customers.put(row.getString(0) + "." + row.getString(1) + "." + row.getString(2), row.getLong(3));
      }
      phases.done("tally");
      return new ConsentResult(day, ledger, read, unresolved, written, customers, phases.elapsedMillis());
    }
  }
}
