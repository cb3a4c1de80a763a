package io.tarmo.ingest;

import static io.tarmo.ingest.LineChecks.FILE;
import static io.tarmo.ingest.LineChecks.OUTCOME;
import static io.tarmo.ingest.LineChecks.QUARANTINED;
import static io.tarmo.ingest.LineChecks.REASON;
import static io.tarmo.ingest.LineChecks.VALID;
import static io.tarmo.ingest.LineChecks.VALUE;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.element_at;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.size;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.try_to_date;
import static org.apache.spark.sql.functions.try_to_timestamp;
import static org.apache.spark.sql.functions.udf;
import static org.apache.spark.sql.functions.upper;
import static org.apache.spark.sql.functions.when;

import io.tarmo.ingest.SuppressionGuard.Identifier;
import io.tarmo.subject.IdentifierType;
import io.tarmo.subject.Identifiers;
import java.sql.Timestamp;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.types.DataTypes;

/**
 * Parses and validates CRM extract lines (CONTRACT 3.2), header lines already removed. Needs
 * {@code value}, {@code file} and {@code line_id}; adds {@code outcome}, {@code reason}, {@code line_hash}, the
 * {@code crm_customers} columns and the flags {@code email_invalid}, {@code phone_invalid} and
 * {@code id_invalid}. Lines are CSV records ({@link CsvRecords}): a record may span lines.
 * An empty {@code updated_at} counts as the start of the delivery day.
 */
public final class CrmLines {

  /** The extract's columns, in order; also its header line. */
  public static final List<String> COLUMNS = List.of("customer_id", "email", "phone", "first_name",
      "last_name", "birth_date", "street", "postal_code", "city", "country", "loyalty_card_id",
      "created_at", "updated_at");

  public static final String HEADER = String.join(",", COLUMNS);

  /** Flags a record whose loyalty_card_id was left out: not an id (a control character, too long). */
  public static final String ID_INVALID = "id_invalid";

  /**
   * When a record was changed, for {@link SuppressionGuard}: its own {@code updated_at}, null when
   * that is empty or not a timestamp. The start of the delivery day, which stands in for an empty
   * one when versions are compared, says nothing about when the record was made.
   */
  private static final String DATED_AT = "_dated_at";

  /** Where a record's fields are held once cut out: {@code _f_} and the column's name. */
  private static final String FIELD = "_f_";

  private CrmLines() {}

  /**
   * Classifies lines of one day; lines of files listed in {@code badHeaderFiles} are all
   * quarantined, since their columns cannot be trusted to be in the contract's order.
   */
  public static Dataset<Row> classify(Dataset<Row> lines, LocalDate day, int maxLineChars,
      String defaultPhoneRegion, List<String> badHeaderFiles) {
    return classify(lines, day, maxLineChars, defaultPhoneRegion, badHeaderFiles, SuppressionGuard.NONE);
  }

  /** The identifiers a CRM record carries, as stored. */
  static List<Identifier> identifiers() {
    return List.of(Identifier.of(IdentifierType.CUSTOMER_ID, "customer_id"),
        Identifier.of(IdentifierType.EMAIL, "email"),
        Identifier.of(IdentifierType.PHONE, "phone"),
        Identifier.of(IdentifierType.LOYALTY_CARD_ID, "loyalty_card_id"));
  }

