package io.tarmo.generate;

import java.time.LocalDate;
import java.util.SplittableRandom;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Writes one day's consent ledger, {@code consent.json} (CONTRACT 3.3), one JSON object per line
 * with a unique {@code consent_id}, and malformed lines at {@link MessRates#MALFORMED} (one of each
 * kind forced on days with enough lines).
 */
final class ConsentWriter implements AutoCloseable {

  static final String FILE_NAME = "consent.json";

  /** The malformed kinds of consent lines. */
  enum Kind { INVALID_JSON, UNKNOWN_STATUS, MISSING_SUBJECT_VALUE }

  /** One ledger record; {@code expiresMillis} is negative when the record does not expire. */
  record Entry(String subjectType, String subjectValue, String purpose, String channel, String status,
      String legalBasis, long tsMillis, long expiresMillis, String source) {
  }

  private final LandingFile file;
  private final SplittableRandom random;
  private final String idPrefix;
  private final JsonLine j = new JsonLine();
  private long records;
  private long malformed;
  private long nextId;
  private int nextForced;

  ConsentWriter(FileSystem fs, String folder, LocalDate day, long dayHash) {
    this.file = new LandingFile(fs, new Path(folder, FILE_NAME), false);
    this.random = new SplittableRandom(dayHash);
    this.idPrefix = "cns-" + day.toString().replace("-", "") + "-";
  }

  void record(Entry e) {
    file.line(line(e, null));
    records++;
    Kind[] kinds = Kind.values();
    if (nextForced < kinds.length && records >= MessRates.CONSENT_FORCED_MALFORMED_FROM
        && (records - MessRates.CONSENT_FORCED_MALFORMED_FROM) % MessRates.SMALL_FORCED_MALFORMED_EVERY == 0) {
      malformed(kinds[nextForced++], e);
    } else if (random.nextDouble() < MessRates.MALFORMED) {
      malformed(kinds[random.nextInt(kinds.length)], e);
    }
  }

  private void malformed(Kind kind, Entry e) {
    String line = switch (kind) {
      case INVALID_JSON -> {
        String full = line(e, null);
        yield full.substring(0, full.length() / 2);
      }
      case UNKNOWN_STATUS -> line(e, "maybe");
      case MISSING_SUBJECT_VALUE -> line(new Entry(e.subjectType(), null, e.purpose(), e.channel(), e.status(),
          e.legalBasis(), e.tsMillis(), e.expiresMillis(), e.source()), null);
    };
    file.line(line);
    malformed++;
  }

  private String line(Entry e, String statusOverride) {
    j.begin().str("consent_id", Text.padded(idPrefix, nextId++, 9)).str("subject_type", e.subjectType());
    if (e.subjectValue() != null) {
      j.str("subject_value", e.subjectValue());
    }
    j.str("purpose", e.purpose()).str("channel", e.channel())
        .str("status", statusOverride == null ? e.status() : statusOverride)
        .str("legal_basis", e.legalBasis()).str("ts", Text.instant(e.tsMillis()));
    if (e.expiresMillis() >= 0) {
      j.str("expires_at", Text.instant(e.expiresMillis()));
    }
    j.str("source", e.source());
    return j.finish();
  }

  long lines() {
    return records + malformed;
  }

  long malformed() {
    return malformed;
  }

  @Override
  public void close() {
    file.close();
  }
}
