package io.tarmo.lake;

import io.tarmo.TarmoException;
import io.tarmo.subject.Pseudonyms;

/**
 * Which key {@code suppression_list} was written with. Its rows are keyed hashes: a run with another
 * {@value Pseudonyms#KEY_VARIABLE} would find none of them, so erased people would be ingested and
 * contacted again without any error. The table records its key's fingerprint
 * ({@link Pseudonyms#keyCheck}) as the property {@value #PROPERTY}; every command that reads or
 * writes the list with a key checks it first, and refuses another key (exit 2).
 */
public final class SuppressionKeys {

  /** The table property of {@code suppression_list} that holds its key's fingerprint. */
  public static final String PROPERTY = "tarmo.pseudonymKeyCheck";

  private SuppressionKeys() {}

  /** Refuses (exit 2) a key other than the one the lake's suppression list was written with. */
  public static void verify(DeltaStore store, Pseudonyms keyed, String command) {
    if (store.exists(Tables.SUPPRESSION_LIST)) {
      store.property(Tables.SUPPRESSION_LIST, PROPERTY).ifPresent(recorded -> refuseAnother(recorded, keyed, command));
    }
  }

  /**
   * {@link #verify}, then records the key's fingerprint on a suppression list that has none yet (a
   * new one, or one written before fingerprints were kept): what {@code erase} does before it adds
   * hashes.
   */
  public static void record(DeltaStore store, Pseudonyms keyed, String command) {
    store.ensure(Tables.SUPPRESSION_LIST);
    store.property(Tables.SUPPRESSION_LIST, PROPERTY).ifPresentOrElse(
        recorded -> refuseAnother(recorded, keyed, command),
        () -> store.setProperty(Tables.SUPPRESSION_LIST, PROPERTY, keyed.keyCheck()));
  }

  private static void refuseAnother(String recorded, Pseudonyms keyed, String command) {
    if (!recorded.equals(keyed.keyCheck())) {
      throw TarmoException.usage("Cannot run " + command + ": " + Pseudonyms.KEY_VARIABLE + " is not the key this"
          + " lake's suppression_list was written with (the key's fingerprint differs; the key is not shown)."
          + " With another key no erased identifier would be recognised; run with the lake's key");
    }
  }
}
