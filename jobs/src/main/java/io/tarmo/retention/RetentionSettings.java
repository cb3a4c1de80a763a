package io.tarmo.retention;

import io.tarmo.lake.LandingSpec;
import io.tarmo.lake.Retention;
import io.tarmo.lake.TableSpec;
import io.tarmo.lake.Tables;
import java.time.Duration;
import java.time.Period;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code tarmo.retention}: how long each retention class keeps what it holds, per table and folder
 * overrides, how long VACUUM leaves removed files in place, and whether {@code nightly} ends with
 * retention.
 *
 * @param nightly whether {@code nightly} runs retention as its last step
 * @param vacuumRetention how long after their removal VACUUM leaves a table's data files in place
 *     (readers of older versions may still need them); files removed longer ago are deleted
 * @param classes the period of every {@link #agedClasses aged class}, by its lower-case name
 * @param tables periods that override the class's for single tables, by table name
 * @param folders periods that override the class's for single folders, by path under the lake root
 */
public record RetentionSettings(boolean nightly, Duration vacuumRetention, Map<String, Period> classes,
    Map<String, Period> tables, Map<String, Period> folders) {

  public RetentionSettings {
    classes = Map.copyOf(classes);
    tables = Map.copyOf(tables);
    folders = Map.copyOf(folders);
    for (String name : agedClasses()) {
      if (!classes.containsKey(name)) {
        throw new IllegalArgumentException("no period for retention class " + name);
      }
    }
  }

  /** The retention classes retention ages, by the lower-case names configuration uses. */
  public static List<String> agedClasses() {
    return Arrays.stream(Retention.values()).filter(Retention::aged).map(RetentionSettings::key).toList();
  }

  /** The tables retention ages, by name: those a per-table period may name. */
  public static List<String> agedTables() {
    return Tables.ALL.stream().filter(spec -> spec.retention().aged()).map(TableSpec::name).toList();
  }

  /** The folders retention ages, by path under the lake root: those a per-folder period may name. */
  public static List<String> agedFolders() {
    return Tables.FOLDERS.stream().filter(LandingSpec::aged).map(LandingSpec::path).toList();
  }

  /** How long the rows of {@code table} (of an aged class) are kept. */
  public Period periodOf(TableSpec table) {
    return tables.getOrDefault(table.name(), classes.get(key(table.retention())));
  }

  /** How long the day folders of {@code folder} (an aged one) are kept. */
  public Period periodOf(LandingSpec folder) {
    return folders.getOrDefault(folder.path(), classes.get(key(folder.retention())));
  }

  static String key(Retention retention) {
    return retention.name().toLowerCase(Locale.ROOT);
  }
}
