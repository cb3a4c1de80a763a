package io.tarmo.generate;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Writes one day's events into {@code events-NNNNN.json.gz} files of at most
 * {@link MessRates#EVENTS_PER_FILE} lines, adding the day's mess as lines pass through: repeats
 * of lines (SDK retries) and malformed lines, each at its {@link MessRates} rate, with one of every
 * malformed kind forced on every day that is large enough.
 */
final class EventWriter implements AutoCloseable {

  private final FileSystem fs;
  private final String folder;
  private final SplittableRandom random;
  private final List<String> pendingDuplicates = new ArrayList<>();
  private final MalformedEvents.Kind[] forced = {MalformedEvents.Kind.INVALID_UTF8, MalformedEvents.Kind.INVALID_JSON,
      MalformedEvents.Kind.MISSING_MESSAGE_ID, MalformedEvents.Kind.MISSING_TIMESTAMP, MalformedEvents.Kind.MISSING_IDS,
      MalformedEvents.Kind.UNPARSEABLE_TIMESTAMP, MalformedEvents.Kind.TIMESTAMP_WITHOUT_ZONE,
      MalformedEvents.Kind.ABSURD_TIMESTAMP, MalformedEvents.Kind.UNKNOWN_TYPE,
      MalformedEvents.Kind.TIMESTAMP_NOT_A_STRING};
  private int nextForced;
  private LandingFile file;
  private int fileIndex;
  private long lines;
  private long cleanLines;
  private long malformed;
  private long duplicates;

  EventWriter(FileSystem fs, String folder, long dayHash) {
    this.fs = fs;
    this.folder = folder;
    this.random = new SplittableRandom(dayHash);
  }

  /** A clean event line of the day. */
  void event(String line) {
    cleanLines++;
    write(line);
    if (random.nextDouble() < MessRates.DUPLICATE_SAME_DAY) {
      pendingDuplicates.add(line);
    }
    if (pendingDuplicates.size() >= 16) {
      flushDuplicates();
    }
    if (cleanLines == MessRates.EVENTS_OVERSIZED_AT) {
      malformed(MalformedEvents.Kind.OVERSIZED, line);
    } else if (nextForced < forced.length && cleanLines >= MessRates.EVENTS_FORCED_MALFORMED_FROM
        && (cleanLines - MessRates.EVENTS_FORCED_MALFORMED_FROM) % MessRates.EVENTS_FORCED_MALFORMED_EVERY == 0) {
      malformed(forced[nextForced++], line);
    } else if (random.nextDouble() < MessRates.MALFORMED) {
      malformed(MalformedEvents.RANDOM_KINDS[random.nextInt(MalformedEvents.RANDOM_KINDS.length)], line);
    }
  }

  /** A line already delivered on the previous day, delivered again. */
  void resent(String line) {
    duplicates++;
    write(line);
  }

  /** Writes held-back repeats a little later than their originals, as retries arrive. */
  void flushDuplicates() {
    for (String line : pendingDuplicates) {
      duplicates++;
      write(line);
    }
    pendingDuplicates.clear();
  }

  private void malformed(MalformedEvents.Kind kind, String template) {
    malformed++;
    writeBytes(MalformedEvents.make(kind, template, random.nextLong()));
  }

  private void write(String line) {
    ensureFile();
    file.line(line);
    lines++;
  }

  private void writeBytes(byte[] line) {
    ensureFile();
    file.bytes(line);
    lines++;
  }

  private void ensureFile() {
    if (file != null && file.lines() >= MessRates.EVENTS_PER_FILE) {
      file.close();
      file = null;
    }
    if (file == null) {
      file = new LandingFile(fs, new Path(folder, fileName(fileIndex++)), true);
    }
  }

  static String fileName(int index) {
    return Text.padded("events-", index, 5) + ".json.gz";
  }

  long lines() {
    return lines;
  }

  long malformed() {
    return malformed;
  }

  long duplicates() {
    return duplicates;
  }

  @Override
  public void close() {
    flushDuplicates();
    if (file == null) {
      ensureFile();
    }
    file.close();
  }
}
