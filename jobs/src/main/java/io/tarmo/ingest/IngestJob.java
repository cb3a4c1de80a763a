package io.tarmo.ingest;

import static io.tarmo.ingest.LineChecks.DROPPED;
import static io.tarmo.ingest.LineChecks.OUTCOME;
import static io.tarmo.ingest.LineChecks.QUARANTINED;
import static io.tarmo.ingest.LineChecks.REASON;
import static io.tarmo.ingest.LineChecks.VALID;
import static io.tarmo.ingest.LineChecks.VALUE;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.count_if;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.trim;

import io.delta.tables.DeltaTable;
import io.tarmo.TarmoException;
import io.tarmo.config.TarmoSettings.IngestSettings;
import io.tarmo.config.TarmoSettings.PrivacySettings;
import io.tarmo.lake.DeltaStore;
import io.tarmo.lake.Lake;
import io.tarmo.lake.Lake.Source;
import io.tarmo.lake.TableSpec;
import io.tarmo.lake.Tables;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Observation;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;

/**
 * {@code ingest --date D}: the landing day D of events, CRM and consent into the bronze tables
 * {@code events}, {@code crm_customers}, {@code consent_events} and {@code quarantine}.
 *
 * <p>Re-running a day leaves the tables as one run would: events, consent and quarantine rows of
 * a day are replaced as a whole ({@code replaceWhere ingest_date = D}), after dropping keys that
 * earlier deliveries already brought; CRM rows are upserted by latest {@code updated_at}. Days
 * are expected to be ingested in date order, as a scheduler runs them.
 */
public final class IngestJob {

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(IngestJob.class);
  private long phaseStart = System.nanoTime();

  private void phase(String what) {
    long now = System.nanoTime();
    LOG.info("{}: {} ms", what, (now - phaseStart) / 1_000_000);
    phaseStart = now;
  }

  private final DeltaStore store;
  private final IngestSettings settings;
  private final PrivacySettings privacy;

  public IngestJob(DeltaStore store, IngestSettings settings, PrivacySettings privacy) {
    this.store = store;
    this.settings = settings;
    this.privacy = privacy;
  }

  /** Refuses a day for which no source has a landing folder (exit 2, nothing written). */
  public void check(LocalDate day) {
    Lake lake = store.lake();
    Configuration hadoop = hadoop();
    for (Source source : Source.values()) {
      if (lake.landingDayExists(hadoop, source, day)) {
        return;
      }
    }
    throw TarmoException.usage("Cannot ingest " + day + ": no landing folder for that day ("
        + lake.root() + "/landing/{events,crm,consent}/dt=" + day + ")");
  }

