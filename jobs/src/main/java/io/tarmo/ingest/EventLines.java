package io.tarmo.ingest;

import static io.tarmo.ingest.LineChecks.DROPPED;
import static io.tarmo.ingest.LineChecks.OUTCOME;
import static io.tarmo.ingest.LineChecks.QUARANTINED;
import static io.tarmo.ingest.LineChecks.REASON;
import static io.tarmo.ingest.LineChecks.VALID;
import static io.tarmo.ingest.LineChecks.VALUE;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.from_json;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.lower;
import static org.apache.spark.sql.functions.to_date;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.try_to_timestamp;
import static org.apache.spark.sql.functions.udf;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.types.DataTypes.StringType;

import io.tarmo.config.TarmoSettings.IpPolicy;
import io.tarmo.identity.Identifiers;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

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

  public static final String CORRUPT = "_corrupt_record";

  /** Segment message types Tarmo accepts. */
  public static final java.util.List<String> TYPES =
      java.util.List.of("track", "page", "screen", "identify", "alias", "group");

  /** ISO-8601 date-time with an explicit zone: Z or an offset. */
  static final String ISO_WITH_ZONE =
      "^\\d{4}-\\d{2}-\\d{2}[T ]\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,9})?)?(Z|z|[+-]\\d{2}(:?\\d{2})?)$";

  private static final StructType PAGE = new StructType()
      .add("url", StringType).add("path", StringType).add("referrer", StringType).add("title", StringType);

  static final StructType RAW = new StructType()
      .add("messageId", StringType)
      .add("type", StringType)
      .add("timestamp", StringType)
      .add("anonymousId", StringType)
      .add("userId", StringType)
      .add("previousId", StringType)
      .add("event", StringType)
      .add("name", StringType)
      .add("properties", StringType)
      .add("traits", StringType)
      .add("context", new StructType()
          .add("ip", StringType)
          .add("userAgent", StringType)
          .add("page", PAGE)
          .add("traits", new StructType().add("email", StringType).add("phone", StringType))
          .add("consent", new StructType()
              .add("categoryPreferences", DataTypes.createMapType(StringType, DataTypes.BooleanType))))
      .add(CORRUPT, StringType);

  private static final StructType PROPERTIES = new StructType()
      .add("category", StringType).add("product_id", StringType).add("order_id", StringType)
      .add("price", StringType).add("quantity", StringType).add("revenue", StringType)
      .add("total", StringType).add("url", StringType).add("path", StringType);

  private static final StructType TRAITS = new StructType().add("email", StringType).add("phone", StringType);

  private EventLines() {}

  public static Dataset<Row> classify(Dataset<Row> lines, Rules rules) {
    Map<String, String> options = Map.of("mode", "PERMISSIVE", "columnNameOfCorruptRecord", CORRUPT);
    Dataset<Row> parsed = lines
        .withColumn("j", from_json(col(VALUE), RAW, options))
        .withColumn("p", from_json(col("j.properties"), PROPERTIES))
        .withColumn("t", from_json(col("j.traits"), TRAITS));

    Column type = lower(trim(col("j.type")));
    Column rawTs = trim(col("j.timestamp"));
    Column ts = try_to_timestamp(rawTs);
    Timestamp earliest = Timestamp.from(rules.day().atStartOfDay(ZoneOffset.UTC).toInstant()
        .minus(Duration.ofDays(rules.maxEventAgeDays())));
    Timestamp latest = Timestamp.from(rules.day().plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant()
        .plus(rules.maxClockSkew()));
    Column anonymousId = Identifiers.id(col("j.anonymousId"));
    Column userId = Identifiers.id(col("j.userId"));
    Column eventName = trim(col("j.event"));

    LineChecks checks = LineChecks.forLines(rules.maxLineChars())
        .reject(col("j").isNull().or(col("j." + CORRUPT).isNotNull()),
            "malformed JSON or a field of the wrong type")
        .reject(Identifiers.id(col("j.messageId")).isNull(), "missing messageId")
        .reject(type.isNull(), "missing type")
        .reject(type.isin(TYPES.toArray()).unary_$bang(),
            "unknown type (expected " + String.join(", ", TYPES) + ")")
        .reject(rawTs.isNull().or(rawTs.equalTo("")), "missing timestamp")
        .reject(rawTs.rlike(ISO_WITH_ZONE).unary_$bang().or(ts.isNull()),
            "timestamp is not ISO-8601 with a zone")
        .reject(ts.lt(lit(earliest)).or(ts.geq(lit(latest))),
            "timestamp out of range (more than " + rules.maxEventAgeDays()
                + " days before the delivery day or after it ends plus the allowed clock skew)")
        .reject(anonymousId.isNull().and(userId.isNull()), "missing both anonymousId and userId")
        .reject(type.equalTo("track").and(eventName.isNull().or(eventName.equalTo(""))),
            "track event without an event name")
        .reject(type.equalTo("alias").and(Identifiers.id(col("j.previousId")).isNull()),
            "alias without previousId");

    Column analyticsDenied = col("j.context.consent.categoryPreferences")
        .getItem(rules.analyticsCategory()).equalTo(lit(false));
    Column rawEmail = coalesce(col("t.email"), col("j.context.traits.email"));
    Column rawPhone = coalesce(col("t.phone"), col("j.context.traits.phone"));
    Column email = Identifiers.email(rawEmail);
    Column phone = Identifiers.phone(rawPhone, rules.defaultPhoneRegion());
    IpPolicy ipPolicy = rules.ipPolicy();
    UDF1<String, String> reduceIp = ip -> IpAddresses.reduce(ip, ipPolicy);

    // One projection, not a chain of withColumn: each of those re-analyses the whole plan.
    Dataset<Row> checked = parsed.select(checks.classifiedColumns(
        Identifiers.id(col("j.messageId")).as("message_id"),
        type.as("type"),
        when(type.equalTo("track"), eventName).as("event_name"),
        trim(col("j.name")).as("page_name"),
        ts.as("ts"),
        to_date(ts).as("event_date"),
        anonymousId.as("anonymous_id"),
        userId.as("user_id"),
        Identifiers.id(col("j.previousId")).as("previous_id"),
        email.as("email"),
        phone.as("phone"),
        trim(rawEmail).as(LineChecks.RAW_EMAIL),
        trim(rawPhone).as(LineChecks.RAW_PHONE),
        coalesce(analyticsDenied, lit(false)).as("_analytics_denied"),
        col("j.traits").as("traits"),
        col("j.properties").as("properties"),
        trim(col("p.category")).as("category"),
        trim(col("p.product_id")).as("product_id"),
        trim(col("p.order_id")).as("order_id"),
        tryCast(col("p.price"), DataTypes.DoubleType).as("price"),
        tryCast(col("p.quantity"), DataTypes.IntegerType).as("quantity"),
        coalesce(tryCast(col("p.revenue"), DataTypes.DoubleType), tryCast(col("p.total"), DataTypes.DoubleType)).as("revenue"),
        coalesce(col("j.context.page.url"), col("p.url")).as("page_url"),
        coalesce(col("j.context.page.path"), col("p.path")).as("page_path"),
        col("j.context.page.referrer").as("page_referrer"),
        col("j.context.page.title").as("page_title"),
        udf(reduceIp, StringType).withName("tarmo_reduce_ip").apply(col("j.context.ip")).as("ip"),
        col("j.context.userAgent").as("user_agent"),
        lit(java.sql.Date.valueOf(rules.day())).as("ingest_date")));
    return LineChecks.finish(checked, when(col(REASON).isNotNull(), lit(QUARANTINED))
        .when(col("_analytics_denied"), lit(DROPPED))
        .otherwise(lit(VALID)));
  }

  static Column tryCast(Column value, DataType type) {
    return value.try_cast(type);
  }
}
