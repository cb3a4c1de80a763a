package io.tarmo.consent;

import static io.tarmo.profiles.CustomerEvents.CUSTOMER_KEY;
import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.explode;
import static org.apache.spark.sql.functions.greatest;
import static org.apache.spark.sql.functions.least;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.timestamp_seconds;
import static org.apache.spark.sql.functions.unix_date;
import static org.apache.spark.sql.functions.when;

import io.tarmo.TarmoException;
import io.tarmo.lake.DeltaStore;
import io.tarmo.lake.Tables;
import java.sql.Date;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.expressions.WindowSpec;

/**
 * The consent rules as transformations from ledger rows ({@code consent_events}) to
 * {@code consent_state} intervals. Per customer, purpose and channel the decisions are ordered by
 * {@code ts}, at equal {@code ts} the more restrictive one last ({@link #restrictiveFirst}), then by
 * {@code consent_id}; the last one known wins. A decision is known from its {@code effective_at}:
 * its {@code ts}, or the start of the day it was delivered when it arrived later. So the state a
 * run of any earlier day built is the same table filtered as of that day
 * ({@link ConsentState#asOf}): a late delivery starts counting on its delivery day, and an old
 * record that arrives after a newer one is already known never counts at all.
 */
public final class ConsentIntervals {

  static final String EFFECTIVE_AT = "effective_at";
  private static final String OBJECTED_EARLIER = "objected_earlier";

  private ConsentIntervals() {}

  /** The ledger rows delivered by the end of {@code day}: what that day's run may know. */
  public static Dataset<Row> filterDeliveredBy(Dataset<Row> ledger, LocalDate day) {
    return ledger.filter(col("ingest_date").leq(lit(Date.valueOf(day))));
  }

  /**
   * Adds {@code customer_key}: the customer the record's subject belongs to in {@code identityMap}
   * ({@code subject_type}/{@code subject_value} against {@code identifier_type}/{@code identifier_value},
   * both normalised at ingest), null when the subject is unknown. One row per ledger row: the map
   * holds each identifier once.
   */
  public static Dataset<Row> withCustomerKey(Dataset<Row> ledger, Dataset<Row> identityMap) {
    require(ledger, "consent_events", "subject_type", "subject_value");
    require(identityMap, Tables.IDENTITY_MAP.name(), "identifier_type", "identifier_value", CUSTOMER_KEY);
    Dataset<Row> identifiers = identityMap.select(col("identifier_type").as("__type"),
        col("identifier_value").as("__value"), col(CUSTOMER_KEY));
    return ledger.join(identifiers, col("subject_type").equalTo(col("__type"))
            .and(col("subject_value").equalTo(col("__value"))), "left")
        .drop("__type", "__value");
  }

  /**
   * The rows of {@code consent_state} (its exact columns) for the resolved ledger rows
   * {@code keyed} (ledger columns and a non-null {@code customer_key}), built by the consent run of
   * {@code day}.
   */
  public static Dataset<Row> intervals(Dataset<Row> keyed, LocalDate day) {
    require(keyed, "resolved consent records", CUSTOMER_KEY, "consent_id", "purpose", "channel", "status",
        "legal_basis", "ts", "expires_at", "source", "subject_type", "ingest_date");
    Dataset<Row> decided = withValidity(withEffectiveAt(explodeChannels(keyed)));
    return DeltaStore.conform(explodeExpiry(decided).withColumn("as_of_date", lit(Date.valueOf(day))),
        Tables.CONSENT_STATE);
  }

  /** A record for channel {@code all} becomes one record per channel of {@link ConsentState#CHANNELS}. */
  static Dataset<Row> explodeChannels(Dataset<Row> records) {
    Column every = array(ConsentState.CHANNELS.stream().map(c -> lit(c)).toArray(Column[]::new));
    return records.withColumn("channel",
        explode(when(col("channel").equalTo("all"), every).otherwise(array(col("channel")))));
  }

  /** Adds {@code effective_at}: {@code ts}, or the start (UTC) of {@code ingest_date} when that is later. */
  static Dataset<Row> withEffectiveAt(Dataset<Row> records) {
    Column deliveredFrom = timestamp_seconds(unix_date(col("ingest_date")).cast("long").multiply(86_400L));
    return records.withColumn(EFFECTIVE_AT, greatest(col("ts"), deliveredFrom));
  }

