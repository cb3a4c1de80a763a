package io.tarmo.generate;

import java.util.Map;

/** Lines written per source, as {@code job_runs} counts, and a one-line summary. */
public record GenerationResult(Map<String, Long> counts) {
  public GenerationResult {
    counts = Map.copyOf(counts);
  }

  public String summary() {
    return "generate: " + new java.util.TreeMap<>(counts);
  }
}
