package io.tarmo.lake;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import io.tarmo.subject.SubjectSet;
import org.apache.spark.sql.Column;

/**
 * A table's rows about the subjects of a {@link SubjectSet}, by every {@link SubjectLookup} its
 * spec declares: what erasure deletes and an access request exports. The condition names columns
 * and Tarmo's matching functions only, never a value (see {@link SubjectSet}).
 */
public final class SubjectRows {

  private SubjectRows() {}

  /** The condition that holds for the rows of {@code spec} about the subjects; false for a table about no one. */
  public static Column condition(TableSpec spec, SubjectSet subjects) {
    Column any = lit(false);
    for (SubjectLookup lookup : spec.lookups()) {
      any = any.or(condition(lookup, subjects));
    }
    return any;
  }

  /**
   * Picks the records of a folder's files about the subjects, by every lookup {@code folder}
   * declares: free text anywhere in the record, or one of their customer_keys as the record's first
   * CSV field (where the export files keep it). The twin of {@link #condition} for files.
   */
  public static LakeFiles.RecordFilter filter(LandingSpec folder, SubjectSet subjects) {
    boolean byText = folder.lookups().stream().anyMatch(SubjectLookup.ByRawText.class::isInstance)
        && !subjects.text().isEmpty();
    boolean byKey = folder.lookups().stream().anyMatch(SubjectLookup.ByCustomerKey.class::isInstance)
        && !subjects.keys().isEmpty();
    return record -> (byText && subjects.text().matches(record)) || (byKey && leadingKeyIn(record, subjects));
  }

  /** Whether a CSV record starts with one of the subjects' customer_keys. */
  private static boolean leadingKeyIn(String record, SubjectSet subjects) {
    int comma = record.indexOf(',');
    String first = comma < 0 ? record : record.substring(0, comma);
    if (first.isEmpty() || first.length() > 19 || !first.chars().allMatch(Character::isDigit)) {
      return false;
    }
    try {
      return subjects.keys().contains(Long.parseLong(first));
    } catch (NumberFormatException tooLong) {
      return false;
    }
  }

  private static Column condition(SubjectLookup lookup, SubjectSet subjects) {
    if (lookup instanceof SubjectLookup.ByCustomerKey byKey) {
      return byKey.columns().stream().map(column -> subjects.keyIn(col(column))).reduce(lit(false), Column::or);
    }
    if (lookup instanceof SubjectLookup.ByIdentifier byIdentifier) {
      return subjects.identifierIn(col(byIdentifier.column()), byIdentifier.identifierTypes());
    }
    if (lookup instanceof SubjectLookup.ByTypedIdentifier typed) {
      return subjects.typedIdentifierIn(col(typed.typeColumn()), col(typed.valueColumn()));
    }
    if (lookup instanceof SubjectLookup.ByRawText text) {
      return subjects.textIn(text.columns().stream().map(column -> col(column)).toList());
    }
    return lit(false);
  }
}
