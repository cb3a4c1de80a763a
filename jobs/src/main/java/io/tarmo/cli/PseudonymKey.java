package io.tarmo.cli;

import io.tarmo.TarmoException;
import io.tarmo.subject.Pseudonyms;
import java.util.Map;
import java.util.Optional;

/**
 * The pseudonym key of the commands that need one ({@code ingest}, {@code activate}, {@code erase},
 * {@code dsar}), from the command's environment ({@link JobContext#pseudonyms}): a key too short
 * to be safe is bad configuration (exit 2, its value not shown).
 */
final class PseudonymKey {

  private PseudonymKey() {}

  static Optional<Pseudonyms> fromEnvironment(Map<String, String> environment) {
    try {
      return Pseudonyms.fromEnvironment(environment);
    } catch (IllegalArgumentException tooShort) {
      throw TarmoException.usage(tooShort.getMessage());
    }
  }
}
