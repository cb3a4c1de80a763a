package io.tarmo.profiles;

import static io.tarmo.profiles.CustomerEvents.CUSTOMER_KEY;
import static org.apache.spark.sql.functions.array;
import static org.apache.spark.sql.functions.array_compact;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.collect_set;
import static org.apache.spark.sql.functions.concat;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.count_if;
import static org.apache.spark.sql.functions.datediff;
import static org.apache.spark.sql.functions.filter;
import static org.apache.spark.sql.functions.get_json_object;
import static org.apache.spark.sql.functions.lag;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.max;
import static org.apache.spark.sql.functions.min;
import static org.apache.spark.sql.functions.mode;
import static org.apache.spark.sql.functions.percentile_approx;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.sum;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.unix_seconds;
import static org.apache.spark.sql.functions.when;

import java.sql.Date;
import java.time.LocalDate;
import java.util.List;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.expressions.Window;

/**
 * The pure transformations behind {@code customer_profiles}: behavioural traits from a customer's
 * events, the golden record (survivorship) from CRM and event traits, and RFM scores.
 */
public final class ProfileTraits {

  /** A gap longer than this between two events of a customer starts a new session. */
  public static final long SESSION_GAP_SECONDS = 30 * 60;

  static final String ORDER_COMPLETED = "Order Completed";
  static final List<String> PRODUCT_EVENTS = List.of("Product Viewed", "Product Added", "Product List Viewed");
  private static final double[] QUINTILES = {0.2, 0.4, 0.6, 0.8};

  private ProfileTraits() {}

  /**
   * Adds {@code session_start} (1 for the first event of a session, else 0) to keyed events
   * (needs {@code customer_key}, {@code ts}): sessions are per customer, across devices, and a
   * new one starts after more than {@link #SESSION_GAP_SECONDS} without an event.
   */
  public static Dataset<Row> withSessionStarts(Dataset<Row> keyedEvents) {
    Column previous = lag(col("ts"), 1).over(Window.partitionBy(col(CUSTOMER_KEY)).orderBy(col("ts")));
    return keyedEvents.withColumn("session_start",
        when(previous.isNull().or(unix_seconds(col("ts")).minus(unix_seconds(previous)).gt(SESSION_GAP_SECONDS)), 1)
            .otherwise(0));
  }

  /**
   * One row per {@code customer_key} with the traits computed from its events (needs the
   * {@code events} columns plus {@code customer_key} and {@code session_start}).
   */
  public static Dataset<Row> behaviour(Dataset<Row> keyedEvents) {
    Column order = col("event_name").equalTo(ORDER_COMPLETED).and(col("type").equalTo("track"));
    Column productEvent = col("type").equalTo("track").and(col("event_name").isin(PRODUCT_EVENTS.toArray()));
    return keyedEvents.groupBy(col(CUSTOMER_KEY)).agg(
        min(col("ts")).as("first_seen"),
        max(col("ts")).as("last_seen"),
        count(lit(1)).as("events"),
        sum(col("session_start")).cast("long").as("sessions"),
        count_if(col("type").isin("page", "screen")).as("page_views"),
        size(collect_set(when(order, coalesce(col("order_id"), col("message_id"))))).cast("long").as("orders"),
        coalesce(sum(when(order, col("revenue"))), lit(0.0)).as("lifetime_revenue"),
        max(when(order, col("event_date"))).as("last_order_date"),
        mode(when(productEvent, nonEmpty(col("category"))), true).as("favourite_category"),
        latest(col("email")).as("event_email"),
        latest(col("phone")).as("event_phone"),
        latest(get_json_object(col("traits"), "$.firstName")).as("event_first_name"),
        latest(get_json_object(col("traits"), "$.lastName")).as("event_last_name"),
        max(col("type").equalTo("screen")).as("uses_app"),
        latest(when(col("type").equalTo("screen"), col("anonymous_id"))).as("push_device_id"));
  }

  /** The value of the latest event (by ts) on which it is non-empty. */
  private static Column latest(Column value) {
    Column trimmed = nonEmpty(value);
    return max(when(trimmed.isNotNull(), struct(col("ts").as("ts"), trimmed.as("v")))).getField("v");
  }

  private static Column nonEmpty(Column value) {
    Column trimmed = trim(value);
    return when(trimmed.notEqual(""), trimmed);
  }

