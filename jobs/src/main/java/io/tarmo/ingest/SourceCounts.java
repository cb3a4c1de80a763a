package io.tarmo.ingest;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What became of one source's lines on one day. Every line read has exactly one fate:
 * {@code read = stored + duplicates + dropped + quarantined + suppressed}.
 *
 * @param files landing files read (unreadable ones not included unless read part-way)
 * @param read data lines read (a CSV record counts once, header lines excluded)
 * @param stored lines that became table rows (inserted or, for CRM, updated rows)
 * @param duplicates lines whose key was already stored or repeated that day; for CRM also versions
 *     older than the stored one
 * @param dropped lines dropped by privacy rules (events without analytics consent)
 * @param quarantined lines written to {@code quarantine} with a reason
 * @param invalidEmails stored lines whose email was not an address (stored without it)
 * @param invalidPhones stored lines whose phone was not a valid number (stored without it)
 * @param invalidIds stored lines whose optional identifier (CRM loyalty_card_id) was not an id
 *     (stored without it)
 * @param unreadableFiles files not read, or not to their end (wrong type, in a sub-folder, a
 *     truncated gzip): each is one {@code quarantine} row besides the quarantined lines
 * @param suppressed lines about an erased person dated at or before the erasure (or undatable):
 *     neither stored nor quarantined ({@link SuppressionGuard})
 */
public record SourceCounts(long files, long read, long stored, long duplicates, long dropped,
    long quarantined, long invalidEmails, long invalidPhones, long invalidIds, long unreadableFiles,
    long suppressed) {

  public static final SourceCounts NONE = new SourceCounts(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);

  public boolean accountedFor() {
    return read == stored + duplicates + dropped + quarantined + suppressed;
  }

  public double quarantineRatio() {
    return read == 0 ? 0.0 : (double) quarantined / read;
  }

  /** The counts under {@code prefix.}, as recorded in {@code job_runs}. */
  public Map<String, Long> asCounts(String prefix) {
    Map<String, Long> counts = new LinkedHashMap<>();
    counts.put(prefix + ".files", files);
    counts.put(prefix + ".read", read);
    counts.put(prefix + ".stored", stored);
    counts.put(prefix + ".duplicates", duplicates);
    counts.put(prefix + ".dropped", dropped);
    counts.put(prefix + ".quarantined", quarantined);
    counts.put(prefix + ".invalid_email", invalidEmails);
    counts.put(prefix + ".invalid_phone", invalidPhones);
    counts.put(prefix + ".invalid_id", invalidIds);
    counts.put(prefix + ".unreadable_files", unreadableFiles);
    counts.put(prefix + ".suppressed", suppressed);
    return counts;
  }

  public String summary() {
    return "read=" + read + " stored=" + stored + " duplicates=" + duplicates + " dropped=" + dropped
        + " quarantined=" + quarantined + " suppressed=" + suppressed + " unreadable_files=" + unreadableFiles;
  }
}