  public IngestResult run(LocalDate day, String commitNote) {
    check(day);
    phase("check");
    SparkSession spark = store.spark();
    Lake lake = store.lake();
    Configuration hadoop = hadoop();
    String dayPredicate = "ingest_date = DATE'" + day + "'";
    Map<String, Long> reasons = new LinkedHashMap<>();
    List<Dataset<Row>> quarantined = new ArrayList<>();
    List<Dataset<Row>> cached = new ArrayList<>();
    try {
      List<String> eventFiles = lake.landingFiles(hadoop, Source.EVENTS, day);
      spark.sparkContext().setJobDescription("ingest " + day + ": events");
      Dataset<Row> events = cache(cached, EventLines.classify(LandingLines.read(spark, eventFiles),
          new EventLines.Rules(day, settings.maxLineChars(), settings.maxEventAgeDays(),
              settings.maxClockSkew(), settings.defaultPhoneRegion(), privacy.ipPolicy(),
              privacy.analyticsCategory())));
      Tally eventTally = tally(events, "events", reasons);
      phase("events tally");
      quarantined.add(LineChecks.quarantineRows(events, "events", day, settings.maxLineChars()));
      Observation eventObservation = new Observation("events");
      Dataset<Row> eventRows = Dedupe.excludeEarlierDeliveries(
          Dedupe.onePerKey(valid(events), "message_id", Dedupe.Keep.LOWEST, col("ts"), col(EventLines.LINE_HASH)),
          store.read(Tables.EVENTS), "message_id", day, eventObservation);
      long eventsStored = replaceDay(Tables.EVENTS, eventRows, eventObservation, eventTally.valid, dayPredicate, commitNote);
      phase("events write");
      SourceCounts eventCounts = eventTally.counts(eventFiles.size(), eventsStored,
          eventTally.valid - eventsStored);

      List<String> crmFiles = lake.landingFiles(hadoop, Source.CRM, day);
      spark.sparkContext().setJobDescription("ingest " + day + ": crm");
      List<String> badHeaders = crmFiles.stream()
          .filter(file -> !CrmLines.HEADER.equals(LandingLines.firstLine(hadoop, file)))
          .toList();
      Dataset<Row> crmLines = LandingLines.read(spark, crmFiles)
          .filter(trim(col(VALUE)).notEqual(CrmLines.HEADER).and(
              trim(col(VALUE)).notEqual("\uFEFF" + CrmLines.HEADER)));
      Dataset<Row> crm = cache(cached, CrmLines.classify(crmLines, day, settings.maxLineChars(),
          settings.defaultPhoneRegion(), badHeaders));
      Tally crmTally = tally(crm, "crm", reasons);
      phase("crm tally");
      quarantined.add(LineChecks.quarantineRows(crm, "crm", day, settings.maxLineChars()));
      long crmStored = crmTally.valid == 0 ? 0L : upsertCrm(
          Dedupe.onePerKey(valid(crm), "customer_id", Dedupe.Keep.HIGHEST, col("updated_at"), col(EventLines.LINE_HASH)),
          commitNote);
      phase("crm merge");
      SourceCounts crmCounts = crmTally.counts(crmFiles.size(), crmStored, crmTally.valid - crmStored);

      List<String> consentFiles = lake.landingFiles(hadoop, Source.CONSENT, day);
      spark.sparkContext().setJobDescription("ingest " + day + ": consent");
      Dataset<Row> consent = cache(cached, ConsentLines.classify(LandingLines.read(spark, consentFiles), day,
          settings.maxLineChars(), settings.defaultPhoneRegion()));
      Tally consentTally = tally(consent, "consent", reasons);
      phase("consent tally");
      quarantined.add(LineChecks.quarantineRows(consent, "consent", day, settings.maxLineChars()));
      Observation consentObservation = new Observation("consent");
      Dataset<Row> consentRows = Dedupe.excludeEarlierDeliveries(
          Dedupe.onePerKey(valid(consent), "consent_id", Dedupe.Keep.LOWEST, col("ts"), col(EventLines.LINE_HASH)),
          store.read(Tables.CONSENT_EVENTS), "consent_id", day, consentObservation);
      long consentStored = replaceDay(Tables.CONSENT_EVENTS, consentRows, consentObservation, consentTally.valid,
          dayPredicate, commitNote);
      phase("consent write");
      SourceCounts consentCounts = consentTally.counts(consentFiles.size(), consentStored,
          consentTally.valid - consentStored);

      spark.sparkContext().setJobDescription("ingest " + day + ": quarantine");
      long quarantinedLines = eventTally.quarantined + crmTally.quarantined + consentTally.quarantined;
      long quarantineWritten = replaceDay(Tables.QUARANTINE,
          quarantined.stream().reduce(Dataset::unionByName).orElseThrow(), null, quarantinedLines, dayPredicate, commitNote);
      phase("quarantine write");
      checkWritten("quarantine", quarantinedLines, quarantineWritten);

      IngestResult result = new IngestResult(day, eventCounts, crmCounts, consentCounts, reasons);
      for (SourceCounts counts : List.of(eventCounts, crmCounts, consentCounts)) {
        if (!counts.accountedFor()) {
          throw TarmoException.job("Cannot account for every input line of " + day + ": " + counts.summary());
        }
      }
      return result;
    } finally {
      cached.forEach(Dataset::unpersist);
      spark.sparkContext().setJobDescription(null);
    }
  }

  /**
   * Replaces the day's rows of {@code table} and checks that Delta wrote as many rows as the
   * observed {@code fresh} count said would go in. With nothing to write and no table yet there is
   * nothing to replace, and the commit (a second or more on a small machine) is skipped.
   */
  private long replaceDay(TableSpec table, Dataset<Row> rows, Observation fresh, long candidates,
      String dayPredicate, String commitNote) {
    if (candidates == 0 && !store.exists(table)) {
      return 0L;
    }
    long written = store.replaceWhere(table, rows, dayPredicate, commitNote);
    if (fresh != null) {
      checkWritten(table.name(), observed(fresh, "fresh"), written);
    }
    return written;
  }

