package io.tarmo.generate;

import java.time.LocalDate;

/** Fast formatting of ids, numbers and timestamps for the generator's hot loop (no String.format). */
final class Text {

  private static final char[] HEX = "0123456789abcdef".toCharArray();
  static final long MILLIS_PER_DAY = 86_400_000L;
  private static final long HOUR = 3_600_000L;

  private Text() {
  }

  /** ISO dates of 1900-2199 by epoch day, computed once: formatting dates is the hot loop's bulk. */
  private static final class Dates {
    private static final long FIRST = LocalDate.of(1900, 1, 1).toEpochDay();
    private static final String[] ISO = new String[(int) (LocalDate.of(2200, 1, 1).toEpochDay() - FIRST)];

    static {
      for (int k = 0; k < ISO.length; k++) {
        ISO[k] = LocalDate.ofEpochDay(FIRST + k).toString();
      }
    }

    static String of(long epochDay) {
      long k = epochDay - FIRST;
      return k >= 0 && k < ISO.length ? ISO[(int) k] : LocalDate.ofEpochDay(epochDay).toString();
    }
  }

  /** A UUID-shaped id (8-4-4-4-12 hex) from two longs, with version 4 and variant bits set. */
  static String uuid(long hi, long lo) {
    hi = (hi & ~0xF000L) | 0x4000L;
    lo = (lo & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    char[] out = new char[36];
    int p = 0;
    for (int i = 15; i >= 0; i--) {
      out[p++] = HEX[(int) (hi >>> (i * 4)) & 15];
      if (p == 8 || p == 13) {
        out[p++] = '-';
      }
    }
    out[p++] = '-';
    for (int i = 15; i >= 0; i--) {
      out[p++] = HEX[(int) (lo >>> (i * 4)) & 15];
      if (p == 23) {
        out[p++] = '-';
      }
    }
    return new String(out);
  }

  static void padded(StringBuilder sb, long value, int width) {
    String digits = Long.toString(value);
    for (int i = digits.length(); i < width; i++) {
      sb.append('0');
    }
    sb.append(digits);
  }

  static String padded(String prefix, long value, int width) {
    StringBuilder sb = new StringBuilder(prefix.length() + width);
    sb.append(prefix);
    padded(sb, value, width);
    return sb.toString();
  }

  /**
   * Appends an ISO-8601 timestamp with milliseconds: {@code 2024-05-01T10:15:30.123Z}, or with
   * {@code offsetPlusOne} the same instant as {@code 2024-05-01T11:15:30.123+01:00}.
   */
  static void timestamp(StringBuilder sb, long epochMillis, boolean offsetPlusOne) {
    long local = offsetPlusOne ? epochMillis + HOUR : epochMillis;
    dateAndClock(sb, local);
    sb.append('.');
    long milli = Math.floorMod(local, 1000L);
    if (milli < 100) {
      sb.append('0');
    }
    if (milli < 10) {
      sb.append('0');
    }
    sb.append(milli);
    sb.append(offsetPlusOne ? "+01:00" : "Z");
  }

  static String timestamp(long epochMillis) {
    StringBuilder sb = new StringBuilder(24);
    timestamp(sb, epochMillis, false);
    return sb.toString();
  }

  /** Seconds precision, {@code Z}: what the CRM and the consent ledger write. */
  static String instant(long epochMillis) {
    StringBuilder sb = new StringBuilder(20);
    dateAndClock(sb, epochMillis);
    sb.append('Z');
    return sb.toString();
  }

  /** {@code YYYY-MM-DDThh:mm:ss} of an instant in UTC. */
  private static void dateAndClock(StringBuilder sb, long epochMillis) {
    long ms = Math.floorMod(epochMillis, MILLIS_PER_DAY);
    sb.append(Dates.of(Math.floorDiv(epochMillis, MILLIS_PER_DAY))).append('T');
    two(sb, ms / HOUR);
    sb.append(':');
    two(sb, ms / 60_000 % 60);
    sb.append(':');
    two(sb, ms / 1000 % 60);
  }

  private static void two(StringBuilder sb, long v) {
    if (v < 10) {
      sb.append('0');
    }
    sb.append(v);
  }
}
