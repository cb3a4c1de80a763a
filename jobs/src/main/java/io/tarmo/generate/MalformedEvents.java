package io.tarmo.generate;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Turns a clean event line into one of the malformed lines real collectors deliver. Each result
 * gets a fresh messageId (where it has one), so it never shadows the clean event it came from.
 */
final class MalformedEvents {

  /** The malformed kinds of event lines; ingest must quarantine each with a readable reason. */
  enum Kind {
    INVALID_JSON, MISSING_MESSAGE_ID, MISSING_TIMESTAMP, MISSING_IDS, UNPARSEABLE_TIMESTAMP,
    TIMESTAMP_WITHOUT_ZONE, ABSURD_TIMESTAMP, UNKNOWN_TYPE, TIMESTAMP_NOT_A_STRING, INVALID_UTF8, OVERSIZED
  }

  /** The kinds drawn at random; the oversized and invalid UTF-8 lines are written once a day. */
  static final Kind[] RANDOM_KINDS = {Kind.INVALID_JSON, Kind.MISSING_MESSAGE_ID, Kind.MISSING_TIMESTAMP,
      Kind.MISSING_IDS, Kind.UNPARSEABLE_TIMESTAMP, Kind.TIMESTAMP_WITHOUT_ZONE, Kind.ABSURD_TIMESTAMP,
      Kind.UNKNOWN_TYPE, Kind.TIMESTAMP_NOT_A_STRING};

  private MalformedEvents() {
  }

  static byte[] make(Kind kind, String clean, long h) {
    String line = "{\"messageId\":\"" + Text.uuid(h, Seeds.mix(h)) + "\"" + clean.substring(clean.indexOf("\",") + 1);
    String result = switch (kind) {
      case INVALID_JSON -> line.substring(0, line.length() * 3 / 5);
      case MISSING_MESSAGE_ID -> "{" + line.substring(line.indexOf("\",") + 2);
      case MISSING_TIMESTAMP -> removeStringField(line, "timestamp");
      case MISSING_IDS -> removeStringField(removeStringField(line, "anonymousId"), "userId");
      case UNPARSEABLE_TIMESTAMP -> replaceStringValue(line, "timestamp", "\"yesterday\"");
      case TIMESTAMP_WITHOUT_ZONE -> replaceStringValue(line, "timestamp",
          "\"" + stringValue(line, "timestamp").substring(0, 23) + "\"");
      case ABSURD_TIMESTAMP -> replaceStringValue(line, "timestamp",
          "\"" + ((h & 1) == 0 ? "1970" : "2099") + stringValue(line, "timestamp").substring(4) + "\"");
      case UNKNOWN_TYPE -> replaceStringValue(line, "type", "\"click\"");
      case TIMESTAMP_NOT_A_STRING -> replaceStringValue(line, "timestamp", Long.toString(1_700_000_000_000L
          + Math.floorMod(h, 100_000_000_000L)));
      case OVERSIZED -> oversized(line);
      case INVALID_UTF8 -> null;
    };
    if (kind == Kind.INVALID_UTF8) {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream(line.length() + 32);
      bytes.writeBytes("{\"note\":\"caf".getBytes(StandardCharsets.US_ASCII));
      bytes.write(0xC3);
      bytes.write(0x28);
      bytes.writeBytes("\",".getBytes(StandardCharsets.US_ASCII));
      bytes.writeBytes(line.substring(1).getBytes(StandardCharsets.UTF_8));
      return bytes.toByteArray();
    }
    return result.getBytes(StandardCharsets.UTF_8);
  }

  private static String oversized(String line) {
    StringBuilder sb = new StringBuilder(MessRates.OVERSIZED_CHARS + line.length() + 64);
    sb.append("{\"properties_blob\":{\"debug\":\"");
    while (sb.length() < MessRates.OVERSIZED_CHARS) {
      sb.append("state=checkout;step=payment;retry=true;");
    }
    sb.append("\"},").append(line, 1, line.length());
    return sb.toString();
  }

  private static String stringValue(String line, String name) {
    String key = "\"" + name + "\":\"";
    int start = line.indexOf(key) + key.length();
    return line.substring(start, line.indexOf('"', start));
  }

  /** Replaces the value of a top-level string field (the first occurrence) with raw JSON. */
  private static String replaceStringValue(String line, String name, String raw) {
    String key = "\"" + name + "\":\"";
    int start = line.indexOf(key);
    if (start < 0) {
      return line;
    }
    int valueStart = start + key.length() - 1;
    int end = line.indexOf('"', valueStart + 1) + 1;
    return line.substring(0, valueStart) + raw + line.substring(end);
  }

  private static String removeStringField(String line, String name) {
    String key = ",\"" + name + "\":\"";
    int start = line.indexOf(key);
    if (start < 0) {
      return line;
    }
    int end = line.indexOf('"', start + key.length()) + 1;
    return line.substring(0, start) + line.substring(end);
  }
}
