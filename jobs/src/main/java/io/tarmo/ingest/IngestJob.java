package io.tarmo.ingest;

import static io.tarmo.ingest.LineChecks.DROPPED;
import static io.tarmo.ingest.LineChecks.OUTCOME;
import static io.tarmo.ingest.LineChecks.QUARANTINED;
import static io.tarmo.ingest.LineChecks.REASON;
import static io.tarmo.ingest.LineChecks.SUPPRESSED;
import static io.tarmo.ingest.LineChecks.UNREADABLE;
import static io.tarmo.ingest.LineChecks.VALID;
import static io.tarmo.ingest.LineChecks.VALUE;
import static org.apache.spark.sql.functions.broadcast;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.count_if;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.trim;

import io.tarmo.Phases;
import io.tarmo.Observations;
import io.tarmo.SessionSettings;
import io.tarmo.TarmoException;
import io.tarmo.lake.DeltaStore;
import io.tarmo.lake.Intermediates;
import io.tarmo.lake.Lake.Source;
import io.tarmo.lake.LandingFiles;
import io.tarmo.lake.LandingReader;
import io.tarmo.lake.SuppressionKeys;
import io.tarmo.lake.TableSpec;
import io.tarmo.lake.Tables;
import io.tarmo.subject.Pseudonyms;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Observation;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code ingest --date D}: the landing day D of events, CRM and consent into the bronze tables
 * {@code events}, {@code crm_customers}, {@code consent_events} and {@code quarantine}.
 *
 * <p>Each source's lines are parsed and classified once and kept ({@link Intermediates}: computed
 * once, held by the executors, a single leaf in every later plan). From the kept lines come the
 * count of every line's fate, the keys that repeat, the rows to store and the quarantine rows.
 *
 * <p>Re-running a day leaves the tables as one run would: events, consent and quarantine rows of
 * a day are replaced as a whole ({@code replaceWhere ingest_date = D}), after dropping keys that
 * earlier deliveries already brought; CRM rows are upserted by latest {@code updated_at}. Days
 * are expected to be ingested in date order, as a scheduler runs them.
 *
 * <p>Lines about an erased person dated at or before the erasure are neither stored nor
 * quarantined ({@link SuppressionGuard}, CONTRACT 5). {@code suppression_list} holds keyed hashes:
 * while it has rows, the job needs the key ({@link Pseudonyms}) and refuses to start without it,
 * since it could not tell the erased from the rest. An empty or missing list needs no key and
 * hashes nothing.
 */
public final class IngestJob {

  private static final Logger LOG = LoggerFactory.getLogger(IngestJob.class);

  /**
   * Up to this many repeated keys are broadcast to the join that picks the copies to keep, and up to
   * this many keys of a consent delivery to the scan of the ledger's keys that finds earlier deliveries.
   */
  private static final long BROADCAST_KEYS = 2_000_000L;

  /** The Spark setting {@link #run} lowers while ingest runs. */
  private static final String HUGE_METHOD_LIMIT = "spark.sql.codegen.hugeMethodLimit";

  private final DeltaStore store;
  private final IngestSettings settings;
  private final PrivacySettings privacy;
  private final Optional<Pseudonyms> pseudonyms;

  /** A job without the pseudonym key: it refuses to run while {@code suppression_list} has rows. */
  public IngestJob(DeltaStore store, IngestSettings settings, PrivacySettings privacy) {
    this(store, settings, privacy, Optional.empty());
  }

  /**
   * @param pseudonyms the suppression list's key, resolved by the caller (the command line reads
   *     {@value Pseudonyms#KEY_VARIABLE}); empty when none is set
   */
  public IngestJob(DeltaStore store, IngestSettings settings, PrivacySettings privacy,
      Optional<Pseudonyms> pseudonyms) {
    this.store = store;
    this.settings = settings;
    this.privacy = privacy;
    this.pseudonyms = pseudonyms;
  }

