package io.tarmo.identity;

import io.tarmo.subject.IdentifierType;
import java.util.List;
import java.util.Map;

/**
 * The rules of {@code identity}: identifier priority (customer_id first), per-type limits per
 * customer, values that never link, and the component-size quality gate. Read and validated from
 * {@code tarmo.identity} by {@code io.tarmo.config.SettingsLoader}.
 */
public record IdentitySettings(
    List<IdentifierType> priority,
    Map<IdentifierType, Integer> maxPerCustomer,
    List<String> blockedValues,
    List<String> blockedPatterns,
    int maxIdentifierLength,
    long maxComponentSize,
    long driverLinks) {
  public IdentitySettings {
    priority = List.copyOf(priority);
    maxPerCustomer = Map.copyOf(maxPerCustomer);
    blockedValues = List.copyOf(blockedValues);
    blockedPatterns = List.copyOf(blockedPatterns);
  }

  /** The position of {@code type} in {@link #priority()}: 0 is the most trusted. */
  public int rank(IdentifierType type) {
    return priority.indexOf(type);
  }

  public IdentitySettings withMaxComponentSize(long size) {
    return new IdentitySettings(priority, maxPerCustomer, blockedValues, blockedPatterns, maxIdentifierLength, size,
        driverLinks);
  }

  public IdentitySettings withMaxPerCustomer(Map<IdentifierType, Integer> limits) {
    return new IdentitySettings(priority, limits, blockedValues, blockedPatterns, maxIdentifierLength,
        maxComponentSize, driverLinks);
  }

  public IdentitySettings withDriverLinks(long links) {
    return new IdentitySettings(priority, maxPerCustomer, blockedValues, blockedPatterns, maxIdentifierLength,
        maxComponentSize, links);
  }
}
