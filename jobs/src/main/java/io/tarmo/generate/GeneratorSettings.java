package io.tarmo.generate;

import io.tarmo.TarmoException;
import java.time.LocalDate;

/**
 * What to generate: {@code days} landing days ending at {@code endDate} for a population of
 * {@code customers}, deterministically from {@code seed}.
 */
public record GeneratorSettings(LocalDate endDate, int days, long customers, long seed) {
  public GeneratorSettings {
    if (days < 1 || days > 3660) {
      throw TarmoException.usage("Cannot generate: --days must be between 1 and 3660 (" + days + ")");
    }
    if (customers < 1 || customers > 100_000_000L) {
      throw TarmoException.usage("Cannot generate: --customers must be between 1 and 100000000 (" + customers + ")");
    }
  }
}
