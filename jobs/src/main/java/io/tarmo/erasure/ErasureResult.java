package io.tarmo.erasure;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The outcome of one {@code erase} run: request ids and counts only, never an identifier.
 *
 * @param received request lines read
 * @param completed requests COMPLETED by this run
 * @param alreadyDone requests an earlier run had COMPLETED or REJECTED (their files are cleaned up)
 * @param rejected rejected requests, each as {@code id: reason}
 * @param failed requests whose values were still found, each with its places
 * @param pastDue requests not COMPLETED whose 30 days have passed
 * @param requestFilesRewritten pending request files rewritten or removed
 * @param work what the batch did to the lake
 */
public record ErasureResult(long received, List<String> completed, List<String> alreadyDone, List<String> rejected,
    Map<String, List<String>> failed, long pastDue, long requestFilesRewritten, Work work, long durationMs) {

  public ErasureResult {
    completed = List.copyOf(completed);
    alreadyDone = List.copyOf(alreadyDone);
    rejected = List.copyOf(rejected);
    failed = Map.copyOf(failed);
  }

  /**
   * What one batch did.
   *
   * @param rowsDeleted rows deleted per table (tables with none left out)
   * @param filesRewritten landing and export files rewritten
   * @param bytesRewritten their bytes before
   * @param recordsRemoved lines (records) removed from them
   * @param dataFilesRemoved unreferenced Delta data files vacuumed
   * @param notices customer_keys written to downstream deletion notices
   * @param identifiersRegrouped other customers' identity_map rows given a new cluster or key (or
   *     dropped, left with no link) because the subjects were their only link
   */
  public record Work(Map<String, Long> rowsDeleted, long filesRewritten, long bytesRewritten, long recordsRemoved,
      long dataFilesRemoved, long notices, long identifiersRegrouped) {
    public static final Work NONE = new Work(Map.of(), 0, 0, 0, 0, 0, 0);

    public Work {
      rowsDeleted = Map.copyOf(rowsDeleted);
    }
  }

  public Map<String, Long> counts() {
    Map<String, Long> counts = new LinkedHashMap<>();
    counts.put("erasure.requests", received);
    counts.put("erasure.completed", (long) completed.size());
    counts.put("erasure.already_done", (long) alreadyDone.size());
    counts.put("erasure.rejected", (long) rejected.size());
    counts.put("erasure.failed", (long) failed.size());
    counts.put("erasure.past_due", pastDue);
    work.rowsDeleted().forEach((table, rows) -> counts.put("erasure.rows_deleted." + table, rows));
    counts.put("erasure.files_rewritten", work.filesRewritten());
    counts.put("erasure.bytes_rewritten", work.bytesRewritten());
    counts.put("erasure.records_removed", work.recordsRemoved());
    counts.put("erasure.data_files_removed", work.dataFilesRemoved());
    counts.put("erasure.notices", work.notices());
    counts.put("erasure.identifiers_regrouped", work.identifiersRegrouped());
    counts.put("erasure.request_files_rewritten", requestFilesRewritten);
    return counts;
  }

  /** Whether any request could not be verified. */
  public boolean anyFailed() {
    return !failed.isEmpty();
  }

  public String summary() {
    String nl = System.lineSeparator();
    StringBuilder out = new StringBuilder(String.format(Locale.ROOT,
        "erase: requests=%d completed=%d already_done=%d rejected=%d failed=%d past_due=%d (%.1f s)",
        received, completed.size(), alreadyDone.size(), rejected.size(), failed.size(), pastDue, durationMs / 1000.0));
    if (!work.rowsDeleted().isEmpty() || work.filesRewritten() > 0) {
      out.append(nl).append("  rows deleted: ").append(work.rowsDeleted().isEmpty() ? "none"
          : String.join(", ", work.rowsDeleted().entrySet().stream().sorted(Map.Entry.comparingByKey())
              .map(e -> e.getKey() + "=" + e.getValue()).toList()));
      out.append(nl).append(String.format(Locale.ROOT,
          "  files rewritten=%d (%d bytes, %d lines removed), data files vacuumed=%d, notices=%d, "
              + "identifiers regrouped=%d",
          work.filesRewritten(), work.bytesRewritten(), work.recordsRemoved(), work.dataFilesRemoved(), work.notices(),
          work.identifiersRegrouped()));
    }
    rejected.forEach(line -> out.append(nl).append("  REJECTED ").append(line));
    failed.forEach((id, places) -> out.append(nl).append("  FAILED ").append(id).append(": values still in ")
        .append(String.join(", ", places)));
    if (pastDue > 0) {
      out.append(nl).append("  ").append(pastDue).append(" request(s) past their 30-day deadline: see erasure_log");
    }
    return out.toString();
  }

  /** Collects a run's outcome as it goes. */
  static final class Builder {
    private long received;
    private final List<String> completed = new ArrayList<>();
    private final List<String> alreadyDone = new ArrayList<>();
    private final List<String> rejected = new ArrayList<>();
    private final Map<String, List<String>> failed = new LinkedHashMap<>();
    private long pastDue;
    private long requestFiles;
    private Work work = Work.NONE;
    private long durationMs;

    void received(long n) {
      received = n;
    }

    void completed(String id) {
      completed.add(id);
    }

    void alreadyDone(String id) {
      alreadyDone.add(id);
    }

    void rejected(String line) {
      rejected.add(line);
    }

    void failed(String id, List<String> places) {
      failed.put(id, List.copyOf(places));
    }

    void pastDue(long n) {
      pastDue = n;
    }

    void requestFilesRewritten(long n) {
      requestFiles = n;
    }

    void work(Work value) {
      work = value;
    }

    void durationMs(long value) {
      durationMs = value;
    }

    ErasureResult build() {
      return new ErasureResult(received, completed, alreadyDone, rejected, failed, pastDue, requestFiles, work,
          durationMs);
    }
  }
}
