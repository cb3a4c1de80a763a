package io.tarmo.cli;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tarmo.TarmoException;
import io.tarmo.config.SettingsLoader;
import io.tarmo.config.TarmoSettings;
import org.junit.jupiter.api.Test;

/** What the runner refuses before a session starts. */
class CommandRunnerTest {

  private static final TarmoSettings DEFAULTS = SettingsLoader.load(null);

  @Test
  void aClusterRunOnTheBuiltInLakeIsRefusedSayingWhatToSet() {
    assertThatThrownBy(() -> CommandRunner.requireChosenLake(DEFAULTS, true))
        .isInstanceOfSatisfying(TarmoException.class, e -> org.assertj.core.api.Assertions
            .assertThat(e.failure()).isEqualTo(TarmoException.Failure.USAGE))
        .hasMessage("Cannot start under spark-submit without a lake: pass --lake s3a://bucket/prefix or set"
            + " tarmo.lake.root in the --config file (the default ./lake is a folder on the driver's machine)");
  }

  @Test
  void aClusterRunWithAChosenLakeOrALocalRunOnTheDefaultStarts() {
    assertThatCode(() -> CommandRunner.requireChosenLake(DEFAULTS.withLakeRoot("s3a://bucket/lake"), true))
        .doesNotThrowAnyException();
    assertThatCode(() -> CommandRunner.requireChosenLake(DEFAULTS, false)).doesNotThrowAnyException();
  }
}
