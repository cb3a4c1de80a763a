package io.tarmo.lake;

import io.tarmo.TarmoException;
import java.util.List;

/**
 * One folder of the lake that holds files rather than a table: a landing folder of raw input, or
 * a folder Tarmo writes for people or for itself. Says, as a {@link TableSpec} does, how one
 * person's data is found in it and which retention rule applies.
 *
 * @param path the folder, relative to the lake root, e.g. {@code landing/events}
 * @param comment what it holds
 * @param lookups every way one data subject's data is found in its files
 * @param retention which retention rule applies
 */
public record LandingSpec(String path, String comment, List<SubjectLookup> lookups, Retention retention) {

  public LandingSpec {
    lookups = List.copyOf(lookups);
    if (lookups.isEmpty() || retention == null) {
      throw TarmoException.job("Cannot declare folder " + path + ": it needs a lookup and a retention class");
    }
  }
}
