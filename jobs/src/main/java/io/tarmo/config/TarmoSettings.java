package io.tarmo.config;

import io.tarmo.subject.IdentifierType;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Every setting a Tarmo job may read, validated once at start by {@link SettingsLoader}. Jobs get
 * the part they need; none of them ever sees a {@code Config}.
 */
public record TarmoSettings(
    String lakeRoot, SparkSettings spark, IngestSettings ingest, PrivacySettings privacy,
    IdentitySettings identity, SegmentSettings segments) {

  /**
   * Where {@code segments} reads its definitions: {@code tarmo.segments.file}, resolved against
   * the working directory, else against {@code TARMO_HOME} when that holds it.
   */
  public record SegmentSettings(java.nio.file.Path file) {}

  /** How the command line builds its SparkSession when not under spark-submit. */
  public record SparkSettings(String master, int shufflePartitions, Map<String, String> conf) {
    public SparkSettings {
      conf = Map.copyOf(conf);
    }
  }

  /** Limits and gates of {@code ingest}. */
  public record IngestSettings(
      int maxLineChars,
      int maxEventAgeDays,
      Duration maxClockSkew,
      String defaultPhoneRegion,
      double quarantineMaxRatio,
      int quarantineMinLines) {}

  /** What ingest keeps of personal data it does not need. */
  public record PrivacySettings(IpPolicy ipPolicy, String analyticsCategory) {}

  /**
   * The rules of {@code identity}: identifier priority (customer_id first), per-type limits per
   * customer, values that never link, and the component-size quality gate.
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

  /** What ingest keeps of an IP address. */
  public enum IpPolicy {
    /** IPv4 to its /24, IPv6 to its /48. */
    TRUNCATE,
    /** No IP address is stored. */
    DROP,
    /** The address is stored as received. */
    KEEP
  }

  public TarmoSettings withLakeRoot(String root) {
    return new TarmoSettings(root, spark, ingest, privacy, identity, segments);
  }

  public TarmoSettings withSegmentsFile(java.nio.file.Path file) {
    return new TarmoSettings(lakeRoot, spark, ingest, privacy, identity, new SegmentSettings(file));
  }

  public TarmoSettings withMaster(String master) {
    return new TarmoSettings(
        lakeRoot, new SparkSettings(master, spark.shufflePartitions(), spark.conf()), ingest, privacy, identity,
        segments);
  }
}
