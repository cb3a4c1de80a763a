package io.tarmo.erasure;

import static org.apache.spark.sql.functions.col;

import io.tarmo.Phases;
import io.tarmo.TarmoException;
import io.tarmo.identity.IdentityJob;
import io.tarmo.identity.IdentitySettings;
import io.tarmo.lake.DeltaStore;
import io.tarmo.lake.ErasureWork;
import io.tarmo.lake.ExportFiles;
import io.tarmo.lake.LakeFiles;
import io.tarmo.lake.Lake;
import io.tarmo.lake.RequestFiles;
import io.tarmo.lake.SubjectRows;
import io.tarmo.lake.SuppressionKeys;
import io.tarmo.lake.TableSpec;
import io.tarmo.lake.Tables;
import io.tarmo.subject.Pseudonyms;
import io.tarmo.subject.SubjectSet;
import io.tarmo.subject.ValueMatcher;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;

/**
 * One erasure batch (CONTRACT section 5): every pending request (or those of one file) resolved to
 * its subject through the identity graph, the subjects' rows deleted from every catalogued table in
 * one pass per table, the landing, quarantine and export files that mention them rewritten,
 * deleted rows made unrecoverable (deletion vectors purged, unreferenced files vacuumed), the
 * erased identifiers suppressed as keyed hashes, and then the whole lake read file by file, without
 * trusting the Delta log, for any value of the subjects. Only a request none of whose values is
 * found anywhere becomes COMPLETED.
 *
 * <p>Restartable at any point: each request's resolved subject is kept in a work file before the
 * first delete (erasure deletes the rows it was resolved from), every step finds nothing to do the
 * second time, and a request's status in {@code erasure_log} says where it stands.
 */
public final class ErasureJob {

  /** Request statuses in {@code erasure_log}. */
  public enum Status {
    REJECTED, IN_PROGRESS, VERIFIED, COMPLETED, FAILED;

    /** The statuses after which nothing more is done for a request; a request in any other is open. */
    public static final List<String> CLOSED = List.of(COMPLETED.name(), REJECTED.name());
  }

  /** Why a request made by an identifier that more than one customer holds is rejected. */
  static final String SHARED_REQUEST = "the identifier is held by more than one customer (a shared device), so it "
      + "cannot say whose data to erase; send the request again with an identifier of the person alone (email, phone, "
      + "customer_id or loyalty_card_id) under a new request_id";

  /** The landing folders whose raw files are searched line by line and rewritten. */
  private static final List<String> LANDING = List.of("landing/events", "landing/crm", "landing/consent");

  private final DeltaStore store;
  private final Optional<Pseudonyms> pseudonyms;
  private final String phoneRegion;
  private final IdentitySettings identity;
  private final Clock clock;
  /** Told the name of each stage as it ends: tests stop the batch there, as a kill would. */
  private java.util.function.Consumer<String> stages = stage -> {};

  public ErasureJob(DeltaStore store, Optional<Pseudonyms> pseudonyms, String phoneRegion, IdentitySettings identity,
      Clock clock) {
    this.store = store;
    this.pseudonyms = pseudonyms;
    this.phoneRegion = phoneRegion;
    this.identity = identity;
    this.clock = clock;
  }

  /**
   * Calls {@code listener} with each stage's name as it ends: tests stop a batch there as a kill
   * would, the benchmark times the stages.
   */
  public ErasureJob onStageListener(java.util.function.Consumer<String> listener) {
    return onStage(listener);
  }

  ErasureJob onStage(java.util.function.Consumer<String> listener) {
    this.stages = listener;
    return this;
  }

  /** Refuses to start without the pseudonym key (exit 2): suppression and the log need it. */
  public void check() {
    if (pseudonyms.isEmpty()) {
      throw TarmoException.usage("Cannot run erase: " + Pseudonyms.KEY_VARIABLE + " is not set; erasure records "
          + "keyed hashes of the erased identifiers in suppression_list and needs the key the lake uses");
    }
  }

  /**
   * Runs the batch of {@code requestsFile}, or of every pending file in {@code landing/erasure}
   * when it is null.
   */
  public ErasureResult run(String requestsFile, String commitNote, String runId) {
    check();
    try (Phases phases = Phases.start(store.spark(), "erase", clock)) {
      return run(requestsFile, commitNote, runId, phases);
    }
  }