  /**
   * The golden record of every customer_key in {@code customers} (one row per key with its
   * {@code customer_id}, null for visitors): CRM values over event traits, the most recent
   * non-empty event trait otherwise. Customers without events get empty behaviour.
   */
  public static Dataset<Row> golden(Dataset<Row> customers, Dataset<Row> behaviour, Dataset<Row> crm) {
    Dataset<Row> crmRows = crm.select(
        col("customer_id").as("crm_customer_id"), col("email").as("crm_email"), col("phone").as("crm_phone"),
        col("first_name").as("crm_first_name"), col("last_name").as("crm_last_name"), col("birth_date"),
        col("street"), col("postal_code"), col("city"), col("country"), col("loyalty_card_id"));
    Dataset<Row> joined = customers
        .join(behaviour, customers.col(CUSTOMER_KEY).equalTo(behaviour.col(CUSTOMER_KEY)), "left")
        .drop(behaviour.col(CUSTOMER_KEY))
        .join(crmRows, col("customer_id").equalTo(col("crm_customer_id")), "left");
    Column email = coalesce(nonEmpty(col("crm_email")), col("event_email"));
    Column phone = coalesce(nonEmpty(col("crm_phone")), col("event_phone"));
    return joined
        .withColumn("email_source", source(col("crm_email"), col("event_email")))
        .withColumn("phone_source", source(col("crm_phone"), col("event_phone")))
        .withColumn("email", email)
        .withColumn("phone", phone)
        .withColumn("first_name", coalesce(nonEmpty(col("crm_first_name")), col("event_first_name")))
        .withColumn("last_name", coalesce(nonEmpty(col("crm_last_name")), col("event_last_name")))
        .withColumn("events", coalesce(col("events"), lit(0L)))
        .withColumn("sessions", coalesce(col("sessions"), lit(0L)))
        .withColumn("page_views", coalesce(col("page_views"), lit(0L)))
        .withColumn("orders", coalesce(col("orders"), lit(0L)))
        .withColumn("lifetime_revenue", coalesce(col("lifetime_revenue"), lit(0.0)))
        .withColumn("average_order_value", when(col("orders").gt(0), col("lifetime_revenue").divide(col("orders"))))
        .withColumn("contactable_channels", array_compact(array(
            when(email.isNotNull(), lit("email")),
            when(phone.isNotNull(), lit("sms")),
            when(phone.isNotNull(), lit("phone")),
            when(coalesce(col("uses_app"), lit(false)), lit("push")))));
  }

  private static Column source(Column crmValue, Column eventValue) {
    return when(nonEmpty(crmValue).isNotNull(), lit("crm")).when(eventValue.isNotNull(), lit("events"));
  }

  /**
   * Adds {@code recency_days} and the RFM scores 1-5 (needs {@code orders},
   * {@code lifetime_revenue}, {@code last_order_date}). Scores are quintiles among customers with
   * at least one order, by approximate percentiles computed in one aggregation: a value's score is
   * one plus the number of quintile boundaries it is above (recency reversed), so equal values
   * always share a score. Customers without orders get null scores.
   */
  public static Dataset<Row> withRfm(Dataset<Row> profiles, LocalDate day) {
    Dataset<Row> withRecency = profiles.withColumn("recency_days",
        when(col("orders").gt(0), datediff(lit(Date.valueOf(day)), col("last_order_date"))));
    Column buyers = col("orders").gt(0);
    Column quintiles = array(lit(QUINTILES[0]), lit(QUINTILES[1]), lit(QUINTILES[2]), lit(QUINTILES[3]));
    Dataset<Row> bounds = withRecency.agg(
        percentile_approx(when(buyers, col("recency_days")), quintiles, lit(10_000)).as("__r_bounds"),
        percentile_approx(when(buyers, col("orders")), quintiles, lit(10_000)).as("__f_bounds"),
        percentile_approx(when(buyers, col("lifetime_revenue")), quintiles, lit(10_000)).as("__m_bounds"));
    Column recency = lit(5).minus(size(filter(col("__r_bounds"), b -> col("recency_days").gt(b))));
    Column frequency = lit(1).plus(size(filter(col("__f_bounds"), b -> col("orders").gt(b))));
    Column monetary = lit(1).plus(size(filter(col("__m_bounds"), b -> col("lifetime_revenue").gt(b))));
    return withRecency.crossJoin(bounds)
        .withColumn("recency_score", when(buyers, recency))
        .withColumn("frequency_score", when(buyers, frequency))
        .withColumn("monetary_score", when(buyers, monetary))
        .withColumn("rfm_cell", when(buyers, concat(col("recency_score").cast("string"),
            col("frequency_score").cast("string"), col("monetary_score").cast("string"))))
        .drop("__r_bounds", "__f_bounds", "__m_bounds");
  }
}
