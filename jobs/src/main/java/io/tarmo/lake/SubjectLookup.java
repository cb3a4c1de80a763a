package io.tarmo.lake;

import java.util.List;
import java.util.Set;

/**
 * How one data subject's rows are found in a table or a landing folder: what erasure deletes,
 * retention ages and an access request exports. A table declares every way its rows can be about
 * a person; a table that holds nothing about anyone says why ({@link None}).
 */
public sealed interface SubjectLookup {

  /** The columns this lookup reads (none for {@link None} and whole-line landing text). */
  List<String> columns();

  /**
   * Rows whose columns hold one of the subject's {@code customer_key}s (as resolved through
   * {@code identity_map} and followed through {@code identity_merges}).
   */
  record ByCustomerKey(List<String> columns) implements SubjectLookup {
    public ByCustomerKey {
      columns = List.copyOf(columns);
    }
  }

  /**
   * Rows whose {@code column} holds one of the subject's identifiers of the given types (the
   * CONTRACT's identifier types: {@code customer_id}, {@code email}, {@code phone},
   * {@code anonymous_id}, {@code loyalty_card_id}), normalised as ingest stores them.
   */
  record ByIdentifier(String column, Set<String> identifierTypes) implements SubjectLookup {
    public ByIdentifier {
      identifierTypes = Set.copyOf(identifierTypes);
    }

    @Override
    public List<String> columns() {
      return List.of(column);
    }
  }

  /** Rows whose {@code valueColumn} holds one of the subject's identifiers of the type named in {@code typeColumn}. */
  record ByTypedIdentifier(String typeColumn, String valueColumn) implements SubjectLookup {
    @Override
    public List<String> columns() {
      return List.of(typeColumn, valueColumn);
    }
  }

  /**
   * Rows whose free text quotes one of the subject's identifiers anywhere, as received or
   * normalised (a rejected input line, a URL with an email in its query string). An empty list
   * of columns means the whole line of a landing file.
   */
  record ByRawText(List<String> columns) implements SubjectLookup {
    public ByRawText {
      columns = List.copyOf(columns);
    }
  }

  /** The table holds nothing about any one person: counts, codes or run metadata only. */
  record None(String why) implements SubjectLookup {
    @Override
    public List<String> columns() {
      return List.of();
    }
  }

  static SubjectLookup byKey(String... columns) {
    return new ByCustomerKey(List.of(columns));
  }

  static SubjectLookup byIdentifier(String column, String... identifierTypes) {
    return new ByIdentifier(column, Set.of(identifierTypes));
  }

  static SubjectLookup byTypedIdentifier(String typeColumn, String valueColumn) {
    return new ByTypedIdentifier(typeColumn, valueColumn);
  }

  static SubjectLookup byRawText(String... columns) {
    return new ByRawText(List.of(columns));
  }
}
