package io.tarmo.profiles;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import io.tarmo.TarmoException;
import io.tarmo.lake.Tables;
import java.sql.Date;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Events as the customers they belong to, through the current {@code identity_map}: an event's
 * {@code user_id} (identifier type {@code customer_id}) decides when it is mapped, its
 * {@code anonymous_id} otherwise. Because the map is always the current one, a customer merged
 * yesterday has all their history under the surviving key. Events whose ids are not in the map
 * (blocked values, identity not yet run) belong to nobody and are left out.
 */
public final class CustomerEvents {

  public static final String CUSTOMER_KEY = "customer_key";

  private CustomerEvents() {}

  /**
   * The events known by the end of business day {@code day}: {@code event_date} up to
   * {@code day}, delivered ({@code ingest_date}) no later than {@code day}, and with a
   * timestamp before the end of {@code day} in UTC. Filtering on the delivery day makes a re-run
   * of an old day see what the first run saw, however many late events arrived since.
   */
  public static Dataset<Row> filterKnownBy(Dataset<Row> events, LocalDate day) {
    Timestamp end = Timestamp.from(day.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant());
    return events
        .filter(col("event_date").leq(lit(Date.valueOf(day))))
        .filter(col("ingest_date").leq(lit(Date.valueOf(day))))
        .filter(col("ts").lt(lit(end)));
  }

  /** {@link #filterKnownBy(Dataset, LocalDate)} for the events dated {@code from} or later only. */
  public static Dataset<Row> filterKnownBy(Dataset<Row> events, LocalDate from, LocalDate day) {
    return filterKnownBy(events.filter(col("event_date").geq(lit(Date.valueOf(from)))), day);
  }

  /**
   * Adds {@code customer_key} to {@code events} (needs {@code user_id}, {@code anonymous_id})
   * from {@code identityMap} and drops the events it does not know.
   */
  public static Dataset<Row> withCustomerKey(Dataset<Row> events, Dataset<Row> identityMap) {
    require(events, "events", "user_id", "anonymous_id");
    require(identityMap, Tables.IDENTITY_MAP.name(), "identifier_type", "identifier_value", CUSTOMER_KEY);
    Dataset<Row> byUser = identityMap.filter(col("identifier_type").equalTo("customer_id"))
        .select(col("identifier_value").as("__user_id"), col(CUSTOMER_KEY).as("__user_key"));
    Dataset<Row> byCookie = identityMap.filter(col("identifier_type").equalTo("anonymous_id"))
        .select(col("identifier_value").as("__anonymous_id"), col(CUSTOMER_KEY).as("__anonymous_key"));
    return events
        .join(byUser, col("user_id").equalTo(col("__user_id")), "left")
        .join(byCookie, col("anonymous_id").equalTo(col("__anonymous_id")), "left")
        .withColumn(CUSTOMER_KEY, coalesce(col("__user_key"), col("__anonymous_key")))
        .filter(col(CUSTOMER_KEY).isNotNull())
        .drop("__user_id", "__user_key", "__anonymous_id", "__anonymous_key");
  }

  static void require(Dataset<Row> rows, String what, String... columns) {
    List<String> present = Arrays.asList(rows.columns());
    for (String column : columns) {
      if (!present.contains(column)) {
        throw TarmoException.job("Cannot map events to customers: " + what + " has no column " + column);
      }
    }
  }
}
