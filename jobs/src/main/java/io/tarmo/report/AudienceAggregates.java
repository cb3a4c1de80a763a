package io.tarmo.report;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.count_distinct;
import static org.apache.spark.sql.functions.lit;

import io.tarmo.consent.ConsentState;
import java.time.LocalDate;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Who the platform may reach: segment sizes with entries and exits per day ({@code segment_sizes}),
 * consent per purpose and channel as of D ({@code consent_state}), and per day the members contacted
 * per channel ({@code activation}) and those excluded per reason ({@code activation_exclusions}).
 */
final class AudienceAggregates {

  private AudienceAggregates() {}

  /** {@code day, segment, title, members, entered, exited} per segment and day. */
  static Dataset<Row> segments(Dataset<Row> segmentSizes, ReportWindow window) {
    return segmentSizes.where(window.holds(col("as_of_date")))
        .select(col("as_of_date").as("day"), col("segment_id").as("segment"), col("title"), col("members"),
            col("entered"), col("exited"))
        .orderBy(col("day"), col("segment"));
  }

  /**
   * {@code purpose, channel, status, customers}: customers whose consent record valid at the end of
   * {@code day} has that status, per purpose and channel.
   */
  static Dataset<Row> consent(Dataset<Row> consentState, LocalDate day) {
    return consentState.where(ConsentState.asOf(day))
        .groupBy(col("purpose"), col("channel"), col("status"))
        .agg(count_distinct(col("customer_key")).as("customers"))
        .orderBy(col("purpose"), col("channel"), col("status"));
  }

  /**
   * {@code day, channel, segment, members}: members of each audience contacted on the channel that
   * day (a web audience has a row per cookie of a member; it counts the member once).
   */
  static Dataset<Row> activations(Dataset<Row> activation, ReportWindow window) {
    return activation.where(window.holds(col("as_of_date")))
        .groupBy(col("as_of_date").as("day"), col("channel"), col("segment_id").as("segment"))
        .agg(count_distinct(col("customer_key")).as("members"))
        .orderBy(col("day"), col("channel"), col("segment"));
  }

  /** {@code day, channel, reason, members}: audience members not contacted, by the one reason each got. */
  static Dataset<Row> exclusions(Dataset<Row> activationExclusions, ReportWindow window) {
    return activationExclusions.where(window.holds(col("as_of_date")))
        .groupBy(col("as_of_date").as("day"), col("channel"), col("reason"))
        .agg(count(lit(1)).as("members"))
        .orderBy(col("day"), col("channel"), col("reason"));
  }
}