  /**
   * CRM upsert: a version replaces the stored one only when its {@code updated_at} is later.
   * The merge condition names columns only, so no identifier reaches the Delta log.
   *
   * @return rows inserted plus rows updated
   */
  private long upsertCrm(Dataset<Row> latest, String commitNote) {
    DeltaTable table = store.table(Tables.CRM_CUSTOMERS);
    long before = store.version(Tables.CRM_CUSTOMERS);
    store.spark().conf().set("spark.databricks.delta.commitInfo.userMetadata", commitNote);
    try {
      table.as("t")
          .merge(DeltaStore.conform(latest, Tables.CRM_CUSTOMERS).as("s"), "t.customer_id = s.customer_id")
          .whenMatched("s.updated_at > t.updated_at").updateAll()
          .whenNotMatched().insertAll()
          .execute();
    } finally {
      store.spark().conf().unset("spark.databricks.delta.commitInfo.userMetadata");
    }
    return store.metricSince(Tables.CRM_CUSTOMERS, before, "numTargetRowsInserted")
        + store.metricSince(Tables.CRM_CUSTOMERS, before, "numTargetRowsUpdated");
  }

  private static Dataset<Row> cache(List<Dataset<Row>> cached, Dataset<Row> rows) {
    Dataset<Row> persisted = rows.persist(StorageLevel.MEMORY_AND_DISK());
    cached.add(persisted);
    return persisted;
  }

  private static Dataset<Row> valid(Dataset<Row> classified) {
    return classified.filter(col(OUTCOME).equalTo(VALID));
  }

  /** Line outcomes of one source, counted in one pass over the classified lines. */
  private record Tally(long read, long valid, long dropped, long quarantined, long invalidEmails, long invalidPhones) {
    SourceCounts counts(long files, long stored, long duplicates) {
      return new SourceCounts(files, read, stored, duplicates, dropped, quarantined, invalidEmails, invalidPhones);
    }
  }

  private static Tally tally(Dataset<Row> classified, String source, Map<String, Long> reasons) {
    Column isValid = col(OUTCOME).equalTo(VALID);
    List<Row> rows = classified.groupBy(col(OUTCOME), col(REASON))
        .agg(count(lit(1)).as("n"),
            count_if(isValid.and(flag(classified, "email_invalid"))).as("bad_email"),
            count_if(isValid.and(flag(classified, "phone_invalid"))).as("bad_phone"))
        .collectAsList();
    long read = 0;
    long valid = 0;
    long dropped = 0;
    long quarantined = 0;
    long badEmails = 0;
    long badPhones = 0;
    for (Row row : rows) {
      String outcome = row.getString(0);
      long n = row.getLong(2);
      read += n;
      badEmails += row.getLong(3);
      badPhones += row.getLong(4);
      switch (outcome) {
        case VALID -> valid += n;
        case DROPPED -> dropped += n;
        case QUARANTINED -> {
          quarantined += n;
          reasons.merge(source + "." + row.getString(1), n, Long::sum);
        }
        default -> throw TarmoException.job("Cannot classify " + source + " lines: unknown outcome " + outcome);
      }
    }
    return new Tally(read, valid, dropped, quarantined, badEmails, badPhones);
  }

  private static Column flag(Dataset<Row> classified, String name) {
    return List.of(classified.columns()).contains(name) ? col(name) : lit(false);
  }

  private static long observed(Observation observation, String metric) {
    try {
      Object value = observation.getAsJava().get(metric);
      return value == null ? 0L : ((Number) value).longValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw TarmoException.job("Cannot count written rows: interrupted", e);
    }
  }

  private static void checkWritten(String table, long expected, long written) {
    if (expected != written) {
      throw TarmoException.job("Cannot account for every input line: " + expected + " rows were to be written to "
          + table + " but " + written + " were");
    }
  }

  private Configuration hadoop() {
    return store.spark().sparkContext().hadoopConfiguration();
  }
}
