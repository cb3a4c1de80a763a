package io.tarmo.subject;

import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.lower;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.udf;
import static org.apache.spark.sql.functions.when;

import com.google.i18n.phonenumbers.NumberParseException;
import com.google.i18n.phonenumbers.PhoneNumberUtil;
import com.google.i18n.phonenumbers.Phonenumber.PhoneNumber;
import java.net.IDN;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
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
 *
 * <p>An internationalised email has one stored form, so that every spelling of one address links:
 * the local part in Unicode NFC, lower-cased with {@link Locale#ROOT}; the domain in its ASCII
 * (IDNA, punycode) form, as DNS and mail servers use it ({@code anna@bücher.de} and
 * {@code anna@xn--bcher-kva.de} are both stored as {@code anna@xn--bcher-kva.de}). The JDK's
 * {@link IDN} implements IDNA 2003, which maps {@code ß} in a domain to {@code ss}.
 *
 * <p>A value with a control character (Unicode category Cc, such as NUL or ESC) or an invisible
 * format character (Cf, such as a zero-width space or a byte-order mark) is never an identifier:
 * two such values can look the same and differ.
 */
public final class Identifiers {

  /** Longest identifier value accepted; longer values are junk, never identifiers. */
  public static final int MAX_LENGTH = 254;

  /** A pragmatic RFC 5322 subset: what real mail systems deliver to, on a lower-cased value. */
  public static final String EMAIL_REGEX =
      "^[a-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$";

  private static final Pattern EMAIL = Pattern.compile(EMAIL_REGEX);

  /** An ASCII domain name, as {@link #EMAIL_REGEX} accepts it after the {@code @}. */
  private static final Pattern ASCII_DOMAIN = Pattern.compile(
      "^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$");

  /** Characters an email local part may hold besides non-ASCII letters, marks, digits and symbols. */
  private static final Pattern ASCII_LOCAL = Pattern.compile("^[a-z0-9.!#$%&'*+/=?^_`{|}~-]+$");

  /** Longest local part of an email, in UTF-8 bytes (RFC 5321, RFC 6531). */
  private static final int MAX_LOCAL_BYTES = 64;

  private Identifiers() {}

  /**
   * Whether {@code value} holds a control (Unicode category Cc) or format (Cf) character, what no
   * identifier may contain: the characters {@code [\p{Cc}\p{Cf}]} matches. Printable ASCII, almost
   * every character of an identifier, is passed over without looking its category up.
   */
  public static boolean hasInvisibleCharacter(String value) {
    if (value == null) {
      return false;
    }
    for (int i = 0; i < value.length(); ) {
      int c = value.codePointAt(i);
      if (c < 0x20 || (c >= 0x7F && isControlOrFormat(c))) {
        return true;
      }
      i += Character.charCount(c);
    }
    return false;
  }

  private static boolean isControlOrFormat(int codePoint) {
    int type = Character.getType(codePoint);
    return type == Character.CONTROL || type == Character.FORMAT;
  }

  /**
   * Column form of {@link #hasInvisibleCharacter(String)}: null for null. A loop over the value, not
   * {@code rlike}: ingest checks several identifiers of every line, and a regular expression over
   * character categories cost a few microseconds each.
   */
  public static Column hasInvisibleCharacter(Column value) {
    return INVISIBLE_UDF.apply(value);
  }

  private static final UserDefinedFunction INVISIBLE_UDF = udf(
      (UDF1<String, Boolean>) value -> value == null ? null : hasInvisibleCharacter(value), DataTypes.BooleanType)
      .withName("tarmo_invisible");

  /**
   * A trimmed id; null when blank, longer than {@link #MAX_LENGTH} or holding a control or format
   * character.
   */
  public static String normalizeId(String value) {
    if (value == null || hasInvisibleCharacter(value)) {
      return null;
    }
    String trimmed = value.trim();
    return trimmed.isEmpty() || trimmed.length() > MAX_LENGTH ? null : trimmed;
  }

  /**
   * A trimmed, lower-case email, an internationalised one in the form the class comment gives;
   * null when blank or not an email address.
   */
  public static String normalizeEmail(String value) {
    if (value == null) {
      return null;
    }
    String email = value.trim().toLowerCase(Locale.ROOT);
    if (email.length() <= MAX_LENGTH && EMAIL.matcher(email).matches()) {
      return email;
    }
    return email.chars().allMatch(c -> c < 0x80) ? null : normalizeInternationalEmail(email);
  }

  /** An address with a non-ASCII character, trimmed and lower-cased; null when it is not one. */
  private static String normalizeInternationalEmail(String email) {
    int at = email.lastIndexOf('@');
    if (at <= 0 || at == email.length() - 1 || hasInvisibleCharacter(email)) {
      return null;
    }
    String local = Normalizer.normalize(email.substring(0, at), Normalizer.Form.NFC);
    String domain;
    try {
      domain = IDN.toASCII(Normalizer.normalize(email.substring(at + 1), Normalizer.Form.NFC),
          IDN.USE_STD3_ASCII_RULES).toLowerCase(Locale.ROOT);
    } catch (IllegalArgumentException e) {
      return null;
    }
    String normalised = local + "@" + domain;
    return validLocalPart(local) && ASCII_DOMAIN.matcher(domain).matches() && normalised.length() <= MAX_LENGTH
        ? normalised : null;
  }

  /** RFC 6531: the ASCII characters of RFC 5322's dot-atom, or any visible non-ASCII character. */
  private static boolean validLocalPart(String local) {
    if (local.getBytes(StandardCharsets.UTF_8).length > MAX_LOCAL_BYTES) {
      return false;
    }
    return local.codePoints().allMatch(c -> c < 0x80
        ? ASCII_LOCAL.matcher(Character.toString(c)).matches()
        : Character.isLetterOrDigit(c) || isMarkOrSymbolOrPunctuation(Character.getType(c)));
  }

  private static boolean isMarkOrSymbolOrPunctuation(int type) {
    return switch (type) {
      case Character.NON_SPACING_MARK, Character.COMBINING_SPACING_MARK, Character.ENCLOSING_MARK,
          Character.LETTER_NUMBER, Character.OTHER_NUMBER, Character.MATH_SYMBOL, Character.CURRENCY_SYMBOL,
          Character.MODIFIER_SYMBOL, Character.OTHER_SYMBOL, Character.CONNECTOR_PUNCTUATION,
          Character.DASH_PUNCTUATION, Character.OTHER_PUNCTUATION -> true;
      default -> false;
    };
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
    return id(value, hasInvisibleCharacter(value));
  }

  /**
   * {@link #id(Column)} of a value whose {@link #hasInvisibleCharacter(Column)} a column already
   * holds: a classification that checks the flag on its own computes it once.
   */
  public static Column id(Column value, Column invisible) {
    Column trimmed = trim(value);
    return when(trimmed.equalTo(lit("")).or(org.apache.spark.sql.functions.length(trimmed).gt(MAX_LENGTH))
            .or(invisible),
        lit(null).cast(DataTypes.StringType)).otherwise(trimmed);
  }

  /**
   * Column form of {@link #normalizeEmail}: a plain ASCII address is checked by a regular
   * expression, anything else (rare) by {@link #normalizeEmail} itself.
   */
  public static Column email(Column value) {
    Column email = lower(trim(value));
    return when(email.rlike(EMAIL_REGEX).and(org.apache.spark.sql.functions.length(email).leq(MAX_LENGTH)), email)
        .when(value.isNotNull(), EMAIL_UDF.apply(value))
        .otherwise(lit(null).cast(DataTypes.StringType));
  }

  private static final UserDefinedFunction EMAIL_UDF =
      udf((UDF1<String, String>) Identifiers::normalizeEmail, DataTypes.StringType).withName("tarmo_email");

  /** Column form of {@link #normalizePhone}, a UDF around libphonenumber. */
  public static Column phone(Column value, String defaultRegion) {
    return phoneUdf(defaultRegion).apply(value);
  }

  private static UserDefinedFunction phoneUdf(String defaultRegion) {
    UDF1<String, String> normalize = raw -> normalizePhone(raw, defaultRegion);
    return udf(normalize, DataTypes.StringType).withName("tarmo_e164");
  }
}
