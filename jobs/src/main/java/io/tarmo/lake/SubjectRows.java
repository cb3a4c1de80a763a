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
