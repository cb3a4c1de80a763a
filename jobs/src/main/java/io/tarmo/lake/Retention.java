package io.tarmo.lake;

/**
 * How long a table's or landing folder's rows may be kept: the class decides which retention rule
 * applies, the periods are configuration.
 */
public enum Retention {
  /** Raw deliveries as received: kept only until they have been ingested and can no longer be re-run. */
  LANDING("raw deliveries, kept until ingested and past the re-run window"),
  /** Behaviour history (events): rows older than the history window are deleted. */
  HISTORY("behaviour history, deleted past the history window"),
  /** The consent ledger: kept as proof of what was agreed for as long as the customer exists. */
  LEDGER("proof of consent, kept while the customer exists, erased on request"),
  /** Current state (one row per customer or identifier): kept while the customer exists. */
  CURRENT("current state, kept while the customer exists, erased on request"),
  /** Per-day results (memberships, changes, sizes, activations): days older than the window are deleted. */
  DAILY("per-day results, days past the window deleted"),
  /** Rejected input lines: kept briefly for inspection. */
  QUARANTINE("rejected input, kept briefly for inspection"),
  /** Audit of what Tarmo did (runs, merges, decisions): kept for the audit period. */
  AUDIT("audit trail, kept for the audit period"),
  /**
   * Suppression: keyed hashes of erased identifiers, kept for as long as Tarmo holds data, so that an
   * erased person is never contacted again (they say who must not be contacted, not who someone is).
   */
  SUPPRESSION("keyed hashes of erased identifiers, kept so that erased people are never contacted again"),
  /** Scratch space: cleared by the run that made it, or by the next run when that one was killed. */
  SCRATCH("scratch space, cleared by the run that made it or the next one");

  private final String description;

  Retention(String description) {
    this.description = description;
  }

  public String description() {
    return description;
  }

  /**
   * Whether {@code retention} deletes by age what this class holds: rows older than the class's
   * period (a table of such a class says which column dates its rows, {@link TableSpec.Builder#agedBy}),
   * or day folders ({@code dt=YYYY-MM-DD}) older than it. The other classes are kept while the
   * customer exists (erasure removes them) or are cleared by whoever made them.
   */
  public boolean aged() {
    return switch (this) {
      case LANDING, HISTORY, DAILY, QUARANTINE, AUDIT -> true;
      case LEDGER, CURRENT, SUPPRESSION, SCRATCH -> false;
    };
  }
}