  private ErasureResult run(String requestsFile, String commitNote, String runId, Phases phases) {
    Pseudonyms keyed = pseudonyms.orElseThrow();
    Instant now = clock.instant();
    Lake lake = store.lake();
    RequestFiles requestFiles = new RequestFiles(store.spark(), lake);
    List<String> files = requestsFile == null ? requestFiles.pending() : List.of(requestsFile);
    Map<String, List<String>> lines = new LinkedHashMap<>();
    for (String file : files) {
      lines.put(file, requestFiles.lines(file));
    }
    ErasureRequests.Batch batch = ErasureRequests.parse(lines, phoneRegion);
    store.ensure(Tables.ERASURE_LOG);
    SuppressionKeys.record(store, keyed, "erase");
    ErasureLog log = new ErasureLog(store, keyed, commitNote, runId);
    Map<String, Row> logged = log.rows();

    ErasureResult.Builder result = new ErasureResult.Builder();
    result.received(batch.requests().size() + batch.rejections().size());
    Set<String> finished = new HashSet<>();
    List<ErasureRequests.Rejection> newRejections = new ArrayList<>();
    for (ErasureRequests.Rejection rejection : batch.rejections()) {
      Row row = logged.get(rejection.requestId());
      if (row != null && !row.getString(1).equals(Status.REJECTED.name())) {
        // The id belongs to an earlier request; its row is left as it is.
        result.rejected(rejection.requestId() + ": " + rejection.reason() + " (the id was used before)");
      } else {
        newRejections.add(rejection);
        result.rejected(rejection.requestId() + ": " + rejection.reason());
      }
      finished.add(rejection.requestId());
    }
    log.reject(newRejections, now);

    List<ErasureRequests.Request> active = new ArrayList<>();
    List<ErasureRequests.Request> verified = new ArrayList<>();
    for (ErasureRequests.Request request : batch.requests()) {
      Row row = logged.get(request.requestId());
      String status = row == null ? null : row.getString(1);
      if (row != null && !log.sameSubject(request) && !Status.REJECTED.name().equals(status)) {
        // Another subject under an id already taken: never erased silently in the earlier one's name.
        result.rejected(request.requestId() + ": the request_id was used before for another subject; "
            + "send the request again with a new request_id");
        finished.add(request.requestId());
      } else if (Status.COMPLETED.name().equals(status)) {
        result.alreadyDone(request.requestId());
        finished.add(request.requestId());
      } else if (Status.VERIFIED.name().equals(status)) {
        verified.add(request);
      } else {
        active.add(request);
      }
    }

    ErasureResult.Work work = ErasureResult.Work.NONE;
    Map<String, List<String>> placesByRequest = new HashMap<>();
    List<ErasureWork.Subject> subjects = new ArrayList<>();
    ErasureWork workFiles = new ErasureWork(lake, store.spark().sparkContext().hadoopConfiguration());
    // A request made by an identifier another customer holds too (a shared laptop's cookie) cannot
    // say whose data it is: it is rejected before anything is erased, and nobody is erased by it.
    List<ErasureRequests.Request> unresolved = new ArrayList<>();
    for (ErasureRequests.Request request : active) {
      workFiles.read(request.requestId()).ifPresentOrElse(subjects::add, () -> unresolved.add(request));
    }
    List<ErasureWork.Subject> resolved = new ArrayList<>();
    if (!unresolved.isEmpty()) {
      phases.describe("resolve");
      Map<String, Instant> receivedAt = new HashMap<>();
      unresolved.forEach(request -> receivedAt.put(request.requestId(), request.receivedAt()));
      List<ErasureRequests.Rejection> shared = new ArrayList<>();
      for (ErasureWork.Subject subject : new Subjects(store).resolve(unresolved)) {
        if (Subjects.requestedByASharedIdentifier(subject)) {
          shared.add(new ErasureRequests.Rejection(subject.requestId(), SHARED_REQUEST,
              receivedAt.get(subject.requestId())));
        } else {
          resolved.add(subject);
        }
      }
      log.rejectNotStarted(shared, now);
      Set<String> sharedIds = new HashSet<>();
      for (ErasureRequests.Rejection rejection : shared) {
        result.rejected(rejection.requestId() + ": " + rejection.reason());
        sharedIds.add(rejection.requestId());
      }
      finished.addAll(sharedIds);
      active.removeIf(request -> sharedIds.contains(request.requestId()));
    }
    if (!active.isEmpty()) {
      List<ErasureWork.Progress> earlier = workFiles.progress();
      log.start(active, now, earlier);
      for (ErasureWork.Subject subject : resolved) {
        workFiles.write(subject);
        subjects.add(subject);
      }
      stage(phases, "resolved");
      SubjectSet rows = Subjects.rowsOf(subjects, phoneRegion);
      List<String> activeIds = active.stream().map(ErasureRequests.Request::requestId).toList();
      work = erase(subjects, rows, keyed, now, commitNote, phases, done -> workFiles.writeProgress(
          new ErasureWork.Progress(runId, activeIds, done.rowsDeleted(), done.filesRewritten(), done.bytesRewritten(),
              done.dataFilesRemoved())));
      phases.describe("verify");
      placesByRequest.putAll(verify(subjects, rows, keyed, requestFiles));
      stage(phases, "scanned");
      List<ErasureRequests.Request> failed = new ArrayList<>();
      for (ErasureRequests.Request request : active) {
        (placesByRequest.containsKey(request.requestId()) ? failed : verified).add(request);
      }
      log.failed(failed, placesByRequest, subjects, work, phases.elapsedMillis());
      log.verified(active.stream().filter(request -> !placesByRequest.containsKey(request.requestId())).toList(),
          subjects, work, phases.elapsedMillis());
      failed.forEach(request -> result.failed(request.requestId(), placesByRequest.get(request.requestId())));
      // Their counts are in the log now: this run's progress, and that of the runs it finished for.
      // (A stop between the two leaves a FAILED request's earlier progress behind, counted twice.)
      workFiles.deleteProgress(runId);
      earlier.stream().filter(progress -> progress.requestIds().stream().anyMatch(activeIds::contains))
          .forEach(progress -> workFiles.deleteProgress(progress.runId()));
      stage(phases, "verified");
    }

    // The request's own files go last: its lines in landing/erasure, then its work file.
    Set<String> verifiedIds = verified.stream().map(ErasureRequests.Request::requestId)
        .collect(Collectors.toCollection(java.util.TreeSet::new));
    // A request verified by a run that stopped after removing its request lines is in no file now.
    logged.forEach((id, row) -> {
      if (Status.VERIFIED.name().equals(row.getString(1))) {
        verifiedIds.add(id);
      }
    });
    finished.addAll(verifiedIds);
    if (requestsFile == null || requestFiles.isPending(requestsFile)) {
      result.requestFilesRewritten(requestFiles.remove(finished, ErasureRequests::unusable));
    }
    stage(phases, "request-files-removed");
    verifiedIds.forEach(workFiles::delete);
    stage(phases, "work-files-removed");
    log.complete(verifiedIds, clock.instant());
    verifiedIds.forEach(result::completed);

    result.pastDue(log.pastDue(clock.instant()));
    result.work(work);
    result.durationMs(phases.elapsedMillis());
    return result.build();
  }