  /**
   * {@link #classify(Dataset, LocalDate, int, String, List)}, and records about an erased person
   * ({@code guard}) whose {@code updated_at} is at or before the erasure, empty or not a timestamp,
   * get the outcome {@code suppressed}.
   */
  public static Dataset<Row> classify(Dataset<Row> lines, LocalDate day, int maxLineChars,
      String defaultPhoneRegion, List<String> badHeaderFiles, SuppressionGuard guard) {
    UDF1<String, List<String>> split = CsvRecords::fields;
    Dataset<Row> parsed = lines.withColumn("fields",
        udf(split, DataTypes.createArrayType(DataTypes.StringType)).withName("tarmo_csv_split").apply(col(VALUE)));
    // Each field is cut out, trimmed, parsed or checked once, into a column that the checks and
    // the stored columns below read: an expression written out again in each of them would be
    // evaluated again in every branch of the checks' CASE WHEN that names it.
    Map<String, Column> cut = new LinkedHashMap<>();
    COLUMNS.forEach(name -> cut.put(FIELD + name, cutField(name)));
    parsed = parsed.withColumns(cut);
    parsed = parsed.select(col("*"),
        Identifiers.hasInvisibleCharacter(field("customer_id")).as("_customer_id_invisible"),
        Identifiers.id(field("loyalty_card_id")).as("_loyalty_card_id"),
        try_to_timestamp(field("created_at")).as("_created_at"),
        try_to_timestamp(field("updated_at")).as("_updated_at"),
        try_to_date(field("birth_date")).as("_birth_date"));
    parsed = parsed.select(col("*"),
        Identifiers.id(field("customer_id"), col("_customer_id_invisible")).as("_customer_id"));

    Column createdRaw = field("created_at");
    Column updatedRaw = field("updated_at");
    Column birthRaw = field("birth_date");
    Column createdAt = col("_created_at");
    Column updatedAt = col("_updated_at");
    Column birthDate = col("_birth_date");
    Column rawEmail = field("email");
    Column rawPhone = field("phone");
    Column customerId = col("_customer_id");
    Column loyaltyCardId = col("_loyalty_card_id");

    LineChecks checks = LineChecks.forLines(maxLineChars)
        .reject(col(FILE).isin(badHeaderFiles.toArray()),
            "file header is not the CRM header (" + HEADER + ")")
        .reject(col("fields").isNull(), "unclosed quote; reading resumed on the next line")
        .reject(size(col("fields")).notEqual(COLUMNS.size()),
            "wrong column count (expected " + COLUMNS.size() + ")")
        .reject(col("_customer_id_invisible"), "customer_id " + LineChecks.INVISIBLE)
        .reject(customerId.isNull(), "missing customer_id")
        .reject(updatedRaw.isNotNull().and(updatedAt.isNull()), "updated_at is not a timestamp")
        .reject(createdRaw.isNotNull().and(createdAt.isNull()), "created_at is not a timestamp")
        .reject(birthRaw.isNotNull().and(birthDate.isNull()), "birth_date is not a date (YYYY-MM-DD)");

    Timestamp dayStart = Timestamp.from(day.atStartOfDay(ZoneOffset.UTC).toInstant());
    // One projection, not a chain of withColumn: each of those re-analyses the whole plan.
    Dataset<Row> checked = parsed.select(checks.classifiedColumns(
        customerId.as("customer_id"),
        Identifiers.email(rawEmail).as("email"),
        Identifiers.phone(rawPhone, defaultPhoneRegion).as("phone"),
        rawEmail.as(LineChecks.RAW_EMAIL),
        rawPhone.as(LineChecks.RAW_PHONE),
        field("first_name").as("first_name"),
        field("last_name").as("last_name"),
        birthDate.as("birth_date"),
        field("street").as("street"),
        field("postal_code").as("postal_code"),
        field("city").as("city"),
        upper(field("country")).as("country"),
        loyaltyCardId.as("loyalty_card_id"),
        field("loyalty_card_id").isNotNull().and(loyaltyCardId.isNull()).as(ID_INVALID),
        createdAt.as("created_at"),
        coalesce(updatedAt, lit(dayStart)).as("updated_at"),
        lit(java.sql.Date.valueOf(day)).as("ingest_date"),
        updatedAt.as(DATED_AT)));
    checked = guard.mark(checked, identifiers(), col(DATED_AT));
    return LineChecks.finish(checked, when(col(REASON).isNotNull(), lit(QUARANTINED)).otherwise(lit(VALID)));
  }

  /** A trimmed field by name, once cut out ({@link #cutField}). */
  private static Column field(String name) {
    return col(FIELD + name);
  }

  /** A trimmed field by name; null when blank, missing, or the line did not split. */
  private static Column cutField(String name) {
    Column value = trim(element_at(col("fields"), COLUMNS.indexOf(name) + 1));
    Column usable = col("fields").isNotNull().and(size(col("fields")).equalTo(COLUMNS.size()));
    return when(usable.and(value.notEqual("")), value);
  }
}
