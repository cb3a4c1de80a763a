package io.tarmo.erasure;

import io.tarmo.lake.DeltaStore;
import io.tarmo.lake.ErasureWork;
import io.tarmo.lake.Tables;
import io.tarmo.subject.Pseudonyms;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * {@code erasure_log}: one row per request, upserted by request id as the request moves on
 * (IN_PROGRESS, VERIFIED, COMPLETED; or REJECTED, FAILED). The subject is kept as a keyed hash only.
 */
final class ErasureLog {

  private final DeltaStore store;
  private final Pseudonyms keyed;
  private final String commitNote;
  private final String runId;
  /** The rows as this run knows them, by request id: read once, then kept up to date. */
  private final Map<String, Entry> entries = new LinkedHashMap<>();
  /** What earlier runs did for the requests this run started, by request id (see {@link #start}). */
  private final Map<String, ErasureResult.Work> before = new HashMap<>();

  ErasureLog(DeltaStore store, Pseudonyms keyed, String commitNote, String runId) {
    this.store = store;
    this.keyed = keyed;
    this.commitNote = commitNote;
    this.runId = runId;
    for (Row row : store.read(Tables.ERASURE_LOG).collectAsList()) {
      entries.put(row.getString(0), Entry.of(row));
    }
  }

  /** A row's fields, in the table's column order. */
  private static final class Entry {
    final Object[] fields;

    private Entry(Object[] fields) {
      this.fields = fields;
    }

    static Entry of(Row row) {
      Object[] fields = new Object[row.length()];
      for (int i = 0; i < fields.length; i++) {
        fields[i] = row.isNullAt(i) ? null
            : i == ROWS_DELETED ? new HashMap<>(row.<String, Long>getJavaMap(i))
            : i == PLACES ? new ArrayList<>(row.<String>getList(i))
            : row.get(i);
      }
      return new Entry(fields);
    }

    static Entry blank(String requestId) {
      Object[] fields = new Object[Tables.ERASURE_LOG.schema().size()];
      fields[0] = requestId;
      return new Entry(fields);
    }

    String status() {
      return (String) fields[1];
    }

    /** The counts of the work the row records (none yet: zeros). */
    @SuppressWarnings("unchecked")
    ErasureResult.Work work() {
      Map<String, Long> rows = (Map<String, Long>) fields[ROWS_DELETED];
      return new ErasureResult.Work(rows == null ? Map.of() : rows, count(at("files_rewritten")),
          count(at("bytes_rewritten")), 0, count(at("data_files_removed")), 0, 0);
    }

    private long count(int field) {
      return fields[field] == null ? 0L : (Long) fields[field];
    }
  }

  /** The counts of both, rows deleted added up per table. */
  private static ErasureResult.Work plus(ErasureResult.Work a, ErasureResult.Work b) {
    Map<String, Long> rows = new java.util.TreeMap<>(a.rowsDeleted());
    b.rowsDeleted().forEach((table, n) -> rows.merge(table, n, Long::sum));
    return new ErasureResult.Work(rows, a.filesRewritten() + b.filesRewritten(), a.bytesRewritten() + b.bytesRewritten(),
        a.recordsRemoved() + b.recordsRemoved(), a.dataFilesRemoved() + b.dataFilesRemoved(), a.notices() + b.notices(),
        a.identifiersRegrouped() + b.identifiersRegrouped());
  }

  private static final int ROWS_DELETED = Tables.ERASURE_LOG.schema().fieldIndex("rows_deleted");
  private static final int PLACES = Tables.ERASURE_LOG.schema().fieldIndex("places");

  private static int at(String column) {
    return Tables.ERASURE_LOG.schema().fieldIndex(column);
  }

  /** The rows by request id: {@code getString(1)} is the status. */
  Map<String, Row> rows() {
    Map<String, Row> rows = new LinkedHashMap<>();
    entries.forEach((id, entry) -> rows.put(id, RowFactory.create(entry.fields)));
    return rows;
  }

  /**
   * Whether the logged request with {@code request}'s id is about the same subject (type and keyed
   * hash): false for an id not logged, or logged for someone else or without a valid subject.
   */
  boolean sameSubject(ErasureRequests.Request request) {
    Entry entry = entries.get(request.requestId());
    return entry != null && request.type().key().equals(entry.fields[at("subject_type")])
        && keyed.of(request.value()).equals(entry.fields[at("subject_hash")]);
  }

  private Entry entry(String requestId) {
    return entries.computeIfAbsent(requestId, Entry::blank);
  }

  private void set(Entry entry, String column, Object value) {
    entry.fields[at(column)] = value;
  }

  void reject(Collection<ErasureRequests.Rejection> rejections, Instant now) {
    reject(rejections, now, List.of(ErasureJob.Status.REJECTED.name()));
  }

  /**
   * Rejects requests that were resolved but not erased: new ones, and those an earlier run started
   * (IN_PROGRESS) but stopped before it kept their subject, so before any delete.
   */
  void rejectNotStarted(Collection<ErasureRequests.Rejection> rejections, Instant now) {
    reject(rejections, now, List.of(ErasureJob.Status.REJECTED.name(), ErasureJob.Status.IN_PROGRESS.name()));
  }

