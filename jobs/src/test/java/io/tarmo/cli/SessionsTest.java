package io.tarmo.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tarmo.config.TarmoSettings.SparkSettings;
import io.tarmo.lake.Lake;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SessionsTest {

  private static final SparkSettings SETTINGS =
      new SparkSettings("local[2]", 4, Path.of("/var/tmp/tarmo-spark"), Map.of("spark.executor.cores", "2"));

  @Test
  void newSessionKeepsItsScratchFilesInTheRunsFolder() {
    Map<String, String> conf = Sessions.conf(SETTINGS, Lake.at("/data/lake"), Path.of("/var/tmp/tarmo-spark/run-7"));
    assertThat(conf)
        .containsEntry("spark.local.dir", "/var/tmp/tarmo-spark/run-7")
        .containsEntry("spark.hadoop.fs.s3a.buffer.dir", "/var/tmp/tarmo-spark/run-7/s3a")
        .containsEntry("spark.sql.warehouse.dir", "file:/data/lake/_tarmo/warehouse")
        .containsEntry("spark.executor.cores", "2");
  }

  @Test
  void borrowedSessionGetsNoScratchFolder() {
    assertThat(Sessions.conf(SETTINGS, Lake.at("/data/lake"), null)).doesNotContainKey("spark.local.dir")
        .doesNotContainKey("spark.hadoop.fs.s3a.buffer.dir");
  }
}
