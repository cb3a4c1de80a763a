package io.tarmo.identity;

import java.time.LocalDate;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The outcome of one {@code identity} run: its counts for {@code job_runs} (also written to
 * {@code identity_stats}) and the component-size gate.
 *
 * @param counts metric names (e.g. {@code identity.identifiers.email}) to values
 * @param largestComponent identifiers of the largest customer_key after the run
 * @param maxComponentSize the gate, {@code tarmo.identity.max-component-size}
 * @param deltaVersions the Delta version of each table the run committed to, by table name (also in
 *     {@code job_runs.delta_versions})
 * @param durationMs how long the run took
 */
public record IdentityResult(LocalDate day, boolean full, Map<String, Long> counts, long largestComponent,
    long maxComponentSize, Map<String, Long> deltaVersions, long durationMs) {

  public IdentityResult {
    counts = Map.copyOf(counts);
    deltaVersions = Map.copyOf(deltaVersions);
  }

  public long count(String name) {
    return counts.getOrDefault(name, 0L);
  }

  /** The gate's one-line message when the largest component is too large. */
  public Optional<String> qualityFailure() {
    if (largestComponent <= maxComponentSize) {
      return Optional.empty();
    }
    return Optional.of(String.format(Locale.ROOT,
        "Cannot pass the component-size gate: after identity %s the largest customer has %d identifiers, above "
            + "tarmo.identity.max-component-size (%d); see identity_stats and identity_decisions",
        day, largestComponent, maxComponentSize));
  }

  /** One line of counts, no personal data. */
  public String summary() {
    return String.format(Locale.ROOT,
        "identity %s%s: edges=%d identifiers=%d customers=%d components=%d largest=%d merges=%d decisions=%d "
            + "rejected=%d region=%d rounds=%d",
        day, full ? " (full)" : "", count("identity.edges"), count("identity.identifiers"),
        count("identity.customers"), count("identity.components"), largestComponent,
        count("identity.merges"), count("identity.decisions"), count("identity.rejected"),
        count("identity.region.identifiers"), count("identity.rounds"));
  }
}
