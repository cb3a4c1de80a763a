package io.tarmo.activate;

import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The outcome of one {@code activate} run: counts only.
 *
 * @param previousDate the earlier activation day the added/removed files compare against; null on the first
 * @param audiences one entry per configured segment × channel pair, in configuration order
 * @param excluded members excluded per reason, over every audience (reasons that excluded nobody may be
 *     missing; {@link #counts} and {@link #summary} show every reason)
 * @param activationRows rows written to {@code activation} (web: one per anonymous_id)
 * @param exclusionRows rows written to {@code activation_exclusions}
 * @param files export files written, manifest not counted
 */
public record ActivationResult(LocalDate day, LocalDate previousDate, List<AudienceCount> audiences,
    Map<String, Long> excluded, long activationRows, long exclusionRows, int files, long durationMs) {

  /**
   * One audience's counts.
   *
   * @param activated distinct customers who may be contacted
   * @param excluded distinct customers not contacted, by reason (non-zero reasons only)
   */
  public record AudienceCount(String segmentId, String channel, long activated, Map<String, Long> excluded) {
    public AudienceCount {
      excluded = Map.copyOf(excluded);
    }
  }

  public ActivationResult {
    audiences = List.copyOf(audiences);
    excluded = Map.copyOf(excluded);
  }

  public long activated() {
    return audiences.stream().mapToLong(AudienceCount::activated).sum();
  }

  public long excludedTotal() {
    return excluded.values().stream().mapToLong(Long::longValue).sum();
  }

  /** Counts for {@code job_runs}. */
  public Map<String, Long> counts() {
    Map<String, Long> counts = new LinkedHashMap<>();
    counts.put("activation.rows", activationRows);
    counts.put("activation.exclusions", exclusionRows);
    counts.put("activation.files", (long) files);
    for (AudienceCount audience : audiences) {
      String prefix = "activation." + audience.segmentId() + "." + audience.channel();
      counts.put(prefix + ".activated", audience.activated());
      audience.excluded().forEach((reason, count) -> counts.put(prefix + ".excluded." + reason, count));
    }
    for (String reason : ExclusionReason.keys()) {
      counts.put("activation.excluded." + reason, excluded.getOrDefault(reason, 0L));
    }
    return counts;
  }

  /** The console summary: activated per segment × channel, excluded per reason. */
  public String summary() {
    String nl = System.lineSeparator();
    StringBuilder out = new StringBuilder(String.format(Locale.ROOT,
        "activate %s: audiences=%d activated=%d excluded=%d files=%d compared_with=%s (%.1f s)", day,
        audiences.size(), activated(), excludedTotal(), files, previousDate == null ? "none" : previousDate,
        durationMs / 1000.0));
    out.append(nl).append(String.format(Locale.ROOT, "  %-36s %-6s %10s %10s", "segment", "channel", "activated",
        "excluded"));
    for (AudienceCount audience : audiences) {
      out.append(nl).append(String.format(Locale.ROOT, "  %-36s %-6s %10d %10d", audience.segmentId(),
          audience.channel(), audience.activated(),
          audience.excluded().values().stream().mapToLong(Long::longValue).sum()));
    }
    out.append(nl).append("  excluded by reason: ").append(ExclusionReason.keys().stream()
        .map(reason -> reason + "=" + excluded.getOrDefault(reason, 0L)).collect(Collectors.joining(" ")));
    return out.toString();
  }
}
