package io.tarmo.ingest;

import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The outcome of ingesting one landing day, per source.
 *
 * @param quarantineReasons quarantined lines by reason
 * @param deltaVersions the Delta version of each table the run committed to, by table name (also in
 *     {@code job_runs.delta_versions}); a table the day changed nothing in is absent
 * @param durationMs how long the run took
 */
public record IngestResult(LocalDate day, SourceCounts events, SourceCounts crm, SourceCounts consent,
    Map<String, Long> quarantineReasons, Map<String, Long> deltaVersions, long durationMs) {

  public IngestResult {
    quarantineReasons = Map.copyOf(quarantineReasons);
    deltaVersions = Map.copyOf(deltaVersions);
  }

  public Map<String, Long> counts() {
    Map<String, Long> counts = new LinkedHashMap<>();
    counts.putAll(events.asCounts("events"));
    counts.putAll(crm.asCounts("crm"));
    counts.putAll(consent.asCounts("consent"));
    quarantineReasons.forEach((reason, n) -> counts.put("quarantine." + reason, n));
    return counts;
  }

  /**
   * The first source whose quarantined share is above {@code maxRatio}, among sources that
   * delivered at least {@code minLines} lines that day, as a one-line message.
   */
  public Optional<String> qualityFailure(double maxRatio, long minLines) {
    Map<String, SourceCounts> sources = Map.of("events", events, "crm", crm, "consent", consent);
    for (String source : new String[] {"events", "crm", "consent"}) {
      SourceCounts counts = sources.get(source);
      if (counts.read() >= minLines && counts.quarantineRatio() > maxRatio) {
        return Optional.of(String.format(Locale.ROOT,
            "Cannot pass the quarantine gate: %.2f%% of %s lines of %s were quarantined, above "
                + "tarmo.ingest.quarantine-max-ratio (%.2f%%); see the quarantine table",
            100 * counts.quarantineRatio(), source, day, 100 * maxRatio));
      }
    }
    return Optional.empty();
  }

  public String summary() {
    return "ingest " + day + ": events " + events.summary() + "; crm " + crm.summary()
        + "; consent " + consent.summary();
  }
}
