package io.tarmo.ingest;

import com.univocity.parsers.common.TextParsingException;
import com.univocity.parsers.csv.CsvParser;
import com.univocity.parsers.csv.CsvParserSettings;
import com.univocity.parsers.csv.UnescapedQuoteHandling;
import io.tarmo.lake.LandingReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * CSV records (RFC 4180: comma-separated, a field optionally in double quotes, a quote inside
 * quotes doubled, a line break inside quotes part of the field). A record with a quote, a line
 * break or a NUL is parsed by univocity-parsers, the CSV parser Spark itself ships; any other record,
 * most of an extract, is split at its commas, which gives the same fields at a fraction of the cost.
 * A byte-order mark is removed only at the start of a file ({@link LandingReader}); anywhere else it
 * is data, and an identifier that holds it is rejected.
 *
 * <p>Where a record ends is decided here, line by line, by whether a quoted field is still open at
 * the end of a line ({@link #openAfter}). A parser reading the whole file would let one unclosed
 * quote swallow every later line into one field; deciding it per line lets the reader bound a
 * record ({@link #MAX_RECORD_LINES}, {@code max-line-chars}) and, past the bound, quarantine just
 * the line that opened it and go on with the next. The landing reader reads the lines and leaves
 * where a record ends to {@link #splitter}: what a CSV record is belongs to ingest's rules, how a
 * file's lines are read to the lake.
 */
public final class CsvRecords {

  /** A quoted field may span at most this many lines (addresses and notes span a few). */
  public static final int MAX_RECORD_LINES = 100;

  /** Fields beyond this make a record unparseable (no CSV Tarmo reads has near as many). */
  private static final int MAX_COLUMNS = 4096;

  private static final ThreadLocal<CsvParser> PARSER = ThreadLocal.withInitial(CsvRecords::parser);

  private CsvRecords() {}

  /** Splits a landing file's lines into CSV records of {@code columns} fields each. */
  public static LandingReader.RecordSplitter splitter(int columns) {
    return new Splitter(columns);
  }

  /**
   * A CSV record: one line, or while a quoted field stays open, the lines up to the one that
   * closes it. When it is not closed within the bounds, or the lines do not make a strict
   * ({@link #strict}) record of {@code columns} fields, the first line alone is the record (checks
   * reject its open quote) and the lines after it are read again as records of their own.
   */
  private record Splitter(int columns) implements LandingReader.RecordSplitter {

    @Override
    public byte[] next(LandingReader.Lines lines) {
      byte[] first = lines.next();
      if (first == null || !openAfter(first, 0, first.length, false)) {
        return first;
      }
      List<byte[]> parts = new ArrayList<>(List.of(first));
      long size = first.length;
      boolean open = true;
      while (open && parts.size() < MAX_RECORD_LINES && size <= lines.maxBytes()) {
        byte[] line = lines.next();
        if (line == null) {
          break;
        }
        parts.add(line);
        size += line.length + 1;
        open = openAfter(line, 0, line.length, true);
      }
      byte[] joined = !open && size <= lines.maxBytes() ? join(parts) : null;
      if (joined != null && strict(joined)) {
        List<String> fields = fields(new String(joined, StandardCharsets.UTF_8));
        if (fields != null && fields.size() == columns) {
          return joined;
        }
      }
      lines.unread(parts.subList(1, parts.size()));
      return first;
    }

    private static byte[] join(List<byte[]> parts) {
      int size = parts.size() - 1;
      for (byte[] part : parts) {
        size += part.length;
      }
      byte[] joined = new byte[size];
      int at = 0;
      for (byte[] part : parts) {
        if (at > 0) {
          joined[at++] = '\n';
        }
        System.arraycopy(part, 0, joined, at, part.length);
        at += part.length;
      }
      return joined;
    }
  }

  /**
   * Whether a quoted field is open after bytes {@code from} to {@code to} (exclusive) of
   * {@code bytes} (one line, without its line break), given whether one was open before it. Commas and quotes are ASCII, so
   * the UTF-8 bytes can be read without decoding them. A quote opens a field only as its first
   * character, as the parser reads it.
   */
  public static boolean openAfter(byte[] bytes, int from, int to, boolean open) {
    boolean inQuotes = open;
    boolean fieldStart = !open;
    for (int i = from; i < to; i++) {
      byte b = bytes[i];
      if (inQuotes) {
        if (b == '"') {
          if (i + 1 < to && bytes[i + 1] == '"') {
            i++;
          } else {
            inQuotes = false;
          }
        }
      } else if (b == ',') {
        fieldStart = true;
        continue;
      } else if (b == '"' && fieldStart) {
        inQuotes = true;
      }
      fieldStart = false;
    }
    return inQuotes;
  }

  /**
   * Whether every quoted field of {@code record} (lines joined by {@code \n}) is closed right
   * before a comma, a line break or the end, as RFC 4180 has it. The parser is lenient with a
   * stray quote on one line; a record that spans lines must be strict, or a later quote could
   * close a quote left open by mistake lines before and make one record of several.
   */
  public static boolean strict(byte[] record) {
    boolean inQuotes = false;
    boolean fieldStart = true;
    for (int i = 0; i < record.length; i++) {
      byte b = record[i];
      if (inQuotes) {
        if (b == '"') {
          if (i + 1 < record.length && record[i + 1] == '"') {
            i++;
          } else if (i + 1 < record.length && record[i + 1] != ',' && record[i + 1] != '\n') {
            return false;
          } else {
            inQuotes = false;
          }
        }
        continue;
      }
      if (b == '"' && fieldStart) {
        inQuotes = true;
      }
      fieldStart = b == ',' || b == '\n';
    }
    return !inQuotes;
  }

  /**
   * The fields of one record (its lines joined by {@code \n}), or null when a quoted field is not
   * closed at its end; an empty list when it has more than {@value #MAX_COLUMNS} fields.
   */
  public static List<String> fields(String record) {
    if (record == null) {
      return null;
    }
    String text = record.endsWith("\r") ? record.substring(0, record.length() - 1) : record;
    if (plain(text)) {
      return splitPlain(text);
    }
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    if (openAfterLines(bytes)) {
      return null;
    }
    return parse(text);
  }

  /** {@link #fields} by univocity's parser, which every record may go through. */
  static List<String> parse(String text) {
    try {
      String[] fields = PARSER.get().parseLine(text);
      return fields == null ? List.of("") : Arrays.asList(fields);
    } catch (TextParsingException e) {
      return List.of();
    }
  }

  /**
   * Whether a record holds none of the characters that make CSV more than text between commas: no
   * quote, no line break, no carriage return, no NUL. Most records of an extract are like this, and
   * splitting them at their commas gives what the parser gives, at a fraction of its cost.
   */
  private static boolean plain(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '"' || c == '\n' || c == '\r' || c == '\0') {
        return false;
      }
    }
    return true;
  }

  private static List<String> splitPlain(String text) {
    List<String> fields = new ArrayList<>();
    int start = 0;
    for (int i = 0; i <= text.length(); i++) {
      if (i == text.length() || text.charAt(i) == ',') {
        if (fields.size() == MAX_COLUMNS) {
          return List.of();
        }
        fields.add(text.substring(start, i));
        start = i + 1;
      }
    }
    return fields;
  }

  private static boolean openAfterLines(byte[] bytes) {
    boolean open = false;
    int start = 0;
    for (int i = 0; i <= bytes.length; i++) {
      if (i == bytes.length || bytes[i] == '\n') {
        open = openAfter(bytes, start, i, open);
        start = i + 1;
      }
    }
    return open;
  }

  private static CsvParser parser() {
    CsvParserSettings settings = new CsvParserSettings();
    settings.getFormat().setDelimiter(',');
    settings.getFormat().setQuote('"');
    settings.getFormat().setQuoteEscape('"');
    settings.getFormat().setLineSeparator("\n");
    settings.getFormat().setComment('\0');
    settings.setLineSeparatorDetectionEnabled(false);
    // Fields keep their spaces and control characters: ingest trims spaces and rejects the rest.
    settings.setIgnoreLeadingWhitespaces(false);
    settings.setIgnoreTrailingWhitespaces(false);
    settings.setIgnoreLeadingWhitespacesInQuotes(false);
    settings.setIgnoreTrailingWhitespacesInQuotes(false);
    settings.setKeepQuotes(false);
    settings.setNullValue("");
    settings.setEmptyValue("");
    settings.setSkipEmptyLines(false);
    settings.setMaxColumns(MAX_COLUMNS);
    settings.setMaxCharsPerColumn(-1);
    settings.setUnescapedQuoteHandling(UnescapedQuoteHandling.STOP_AT_DELIMITER);
    return new CsvParser(settings);
  }
}