  /** Ends a stage: its time is logged, and the listener (a test's kill, the benchmark's timer) told. */
  private void stage(Phases phases, String name) {
    phases.done(name);
    stages.accept(name);
  }

  /**
   * Deletes, rewrites, suppresses and vacuums for the whole batch; each step finds nothing the second
   * time. {@code progress} is told the counts so far after each step that changed something, so a
   * run that stops does not take them with it.
   */
  private ErasureResult.Work erase(List<ErasureWork.Subject> subjects, SubjectSet rows, Pseudonyms keyed,
      Instant now, String commitNote, Phases phases, java.util.function.Consumer<ErasureResult.Work> progress) {
    LocalDate today = LocalDate.ofInstant(now, ZoneOffset.UTC);

    // Downstream notices first: the activation rows that name the channels are deleted next.
    phases.describe("notices");
    Map<String, Set<Long>> noticed = new TreeMap<>();
    if (!rows.keys().isEmpty() && store.exists(Tables.ACTIVATION)) {
      for (Row row : store.read(Tables.ACTIVATION).where(rows.keyIn(col("customer_key")))
          .select(col("channel"), col("customer_key")).distinct().collectAsList()) {
        noticed.computeIfAbsent(row.getString(0), channel -> new HashSet<>()).add(row.getLong(1));
      }
    }
    ExportFiles exports = new ExportFiles(store.spark(), store.lake());
    exports.addErasureNotices(today, noticed);
    stage(phases, "notices");

    phases.describe("suppress");
    suppress(subjects, keyed, now, commitNote);
    stage(phases, "suppressed");

    phases.describe("hand over shared identifiers");
    handOver(subjects, today, commitNote);
    Map<String, Long> deleted = new LinkedHashMap<>();
    for (TableSpec spec : Tables.ALL) {
      if (spec.personal()) {
        phases.describe("delete from " + spec.name());
        long n = store.delete(spec, SubjectRows.condition(spec, rows), commitNote);
        if (n > 0) {
          deleted.put(spec.name(), n);
          progress.accept(new ErasureResult.Work(deleted, 0, 0, 0, 0, 0, 0));
        }
        stage(phases, "deleted:" + spec.name());
      }
    }
    // The subjects' clusters without them: the other customers in them, re-solved from the links left.
    Set<Long> clusters = new java.util.TreeSet<>();
    subjects.forEach(subject -> clusters.addAll(subject.clusters()));
    phases.describe("regroup");
    Map<String, Long> regrouped = new IdentityJob(store, identity, clock).regroup(clusters, today, commitNote);
    stage(phases, "regrouped");

    phases.describe("rewrite files");
    LakeFiles lakeFiles = new LakeFiles(store.spark(), store.lake());
    ValueMatcher text = rows.text();
    LakeFiles.Rewrite rewritten = LakeFiles.Rewrite.NONE;
    for (String folder : LANDING) {
      rewritten = rewritten.plus(lakeFiles.rewrite(folder, text::matches));
    }
    LakeFiles.Rewrite exported = lakeFiles.rewrite(ExportFiles.FOLDER, List.of(ExportFiles.ERASURE_NOTICES),
        SubjectRows.filter(Tables.folder(ExportFiles.FOLDER), rows));
    exports.refreshManifests(exported.paths());
    rewritten = rewritten.plus(exported);
    if (rewritten.files() > 0) {
      progress.accept(new ErasureResult.Work(deleted, rewritten.files(), rewritten.bytes(), rewritten.records(), 0, 0, 0));
    }
    stage(phases, "rewritten");

    phases.describe("vacuum");
    long removed = store.vacuumAll(Tables.ALL.stream().filter(TableSpec::personal).toList(), java.time.Duration.ZERO);
    ErasureResult.Work work = new ErasureResult.Work(deleted, rewritten.files(), rewritten.bytes(), rewritten.records(),
        removed, noticed.values().stream().mapToLong(Set::size).sum(),
        regrouped.getOrDefault("identity.regroup.changed", 0L) + regrouped.getOrDefault("identity.regroup.deleted", 0L));
    if (removed > 0) {
      progress.accept(work);
    }
    stage(phases, "vacuumed");
    return work;
  }