  /** Records the rejections of requests that are new or in one of {@code replaceable}; others are left as they are. */
  private void reject(Collection<ErasureRequests.Rejection> rejections, Instant now, List<String> replaceable) {
    List<String> ids = new ArrayList<>();
    for (ErasureRequests.Rejection rejection : rejections) {
      Entry entry = entry(rejection.requestId());
      if (entry.status() != null && !replaceable.contains(entry.status())) {
        continue;
      }
      set(entry, "status", ErasureJob.Status.REJECTED.name());
      set(entry, "reason", rejection.reason());
      if (rejection.receivedAt() != null) {
        set(entry, "received_at", Timestamp.from(rejection.receivedAt()));
        set(entry, "due_at", Timestamp.from(rejection.receivedAt().plus(ErasureRequests.DEADLINE)));
      }
      set(entry, "completed_at", Timestamp.from(now));
      set(entry, "run_id", runId);
      ids.add(rejection.requestId());
    }
    write(ids);
  }

  /**
   * Marks {@code requests} IN_PROGRESS. What earlier runs did for them counts in their outcome: the
   * counts their row already holds (a FAILED run's) and the progress of runs that stopped before an
   * outcome ({@code earlier}, each listing the requests of its batch).
   */
  void start(Collection<ErasureRequests.Request> requests, Instant now, List<ErasureWork.Progress> earlier) {
    List<String> ids = new ArrayList<>();
    for (ErasureRequests.Request request : requests) {
      Entry entry = entry(request.requestId());
      ErasureResult.Work done = entry.work();
      for (ErasureWork.Progress progress : earlier) {
        if (progress.requestIds().contains(request.requestId())) {
          done = plus(done, new ErasureResult.Work(progress.rowsDeleted(), progress.filesRewritten(),
              progress.bytesRewritten(), 0, progress.dataFilesRemoved(), 0, 0));
        }
      }
      before.put(request.requestId(), done);
      set(entry, "status", ErasureJob.Status.IN_PROGRESS.name());
      set(entry, "subject_type", request.type().key());
      set(entry, "subject_hash", keyed.of(request.value()));
      set(entry, "received_at", Timestamp.from(request.receivedAt()));
      set(entry, "due_at", Timestamp.from(request.dueAt()));
      if (entry.fields[at("started_at")] == null) {
        set(entry, "started_at", Timestamp.from(now));
      }
      // Taken up again (after a FAILED run, or a corrected request under a REJECTED id): open again.
      set(entry, "reason", null);
      set(entry, "completed_at", null);
      set(entry, "run_id", runId);
      ids.add(request.requestId());
    }
    write(ids);
  }

  void verified(Collection<ErasureRequests.Request> requests, List<ErasureWork.Subject> subjects,
      ErasureResult.Work work, long durationMs) {
    outcome(requests, ErasureJob.Status.VERIFIED, Map.of(), subjects, work, durationMs);
  }

  void failed(Collection<ErasureRequests.Request> requests, Map<String, List<String>> places,
      List<ErasureWork.Subject> subjects, ErasureResult.Work work, long durationMs) {
    outcome(requests, ErasureJob.Status.FAILED, places, subjects, work, durationMs);
  }

  private void outcome(Collection<ErasureRequests.Request> requests, ErasureJob.Status status,
      Map<String, List<String>> places, List<ErasureWork.Subject> subjects, ErasureResult.Work work,
      long durationMs) {
    Map<String, ErasureWork.Subject> byId = new HashMap<>();
    subjects.forEach(subject -> byId.put(subject.requestId(), subject));
    List<String> ids = new ArrayList<>();
    for (ErasureRequests.Request request : requests) {
      Entry entry = entry(request.requestId());
      ErasureWork.Subject subject = byId.get(request.requestId());
      set(entry, "status", status.name());
      List<String> found = places.getOrDefault(request.requestId(), List.of());
      set(entry, "reason", found.isEmpty() ? null
          : "values of the subject still found in " + found.size() + " place(s) after erasing; see places");
      set(entry, "places", found.isEmpty() ? null : new ArrayList<>(found));
      if (subject != null) {
        set(entry, "customer_keys", (long) subject.keys().size());
        set(entry, "identifiers", subject.identifiers().stream().filter(i -> !i.shared()).count());
        set(entry, "shared_identifiers", subject.identifiers().stream().filter(ErasureWork.Identifier::shared).count());
      }
      ErasureResult.Work total = plus(before.getOrDefault(request.requestId(), ErasureResult.Work.NONE), work);
      set(entry, "rows_deleted", new HashMap<>(total.rowsDeleted()));
      set(entry, "files_rewritten", total.filesRewritten());
      set(entry, "bytes_rewritten", total.bytesRewritten());
      set(entry, "data_files_removed", total.dataFilesRemoved());
      set(entry, "batch_requests", (long) subjects.size());
      set(entry, "duration_ms", durationMs);
      set(entry, "run_id", runId);
      ids.add(request.requestId());
    }
    write(ids);
  }

  void complete(Collection<String> requestIds, Instant now) {
    List<String> ids = new ArrayList<>();
    for (String requestId : requestIds) {
      Entry entry = entry(requestId);
      set(entry, "status", ErasureJob.Status.COMPLETED.name());
      set(entry, "completed_at", Timestamp.from(now));
      set(entry, "run_id", runId);
      ids.add(requestId);
    }
    write(ids);
  }

  /** Requests not yet COMPLETED or REJECTED whose deadline has passed. */
  long pastDue(Instant now) {
    return entries.values().stream()
        .filter(entry -> !ErasureJob.Status.CLOSED.contains(entry.status()))
        .filter(entry -> entry.fields[at("due_at")] instanceof Timestamp due && due.toInstant().isBefore(now))
        .count();
  }

  private void write(List<String> ids) {
    if (ids.isEmpty()) {
      return;
    }
    List<Row> rows = ids.stream().distinct().map(id -> RowFactory.create(entries.get(id).fields)).toList();
    store.upsert(Tables.ERASURE_LOG, store.spark().createDataFrame(rows, Tables.ERASURE_LOG.schema()),
        List.of("request_id"), "true", false, commitNote);
  }
}