  /**
   * Refuses what no run of {@code day} could get past, looking only at what the night does not
   * write: erased identifiers that cannot be recognised without the pseudonym key (exit 2).
   */
  public void validate(LocalDate day) {
    if (pseudonyms.isEmpty() && suppressionListHasRows()) {
      throw TarmoException.usage("Cannot ingest " + day + ": suppression_list holds erased identifiers and "
          + Pseudonyms.KEY_VARIABLE + " is not set; set it to the key the erasures used");
    }
  }

  private boolean suppressionListHasRows() {
    return store.exists(Tables.SUPPRESSION_LIST) && !store.read(Tables.SUPPRESSION_LIST).isEmpty();
  }

  /**
   * Refuses a day for which no source has a landing folder, or {@link #validate} does (exit 2,
   * nothing written).
   */
  public void check(LocalDate day) {
    validate(day);
    LandingReader landing = landing();
    for (Source source : Source.values()) {
      if (landing.dayExists(source, day)) {
        return;
      }
    }
    throw TarmoException.usage("Cannot ingest " + day + ": no landing folder for that day ("
        + store.lake().root() + "/landing/{events,crm,consent}/dt=" + day + ")");
  }

  public IngestResult run(LocalDate day, String commitNote) {
    check(day);
    SparkSession spark = store.spark();
    // HotSpot never compiles a method of more than 8,000 bytes of bytecode; it interprets it. The
    // line checks of a source are one projection of some forty expressions, and whole-stage code
    // generation made them such a method: classification ran several times slower than with Spark's
    // per-expression code, in small compiled methods, which this limit makes Spark use for such a
    // stage (Spark's documentation of the setting advises 8000 on HotSpot; BENCHMARKS.md, ingest).
    // Only for ingest: on the other steps' small queries the extra compilation cost more than it won.
    // A limit the user set (tarmo.spark.conf) is theirs.
    return spark.conf().contains(HUGE_METHOD_LIMIT) ? runDay(day, commitNote, spark)
        : SessionSettings.with(spark, Map.of(HUGE_METHOD_LIMIT, "8000"), () -> runDay(day, commitNote, spark));
  }

