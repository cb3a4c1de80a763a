package io.tarmo.dsar;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.to_json;
import static org.apache.spark.sql.functions.when;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tarmo.Phases;
import io.tarmo.TarmoException;
import io.tarmo.erasure.ErasureRequests;
import io.tarmo.erasure.Subjects;
import io.tarmo.lake.AccessFolder;
import io.tarmo.lake.DeltaStore;
import io.tarmo.lake.ErasureWork;
import io.tarmo.lake.LakeFiles;
import io.tarmo.lake.LandingSpec;
import io.tarmo.lake.Retention;
import io.tarmo.lake.SubjectLookup;
import io.tarmo.lake.SubjectRows;
import io.tarmo.lake.SuppressionKeys;
import io.tarmo.lake.TableSpec;
import io.tarmo.lake.Tables;
import io.tarmo.subject.Pseudonyms;
import io.tarmo.subject.SubjectSet;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.MapType;
import org.apache.spark.sql.types.StructField;

/**
 * An access request (GDPR Art. 15, CONTRACT section 1 {@code dsar}): everything the lake holds about
 * one data subject, written to a folder outside the lake. The subject is resolved exactly as an
 * erasure resolves it ({@link Subjects}: every customer_key, merged-away keys included, and every
 * identifier of those keys), and rows and file lines are found by the same catalogue lookups
 * erasure deletes by ({@link SubjectRows}), so an access request shows exactly what an erasure would
 * remove. An identifier the subject shares with another customer (a family laptop's cookie) finds
 * nothing on its own: nothing about the other person is exported; a request by such an identifier
 * is refused (exit 2), as it cannot say whose data it asks for.
 *
 * <p>Read-only on the lake. The folder gets {@code tables/<table>.json} (JSON lines, every column,
 * nulls included), {@code files/<folder>.jsonl} (file, line, CSV header, record) and
 * {@value DsarSummary#FILE}.
 */
public final class DsarJob {

  /** Where a request's subject is named: {@code TYPE:VALUE}. */
  private static final String SUBJECT_FORMAT = "TYPE:VALUE with TYPE one of ";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final DeltaStore store;
  private final String phoneRegion;
  private final Optional<Pseudonyms> pseudonyms;
  private final Clock clock;

  public DsarJob(DeltaStore store, String phoneRegion, Optional<Pseudonyms> pseudonyms, Clock clock) {
    this.store = store;
    this.phoneRegion = phoneRegion;
    this.pseudonyms = pseudonyms;
    this.clock = clock;
  }

  /**
   * The subject of {@code --subject TYPE:VALUE}, validated and normalised as an erasure request's:
   * exit 2 with a reason that never quotes the value.
   */
  public static ErasureRequests.Request subject(String typeAndValue, String phoneRegion, Instant now) {
    int colon = typeAndValue == null ? -1 : typeAndValue.indexOf(':');
    if (colon <= 0) {
      throw TarmoException.usage("Cannot read --subject: expected " + SUBJECT_FORMAT
          + io.tarmo.subject.IdentifierType.names());
    }
    return ErasureRequests.request("dsar", typeAndValue.substring(0, colon).strip(),
        typeAndValue.substring(colon + 1), now, phoneRegion);
  }

  /** Writes everything held about the subject of {@code request} into {@code out}. */
  public DsarResult run(ErasureRequests.Request request, AccessFolder out) {
    try (Phases phases = Phases.start(store.spark(), "dsar", clock)) {
      return run(request, out, phases);
    }
  }

