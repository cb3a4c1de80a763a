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
 * @param aged whether {@code retention} deletes its day folders ({@code dt=YYYY-MM-DD}, directly in it
 *     or in a sub-folder the catalogue does not list itself) older than the retention period; only
 *     for a class that {@link Retention#aged ages} what it holds
 */
public record LandingSpec(String path, String comment, List<SubjectLookup> lookups, Retention retention,
    boolean aged) {

  public LandingSpec {
    lookups = List.copyOf(lookups);
    if (lookups.isEmpty() || retention == null) {
      throw TarmoException.job("Cannot declare folder " + path + ": it needs a lookup and a retention class");
    }
    if (aged && !retention.aged()) {
      throw TarmoException.job("Cannot declare folder " + path + ": retention class " + retention
          + " does not delete by age");
    }
  }

  /** A folder whose day folders are aged exactly when its retention class ages what it holds. */
  public LandingSpec(String path, String comment, List<SubjectLookup> lookups, Retention retention) {
    this(path, comment, lookups, retention, retention != null && retention.aged());
  }
}