  private IngestResult runDay(LocalDate day, String commitNote, SparkSession spark) {
    SuppressionGuard guard = guard();
    Phases phases = Phases.start(spark, "ingest " + day);
    Map<String, Long> versionsBefore = store.committedVersions();
    LandingReader landing = landing();
    Map<String, Long> reasons = new LinkedHashMap<>();
    List<Dataset<Row>> quarantined = new ArrayList<>();
    Intermediates kept = new Intermediates();
    try {
      LandingFiles eventFiles = landing.files(Source.EVENTS, day);
      phases.describe("events");
      Sorted events = sort("events", eventFiles, EventLines.classify(
          landing.lines(eventFiles.readable(), settings.maxLineChars()),
          new EventLines.Rules(day, settings.maxLineChars(), settings.maxEventAgeDays(),
              settings.maxClockSkew(), settings.defaultPhoneRegion(), privacy.ipPolicy(),
              privacy.analyticsCategory()), guard), "message_id", Dedupe.Keep.LOWEST, "ts", kept, reasons);
      phases.done("events tally");
      quarantined.add(events.quarantineRows(spark, day));
      SourceCounts eventCounts = replaceDayOnce(events, Tables.EVENTS, sameEventDates(events), "message_id", day,
          commitNote);
      phases.done("events write");

      LandingFiles crmFiles = landing.files(Source.CRM, day);
      phases.describe("crm");
      List<String> badHeaders = crmFiles.readable().stream()
          .filter(file -> {
            String first = landing.firstLine(file);
            return first != null && !CrmLines.HEADER.equals(first);
          })
          .toList();
      Dataset<Row> crmLines = landing.records(crmFiles.readable(), settings.maxLineChars(),
              CsvRecords.splitter(CrmLines.COLUMNS.size()))
          .filter(col(VALUE).isNull().or(trim(col(VALUE)).notEqual(CrmLines.HEADER)));
      Sorted crm = sort("crm", crmFiles, CrmLines.classify(crmLines, day, settings.maxLineChars(),
          settings.defaultPhoneRegion(), badHeaders, guard), "customer_id", Dedupe.Keep.HIGHEST, "updated_at", kept, reasons);
      phases.done("crm tally");
      quarantined.add(crm.quarantineRows(spark, day));
      long crmStored = crm.tally().valid == 0 ? 0L : upsertCrm(crm.firstCopies(), commitNote);
      phases.done("crm merge");
      SourceCounts crmCounts = crm.counts(crmStored, crm.tally().valid - crmStored);

      LandingFiles consentFiles = landing.files(Source.CONSENT, day);
      phases.describe("consent");
      Sorted consent = sort("consent", consentFiles, ConsentLines.classify(
          landing.lines(consentFiles.readable(), settings.maxLineChars()), day,
          TimeWindow.forConsent(day, settings.maxClockSkew()),
          settings.maxLineChars(), settings.defaultPhoneRegion(), guard), "consent_id", Dedupe.Keep.LOWEST, "ts", kept, reasons);
      phases.done("consent tally");
      quarantined.add(consent.quarantineRows(spark, day));
      // A consent record may be delivered again at any age: its window is the whole ledger.
      SourceCounts consentCounts = replaceDayOnce(consent, Tables.CONSENT_EVENTS, null, "consent_id", day,
          commitNote);
      phases.done("consent write");

      phases.describe("quarantine");
      long quarantineRows = events.quarantineRowCount() + crm.quarantineRowCount() + consent.quarantineRowCount();
      long quarantineWritten = replaceDay(Tables.QUARANTINE,
          quarantined.stream().reduce(Dataset::unionByName).orElseThrow(), null, quarantineRows, day, commitNote);
      phases.done("quarantine write");
      checkWritten("quarantine", quarantineRows, quarantineWritten);

      for (Sorted sorted : List.of(events, crm, consent)) {
        if (sorted.unreadableFiles() > 0) {
          LOG.warn("ingest {}: {} {} file(s) could not be read, or not to their end; see the quarantine table",
              day, sorted.unreadableFiles(), sorted.source());
        }
      }
      IngestResult result = new IngestResult(day, eventCounts, crmCounts, consentCounts, reasons,
          store.committedSince(versionsBefore), phases.elapsedMillis());
      for (SourceCounts counts : List.of(eventCounts, crmCounts, consentCounts)) {
        if (!counts.accountedFor()) {
          throw TarmoException.job("Cannot account for every input line of " + day + ": " + counts.summary());
        }
      }
      return result;
    } finally {
      kept.close();
      guard.close();
      phases.close();
    }
  }

  /**
   * The guard of {@code suppression_list}; {@link SuppressionGuard#NONE} when it is missing or empty
   * (without a key it is, or {@link #check} would have refused the run).
   */
  private SuppressionGuard guard() {
    if (pseudonyms.isEmpty() || !store.exists(Tables.SUPPRESSION_LIST)) {
      return SuppressionGuard.NONE;
    }
    SuppressionKeys.verify(store, pseudonyms.get(), "ingest");
    return SuppressionGuard.of(store.read(Tables.SUPPRESSION_LIST), pseudonyms.get());
  }

  private LandingReader landing() {
    return new LandingReader(store.spark(), store.lake());
  }