  private DsarResult run(ErasureRequests.Request request, AccessFolder out, Phases phases) {
    Instant now = clock.instant();
    phases.describe("resolve");
    ErasureWork.Subject subject = new Subjects(store).resolve(List.of(request)).get(0);
    if (Subjects.requestedByASharedIdentifier(subject)) {
      throw TarmoException.usage("Cannot answer the access request: the " + request.type().key() + " given is held "
          + "by more than one customer (a shared device), so it cannot say whose data to export; ask again with an "
          + "identifier of the person alone (email, phone, customer_id or loyalty_card_id)");
    }
    SubjectSet rows = Subjects.rowsOf(List.of(subject), phoneRegion);
    phases.done("resolved");

    Map<String, Long> rowsByTable = new LinkedHashMap<>();
    Map<String, List<Map<String, Object>>> found = new LinkedHashMap<>();
    for (TableSpec spec : Tables.ALL) {
      if (!spec.personal() || !store.exists(spec)) {
        continue;
      }
      phases.describe("read " + spec.name());
      List<Row> tableRows = rowsOf(spec, rows);
      rowsByTable.put(spec.name(), (long) tableRows.size());
      if (!tableRows.isEmpty()) {
        int json = tableRows.get(0).fieldIndex(JSON_COLUMN);
        out.write(DsarSummary.tableFile(spec.name()), tableRows.stream().map(row -> row.getString(json)).toList());
        found.put(spec.name(), tableRows.stream().map(DsarJob::values).toList());
      }
    }

    phases.done("tables");

    Map<String, Long> linesByFolder = new LinkedHashMap<>();
    LakeFiles files = new LakeFiles(store.spark(), store.lake());
    for (LandingSpec folder : Tables.FOLDERS) {
      if (!searched(folder)) {
        continue;
      }
      phases.describe("read " + folder.path());
      List<LakeFiles.Line> lines = files.lines(folder.path(), nestedFolders(folder), SubjectRows.filter(folder, rows));
      linesByFolder.put(folder.path(), (long) lines.size());
      if (!lines.isEmpty()) {
        out.write(DsarSummary.folderFile(folder.path()), lines.stream().map(DsarJob::json).toList());
      }
    }

    phases.done("files");

    phases.describe("summary");
    DsarSummary.Findings findings = new DsarSummary.Findings(request.type().key(), now, subject, found, rowsByTable,
        linesByFolder, titles(found.getOrDefault(Tables.SEGMENT_MEMBERSHIP.name(), List.of())),
        erasureStatus(subject, linesByFolder.getOrDefault("landing/erasure", 0L)));
    out.write(DsarSummary.FILE, List.of(DsarSummary.markdown(findings).stripTrailing()));

    boolean known = rowsByTable.values().stream().anyMatch(n -> n > 0)
        || linesByFolder.values().stream().anyMatch(n -> n > 0);
    long shared = subject.identifiers().stream().filter(ErasureWork.Identifier::shared).count();
    return new DsarResult(known, subject.keys().size(), subject.identifiers().size() - shared, shared, rowsByTable,
        linesByFolder, out.location(), phases.elapsedMillis());
  }

  private static final String JSON_COLUMN = "__dsar_json";

  /**
   * The table's rows about the subject, each with every column and its JSON line (nulls kept), in
   * JSON order. A customer_key column the catalogue declares that holds another customer's key (an
   * identity decision that kept the subject and someone else apart) is null: the other person's
   * key is theirs.
   */
  private List<Row> rowsOf(TableSpec spec, SubjectSet subjects) {
    Set<String> keyColumns = new LinkedHashSet<>();
    spec.lookups().stream().filter(SubjectLookup.ByCustomerKey.class::isInstance)
        .forEach(lookup -> keyColumns.addAll(lookup.columns()));
    Dataset<Row> table = store.read(spec);
    Column[] columns = Arrays.stream(table.columns())
        .map(name -> keyColumns.contains(name)
            ? when(subjects.keyIn(col(name)), col(name)).as(name)
            : col("`" + name + "`"))
        .toArray(Column[]::new);
    List<Row> rows = new ArrayList<>(table.where(SubjectRows.condition(spec, subjects)).select(columns)
        .select(col("*"), to_json(struct(Arrays.stream(table.columns()).map(name -> col("`" + name + "`"))
            .toArray(Column[]::new)), Map.of("ignoreNullFields", "false")).as(JSON_COLUMN))
        .collectAsList());
    rows.sort((a, b) -> a.getString(a.fieldIndex(JSON_COLUMN)).compareTo(b.getString(b.fieldIndex(JSON_COLUMN))));
    return rows;
  }

  /** A collected row as column → value, in the table's column order (lists and maps as Java collections). */
  private static Map<String, Object> values(Row row) {
    Map<String, Object> values = new LinkedHashMap<>();
    for (StructField field : row.schema().fields()) {
      if (field.name().equals(JSON_COLUMN)) {
        continue;
      }
      int i = row.fieldIndex(field.name());
      Object value = row.isNullAt(i) ? null
          : field.dataType() instanceof ArrayType ? row.getList(i)
          : field.dataType() instanceof MapType ? row.getJavaMap(i)
          : row.get(i);
      values.put(field.name(), value);
    }
    return values;
  }

  /**
   * Whether a folder of the catalogue is searched: every folder with a lookup, except Tarmo's own
   * scratch space (an erasure's work file lists the shared identifiers of its subject, which are
   * someone else's too).
   */
  private static boolean searched(LandingSpec folder) {
    return folder.retention() != Retention.SCRATCH
        && folder.lookups().stream().noneMatch(SubjectLookup.None.class::isInstance);
  }

