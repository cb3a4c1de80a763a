package io.tarmo.ingest;

import static io.tarmo.ingest.LineChecks.OUTCOME;
import static io.tarmo.ingest.LineChecks.QUARANTINED;
import static io.tarmo.ingest.LineChecks.REASON;
import static io.tarmo.ingest.LineChecks.VALID;
import static io.tarmo.ingest.LineChecks.VALUE;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.from_json;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.lower;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.try_to_timestamp;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.types.DataTypes.StringType;

import io.tarmo.ingest.SuppressionGuard.Identifier;
import io.tarmo.subject.Identifiers;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructType;

/**
 * Parses and validates consent ledger lines (CONTRACT 3.3). Needs {@code value},
 * {@code file} and {@code line_id}; adds {@code outcome}, {@code reason}, {@code line_hash} and the
 * {@code consent_events} columns, with the subject's identifier normalised by its type.
 */
public final class ConsentLines {

  public static final List<String> SUBJECT_TYPES = List.of("customer_id", "email", "phone", "anonymous_id");
  public static final List<String> PURPOSES = List.of("marketing", "profiling", "analytics", "personalization");
  public static final List<String> CHANNELS = List.of("email", "sms", "push", "phone", "web", "all");
  public static final List<String> STATUSES = List.of("granted", "denied", "withdrawn");
  public static final List<String> LEGAL_BASES = List.of("consent", "legitimate_interest", "contract");

  /** Where {@code from_json} puts a line it cannot parse with {@link #RAW}. */
  private static final String CORRUPT = "_corrupt_record";

  private static final StructType RAW = new StructType()
      .add("consent_id", StringType).add("subject_type", StringType).add("subject_value", StringType)
      .add("purpose", StringType).add("channel", StringType).add("status", StringType)
      .add("legal_basis", StringType).add("ts", StringType).add("expires_at", StringType)
      .add("source", StringType).add(CORRUPT, StringType);

  /** When a record was given, for {@link SuppressionGuard}. */
  private static final String DATED_AT = "_dated_at";

  private ConsentLines() {}

  /**
   * Classifies the lines of delivery {@code day}; {@code ts} must lie in {@code window} and
   * {@code expires_at}, when given, after {@code ts}.
   */
  public static Dataset<Row> classify(Dataset<Row> lines, LocalDate day, TimeWindow window, int maxLineChars,
      String defaultPhoneRegion) {
    return classify(lines, day, window, maxLineChars, defaultPhoneRegion, SuppressionGuard.NONE);
  }

  /** The identifier a consent record is about, as stored: its subject, typed by its subject_type. */
  static List<Identifier> identifiers() {
    return List.of(new Identifier(col("subject_type"), col("subject_value")));
  }

