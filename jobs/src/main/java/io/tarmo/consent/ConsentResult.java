package io.tarmo.consent;

import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The outcome of one {@code consent} run: counts only.
 *
 * @param ledger whether {@code consent_events} existed (without it the state is empty)
 * @param recordsRead ledger rows delivered by the day
 * @param unresolved of those, rows whose subject is in no {@code identity_map} row (no state)
 * @param intervals rows written to {@code consent_state}
 * @param customers customers as of the day by {@code purpose.channel.status} (only those with any)
 */
public record ConsentResult(LocalDate day, boolean ledger, long recordsRead, long unresolved, long intervals,
    Map<String, Long> customers, long durationMs) {

  private static final List<String> STATUSES = List.of("granted", "denied", "withdrawn", "expired");

  public ConsentResult {
    customers = Map.copyOf(customers);
  }

  public long recordsResolved() {
    return recordsRead - unresolved;
  }

  public Map<String, Long> counts() {
    Map<String, Long> counts = new LinkedHashMap<>();
    counts.put("consent.ledger_missing", ledger ? 0L : 1L);
    counts.put("consent.records_read", recordsRead);
    counts.put("consent.records_resolved", recordsResolved());
    counts.put("consent.unresolved_records", unresolved);
    counts.put("consent.intervals", intervals);
    customers.entrySet().stream().sorted(Map.Entry.comparingByKey())
        .forEach(e -> counts.put("consent.state." + e.getKey(), e.getValue()));
    return counts;
  }

  /** One line of totals, then one line per purpose and channel with customers per status as of the day. */
  public String summary() {
    String head = String.format(Locale.ROOT, "consent %s: records=%d resolved=%d unresolved=%d intervals=%d%s "
        + "(%.1f s)", day, recordsRead, recordsResolved(), unresolved, intervals,
        ledger ? "" : " (no consent_events yet: empty state)", durationMs / 1000.0);
    Map<String, Map<String, Long>> byPurposeChannel = new java.util.TreeMap<>();
    customers.forEach((key, n) -> {
      int last = key.lastIndexOf('.');
      byPurposeChannel.computeIfAbsent(key.substring(0, last), k -> new LinkedHashMap<>())
          .put(key.substring(last + 1), n);
    });
    if (byPurposeChannel.isEmpty()) {
      return head;
    }
    return head + System.lineSeparator() + "  customers as of " + day + " (" + String.join("/", STATUSES) + "):"
        + System.lineSeparator() + byPurposeChannel.entrySet().stream()
            .map(e -> String.format(Locale.ROOT, "  %-24s %s", e.getKey(), STATUSES.stream()
                .map(s -> String.valueOf(e.getValue().getOrDefault(s, 0L))).collect(Collectors.joining("/"))))
            .collect(Collectors.joining(System.lineSeparator()));
  }
}
