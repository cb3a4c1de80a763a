package io.tarmo.ingest;

import static io.tarmo.ingest.LineChecks.DROPPED;
import static io.tarmo.ingest.LineChecks.OUTCOME;
import static io.tarmo.ingest.LineChecks.QUARANTINED;
import static io.tarmo.ingest.LineChecks.REASON;
import static io.tarmo.ingest.LineChecks.VALID;
import static io.tarmo.ingest.LineChecks.VALUE;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.lower;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.try_to_timestamp;
import static org.apache.spark.sql.functions.udf;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.types.DataTypes.StringType;

import io.tarmo.ingest.SuppressionGuard.Identifier;
import io.tarmo.subject.IdentifierType;
import io.tarmo.subject.Identifiers;
import java.time.Duration;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;

/**
 * Parses and validates Segment-Spec event lines (CONTRACT 3.1). Needs {@code value},
 * {@code file} and {@code line_id}; adds {@code outcome}, {@code reason}, {@code line_hash}, the {@code events}
 * table's columns, and the flags {@code email_invalid} and {@code phone_invalid}. Events whose
 * analytics consent category was denied get the outcome {@code dropped}.
 */
public final class EventLines {

  /** What ingest needs to judge one day's event lines. */
  public record Rules(
      LocalDate day,
      int maxLineChars,
      int maxEventAgeDays,
      Duration maxClockSkew,
      String defaultPhoneRegion,
      IpPolicy ipPolicy,
      String analyticsCategory) {}

  /** Segment message types Tarmo accepts. */
  public static final java.util.List<String> TYPES =
      java.util.List.of("track", "page", "screen", "identify", "alias", "group");

  /** ISO-8601 date-time with an explicit zone: Z or an offset. */
  static final String ISO_WITH_ZONE =
      "^\\d{4}-\\d{2}-\\d{2}[T ]\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,9})?)?(Z|z|[+-]\\d{2}(:?\\d{2})?)$";

  /** When a line says it happened, for {@link SuppressionGuard}: its timestamp, when it has a zone. */
  private static final String DATED_AT = "_dated_at";

  private EventLines() {}

  public static Dataset<Row> classify(Dataset<Row> lines, Rules rules) {
    return classify(lines, rules, SuppressionGuard.NONE);
  }

  /**
   * The identifiers an event carries, as stored: {@code anonymous_id}, {@code user_id} (a
   * customer_id), {@code previous_id} (an alias's earlier id: a cookie or a customer_id) and the
   * traits' {@code email} and {@code phone}.
   */
  static List<Identifier> identifiers() {
    return List.of(Identifier.of(IdentifierType.ANONYMOUS_ID, "anonymous_id"),
        Identifier.of(IdentifierType.CUSTOMER_ID, "user_id"),
        Identifier.of(IdentifierType.ANONYMOUS_ID, "previous_id"),
        Identifier.of(IdentifierType.CUSTOMER_ID, "previous_id"),
        Identifier.of(IdentifierType.EMAIL, "email"),
        Identifier.of(IdentifierType.PHONE, "phone"));
  }