  /**
   * {@link #classify(Dataset, LocalDate, TimeWindow, int, String)}, and records about an erased
   * person ({@code guard}) whose {@code ts} is at or before the erasure, or not a timestamp, get
   * the outcome {@code suppressed}.
   */
  public static Dataset<Row> classify(Dataset<Row> lines, LocalDate day, TimeWindow window, int maxLineChars,
      String defaultPhoneRegion, SuppressionGuard guard) {
    Map<String, String> options = Map.of("mode", "PERMISSIVE", "columnNameOfCorruptRecord", CORRUPT);
    // Each field is trimmed, lower-cased, parsed or checked once, into a column that the checks and
    // the stored columns below read: an expression written out again in each of them would be
    // evaluated again in every branch of the checks' CASE WHEN that names it.
    Dataset<Row> parsed = lines.withColumn("j", from_json(col(VALUE), RAW, options))
        .select(col("*"),
            Identifiers.hasInvisibleCharacter(col("j.consent_id")).as("_consent_id_invisible"),
            Identifiers.hasInvisibleCharacter(col("j.subject_value")).as("_subject_invisible"),
            lower(trim(col("j.subject_type"))).as("_subject_type"),
            lower(trim(col("j.purpose"))).as("_purpose"),
            lower(trim(col("j.channel"))).as("_channel"),
            lower(trim(col("j.status"))).as("_status"),
            lower(trim(col("j.legal_basis"))).as("_legal_basis"),
            lower(trim(col("j.source"))).as("_source"),
            try_to_timestamp(trim(col("j.ts"))).as("_ts"),
            trim(col("j.expires_at")).as("_expires_raw"));
    Column subjectType = col("_subject_type");
    Column rawSubject = col("j.subject_value");
    Column subjectId = Identifiers.id(rawSubject, col("_subject_invisible"));
    parsed = parsed.select(col("*"),
        Identifiers.id(col("j.consent_id"), col("_consent_id_invisible")).as("_consent_id"),
        subjectId.as("_subject_id"),
        when(subjectType.equalTo("email"), Identifiers.email(rawSubject))
            .when(subjectType.equalTo("phone"), Identifiers.phone(rawSubject, defaultPhoneRegion))
            .otherwise(subjectId).as("_subject"),
        try_to_timestamp(col("_expires_raw")).as("_expires"));
    Column subject = col("_subject");
    Column ts = col("_ts");
    Column expiresRaw = col("_expires_raw");
    Column expires = col("_expires");

    LineChecks checks = LineChecks.forLines(maxLineChars)
        .reject(col("j").isNull().or(col("j." + CORRUPT).isNotNull()),
            "malformed JSON or a field of the wrong type")
        .reject(col("_consent_id_invisible"), "consent_id " + LineChecks.INVISIBLE)
        .reject(col("_consent_id").isNull(), "missing consent_id")
        .reject(oneOf(subjectType, SUBJECT_TYPES), "unknown subject_type (expected " + String.join(", ", SUBJECT_TYPES) + ")")
        .reject(col("_subject_invisible"), "subject_value " + LineChecks.INVISIBLE)
        .reject(col("_subject_id").isNull(), "missing subject_value")
        .reject(subject.isNull(), "subject_value is not a valid " + "identifier of its subject_type")
        .reject(oneOf(col("_purpose"), PURPOSES), "unknown purpose (expected " + String.join(", ", PURPOSES) + ")")
        .reject(oneOf(col("_channel"), CHANNELS), "unknown channel (expected " + String.join(", ", CHANNELS) + ")")
        .reject(oneOf(col("_status"), STATUSES), "unknown status (expected " + String.join(", ", STATUSES) + ")")
        .reject(oneOf(col("_legal_basis"), LEGAL_BASES),
            "unknown legal_basis (expected " + String.join(", ", LEGAL_BASES) + ")")
        .reject(ts.isNull(), "ts missing or not a timestamp")
        .reject(window.outside(ts), window.reason("ts"))
        .reject(expiresRaw.isNotNull().and(expiresRaw.notEqual("")).and(expires.isNull()), "expires_at is not a timestamp")
        .reject(expires.leq(ts), "expires_at is not after ts");

    // One projection, not a chain of withColumn: each of those re-analyses the whole plan.
    Dataset<Row> checked = parsed.select(checks.classifiedColumns(
        col("_consent_id").as("consent_id"),
        subjectType.as("subject_type"),
        subject.as("subject_value"),
        col("_purpose").as("purpose"),
        col("_channel").as("channel"),
        col("_status").as("status"),
        col("_legal_basis").as("legal_basis"),
        ts.as("ts"),
        expires.as("expires_at"),
        col("_source").as("source"),
        lit(java.sql.Date.valueOf(day)).as("ingest_date"),
        ts.as(DATED_AT)));
    checked = guard.mark(checked, identifiers(), col(DATED_AT));
    return LineChecks.finish(checked, when(col(REASON).isNotNull(), lit(QUARANTINED)).otherwise(lit(VALID)));
  }

  private static Column oneOf(Column value, List<String> allowed) {
    return value.isNull().or(value.isin(allowed.toArray()).unary_$bang());
  }
}
