package io.tarmo.profiles;

import static io.tarmo.profiles.CustomerEvents.CUSTOMER_KEY;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count_if;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.when;

import io.tarmo.Phases;
import io.tarmo.TarmoException;
import io.tarmo.lake.DeltaStore;
import io.tarmo.lake.Tables;
import java.sql.Date;
import java.time.Clock;
import java.time.LocalDate;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * {@code profiles --date D}: {@code customer_profiles} rebuilt from every event known by the end of
 * D (see {@link CustomerEvents#filterKnownBy}), the current {@code identity_map} and
 * {@code crm_customers}. One row per customer_key of the map, so CRM customers without events get
 * a profile too. The table is replaced in one commit, so re-running a day leaves it as one run
 * would.
 */
public final class ProfilesJob {

  private final DeltaStore store;
  private final Clock clock;

  public ProfilesJob(DeltaStore store, Clock clock) {
    this.store = store;
    this.clock = clock;
  }

  /** Refuses to run (exit 2, nothing written) before identity has built {@code identity_map}. */
  public void check(LocalDate day) {
    if (!store.exists(Tables.IDENTITY_MAP)) {
      throw TarmoException.usage("Cannot run profiles for " + day
          + ": identity_map does not exist yet; run identity first (" + store.lake().root() + ")");
    }
  }

  public ProfilesResult run(LocalDate day, String commitNote) {
    check(day);
    try (Phases phases = Phases.start(store.spark(), "profiles " + day, clock)) {
      phases.describe("write");
      Dataset<Row> profiles = profiles(store.read(Tables.EVENTS), store.read(Tables.IDENTITY_MAP),
          store.read(Tables.CRM_CUSTOMERS), day);
      long written = store.overwrite(Tables.CUSTOMER_PROFILES, profiles, commitNote).rows();
      phases.done("write");
      phases.describe("tally");
      Row tally = store.read(Tables.CUSTOMER_PROFILES).agg(
          count_if(col("events").gt(0)), count_if(col("orders").gt(0)),
          count_if(col("email").isNotNull()), count_if(col("phone").isNotNull())).head();
      phases.done("tally");
      return new ProfilesResult(day, written, tally.getLong(0), tally.getLong(1), tally.getLong(2), tally.getLong(3),
          phases.elapsedMillis());
    }
  }

  /** The profile rows as of {@code day}, in the table's columns; pure, for tests and benchmarks. */
  public static Dataset<Row> profiles(Dataset<Row> events, Dataset<Row> identityMap, Dataset<Row> crm,
      LocalDate day) {
    Dataset<Row> customers = identityMap.groupBy(col(CUSTOMER_KEY)).agg(
        max(when(col("identifier_type").equalTo("customer_id"), col("identifier_value"))).as("customer_id"));
    Dataset<Row> keyed = CustomerEvents.withCustomerKey(CustomerEvents.filterKnownBy(events, day), identityMap);
    Dataset<Row> behaviour = ProfileTraits.behaviour(ProfileTraits.withSessionStarts(keyed));
    Dataset<Row> golden = ProfileTraits.golden(customers, behaviour, crm);
    return DeltaStore.conform(ProfileTraits.withRfm(golden, day).withColumn("as_of_date", lit(Date.valueOf(day))),
        Tables.CUSTOMER_PROFILES);
  }
}