  /**
   * Gives each shared identifier that identity_map assigns to a subject to the other customer who
   * holds it (a family laptop's cookie goes to the other person who logged in on it), before the
   * subject's map rows are deleted: the other customer keeps it, as the identity rules would decide
   * without the subject. Idempotent: a second run finds the rows already handed over.
   */
  private void handOver(List<ErasureWork.Subject> subjects, LocalDate today, String commitNote) {
    List<Row> owners = new ArrayList<>();
    for (ErasureWork.Subject subject : subjects) {
      for (ErasureWork.Identifier identifier : subject.identifiers()) {
        if (identifier.shared() && identifier.owner() != null) {
          owners.add(RowFactory.create(identifier.type(), identifier.value(), identifier.owner()));
        }
      }
    }
    if (owners.isEmpty()) {
      return;
    }
    Dataset<Row> map = store.read(Tables.IDENTITY_MAP);
    Dataset<Row> handed = store.spark().createDataFrame(owners, new org.apache.spark.sql.types.StructType()
        .add("identifier_type", org.apache.spark.sql.types.DataTypes.StringType)
        .add("identifier_value", org.apache.spark.sql.types.DataTypes.StringType)
        .add("owner", org.apache.spark.sql.types.DataTypes.LongType));
    Dataset<Row> clusters = map.groupBy(col("customer_key").as("owner"))
        .agg(org.apache.spark.sql.functions.min(col("cluster_id")).as("owner_cluster"));
    Dataset<Row> rows = map.join(handed, scala.jdk.javaapi.CollectionConverters.asScala(
            List.of("identifier_type", "identifier_value")).toSeq())
        .where(col("customer_key").notEqual(col("owner")))
        .join(clusters, scala.jdk.javaapi.CollectionConverters.asScala(List.of("owner")).toSeq(), "left_outer")
        .withColumn("customer_key", col("owner"))
        .withColumn("cluster_id", org.apache.spark.sql.functions.coalesce(col("owner_cluster"), col("owner")))
        .withColumn("updated_date", org.apache.spark.sql.functions.lit(java.sql.Date.valueOf(today)));
    store.upsert(Tables.IDENTITY_MAP, rows, List.of("identifier_type", "identifier_value"), "true", false, commitNote);
  }

