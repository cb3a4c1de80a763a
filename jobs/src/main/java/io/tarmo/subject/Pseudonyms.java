package io.tarmo.subject;

import static org.apache.spark.sql.functions.udf;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.types.DataTypes;

/**
 * Keyed pseudonyms of identifier values: HMAC-SHA256 of the normalised value (see
 * {@link Identifiers}), as lower-case hex, keyed by the {@value #KEY_VARIABLE} secret from the
 * environment. What {@code suppression_list} holds of an erased identifier: the same value always
 * gives the same pseudonym, so an erased person is recognised and never contacted again, while
 * without the key nobody can test a guessed address against the list (a plain hash could be).
 *
 * <p>The key is the secret's UTF-8 bytes; it is never printed, logged or part of a message, and
 * {@link #toString} does not show it. Exists twice, as a plain method and as a Spark column, held
 * to the same answers by the tests.
 */
public final class Pseudonyms implements Serializable {

  private static final long serialVersionUID = 1L;

  /** The environment variable that holds the key. */
  public static final String KEY_VARIABLE = "TARMO_PSEUDONYM_KEY";

  /** A shorter key is refused: HMAC-SHA256 wants at least 32 bytes of key for its full strength. */
  public static final int MIN_KEY_LENGTH = 32;

  private static final String ALGORITHM = "HmacSHA256";

  private final byte[] key;

  /**
   * One initialised {@link Mac} per thread: creating and keying one costs more than hashing a short
   * value, and a Spark task hashes millions. A {@code Mac} is not thread-safe, hence one per thread;
   * rebuilt lazily after the object travels to an executor.
   */
  private transient volatile ThreadLocal<Mac> macs;

  private Pseudonyms(byte[] key) {
    this.key = key;
  }

  /**
   * Pseudonyms keyed by {@code secret}; refused with an {@link IllegalArgumentException} (that does
   * not show the secret) when it is shorter than {@value #MIN_KEY_LENGTH} characters.
   */
  public static Pseudonyms withKey(String secret) {
    if (secret == null || secret.strip().length() < MIN_KEY_LENGTH) {
      throw new IllegalArgumentException("Cannot use " + KEY_VARIABLE + ": it must hold at least " + MIN_KEY_LENGTH
          + " characters (its value is not shown)");
    }
    return new Pseudonyms(secret.strip().getBytes(StandardCharsets.UTF_8));
  }

  /** Pseudonyms keyed by {@value #KEY_VARIABLE} of this process's environment; empty when it is unset or blank. */
  public static Optional<Pseudonyms> fromEnvironment() {
    return fromEnvironment(System.getenv());
  }

  /** Pseudonyms keyed by {@value #KEY_VARIABLE} of {@code environment}; empty when it is unset or blank. */
  public static Optional<Pseudonyms> fromEnvironment(Map<String, String> environment) {
    String secret = environment.get(KEY_VARIABLE);
    return secret == null || secret.isBlank() ? Optional.empty() : Optional.of(withKey(secret));
  }

  /** The pseudonym of a value already normalised for its identifier type; null for null. */
  public String of(String normalisedValue) {
    if (normalisedValue == null) {
      return null;
    }
    return HexFormat.of().formatHex(mac().doFinal(normalisedValue.getBytes(StandardCharsets.UTF_8)));
  }

  /**
   * A fingerprint of the key: the first 16 hex digits of the pseudonym of a label that no identifier
   * can be (it starts with a control character, which ingest rejects in identifiers). Two runs with
   * the same fingerprint used the same key; the fingerprint says nothing about the key itself.
   */
  public String keyCheck() {
    return of(KEY_CHECK_LABEL).substring(0, 16);
  }

  private static final String KEY_CHECK_LABEL = "\u0000tarmo-pseudonym-key-check";

  /** This thread's keyed {@link Mac}; {@code doFinal} leaves it reset for the next value. */
  private Mac mac() {
    ThreadLocal<Mac> local = macs;
    if (local == null) {
      // A race here only builds a second ThreadLocal: each still hands every thread a Mac of its own.
      local = ThreadLocal.withInitial(this::newMac);
      macs = local;
    }
    return local.get();
  }

  private Mac newMac() {
    try {
      Mac mac = Mac.getInstance(ALGORITHM);
      mac.init(new SecretKeySpec(key, ALGORITHM));
      return mac;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("Cannot compute a pseudonym: " + ALGORITHM + " is not available", e);
    }
  }

  /**
   * {@link #of} as a Spark column over normalised values. The key travels to the executors inside
   * the function, never as a literal of the plan, so {@code EXPLAIN} and the Spark UI do not show it.
   */
  public Column of(Column normalisedValue) {
    UserDefinedFunction pseudonym = udf((UDF1<String, String>) this::of, DataTypes.StringType)
        .withName("pseudonym");
    return pseudonym.apply(normalisedValue);
  }

  @Override
  public String toString() {
    return "Pseudonyms[HMAC-SHA256, key from " + KEY_VARIABLE + "]";
  }
}
