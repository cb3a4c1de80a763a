package io.tarmo.profiles;

import java.time.LocalDate;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The outcome of one {@code profiles} run, counts only.
 *
 * @param customers rows written to {@code customer_profiles}
 * @param withEvents customers with at least one event up to the day
 * @param withOrders customers with at least one order
 * @param withEmail customers with a golden email
 * @param withPhone customers with a golden phone
 */
public record ProfilesResult(LocalDate day, long customers, long withEvents, long withOrders, long withEmail,
    long withPhone, long durationMs) {

  public Map<String, Long> counts() {
    Map<String, Long> counts = new LinkedHashMap<>();
    counts.put("profiles.customers", customers);
    counts.put("profiles.with_events", withEvents);
    counts.put("profiles.with_orders", withOrders);
    counts.put("profiles.with_email", withEmail);
    counts.put("profiles.with_phone", withPhone);
    return counts;
  }

  public String summary() {
    return String.format(Locale.ROOT, "profiles %s: customers=%d with_events=%d with_orders=%d with_email=%d "
        + "with_phone=%d (%.1f s)", day, customers, withEvents, withOrders, withEmail, withPhone, durationMs / 1000.0);
  }
}