  /**
   * {@link #classify(Dataset, Rules)}, and lines about an erased person ({@code guard}) dated at or
   * before the erasure, or with no usable timestamp, get the outcome {@code suppressed}.
   */
  public static Dataset<Row> classify(Dataset<Row> lines, Rules rules, SuppressionGuard guard) {
    Dataset<Row> parsed = lines.withColumn("j",
        udf(new EventJson(rules.analyticsCategory()), EventJson.SCHEMA).asNonNullable().withName("tarmo_event_json")
            .apply(col(VALUE).cast(DataTypes.BinaryType)));
    // Each id is checked and trimmed once, into a column that the checks and the stored columns
    // below read: an expression written out again in each of them would be evaluated again in
    // every branch of the checks' CASE WHEN that names it.
    Map<String, Column> flagged = new LinkedHashMap<>();
    ID_FIELDS.forEach(field -> flagged.put(invisible(field), Identifiers.hasInvisibleCharacter(col("j." + field))));
    parsed = parsed.withColumns(flagged);
    Map<String, Column> ids = new LinkedHashMap<>();
    ID_FIELDS.forEach(field -> ids.put(id(field), Identifiers.id(col("j." + field), col(invisible(field)))));
    parsed = parsed.withColumns(ids);

    Column type = lower(trim(col("j.type")));
    Column rawTs = trim(col("j.timestamp"));
    Column ts = try_to_timestamp(rawTs);
    TimeWindow window = TimeWindow.around(rules.day(), rules.maxEventAgeDays(), rules.maxClockSkew());
    Column anonymousId = col(id("anonymousId"));
    Column userId = col(id("userId"));
    Column eventName = trim(col("j.event"));

    LineChecks checks = LineChecks.forLines(rules.maxLineChars())
        .reject(col("j." + EventJson.MALFORMED), "malformed JSON or a field of the wrong type")
        .reject(col(invisible("messageId")), "messageId " + LineChecks.INVISIBLE)
        .reject(col(invisible("userId")), "userId " + LineChecks.INVISIBLE)
        .reject(col(invisible("anonymousId")), "anonymousId " + LineChecks.INVISIBLE)
        .reject(col(invisible("previousId")), "previousId " + LineChecks.INVISIBLE)
        .reject(col(id("messageId")).isNull(), "missing messageId")
        .reject(type.isNull(), "missing type")
        .reject(type.isin(TYPES.toArray()).unary_$bang(),
            "unknown type (expected " + String.join(", ", TYPES) + ")")
        .reject(rawTs.isNull().or(rawTs.equalTo("")), "missing timestamp")
        .reject(rawTs.rlike(ISO_WITH_ZONE).unary_$bang().or(ts.isNull()),
            "timestamp is not ISO-8601 with a zone")
        .reject(window.outside(ts), window.reason("timestamp"))
        .reject(anonymousId.isNull().and(userId.isNull()), "missing both anonymousId and userId")
        .reject(type.equalTo("track").and(eventName.isNull().or(eventName.equalTo(""))),
            "track event without an event name")
        .reject(type.equalTo("alias").and(col(id("previousId")).isNull()),
            "alias without previousId");

    Column analyticsDenied = col("j.analytics_preference").equalTo(lit(false));
    Column rawEmail = coalesce(col("j.t_email"), col("j.context_traits_email"));
    Column rawPhone = coalesce(col("j.t_phone"), col("j.context_traits_phone"));
    Column email = Identifiers.email(rawEmail);
    Column phone = Identifiers.phone(rawPhone, rules.defaultPhoneRegion());
    IpPolicy ipPolicy = rules.ipPolicy();
    UDF1<String, String> reduceIp = ip -> IpAddresses.reduce(ip, ipPolicy);

    // One projection, not a chain of withColumn: each of those re-analyses the whole plan.
    Dataset<Row> checked = parsed.select(checks.classifiedColumns(
        col(id("messageId")).as("message_id"),
        type.as("type"),
        when(type.equalTo("track"), eventName).as("event_name"),
        trim(col("j.name")).as("page_name"),
        ts.as("ts"),
        to_date(ts).as("event_date"),
        anonymousId.as("anonymous_id"),
        userId.as("user_id"),
        col(id("previousId")).as("previous_id"),
        email.as("email"),
        phone.as("phone"),
        trim(rawEmail).as(LineChecks.RAW_EMAIL),
        trim(rawPhone).as(LineChecks.RAW_PHONE),
        coalesce(analyticsDenied, lit(false)).as("_analytics_denied"),
        col("j.traits").as("traits"),
        col("j.properties").as("properties"),
        trim(col("j.p_category")).as("category"),
        trim(col("j.p_product_id")).as("product_id"),
        trim(col("j.p_order_id")).as("order_id"),
        tryCast(col("j.p_price"), DataTypes.DoubleType).as("price"),
        tryCast(col("j.p_quantity"), DataTypes.IntegerType).as("quantity"),
        coalesce(tryCast(col("j.p_revenue"), DataTypes.DoubleType), tryCast(col("j.p_total"), DataTypes.DoubleType)).as("revenue"),
        coalesce(col("j.page_url"), col("j.p_url")).as("page_url"),
        coalesce(col("j.page_path"), col("j.p_path")).as("page_path"),
        col("j.page_referrer").as("page_referrer"),
        col("j.page_title").as("page_title"),
        udf(reduceIp, StringType).withName("tarmo_reduce_ip").apply(col("j.context_ip")).as("ip"),
        col("j.context_userAgent").as("user_agent"),
        lit(java.sql.Date.valueOf(rules.day())).as("ingest_date"),
        when(rawTs.rlike(ISO_WITH_ZONE), ts).as(DATED_AT)));
    checked = guard.mark(checked, identifiers(), col(DATED_AT));
    return LineChecks.finish(checked, when(col(REASON).isNotNull(), lit(QUARANTINED))
        .when(col("_analytics_denied"), lit(DROPPED))
        .otherwise(lit(VALID)));
  }

  /** The parsed line's fields that are identifiers, checked for invisible characters. */
  private static final List<String> ID_FIELDS = List.of("messageId", "userId", "anonymousId", "previousId");

  /** The helper column of whether an id field holds an invisible character. */
  private static String invisible(String field) {
    return "_" + field + "_invisible";
  }

  /** The helper column of an id field, trimmed; null when not an id. */
  private static String id(String field) {
    return "_" + field + "_id";
  }

  static Column tryCast(Column value, DataType type) {
    return value.try_cast(type);
  }
}
