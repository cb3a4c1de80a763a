package io.tarmo.cli;

import java.util.Map;

/**
 * What a command's body reports: its counts for {@code job_runs}, and the quality gate it failed
 * after writing everything, if any (exit 3).
 */
record Outcome(Map<String, Long> counts, String qualityFailure) {

  Outcome {
    counts = Map.copyOf(counts);
  }

  static Outcome of(Map<String, Long> counts) {
    return new Outcome(counts, null);
  }
}
