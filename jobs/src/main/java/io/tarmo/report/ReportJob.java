package io.tarmo.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tarmo.Phases;
import io.tarmo.lake.DeltaStore;
import io.tarmo.lake.ReportFile;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code report --date D --out FILE.html}: one self-contained HTML page of how the nights up to D
 * went (volumes and quality, identity, segments, consent, activation, erasure, the run's steps),
 * with D's own numbers as headline figures. It reads the lake only, and every number on the page is
 * an aggregate computed by Spark ({@link ReportData}): the page holds no personal data.
 */
public final class ReportJob {

  /** How many days ending at D a report looks back over by default: the week. */
  public static final int DEFAULT_DAYS = 7;

  private final DeltaStore store;
  private final Clock clock;

  public ReportJob(DeltaStore store, Clock clock) {
    this.store = store;
    this.clock = clock;
  }

  /** Writes the report of {@code day}, over up to {@code days} days ending at it, to {@code out}. */
  public ReportResult run(LocalDate day, int days, ReportFile out) {
    if (days < 1) {
      throw new IllegalArgumentException("a report covers at least one day: " + days);
    }
    try (Phases phases = Phases.start(store.spark(), "report " + day, clock)) {
      phases.describe("aggregate");
      ObjectNode data = ReportData.collect(store, day, days, clock.instant());
      phases.done("aggregate");
      phases.describe("write");
      String page = ReportPage.render(data);
      out.write(page);
      phases.done("write");
      List<String> missing = new ArrayList<>();
      for (Map.Entry<String, JsonNode> table : data.get("tables").properties()) {
        if (!table.getValue().asBoolean()) {
          missing.add(table.getKey());
        }
      }
      return new ReportResult(day, LocalDate.parse(data.get("report").get("from").asText()), missing,
          page.getBytes(StandardCharsets.UTF_8).length, out.location(), phases.elapsedMillis());
    }
  }
}
