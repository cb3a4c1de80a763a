package io.tarmo.subject;

import static org.apache.spark.sql.functions.concat_ws;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.udf;

import java.io.Serializable;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.api.java.UDF2;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.types.DataTypes;

/**
 * The data subjects of one erasure batch or access request, as Spark can find their rows: their
 * {@code customer_key}s, their identifiers by type (normalised, as the tables store them) and a
 * {@link ValueMatcher} for free text. Each test is a Spark function that carries the values inside
 * itself: a condition built here names columns and a function only, so when Delta records it in
 * a commit (a {@code DELETE} predicate), no value reaches the transaction log, and the plan shown
 * by {@code EXPLAIN} or the Spark UI holds none either.
 *
 * <p>Identifiers shared with someone else (a family laptop's cookie) are not part of the set: rows
 * are about the subject through identifiers that are theirs alone, or through their keys.
 */
public final class SubjectSet implements Serializable {

  private static final long serialVersionUID = 1L;

  private final Set<Long> keys;
  private final Map<String, Set<String>> identifiers;
  private final ValueMatcher text;

  public SubjectSet(Collection<Long> keys, Map<IdentifierType, ? extends Collection<String>> identifiers,
      ValueMatcher text) {
    this.keys = Set.copyOf(keys);
    Map<String, Set<String>> byName = new HashMap<>();
    identifiers.forEach((type, values) -> byName.put(type.key(), Set.copyOf(new HashSet<>(values))));
    this.identifiers = Map.copyOf(byName);
    this.text = text;
  }

  public Set<Long> keys() {
    return keys;
  }

  /** The subjects' identifiers of {@code type}, normalised. */
  public Set<String> identifiers(IdentifierType type) {
    return identifiers.getOrDefault(type.key(), Set.of());
  }

  public ValueMatcher text() {
    return text;
  }

  /** Whether the set holds no key, no identifier and no text to look for. */
  public boolean isEmpty() {
    return keys.isEmpty() && identifiers.values().stream().allMatch(Set::isEmpty) && text.isEmpty();
  }

  /** Whether {@code key} is one of the subjects' customer_keys. */
  public Column keyIn(Column key) {
    UDF1<Long, Boolean> test = value -> value != null && keys.contains(value);
    return named(udf(test, DataTypes.BooleanType), "subject_key").apply(key);
  }

  /** Whether {@code value} is one of the subjects' identifiers of one of {@code types}. */
  public Column identifierIn(Column value, Collection<String> types) {
    Set<String> values = new HashSet<>();
    types.forEach(type -> values.addAll(identifiers.getOrDefault(type, Set.of())));
    UDF1<String, Boolean> test = candidate -> candidate != null && values.contains(candidate);
    return named(udf(test, DataTypes.BooleanType), "subject_identifier").apply(value);
  }

  /** Whether {@code value} is one of the subjects' identifiers of the type {@code type} names. */
  public Column typedIdentifierIn(Column type, Column value) {
    UDF2<String, String, Boolean> test = (typeName, candidate) -> typeName != null && candidate != null
        && identifiers.getOrDefault(typeName, Set.of()).contains(candidate);
    return named(udf(test, DataTypes.BooleanType), "subject_typed_identifier").apply(type, value);
  }

  /** Whether any of {@code columns} (cast to text) quotes one of the subjects' identifiers in any form. */
  public Column textIn(List<Column> columns) {
    if (text.isEmpty()) {
      return lit(false);
    }
    Column joined = concat_ws("\n", columns.stream().map(column -> column.cast(DataTypes.StringType))
        .toArray(Column[]::new));
    UDF1<String, Boolean> test = value -> value != null && text.matches(value);
    return named(udf(test, DataTypes.BooleanType), "subject_text").apply(joined);
  }

  private static UserDefinedFunction named(UserDefinedFunction function, String name) {
    return function.withName(name);
  }

  @Override
  public String toString() {
    return "SubjectSet[" + keys.size() + " keys, "
        + identifiers.values().stream().mapToInt(Set::size).sum() + " identifiers, " + text + "]";
  }
}
