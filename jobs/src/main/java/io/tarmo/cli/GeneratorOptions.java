package io.tarmo.cli;

import io.tarmo.generate.GeneratorSettings;
import java.time.LocalDate;
import picocli.CommandLine.Option;

/** What to generate: the options {@code generate} and {@code demo} share. */
final class GeneratorOptions {

  @Option(names = "--date", converter = BusinessDate.class, paramLabel = "YYYY-MM-DD",
      description = "Last day to generate (default: yesterday, UTC)")
  LocalDate date;

  @Option(names = "--seed", defaultValue = "42",
      description = "Random seed; the same seed gives the same files (default: ${DEFAULT-VALUE})")
  long seed;

  LocalDate endDate() {
    return BusinessDate.orYesterday(date);
  }

  GeneratorSettings settings(int days, long customers) {
    return new GeneratorSettings(endDate(), days, customers, seed);
  }
}