  /**
   * Adds {@code valid_to}, the earliest {@code effective_at} of the decisions that come after the
   * record (null when none does), and {@code objected_earlier}: when the first refusal for the same
   * customer, purpose and channel that comes before it in decision order became known (its
   * {@code effective_at}; null when there is none). Decision order, not delivery, decides whether
   * an objection came first: a ledger delivered all at once on its first day (every record known
   * from the same instant) still shows that a 2024 objection came before a 2025
   * legitimate-interest record, which GDPR Art. 21(3) then no longer allows. Delivery decides from
   * when that is known: an objection delivered late blocks the record from its delivery, not
   * before. Both come from one window, sorted newest first.
   */
  static Dataset<Row> withValidity(Dataset<Row> records) {
    List<Column> order = new java.util.ArrayList<>(List.of(col("ts").desc()));
    order.addAll(restrictiveFirst());
    order.add(col("consent_id").desc());
    WindowSpec newestFirst = Window.partitionBy(col(CUSTOMER_KEY), col("purpose"), col("channel"))
        .orderBy(order.toArray(Column[]::new));
    return records
        .withColumn("valid_to", min(col(EFFECTIVE_AT))
            .over(newestFirst.rowsBetween(Window.unboundedPreceding(), -1)))
        .withColumn(OBJECTED_EARLIER, min(when(refuses(), col(EFFECTIVE_AT)))
            .over(newestFirst.rowsBetween(1, Window.unboundedFollowing())));
  }

  /**
   * Of two decisions made at the same instant (two identifiers of one customer that disagree), the
   * more restrictive one first, as the one that wins: a refusal (denied, withdrawn); then a grant on
   * the {@code contract} basis (never marketing), then on {@code legitimate_interest} (only on the
   * channels configuration allows, and not after an objection), then on {@code consent}; among
   * grants of one basis, the one that expires first, and one that expires before one that does not.
   */
  static List<Column> restrictiveFirst() {
    Column basis = when(col("legal_basis").equalTo("contract"), 2)
        .when(col("legal_basis").equalTo("legitimate_interest"), 1).otherwise(0);
    return List.of(when(refuses(), 1).otherwise(0).desc(), basis.desc(), col("expires_at").asc_nulls_last());
  }

  /** Whether a record refuses (denied, withdrawn). */
  private static Column refuses() {
    return col("status").isin(ConsentState.OBJECTIONS.toArray());
  }

  /**
   * One row per non-empty interval: the decision from {@code effective_at} to {@code valid_to};
   * a grant with {@code expires_at} is {@code granted} until then and {@code expired} after it
   * (with the same consent_id, basis and source) until the next decision. An interval during which
   * an earlier objection became known ({@code objected_earlier}) is split there, so that a past
   * day's state stays what that day's run knew. Adds {@code status}, {@code valid_from},
   * {@code valid_to}, {@code decided_at} and {@code objected_before}.
   */
  static Dataset<Row> explodeExpiry(Dataset<Row> decided) {
    Column expiring = col("status").equalTo("granted").and(col("expires_at").isNotNull());
    Column decision = struct(col("status").as("status"), col(EFFECTIVE_AT).as("valid_from"),
        when(expiring, least(col("expires_at"), col("valid_to"))).otherwise(col("valid_to")).as("valid_to"));
    Column lapse = when(expiring.and(col("valid_to").isNull().or(col("expires_at").lt(col("valid_to")))),
        struct(lit("expired").as("status"), greatest(col("expires_at"), col(EFFECTIVE_AT)).as("valid_from"),
            col("valid_to").as("valid_to")));
    Dataset<Row> intervals = decided.withColumn("__interval", explode(array(decision, lapse)))
        .filter(col("__interval").isNotNull()
            .and(col("__interval.valid_to").isNull().or(col("__interval.valid_from").lt(col("__interval.valid_to")))));
    Column from = col("__interval.valid_from");
    Column to = col("__interval.valid_to");
    Column known = col(OBJECTED_EARLIER);
    Column knownBeforeTheEnd = known.isNotNull().and(to.isNull().or(known.lt(to)));
    Column before = when(known.isNull().or(known.gt(from)),
        struct(from.as("valid_from"), when(knownBeforeTheEnd, known).otherwise(to).as("valid_to"),
            lit(false).as("objected")));
    Column after = when(knownBeforeTheEnd,
        struct(greatest(known, from).as("valid_from"), to.as("valid_to"), lit(true).as("objected")));
    return intervals
        .withColumn("__part", explode(array(before, after)))
        .filter(col("__part").isNotNull())
        .withColumn("status", col("__interval.status"))
        .withColumn("valid_from", col("__part.valid_from"))
        .withColumn("valid_to", col("__part.valid_to"))
        .withColumn("decided_at", col("ts"))
        .withColumn("objected_before", col("__part.objected"));
  }

  private static void require(Dataset<Row> rows, String what, String... columns) {
    List<String> present = Arrays.asList(rows.columns());
    for (String column : columns) {
      if (!present.contains(column)) {
        throw TarmoException.job("Cannot build consent_state: " + what + " has no column " + column);
      }
    }
  }
}
