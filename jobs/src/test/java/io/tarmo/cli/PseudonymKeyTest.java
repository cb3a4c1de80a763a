package io.tarmo.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tarmo.TarmoException;
import io.tarmo.subject.Pseudonyms;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PseudonymKeyTest {

  @Test
  void aKeyTooShortIsBadConfigurationAndIsNeverShown() {
    assertThatThrownBy(() -> PseudonymKey.fromEnvironment(Map.of(Pseudonyms.KEY_VARIABLE, "short-secret")))
        .isInstanceOfSatisfying(TarmoException.class, e -> {
          assertThat(e.failure().exitCode()).isEqualTo(2);
          assertThat(e.getMessage()).contains(Pseudonyms.KEY_VARIABLE).doesNotContain("short-secret");
        });
    assertThat(PseudonymKey.fromEnvironment(Map.of())).isEmpty();
    assertThat(PseudonymKey.fromEnvironment(Map.of(Pseudonyms.KEY_VARIABLE, "k".repeat(40)))).isPresent();
  }
}
