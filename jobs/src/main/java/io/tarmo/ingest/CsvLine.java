package io.tarmo.ingest;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits one CSV line (RFC 4180: comma-separated, fields optionally in double quotes, a quote
 * inside quotes doubled). Lines are split one at a time so that every rejected line can be
 * quarantined on its own with its reason; a record may therefore not span lines.
 */
public final class CsvLine {

  private CsvLine() {}

  /** The fields of {@code line}, or null when a quoted field is not closed. */
  public static List<String> split(String line) {
    List<String> fields = new ArrayList<>(16);
    StringBuilder field = new StringBuilder();
    boolean quoted = false;
    boolean fieldWasQuoted = false;
    int i = 0;
    int length = line.length();
    while (i < length) {
      char c = line.charAt(i);
      if (quoted) {
        if (c == '"') {
          if (i + 1 < length && line.charAt(i + 1) == '"') {
            field.append('"');
            i += 2;
            continue;
          }
          quoted = false;
        } else {
          field.append(c);
        }
      } else if (c == ',') {
        fields.add(field.toString());
        field.setLength(0);
        fieldWasQuoted = false;
      } else if (c == '"' && field.toString().isBlank() && !fieldWasQuoted) {
        field.setLength(0);
        quoted = true;
        fieldWasQuoted = true;
      } else if (c != '\r' || i != length - 1) {
        field.append(c);
      }
      i++;
    }
    if (quoted) {
      return null;
    }
    fields.add(field.toString());
    return fields;
  }
}
