package io.tarmo.lake;

import io.tarmo.TarmoException;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The activation export files of one day, in the form a sending tool imports:
 * {@code <lake>/exports/dt=D/<channel>/<segment>.csv} with a header {@code customer_key,<address>}
 * and one row per address, sorted; {@code <segment>.added.csv} and {@code <segment>.removed.csv}
 * against the previous activation day; and {@code _manifest.json} with every file's row count and
 * SHA-256. Header-only files for an empty audience, so that a sync can tell "nobody" from "not run".
 *
 * <p>A day is written into a hidden staging folder beside it and then put in the place of the old
 * day, so a re-run leaves exactly the new files; a failed run removes its staging folder, and one
 * left by a killed run is removed by the next run of that day. The manifest is the day's completion
 * mark, removed first and written last, as on S3 the move is a copy of one file after another. Rows are streamed partition by partition to the driver
 * ({@link Dataset#toLocalIterator()}), never collected: an audience of millions needs one
 * partition of memory. Through Hadoop's {@link FileSystem}, so an {@code s3a://} lake works alike.
 */
public final class ExportFiles {

  /** The lake folder of the exports, relative to the root. */
  public static final String FOLDER = "exports";

  /** The manifest's file name in a day's folder. */
  public static final String MANIFEST = "_manifest.json";

  private static final String STAGING_PREFIX = ".staging-";

  /** The three files of an audience. */
  public enum Kind {
    /** Everyone activated on the day. */
    FULL(""),
    /** Activated on the day but not on the previous activation day. */
    ADDED(".added"),
    /** Activated on the previous activation day but not on the day. */
    REMOVED(".removed");

    private final String suffix;

    Kind(String suffix) {
      this.suffix = suffix;
    }

    /** The name in the manifest and in the rows' {@code kind} column, e.g. {@code added}. */
    public String key() {
      return name().toLowerCase(Locale.ROOT);
    }

    static Kind byKey(String key) {
      for (Kind kind : values()) {
        if (kind.key().equals(key)) {
          return kind;
        }
      }
      throw TarmoException.job("Cannot write exports: unknown kind of export rows (" + key + ")");
    }
  }

  /**
   * One exported audience.
   *
   * @param channel the channel, the folder under the day
   * @param segment the segment id, the file name
   * @param addressColumn the header of the address column, e.g. {@code email} or {@code device_id}
   */
  public record Audience(String channel, String segment, String addressColumn) {}

  /**
   * One written file, as the manifest lists it.
   *
   * @param path relative to the day's folder, e.g. {@code email/cart-abandoners.added.csv}
   * @param rows data rows (without the header)
   * @param sha256 of the file's bytes, lower-case hex
   */
  public record ExportedFile(String path, String channel, String segment, String kind, long rows, String sha256) {}

  /** One day's export: its folder, the day compared against (null on the first) and the files, by path. */
  public record Export(String folder, LocalDate day, LocalDate previousDay, List<ExportedFile> files) {
    public Export {
      files = List.copyOf(files);
    }
  }

  private final SparkSession spark;
  private final Lake lake;

  public ExportFiles(SparkSession spark, Lake lake) {
    this.spark = spark;
    this.lake = lake;
  }

  /** {@code <lake>/exports/dt=D}. */
  public String dayFolder(LocalDate day) {
    return lake.root() + "/" + FOLDER + "/dt=" + day;
  }

  /**
   * Replaces the day's export with the {@code rows} of the {@code audiences}: columns
   * {@code channel, segment_id, kind} (full, added or removed), {@code customer_key} and
   * {@code address}: each file's rows together and in order (for instance partitioned by channel and
   * segment, each partition sorted by all five).
   *
   * @throws TarmoException when a row belongs to no audience or the rows are not sorted
   */
  public Export write(LocalDate day, LocalDate previousDay, List<Audience> audiences, Dataset<Row> rows) {
    FileSystem fs = Lake.withoutChecksumFiles(lake.fileSystem(spark.sparkContext().hadoopConfiguration()));
    Path target = new Path(dayFolder(day));
    Path staging = new Path(lake.root() + "/" + FOLDER + "/" + STAGING_PREFIX + "dt=" + day + "-" + UUID.randomUUID());
    try {
      removeStaleStaging(fs, day);
      fs.mkdirs(staging);
      List<ExportedFile> files = writeFiles(fs, staging, audiences, rows);
      // The manifest marks a complete day: it goes first and comes back last, since moving a
      // folder is atomic on a local disk or HDFS but a copy, file by file, on S3.
      fs.delete(new Path(target, MANIFEST), false);
      if (fs.exists(target) && !fs.delete(target, true)) {
        throw new IOException("could not remove the earlier export of the day");
      }
      if (!fs.rename(staging, target)) {
        throw new IOException("could not move the staged export into place");
      }
      writeManifest(fs, new Path(target, MANIFEST), day, previousDay, files);
      return new Export(target.toString(), day, previousDay, files);
    } catch (IOException e) {
      TarmoException failure = TarmoException.job("Cannot write the exports of " + day + ": " + e.getMessage()
          + " (" + target + ")", e);
      removeAfterFailure(fs, staging, failure);
      throw failure;
    } catch (RuntimeException e) {
      removeAfterFailure(fs, staging, e);
      throw e;
    }
  }

  /** Staged files hold addresses: they go at once, not with the next run of the day. */
  private static void removeAfterFailure(FileSystem fs, Path staging, RuntimeException failure) {
    try {
      fs.delete(staging, true);
    } catch (IOException e) {
      failure.addSuppressed(e);
    }
  }


  /** Staging folders of the same day left by a run that was killed. */
  private void removeStaleStaging(FileSystem fs, LocalDate day) throws IOException {
    Path folder = new Path(lake.root() + "/" + FOLDER);
    if (!fs.exists(folder)) {
      return;
    }
    for (FileStatus status : fs.listStatus(folder)) {
      if (status.getPath().getName().startsWith(STAGING_PREFIX + "dt=" + day + "-")) {
        fs.delete(status.getPath(), true);
      }
    }
  }

  private List<ExportedFile> writeFiles(FileSystem fs, Path staging, List<Audience> audiences, Dataset<Row> rows)
      throws IOException {
    Map<String, Audience> byKey = new LinkedHashMap<>();
    for (Audience audience : audiences) {
      byKey.put(audience.channel() + "/" + audience.segment(), audience);
    }
    Map<String, ExportedFile> written = new LinkedHashMap<>();
    CsvFile open = null;
    try {
      Iterator<Row> iterator = rows.select("channel", "segment_id", "kind", "customer_key", "address").toLocalIterator();
      while (iterator.hasNext()) {
        Row row = iterator.next();
        String audienceKey = row.getString(0) + "/" + row.getString(1);
        Audience audience = byKey.get(audienceKey);
        if (audience == null) {
          throw TarmoException.job("Cannot write exports: rows of an audience that is not configured ("
              + audienceKey + ")");
        }
        Kind kind = Kind.byKey(row.getString(2));
        String path = path(audience, kind);
        if (open == null || !open.path.equals(path)) {
          if (open != null) {
            written.put(open.path, open.close());
            open = null;
          }
          if (written.containsKey(path)) {
            throw TarmoException.job("Cannot write exports: the rows are not sorted by file (" + path + ")");
          }
          open = new CsvFile(fs, staging, path, audience, kind);
        }
        open.row(row.getLong(3), row.getString(4));
      }
      if (open != null) {
        written.put(open.path, open.close());
        open = null;
      }
    } catch (IOException | RuntimeException e) {
      if (open != null) {
        try {
          open.close();
        } catch (IOException closing) {
          e.addSuppressed(closing);
        }
      }
      throw e;
    }
    for (Audience audience : audiences) {
      for (Kind kind : Kind.values()) {
        String path = path(audience, kind);
        if (!written.containsKey(path)) {
          written.put(path, new CsvFile(fs, staging, path, audience, kind).close());
        }
      }
    }
    List<ExportedFile> files = new ArrayList<>(written.values());
    files.sort(Comparator.comparing(ExportedFile::path));
    return files;
  }

  /** The folder of the downstream deletion notices erasure writes, relative to the lake root. */
  public static final String ERASURE_NOTICES = FOLDER + "/erasure";

  /**
   * Adds {@code keysByChannel} to the day's downstream deletion notices
   * ({@code exports/erasure/dt=D/<channel>.csv}: a header {@code customer_key}, one sorted key per
   * line), keeping the keys a notice of the same day already holds: a sending tool deletes these
   * customers on its side. Keys only: the notice names nobody.
   */
  public void addErasureNotices(LocalDate day, Map<String, java.util.Set<Long>> keysByChannel) {
    FileSystem fs = Lake.withoutChecksumFiles(lake.fileSystem(spark.sparkContext().hadoopConfiguration()));
    for (Map.Entry<String, java.util.Set<Long>> channel : keysByChannel.entrySet()) {
      Path file = new Path(lake.root() + "/" + ERASURE_NOTICES + "/dt=" + day + "/" + channel.getKey() + ".csv");
      java.util.TreeSet<Long> keys = new java.util.TreeSet<>(channel.getValue());
      try {
        if (fs.exists(file)) {
          try (var reader = new java.io.BufferedReader(new java.io.InputStreamReader(fs.open(file),
              StandardCharsets.UTF_8))) {
            reader.lines().skip(1).filter(line -> !line.isBlank()).map(String::strip).map(Long::parseLong)
                .forEach(keys::add);
          }
        }
        Path partial = new Path(file.getParent(), "." + file.getName() + ".partial");
        try (Writer writer = new BufferedWriter(new OutputStreamWriter(fs.create(partial, true),
            StandardCharsets.UTF_8))) {
          writer.write("customer_key\n");
          for (long key : keys) {
            writer.write(key + "\n");
          }
        }
        fs.delete(file, false);
        if (!fs.rename(partial, file)) {
          throw new IOException("rename failed");
        }
      } catch (IOException | NumberFormatException e) {
        throw TarmoException.job("Cannot write the erasure notice " + file + ": " + e.getMessage(), e);
      }
    }
  }

  /**
   * Brings the manifests of the day folders holding {@code rewritten} export files (paths relative
   * to the lake root) up to date with their files' new row counts and digests.
   */
  public void refreshManifests(List<String> rewritten) {
    FileSystem fs = Lake.withoutChecksumFiles(lake.fileSystem(spark.sparkContext().hadoopConfiguration()));
    java.util.Set<String> days = new java.util.TreeSet<>();
    for (String path : rewritten) {
      String[] parts = path.split("/");
      if (parts.length > 2 && parts[0].equals(FOLDER) && parts[1].startsWith("dt=")) {
        days.add(parts[1]);
      }
    }
    for (String day : days) {
      Path manifest = new Path(lake.root() + "/" + FOLDER + "/" + day + "/" + MANIFEST);
      try {
        if (!fs.exists(manifest)) {
          continue;
        }
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        com.fasterxml.jackson.databind.JsonNode root;
        try (var in = fs.open(manifest)) {
          root = json.readTree(in);
        }
        List<ExportedFile> files = new ArrayList<>();
        for (com.fasterxml.jackson.databind.JsonNode file : root.path("files")) {
          String relative = file.path("path").asText();
          Path data = new Path(manifest.getParent(), relative);
          MessageDigest digest = sha256();
          long lines = 0;
          try (var in = fs.open(data)) {
            byte[] buffer = new byte[1 << 16];
            int read;
            while ((read = in.read(buffer)) > 0) {
              digest.update(buffer, 0, read);
              for (int i = 0; i < read; i++) {
                if (buffer[i] == '\n') {
                  lines++;
                }
              }
            }
          }
          files.add(new ExportedFile(relative, file.path("channel").asText(), file.path("segment").asText(),
              file.path("kind").asText(), Math.max(0, lines - 1), HexFormat.of().formatHex(digest.digest())));
        }
        String previous = root.path("previous_date").isNull() ? null : root.path("previous_date").asText();
        writeManifest(fs, manifest, LocalDate.parse(root.path("as_of_date").asText()),
            previous == null ? null : LocalDate.parse(previous), files);
      } catch (IOException e) {
        throw TarmoException.job("Cannot update the export manifest " + manifest + ": " + e.getMessage(), e);
      }
    }
  }

  private static String path(Audience audience, Kind kind) {
    return audience.channel() + "/" + audience.segment() + kind.suffix + ".csv";
  }

  /** One CSV file being written, with its running row count and digest. */
  private static final class CsvFile {
    private final String path;
    private final Audience audience;
    private final Kind kind;
    private final MessageDigest digest;
    private final Writer writer;
    private long rows;

    CsvFile(FileSystem fs, Path staging, String path, Audience audience, Kind kind) throws IOException {
      this.path = path;
      this.audience = audience;
      this.kind = kind;
      this.digest = sha256();
      this.writer = new BufferedWriter(new OutputStreamWriter(
          new DigestOutputStream(fs.create(new Path(staging, path), true), digest), StandardCharsets.UTF_8));
      writer.write("customer_key," + csv(audience.addressColumn()) + "\n");
    }

    void row(long customerKey, String address) throws IOException {
      writer.write(customerKey + "," + csv(address) + "\n");
      rows++;
    }

    ExportedFile close() throws IOException {
      writer.close();
      return new ExportedFile(path, audience.channel(), audience.segment(), kind.key(), rows,
          HexFormat.of().formatHex(digest.digest()));
    }
  }

  /** RFC 4180: a value with a comma, quote or line break is quoted, its quotes doubled. */
  static String csv(String value) {
    if (value == null) {
      return "";
    }
    if (value.indexOf(',') < 0 && value.indexOf('"') < 0 && value.indexOf('\n') < 0 && value.indexOf('\r') < 0) {
      return value;
    }
    return "\"" + value.replace("\"", "\"\"") + "\"";
  }

  private static void writeManifest(FileSystem fs, Path manifest, LocalDate day, LocalDate previousDay,
      List<ExportedFile> files) throws IOException {
    StringBuilder json = new StringBuilder();
    json.append("{\n  \"as_of_date\": \"").append(day).append("\",\n  \"previous_date\": ")
        .append(previousDay == null ? "null" : "\"" + previousDay + "\"").append(",\n  \"files\": [");
    for (int i = 0; i < files.size(); i++) {
      ExportedFile file = files.get(i);
      json.append(i == 0 ? "\n" : ",\n")
          .append("    {\"path\": ").append(quoted(file.path()))
          .append(", \"channel\": ").append(quoted(file.channel()))
          .append(", \"segment\": ").append(quoted(file.segment()))
          .append(", \"kind\": ").append(quoted(file.kind()))
          .append(", \"rows\": ").append(file.rows())
          .append(", \"sha256\": ").append(quoted(file.sha256())).append('}');
    }
    json.append(files.isEmpty() ? "]\n}\n" : "\n  ]\n}\n");
    try (Writer writer = new OutputStreamWriter(fs.create(manifest, true), StandardCharsets.UTF_8)) {
      writer.write(json.toString());
    }
  }

  /** A JSON string; the values are channel names, segment ids and hex digests, escaped all the same. */
  private static String quoted(String value) {
    StringBuilder out = new StringBuilder("\"");
    for (char c : value.toCharArray()) {
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        default -> {
          if (c < 0x20) {
            out.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
          } else {
            out.append(c);
          }
        }
      }
    }
    return out.append('"').toString();
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw TarmoException.job("Cannot write exports: no SHA-256", e);
    }
  }
}