  /**
   * One source's classified lines, sorted into their fates: counted, the copy of each repeated key
   * chosen, the quarantine rows ready. The classified lines are kept, so every later step reads
   * them without parsing again.
   */
  private record Sorted(String source, LandingFiles files, Tally tally, Dataset<Row> lines, Dataset<Row> firstCopies,
      int maxLineChars) {

    /** The quarantined lines, the files read only part-way and the files not read. */
    Dataset<Row> quarantineRows(SparkSession spark, LocalDate day) {
      Dataset<Row> rows = LineChecks.quarantineRows(lines, source, day, maxLineChars);
      List<Row> notRead = files.unreadable().stream()
          .map(file -> RowFactory.create(source, file.reason(), null, file.file(), java.sql.Date.valueOf(day)))
          .toList();
      return notRead.isEmpty() ? rows : rows.unionByName(spark.createDataFrame(notRead, rows.schema()));
    }

    long unreadableFiles() {
      return tally.unreadable + files.unreadable().size();
    }

    long quarantineRowCount() {
      return tally.quarantined + unreadableFiles();
    }

    SourceCounts counts(long stored, long duplicates) {
      return new SourceCounts(files.files(), tally.read, stored, duplicates, tally.dropped, tally.quarantined,
          tally.invalidEmails, tally.invalidPhones, tally.invalidIds, unreadableFiles(), tally.suppressed);
    }
  }

  private Sorted sort(String source, LandingFiles files, Dataset<Row> classified, String key, Dedupe.Keep keep,
      String rankColumn, Intermediates kept, Map<String, Long> reasons) {
    Column[] ranking = {col(rankColumn), col(LineChecks.LINE_HASH), col(LineChecks.LINE_ID)};
    Dataset<Row> lines = kept.keep(classified);
    Tally tally = files.files() == 0 ? new Tally(0, 0, 0, 0, 0, 0, 0, 0, 0) : tally(lines, source, reasons);
    if (tally.valid == 0) {
      return new Sorted(source, files, tally, lines, valid(lines), settings.maxLineChars());
    }
    Dataset<Row> repeated = kept.keep(Dedupe.repeatedKeys(valid(lines), key));
    boolean few = repeated.count() <= BROADCAST_KEYS;
    Dataset<Row> chosen = kept.keep(Dedupe.chosenCopies(valid(lines), few ? broadcast(repeated) : repeated, key, keep,
        ranking));
    Dataset<Row> firstCopies = Dedupe.keepChosen(valid(lines), few ? broadcast(chosen) : chosen, key, ranking);
    return new Sorted(source, files, tally, lines, firstCopies, settings.maxLineChars());
  }

  /**
   * The stored events a delivery's events can repeat: those of the event dates the delivery has.
   * A resent event keeps its timestamp, so its earlier copy has the same {@code event_date}; the
   * filter prunes {@code events} to those partitions (a day's deliveries span a few dates), so
   * de-duplicating day 300 of a lake costs what day 1 does.
   */
  private static Column sameEventDates(Sorted events) {
    Object[] dates = events.firstCopies().select(col("event_date")).distinct().collectAsList().stream()
        .map(row -> row.get(0)).filter(java.util.Objects::nonNull).toArray();
    return dates.length == 0 ? lit(false) : col("event_date").isin(dates);
  }

  /**
   * Stores the first copies of an append-only source (events, consent) whose key no earlier
   * delivery brought among the stored rows in {@code window} (null: the whole table), replacing the
   * day's earlier rows; the rest count as duplicates. A whole table grows with its history: when the
   * delivery's keys are few, its keys are only scanned against them ({@link Dedupe}).
   */
  private SourceCounts replaceDayOnce(Sorted sorted, TableSpec table, Column window, String key, LocalDate day,
      String commitNote) {
    Observation fresh = new Observation(table.name());
    Dataset<Row> held = window == null ? store.read(table) : store.read(table).where(window);
    Dataset<Row> rows = Dedupe.excludeEarlierDeliveries(sorted.firstCopies(), held, key, day,
        window == null && sorted.tally().valid <= BROADCAST_KEYS, fresh);
    long stored = replaceDay(table, rows, fresh, sorted.tally().valid, day, commitNote);
    return sorted.counts(stored, sorted.tally().valid - stored);
  }

