package io.tarmo.subject;

import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.lower;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.udf;
import static org.apache.spark.sql.functions.when;

import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.Phonenumber.PhoneNumber;
import java.util.Locale;
import java.util.regex.Pattern;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.types.DataTypes;

/**
 * How identifier values are normalised, everywhere in Tarmo (CONTRACT section 4): emails trimmed
 * and lower-cased, phones to E.164, ids trimmed. Each rule exists twice, as a Spark column
 * expression for jobs and as a plain method for single values (erasure requests, tests); the
 * tests hold the two to the same answers.
 */
public final class Identifiers {

  /** Longest identifier value accepted; longer values are junk, never identifiers. */
  public static final int MAX_LENGTH = 254;

  /** A pragmatic RFC 5322 subset: what real mail systems deliver to, on a lower-cased value. */
  public static final String EMAIL_REGEX =
      "^[a-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$";

  private static final Pattern EMAIL = Pattern.compile(EMAIL_REGEX);

  private Identifiers() {}

  /** A trimmed id; null when blank or longer than {@link #MAX_LENGTH}. */
  public static String normalizeId(String value) {
    if (value == null) {
      return null;
    }
    String trimmed = value.trim();
    return trimmed.isEmpty() || trimmed.length() > MAX_LENGTH ? null : trimmed;
  }

  /** A trimmed, lower-case email; null when blank or not an email address. */
  public static String normalizeEmail(String value) {
    if (value == null) {
      return null;
    }
    String email = value.trim().toLowerCase(Locale.ROOT);
    return email.length() <= MAX_LENGTH && EMAIL.matcher(email).matches() ? email : null;
  }

  /** The E.164 form of a phone number; null when blank or not a valid number. */
  public static String normalizePhone(String value, String defaultRegion) {
    if (value == null) {
      return null;
    }
    String trimmed = value.trim();
    if (trimmed.isEmpty() || trimmed.length() > 40) {
      return null;
    }
    PhoneNumberUtil util = PhoneNumberUtil.getInstance();
    try {
      PhoneNumber number = util.parse(trimmed, defaultRegion);
      return util.isValidNumber(number) ? util.format(number, PhoneNumberUtil.PhoneNumberFormat.E164) : null;
    } catch (NumberParseException e) {
      return null;
    }
  }

  /** Column form of {@link #normalizeId}. */
  public static Column id(Column value) {
    Column trimmed = trim(value);
    return when(trimmed.equalTo(lit("")).or(org.apache.spark.sql.functions.length(trimmed).gt(MAX_LENGTH)),
        lit(null).cast(DataTypes.StringType)).otherwise(trimmed);
  }

  /** Column form of {@link #normalizeEmail}. */
  public static Column email(Column value) {
    Column email = lower(trim(value));
    return when(email.rlike(EMAIL_REGEX).and(org.apache.spark.sql.functions.length(email).leq(MAX_LENGTH)), email)
        .otherwise(lit(null).cast(DataTypes.StringType));
  }

  /** Column form of {@link #normalizePhone}, a UDF around libphonenumber. */
  public static Column phone(Column value, String defaultRegion) {
    return phoneUdf(defaultRegion).apply(value);
  }

  private static UserDefinedFunction phoneUdf(String defaultRegion) {
    UDF1<String, String> normalize = raw -> normalizePhone(raw, defaultRegion);
    return udf(normalize, DataTypes.StringType).withName("tarmo_e164");
  }
}
