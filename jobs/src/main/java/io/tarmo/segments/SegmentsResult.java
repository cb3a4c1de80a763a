package io.tarmo.segments;

import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The outcome of one {@code segments} run: counts only.
 *
 * @param previousDate the earlier day entries and exits were computed against; null on the first
 * @param sizes one entry per definition, in file order
 * @param aggregates distinct behavioural aggregate columns computed in the one pass
 * @param profilingObjections customers not evaluated because they object to profiling as of the day;
 *     null when there was no {@code consent_state} to ask (everyone was evaluated)
 */
public record SegmentsResult(LocalDate day, LocalDate previousDate, List<Size> sizes, long memberships,
    int aggregates, Long profilingObjections, long durationMs) {

  /** One segment's size on the day and its movements against the previous day. */
  public record Size(String segmentId, long members, long entered, long exited) {}

  public SegmentsResult {
    sizes = List.copyOf(sizes);
  }

  public Map<String, Long> counts() {
    Map<String, Long> counts = new LinkedHashMap<>();
    counts.put("segments.definitions", (long) sizes.size());
    counts.put("segments.aggregates", (long) aggregates);
    counts.put("segments.memberships", memberships);
    if (profilingObjections == null) {
      counts.put("segments.consent_state_missing", 1L);
    } else {
      counts.put("segments.excluded_profiling_objection", profilingObjections);
    }
    for (Size size : sizes) {
      counts.put("segments." + size.segmentId() + ".members", size.members());
      counts.put("segments." + size.segmentId() + ".entered", size.entered());
      counts.put("segments." + size.segmentId() + ".exited", size.exited());
    }
    return counts;
  }

  public String summary() {
    return String.format(Locale.ROOT, "segments %s: definitions=%d memberships=%d aggregates=%d compared_with=%s "
        + "excluded_profiling_objection=%s (%.1f s)%n", day, sizes.size(), memberships, aggregates,
        previousDate == null ? "none" : previousDate,
        profilingObjections == null ? "unchecked (no consent_state: everyone evaluated)" : profilingObjections,
        durationMs / 1000.0)
        + sizes.stream().map(s -> String.format(Locale.ROOT, "  %-32s members=%d entered=%d exited=%d",
            s.segmentId(), s.members(), s.entered(), s.exited())).collect(Collectors.joining(System.lineSeparator()));
  }
}
