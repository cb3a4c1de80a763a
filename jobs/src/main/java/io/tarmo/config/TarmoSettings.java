package io.tarmo.config;

import io.tarmo.activate.ActivationSettings;
import io.tarmo.identity.IdentitySettings;
import io.tarmo.ingest.IngestSettings;
import io.tarmo.ingest.PrivacySettings;
import io.tarmo.retention.RetentionSettings;
import io.tarmo.segments.SegmentSettings;
import java.nio.file.Path;
import java.util.Map;

/**
 * Every setting a Tarmo job may read, validated once at start by {@link SettingsLoader}. Each
 * domain owns the record of its own settings; jobs get their part and never see a {@code Config}.
 * {@code lakeRootGiven} says whether the lake root was chosen (in a configuration file or by
 * {@code --lake}) rather than left at the built-in {@code ./lake}, which means nothing on a cluster.
 */
public record TarmoSettings(
    String lakeRoot, boolean lakeRootGiven, SparkSettings spark, IngestSettings ingest, PrivacySettings privacy,
    IdentitySettings identity, SegmentSettings segments, ActivationSettings activation,
    RetentionSettings retention) {

  /**
   * How the command line builds its SparkSession: the master when not under spark-submit, and
   * {@code localDir}, the absolute folder under which each Tarmo process keeps Spark's scratch files.
   */
  public record SparkSettings(String master, int shufflePartitions, Path localDir, Map<String, String> conf) {
    public SparkSettings {
      conf = Map.copyOf(conf);
    }
  }

  public TarmoSettings withLakeRoot(String root) {
    return new TarmoSettings(root, true, spark, ingest, privacy, identity, segments, activation, retention);
  }

  public TarmoSettings withSegmentsFile(Path file) {
    return new TarmoSettings(lakeRoot, lakeRootGiven, spark, ingest, privacy, identity, new SegmentSettings(file), activation,
        retention);
  }

  public TarmoSettings withMaster(String master) {
    return new TarmoSettings(
        lakeRoot, lakeRootGiven, new SparkSettings(master, spark.shufflePartitions(), spark.localDir(), spark.conf()), ingest, privacy, identity,
        segments, activation, retention);
  }
}
