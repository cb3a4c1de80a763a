package io.tarmo.report;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tarmo.lake.DeltaStore;
import io.tarmo.lake.TableSpec;
import io.tarmo.lake.Tables;
import java.time.Instant;
import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;

/**
 * Everything a report shows, as one JSON document of aggregates computed by Spark: counts per day,
 * source, reason, segment, channel, status, never a row about a person. A table that does not exist
 * yet reads as empty and is named false under {@code tables}, so its charts say so instead of failing.
 *
 * <p>Keys: {@code report} (day, window, when written), {@code tables}, {@code headline} (D's figures,
 * {@link Headline}), and one array per chart: {@code volumes}, {@code quarantine}, {@code identity},
 * {@code merges}, {@code decisions}, {@code segments}, {@code consent}, {@code activations},
 * {@code exclusions}, {@code erasure}, {@code steps}; their columns are those of the aggregates.
 */
final class ReportData {

  /** The tables a report reads, in catalogue order. */
  static final List<TableSpec> TABLES = List.of(Tables.QUARANTINE, Tables.IDENTITY_MERGES, Tables.IDENTITY_DECISIONS,
      Tables.IDENTITY_STATS, Tables.CONSENT_STATE, Tables.SEGMENT_SIZES, Tables.ACTIVATION,
      Tables.ACTIVATION_EXCLUSIONS, Tables.ERASURE_LOG, Tables.JOB_RUNS);

  private final Map<TableSpec, Dataset<Row>> tables = new LinkedHashMap<>();
  private final ObjectNode present = JsonRows.NODES.objectNode();

  private ReportData(DeltaStore store) {
    for (TableSpec spec : TABLES) {
      boolean exists = store.exists(spec);
      present.put(spec.name(), exists);
      tables.put(spec, exists ? store.read(spec) : store.spark().createDataFrame(List.of(), spec.schema()));
    }
  }

  /** The report of {@code day} over up to {@code days} days ending at it, written at {@code now}. */
  static ObjectNode collect(DeltaStore store, LocalDate day, int days, Instant now) {
    return new ReportData(store).collect(day, days, now);
  }

  private ObjectNode collect(LocalDate day, int days, Instant now) {
    Dataset<Row> jobRuns = tables.get(Tables.JOB_RUNS);
    ReportWindow window = RunAggregates.window(jobRuns, day, days);
    ObjectNode data = JsonRows.NODES.objectNode();
    ObjectNode report = data.putObject("report");
    report.put("date", day.toString());
    report.put("from", window.from().toString());
    ArrayNode shown = report.putArray("days");
    for (LocalDate shownDay : window.days()) {
      shown.add(shownDay.toString());
    }
    report.put("erasure_deadline_days", ErasureAggregates.DEADLINE_DAYS);
    report.put("generated_at", now.toString());
    data.set("tables", present);
    data.set("volumes", JsonRows.of(IngestAggregates.volumes(jobRuns, window)));
    data.set("quarantine", JsonRows.of(IngestAggregates.quarantineReasons(tables.get(Tables.QUARANTINE), window)));
    data.set("identity", JsonRows.of(IdentityAggregates.statistics(tables.get(Tables.IDENTITY_STATS), window)));
    data.set("merges", JsonRows.of(IdentityAggregates.merges(tables.get(Tables.IDENTITY_MERGES), window)));
    data.set("decisions", JsonRows.of(IdentityAggregates.decisions(tables.get(Tables.IDENTITY_DECISIONS), window)));
    data.set("segments", JsonRows.of(AudienceAggregates.segments(tables.get(Tables.SEGMENT_SIZES), window)));
    data.set("consent", JsonRows.of(AudienceAggregates.consent(tables.get(Tables.CONSENT_STATE), day)));
    data.set("activations", JsonRows.of(AudienceAggregates.activations(tables.get(Tables.ACTIVATION), window)));
    data.set("exclusions", JsonRows.of(
        AudienceAggregates.exclusions(tables.get(Tables.ACTIVATION_EXCLUSIONS), window)));
    data.set("erasure", JsonRows.of(ErasureAggregates.requests(tables.get(Tables.ERASURE_LOG), window)));
    data.set("steps", JsonRows.of(RunAggregates.steps(jobRuns, window)));
    data.set("headline", Headline.of(data, day));
    return data;
  }
}