  /** Folders of the catalogue inside {@code folder}: searched on their own, not twice. */
  private static List<String> nestedFolders(LandingSpec folder) {
    return Tables.FOLDERS.stream().map(LandingSpec::path)
        .filter(path -> path.startsWith(folder.path() + "/")).toList();
  }

  private static String json(LakeFiles.Line line) {
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("file", line.path());
    fields.put("line", line.line());
    if (line.header() != null) {
      fields.put("header", line.header());
    }
    fields.put("record", line.record());
    try {
      return JSON.writeValueAsString(fields);
    } catch (JsonProcessingException e) {
      throw TarmoException.job("Cannot write a file line of the access request (" + line.path() + ")", e);
    }
  }

  /** Segment titles by {@code as_of_date/segment_id}, from {@code segment_sizes}, for the subject's memberships. */
  private Map<String, String> titles(List<Map<String, Object>> memberships) {
    if (memberships.isEmpty() || !store.exists(Tables.SEGMENT_SIZES)) {
      return Map.of();
    }
    Set<String> segments = new LinkedHashSet<>();
    memberships.forEach(membership -> segments.add(String.valueOf(membership.get("segment_id"))));
    Map<String, String> titles = new HashMap<>();
    for (Row row : store.read(Tables.SEGMENT_SIZES).where(col("segment_id").isin(segments.toArray()))
        .select(col("as_of_date").cast("string"), col("segment_id"), col("title")).collectAsList()) {
      titles.put(row.getString(0) + "/" + row.getString(1), row.getString(2));
    }
    return titles;
  }

  /**
   * What {@code suppression_list} and {@code erasure_log} say about the subject's identifiers, by
   * their keyed hashes (lines without any identifier); without the key, whether it could be checked.
   */
  private List<String> erasureStatus(ErasureWork.Subject subject, long pendingRequestLines) {
    List<String> lines = new ArrayList<>();
    if (pendingRequestLines > 0) {
      lines.add(pendingRequestLines + " pending erasure request line(s) in landing/erasure name the subject: "
          + "the next erase run removes everything exported here.");
    }
    boolean suppression = store.exists(Tables.SUPPRESSION_LIST);
    boolean log = store.exists(Tables.ERASURE_LOG);
    if (!suppression && !log) {
      lines.add("No erasure has been run on this lake: nothing is suppressed.");
      return lines;
    }
    if (pseudonyms.isEmpty()) {
      lines.add("Not checked: " + Pseudonyms.KEY_VARIABLE + " is not set, and suppression_list and erasure_log "
          + "hold keyed hashes only. Run again with the key to see whether an identifier was erased before.");
      return lines;
    }
    SuppressionKeys.verify(store, pseudonyms.get(), "dsar");
    Map<String, String> typeByHash = new HashMap<>();
    for (ErasureWork.Identifier identifier : subject.identifiers()) {
      if (!identifier.shared()) {
        typeByHash.put(pseudonyms.get().of(identifier.value()), identifier.type());
      }
    }
    Object[] hashes = typeByHash.keySet().toArray();
    if (suppression) {
      List<Row> suppressed = store.read(Tables.SUPPRESSION_LIST).where(col("identifier_hash").isin(hashes))
          .select(col("identifier_type"), col("suppressed_at"), col("request_id"))
          .orderBy(col("suppressed_at"), col("identifier_type")).collectAsList();
      if (suppressed.isEmpty()) {
        lines.add("None of the subject's identifiers is suppressed.");
      }
      for (Row row : suppressed) {
        lines.add("Suppressed (erased, never contacted again): an identifier of type " + row.getString(0)
            + " since " + DsarSummary.text(row.get(1)) + " (erasure request " + row.getString(2) + ").");
      }
    }
    if (log) {
      for (Row row : store.read(Tables.ERASURE_LOG).where(col("subject_hash").isin(hashes))
          .select(col("request_id"), col("status"), col("received_at"), col("completed_at"))
          .orderBy(col("received_at")).collectAsList()) {
        lines.add("Erasure request " + row.getString(0) + ": " + row.getString(1) + ", received "
            + DsarSummary.text(row.get(2))
            + (row.isNullAt(3) ? "" : ", completed " + DsarSummary.text(row.get(3))) + ".");
      }
    }
    return lines;
  }
}
