package io.tarmo.cli;

import static io.tarmo.testing.InProcessTarmo.tarmo;
import static org.assertj.core.api.Assertions.assertThat;

import io.tarmo.testing.InProcessTarmo.Run;
import io.tarmo.testing.SparkTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Retention as the last step of {@code nightly}, only when {@code tarmo.retention.nightly} says so. */
@SparkTest
class NightlyRetentionTest {

  @TempDir Path root;

  @Test
  void retentionIsTheLastStepOfANightOnlyWhenConfigured() {
    assertThat(NightlyStep.night(false)).containsExactly(NightlyStep.INGEST, NightlyStep.IDENTITY,
        NightlyStep.CONSENT, NightlyStep.PROFILES, NightlyStep.SEGMENTS, NightlyStep.ACTIVATE);
    assertThat(NightlyStep.night(true)).endsWith(NightlyStep.ACTIVATE, NightlyStep.RETENTION)
        .hasSize(NightlyStep.values().length);
    assertThat(NightlyStep.SEGMENTS.andAfter(NightlyStep.night(false)))
        .containsExactly(NightlyStep.SEGMENTS, NightlyStep.ACTIVATE);
    assertThat(NightlyStep.parse("Retention")).isEqualTo(NightlyStep.RETENTION);
  }

  @Test
  void aNightResumedAtRetentionRunsItAfterEveryOtherStepAndRecordsIt() throws Exception {
    String lake = root.resolve("lake").toString();
    Files.createDirectories(root.resolve("lake"));
    Path off = root.resolve("off.conf");
    Files.writeString(off, "tarmo.retention.nightly = false\n");
    Run refused = tarmo("nightly", "--lake", lake, "--config", off.toString(), "--date", "2026-03-10",
        "--from", "retention");
    assertThat(refused.exitCode()).as(refused.out() + refused.err()).isEqualTo(2);
    assertThat(refused.err()).contains("tarmo.retention.nightly is true");

    Path on = root.resolve("on.conf");
    Files.writeString(on, "tarmo.retention.nightly = true\n");
    Run night = tarmo("nightly", "--lake", lake, "--config", on.toString(), "--date", "2026-03-10",
        "--from", "retention");
    assertThat(night.exitCode()).as(night.err()).isZero();
    assertThat(night.out()).contains("nightly 2026-03-10: step 7/7 retention SUCCEEDED")
        .containsPattern("activate +skipped\\s+retention +SUCCEEDED")
        .contains("retention 2026-03-10: 0 rows deleted, 0 day folders deleted");
    Run runs = tarmo("sql", "--lake", lake, "--format", "csv",
        "select command, status, counts['retention.rows_deleted'] as deleted from job_runs order by started_at");
    assertThat(List.of(runs.out().strip().split("\n")))
        .containsExactly("command,status,deleted", "nightly,SUCCEEDED,", "retention,SUCCEEDED,0");
  }
}