  /** Records keyed hashes of every erased identifier (shared ones excepted) in suppression_list. */
  private void suppress(List<ErasureWork.Subject> subjects, Pseudonyms keyed, Instant now, String commitNote) {
    Map<String, Row> rows = new LinkedHashMap<>();
    for (ErasureWork.Subject subject : subjects) {
      for (ErasureWork.Identifier identifier : subject.identifiers()) {
        if (!identifier.shared()) {
          String hash = keyed.of(identifier.value());
          rows.putIfAbsent(identifier.type() + ":" + hash,
              RowFactory.create(identifier.type(), hash, Timestamp.from(now), subject.requestId()));
        }
      }
    }
    if (rows.isEmpty()) {
      return;
    }
    Dataset<Row> suppressed = store.spark().createDataFrame(List.copyOf(rows.values()),
        Tables.SUPPRESSION_LIST.schema());
    // An identifier erased again (the person came back, then asked again) moves its cutoff to this erasure.
    store.upsert(Tables.SUPPRESSION_LIST, suppressed, List.of("identifier_type", "identifier_hash"),
        "s.suppressed_at > t.suppressed_at", false, commitNote);
  }

  /**
   * Reads every file under the lake root for every value of the batch, except the requests' own
   * files (the pending request files and the work files, removed right after once finished).
   * Returns the places found, by request, each as {@code path#<hash prefix>}.
   */
  private Map<String, List<String>> verify(List<ErasureWork.Subject> subjects, SubjectSet rows, Pseudonyms keyed,
      RequestFiles requestFiles) {
    // The pending request files and the work files hold the requests themselves, and go once they
    // are finished; anything else in their folders (a note dropped beside the requests) is read.
    List<LakeFiles.Finding> findings = new LakeFiles(store.spark(), store.lake())
        .scan(rows.text(), List.of(ErasureWork.FOLDER), Set.copyOf(requestFiles.pending()));
    Map<String, Set<String>> requestsByValue = new HashMap<>();
    for (ErasureWork.Subject subject : subjects) {
      for (ErasureWork.Identifier identifier : subject.identifiers()) {
        if (!identifier.shared()) {
          requestsByValue.computeIfAbsent(identifier.value(), value -> new HashSet<>()).add(subject.requestId());
        }
      }
    }
    Map<String, List<String>> places = new TreeMap<>();
    for (LakeFiles.Finding finding : findings) {
      String hash = finding.value() == null ? "unreadable" : keyed.of(finding.value()).substring(0, 12);
      // A path that names a value (a folder called after an email) is shown by its hash too.
      String path = rows.text().matches(finding.path())
          ? "path:" + keyed.of(finding.path()).substring(0, 12) : finding.path();
      Set<String> requests = finding.value() == null
          ? subjects.stream().map(ErasureWork.Subject::requestId).collect(Collectors.toSet())
          : requestsByValue.getOrDefault(finding.value(), Set.of());
      for (String request : requests) {
        places.computeIfAbsent(request, id -> new ArrayList<>()).add(path + "#" + hash);
      }
    }
    return places;
  }
}
