package io.tarmo.ingest;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.is_valid_utf8;
import static org.apache.spark.sql.functions.length;
import static org.apache.spark.sql.functions.make_valid_utf8;
import static org.apache.spark.sql.functions.octet_length;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.substring;
import static org.apache.spark.sql.functions.trim;
import static org.apache.spark.sql.functions.when;
import static org.apache.spark.sql.functions.xxhash64;

import io.tarmo.lake.LandingReader;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * The shared shape of line validation: each landing line gets an {@code outcome} and, when it
 * is rejected, the {@code reason} of the first check it fails, in the order the checks are
 * listed. Every line keeps exactly one outcome, which is what lets ingest account for all of them.
 */
public final class LineChecks {

  /** Columns of a landing line. */
  public static final String VALUE = LandingReader.VALUE;
  public static final String FILE = LandingReader.FILE;
  /**
   * A line's position: its file's place in the day's sorted file list, then its place in the file
   * ({@link LandingReader}). The same in every pass over the same files, so passes can agree on which
   * copy of a line to keep.
   */
  public static final String LINE_ID = LandingReader.LINE_ID;
  /** A hash of the raw line: tells copies of one key apart, and finds identical copies. */
  public static final String LINE_HASH = "line_hash";
  /**
   * Set on the one row that stands for a landing file that could not be read to its end (a
   * truncated gzip): why, readable. Such a row is no line; its outcome is {@link #UNREADABLE}.
   */
  public static final String PROBLEM = LandingReader.PROBLEM;
  /** Columns a classification adds. */
  public static final String OUTCOME = "outcome";
  public static final String REASON = "reason";
  /** Raw contact values a classification may carry, to flag the ones that did not normalise. */
  static final String RAW_EMAIL = "_raw_email";
  static final String RAW_PHONE = "_raw_phone";

  /** Outcomes of a line. */
  public static final String VALID = "valid";
  public static final String QUARANTINED = "quarantined";
  public static final String DROPPED = "dropped";
  /**
   * A line about an erased person ({@link SuppressionGuard}): never stored, never quarantined; its
   * raw line, file and reason are not kept.
   */
  public static final String SUPPRESSED = "suppressed";
  /** The boolean helper column {@link SuppressionGuard#mark} adds; {@link #finish} turns it into {@link #SUPPRESSED}. */
  static final String SUPPRESSED_FLAG = "_suppressed";
  /** The outcome of a {@link #PROBLEM} row: a file, not a line, quarantined with its reason. */
  public static final String UNREADABLE = "unreadable";

  /** The end of the reason for an identifier that {@link io.tarmo.identity.Identifiers} never accepts. */
  static final String INVISIBLE = "contains a control or invisible character";

  private final Map<String, Column> checks = new LinkedHashMap<>();

  private LineChecks() {}

  /** The checks every text line gets before it is parsed: size, encoding, blankness. */
  public static LineChecks forLines(int maxLineChars) {
    return new LineChecks()
        // Counting characters walks the line; a line of at most maxLineChars bytes cannot be
        // longer, so the byte length (free) spares that walk for almost every line.
        .reject(octet_length(col(VALUE)).gt(maxLineChars).and(length(col(VALUE)).gt(maxLineChars)),
            "line longer than " + maxLineChars + " characters")
        .reject(is_valid_utf8(col(VALUE)).unary_$bang(), "invalid UTF-8")
        .reject(trim(col(VALUE)).equalTo(""), "empty line");
  }

  /** Adds a check: lines where {@code failing} is true are rejected with {@code reason}. */
  public LineChecks reject(Column failing, String reason) {
    checks.put(reason, failing);
    return this;
  }

  /**
   * What every classified line carries first: the raw line, its file and id, the reason of the
   * first failing check and the line's hash; then the source's own {@code fields}.
   */
  public Column[] classifiedColumns(Column... fields) {
    List<Column> columns = new ArrayList<>(List.of(col(VALUE), col(FILE), col(LINE_ID),
        firstReason().as(REASON), xxhash64(col(VALUE)).as(LINE_HASH), col(PROBLEM)));
    columns.addAll(List.of(fields));
    return columns.toArray(Column[]::new);
  }

  /** The reason of the first failing check, null when every check passes; a file's problem first. */
  public Column firstReason() {
    Column reason = when(col(PROBLEM).isNotNull(), col(PROBLEM));
    List<Map.Entry<String, Column>> ordered = new ArrayList<>(checks.entrySet());
    for (Map.Entry<String, Column> check : ordered) {
      Column failing = org.apache.spark.sql.functions.coalesce(check.getValue(), lit(false));
      reason = reason.when(failing, lit(check.getKey()));
    }
    return reason;
  }

  /**
   * Completes a classification in one projection: adds {@code outcome}, keeps the raw line and
   * its file only for quarantined lines (the only ones that need them), gives a {@link #PROBLEM}
   * row the outcome {@link #UNREADABLE} and a line marked by {@link SuppressionGuard} the outcome
   * {@link #SUPPRESSED} (with no raw line, file or reason), turns carried raw contact
   * values into the flags {@code email_invalid} and {@code phone_invalid}, and drops helper
   * columns (those starting with an underscore).
   */
  static Dataset<Row> finish(Dataset<Row> checked, Column outcome) {
    List<String> names = List.of(checked.columns());
    boolean guarded = names.contains(SUPPRESSED_FLAG);
    // A suppressed line is about an erased person: nothing of it is kept beyond its fate.
    Column suppressed = guarded ? col(PROBLEM).isNull().and(col(SUPPRESSED_FLAG)) : lit(false);
    List<Column> columns = new ArrayList<>();
    for (String name : names) {
      if (name.equals(VALUE) || name.equals(FILE)) {
        columns.add(when(col(REASON).isNotNull().and(suppressed.unary_$bang()), col(name)).as(name));
      } else if (name.equals(REASON) && guarded) {
        columns.add(when(suppressed.unary_$bang(), col(name)).as(name));
      } else if (!name.startsWith("_")) {
        columns.add(col(name));
      }
    }
    if (names.contains(RAW_EMAIL)) {
      columns.add(invalid(RAW_EMAIL, "email").as("email_invalid"));
      columns.add(invalid(RAW_PHONE, "phone").as("phone_invalid"));
    }
    Column fate = guarded ? when(suppressed, lit(SUPPRESSED)).otherwise(outcome) : outcome;
    columns.add(when(col(PROBLEM).isNotNull(), lit(UNREADABLE)).otherwise(fate).as(OUTCOME));
    return checked.select(columns.toArray(Column[]::new));
  }

  private static Column invalid(String raw, String normalised) {
    return col(raw).isNotNull().and(col(raw).notEqual("")).and(col(normalised).isNull());
  }

  /**
   * The quarantine rows of classified lines: source, reason, the line as received (cut at
   * {@code maxLineChars}, invalid UTF-8 bytes replaced; null for an unreadable file), file and
   * landing day.
   */
  public static Dataset<Row> quarantineRows(Dataset<Row> classified, String source, LocalDate day, int maxLineChars) {
    return classified.filter(col(OUTCOME).isin(QUARANTINED, UNREADABLE))
        .select(
            lit(source).as("source"),
            col(REASON).as("reason"),
            substring(make_valid_utf8(col(VALUE)), 1, maxLineChars).as("record"),
            col(FILE).as("file"),
            lit(java.sql.Date.valueOf(day)).as("ingest_date"));
  }
}