  /**
   * Replaces the day's rows of {@code table} and checks that Delta wrote as many rows as the
   * observed {@code fresh} count said would go in. With nothing to write and no table yet there is
   * nothing to replace, and the commit (a second or more on a small machine) is skipped.
   */
  private long replaceDay(TableSpec table, Dataset<Row> rows, Observation fresh, long candidates,
      LocalDate day, String commitNote) {
    if (candidates == 0 && !store.exists(table)) {
      return 0L;
    }
    long written = store.replaceWhere(table, rows, "ingest_date = DATE'" + day + "'", commitNote).rows();
    if (fresh != null) {
      checkWritten(table.name(), Observations.count(fresh, "fresh"), written);
    }
    return written;
  }

  /**
   * CRM upsert: a version replaces the stored one only when its {@code updated_at} is later, or
   * when the stored one is the same version from the same delivery (a re-run of the day, or the
   * recovery of a crashed one): it is written again, so the day's counts are what its first run
   * decided, not what a re-run finds already done. The merge condition names columns only, so no
   * identifier reaches the Delta log.
   *
   * @return rows inserted plus rows updated
   */
  private long upsertCrm(Dataset<Row> latest, String commitNote) {
    DeltaStore.Upsert upsert = store.upsert(Tables.CRM_CUSTOMERS, latest, List.of("customer_id"),
        "s.updated_at > t.updated_at OR (s.updated_at = t.updated_at AND s.ingest_date = t.ingest_date)", false,
        commitNote);
    return upsert.count("numTargetRowsInserted") + upsert.count("numTargetRowsUpdated");
  }

  private static Dataset<Row> valid(Dataset<Row> classified) {
    return classified.filter(col(OUTCOME).equalTo(VALID));
  }

  /**
   * Line outcomes of one source, counted in one pass over the classified lines; {@code unreadable}
   * counts the files read only part-way, which are no lines.
   */
  private record Tally(long read, long valid, long dropped, long quarantined, long invalidEmails, long invalidPhones,
      long invalidIds, long unreadable, long suppressed) {}

  private static Tally tally(Dataset<Row> classified, String source, Map<String, Long> reasons) {
    Column isValid = col(OUTCOME).equalTo(VALID);
    List<Row> rows = classified.groupBy(col(OUTCOME), col(REASON))
        .agg(count(lit(1)).as("n"),
            count_if(isValid.and(flag(classified, "email_invalid"))).as("bad_email"),
            count_if(isValid.and(flag(classified, "phone_invalid"))).as("bad_phone"),
            count_if(isValid.and(flag(classified, CrmLines.ID_INVALID))).as("bad_id"))
        .collectAsList();
    long read = 0;
    long valid = 0;
    long dropped = 0;
    long quarantined = 0;
    long badEmails = 0;
    long badPhones = 0;
    long badIds = 0;
    long unreadable = 0;
    long suppressed = 0;
    for (Row row : rows) {
      String outcome = row.getString(0);
      long n = row.getLong(2);
      if (outcome.equals(UNREADABLE)) {
        unreadable += n;
        continue;
      }
      read += n;
      badEmails += row.getLong(3);
      badPhones += row.getLong(4);
      badIds += row.getLong(5);
      switch (outcome) {
        case VALID -> valid += n;
        case DROPPED -> dropped += n;
        case SUPPRESSED -> suppressed += n;
        case QUARANTINED -> {
          quarantined += n;
          reasons.merge(source + "." + row.getString(1), n, Long::sum);
        }
        default -> throw TarmoException.job("Cannot classify " + source + " lines: unknown outcome " + outcome);
      }
    }
    return new Tally(read, valid, dropped, quarantined, badEmails, badPhones, badIds, unreadable, suppressed);
  }

  private static Column flag(Dataset<Row> classified, String name) {
    return List.of(classified.columns()).contains(name) ? col(name) : lit(false);
  }


  private static void checkWritten(String table, long expected, long written) {
    if (expected != written) {
      throw TarmoException.job("Cannot account for every input line: " + expected + " rows were to be written to "
          + table + " but " + written + " were");
    }
  }
}
