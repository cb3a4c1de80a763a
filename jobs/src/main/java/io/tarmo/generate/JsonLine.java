package io.tarmo.generate;

/**
 * A small, fast builder for one line of JSON. Fields are written in call order; the builder adds
 * commas and escapes strings. Reused line after line to keep the hot loop free of garbage.
 */
final class JsonLine {

  private StringBuilder sb = new StringBuilder(1024);
  private boolean needsComma;

  JsonLine begin() {
    // A fresh builder per line: one that once held a non-Latin-1 name stays UTF-16 and slow.
    sb = new StringBuilder(1024);
    sb.append('{');
    needsComma = false;
    return this;
  }

  JsonLine str(String name, String value) {
    key(name);
    quote(value);
    return this;
  }

  /** A string field whose value the caller writes raw (already valid JSON string content). */
  StringBuilder strRaw(String name) {
    key(name);
    return sb;
  }

  JsonLine num(String name, long value) {
    key(name);
    sb.append(value);
    return this;
  }

  /** A money amount with two decimals, from cents. */
  JsonLine money(String name, long cents) {
    key(name);
    appendMoney(sb, cents);
    return this;
  }

  JsonLine bool(String name, boolean value) {
    key(name);
    sb.append(value);
    return this;
  }

  JsonLine object(String name) {
    key(name);
    sb.append('{');
    needsComma = false;
    return this;
  }

  JsonLine array(String name) {
    key(name);
    sb.append('[');
    needsComma = false;
    return this;
  }

  /** Opens an object as an array element. */
  JsonLine element() {
    if (needsComma) {
      sb.append(',');
    }
    sb.append('{');
    needsComma = false;
    return this;
  }

  JsonLine end() {
    sb.append('}');
    needsComma = true;
    return this;
  }

  JsonLine endArray() {
    sb.append(']');
    needsComma = true;
    return this;
  }

  String finish() {
    sb.append('}');
    return sb.toString();
  }

  StringBuilder buffer() {
    return sb;
  }

  private void key(String name) {
    if (needsComma) {
      sb.append(',');
    }
    sb.append('"').append(name).append("\":");
    needsComma = true;
  }

  private void quote(String value) {
    sb.append('"');
    escape(sb, value);
    sb.append('"');
  }

  static void escape(StringBuilder sb, String value) {
    int n = value.length();
    int first = 0;
    while (first < n) {
      char c = value.charAt(first);
      if (c == '"' || c == '\\' || c < 0x20) {
        break;
      }
      first++;
    }
    if (first == n) {
      sb.append(value);
      return;
    }
    sb.append(value, 0, first);
    for (int i = first; i < n; i++) {
      char c = value.charAt(i);
      if (c == '"' || c == '\\') {
        sb.append('\\').append(c);
      } else if (c < 0x20) {
        sb.append("\\u00");
        sb.append(Character.forDigit(c >> 4, 16)).append(Character.forDigit(c & 15, 16));
      } else {
        sb.append(c);
      }
    }
  }

  static void appendMoney(StringBuilder sb, long cents) {
    sb.append(cents / 100).append('.');
    long rest = cents % 100;
    if (rest < 10) {
      sb.append('0');
    }
    sb.append(rest);
  }
}
