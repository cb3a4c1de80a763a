package io.tarmo.lake;

import io.tarmo.TarmoException;
import java.io.IOException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Every file under one landing day's folder, sorted into those ingest reads and those it cannot,
 * each of the latter with a readable reason: nothing delivered is skipped in silence.
 *
 * <p>Read: files directly in {@code dt=D/} with one of the format's extensions, plain or gzip
 * ({@code .gz}), in any letter case. Unreadable: any other file, and every file in a sub-folder.
 * Not looked at: names starting with {@code .} or {@code _} (and everything under such a folder),
 * which tools write beside data ({@code _SUCCESS}, {@code .crc}, {@code _temporary/}).
 *
 * @param readable the files to read, sorted by path
 * @param unreadable the other files, sorted by path
 */
public record LandingFiles(List<String> readable, List<Unreadable> unreadable) {

  public static final LandingFiles NONE = new LandingFiles(List.of(), List.of());

  /** A file that is not read, and why. */
  public record Unreadable(String file, String reason) {}

  /** What a source's files may be. */
  public enum Format {
    JSON_LINES(List.of(".json", ".jsonl", ".ndjson"), ".json, .jsonl or .ndjson"),
    CSV(List.of(".csv"), ".csv");

    private final List<String> extensions;
    private final String described;

    Format(List<String> extensions, String described) {
      this.extensions = extensions;
      this.described = described;
    }

    boolean reads(String name) {
      String plain = name.endsWith(".gz") ? name.substring(0, name.length() - 3) : name;
      return extensions.stream().anyMatch(plain::endsWith);
    }

    String unsupported(String name) {
      int dot = name.lastIndexOf('.');
      String extension = dot < 0 ? "(no extension)" : name.substring(dot);
      if (extension.equals(".gz")) {
        int inner = name.lastIndexOf('.', dot - 1);
        extension = inner < 0 ? ".gz" : name.substring(inner);
      }
      return "unsupported file type " + extension + "; deliver " + described + ", plain or gzip (.gz)";
    }
  }

  /** Whether a file is gzip-compressed, by its name. */
  static boolean gzipped(String file) {
    return file.toLowerCase(Locale.ROOT).endsWith(".gz");
  }

  /** The files under {@code folder}, the landing folder of {@code day}; none when it is missing. */
  static LandingFiles list(FileSystem fs, Path folder, LocalDate day, Format format) {
    List<String> readable = new ArrayList<>();
    List<Unreadable> unreadable = new ArrayList<>();
    try {
      if (!fs.exists(folder)) {
        return NONE;
      }
      for (FileStatus status : fs.listStatus(folder)) {
        String name = status.getPath().getName();
        String lower = name.toLowerCase(Locale.ROOT);
        if (hidden(name)) {
          continue;
        }
        if (status.isDirectory()) {
          collectNested(fs, status.getPath(), day, unreadable);
        } else if (format.reads(lower)) {
          readable.add(status.getPath().toString());
        } else {
          unreadable.add(new Unreadable(status.getPath().toString(), format.unsupported(lower)));
        }
      }
    } catch (IOException e) {
      throw TarmoException.job("Cannot list landing folder: " + e.getMessage() + " (" + folder + ")", e);
    }
    readable.sort(Comparator.naturalOrder());
    unreadable.sort(Comparator.comparing(Unreadable::file));
    return new LandingFiles(List.copyOf(readable), List.copyOf(unreadable));
  }

  private static void collectNested(FileSystem fs, Path dir, LocalDate day, List<Unreadable> unreadable)
      throws IOException {
    for (FileStatus status : fs.listStatus(dir)) {
      if (hidden(status.getPath().getName())) {
        continue;
      }
      if (status.isDirectory()) {
        collectNested(fs, status.getPath(), day, unreadable);
      } else {
        unreadable.add(new Unreadable(status.getPath().toString(),
            "file in a sub-folder of the day's folder; deliver files directly in dt=" + day + "/"));
      }
    }
  }

  private static boolean hidden(String name) {
    return name.startsWith(".") || name.startsWith("_");
  }

  public int files() {
    return readable.size();
  }
}
