package io.tarmo.cli;

import java.util.Map;

/**
 * What a command's body reports: its counts for {@code job_runs}, the quality gate it failed
 * after writing everything, if any (exit 3), and a failure it recorded with its counts, if any
 * (exit 1: an erasure batch whose requests could not all be verified).
 */
record Outcome(Map<String, Long> counts, String qualityFailure, String failure) {

  Outcome {
    counts = Map.copyOf(counts);
  }

  Outcome(Map<String, Long> counts, String qualityFailure) {
    this(counts, qualityFailure, null);
  }

  static Outcome of(Map<String, Long> counts) {
    return new Outcome(counts, null, null);
  }

  static Outcome failed(Map<String, Long> counts, String failure) {
    return new Outcome(counts, null, failure);
  }
}
