package io.tarmo.lake;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.input_file_name;
import static org.apache.spark.sql.functions.struct;
import static org.apache.spark.sql.functions.to_json;
import static org.apache.spark.sql.functions.udf;

import io.tarmo.TarmoException;
import io.tarmo.subject.ValueMatcher;
import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Serializable;
import java.io.Writer;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.types.DataTypes;

/**
 * The lake as files, not tables: reading every file under the root for values (the check that
 * trusts no Delta log), and rewriting the files of a folder without the records a filter drops
 * (landing files, export files). Each file is one Spark task that opens it through Hadoop's
 * {@link FileSystem}, so a lake on {@code s3a://} works alike and the files never pass through
 * the driver. Gzip stays gzip.
 *
 * <p>A rewrite writes the new file beside the old one under a hidden name, moves the old one to a
 * hidden name, the new one into place, then deletes the old one; a rewrite killed in between is
 * finished (or undone) by the next rewrite of the folder, and until then the scan still finds the
 * hidden old file: nothing is lost and nothing is claimed gone that is not.
 */
public final class LakeFiles {

  /** Suffix of a rewritten file not yet in place. */
  static final String NEW_SUFFIX = ".erasing-new";
  /** Suffix of an old file moved aside, deleted once the new one is in place. */
  static final String OLD_SUFFIX = ".erasing-old";

  private final SparkSession spark;
  private final Lake lake;

  public LakeFiles(SparkSession spark, Lake lake) {
    this.spark = spark;
    this.lake = lake;
  }

  /** Decides which records of a file go. */
  @FunctionalInterface
  public interface RecordFilter extends Serializable {
    boolean drop(String record);
  }

  /**
   * One place that still holds a value.
   *
   * @param path the file, relative to the lake root
   * @param value the value found there (stays in the driver: callers hash it before showing it)
   */
  public record Finding(String path, String value) {}

  /**
   * Every file under the lake root (hidden files, transaction logs, checkpoints, checksum files,
   * unreferenced data files included), except those under {@code excludedFolders} (relative
   * paths), read for the values of {@code matcher}: Parquet by its content (every column of every
   * row, as JSON text), every other file as text, gunzipped when it is gzip; file and folder names
   * too. One finding per file and value found in it (a file of a batch can hold several people).
   */
  public List<Finding> scan(ValueMatcher matcher, List<String> excludedFolders) {
    return scan(matcher, excludedFolders, java.util.Set.of());
  }

  /**
   * As {@link #scan(ValueMatcher, List)}, also leaving out {@code excludedFiles}: files as their
   * listing names them (e.g. {@link RequestFiles#pending()}).
   */
  public List<Finding> scan(ValueMatcher matcher, List<String> excludedFolders, java.util.Set<String> excludedFiles) {
    List<String> files = new ArrayList<>();
    List<Finding> findings = new ArrayList<>();
    for (String file : listFiles(lake.root(), excludedFolders)) {
      if (excludedFiles.contains(file)) {
        continue;
      }
      String relative = relative(file);
      // A file whose name holds a value is a finding as it is; its content is read for the others too.
      matcher.findAll(relative).forEach(value -> findings.add(new Finding(relative, value)));
      files.add(file);
    }
    Map<String, List<String>> parquetGroups = new LinkedHashMap<>();
    List<String> others = new ArrayList<>();
    for (String file : files) {
      if (file.toLowerCase(Locale.ROOT).endsWith(".parquet")) {
        parquetGroups.computeIfAbsent(parquetGroup(relative(file)), group -> new ArrayList<>()).add(file);
      } else {
        others.add(file);
      }
    }
    findings.addAll(scanText(others, matcher));
    for (List<String> group : parquetGroups.values()) {
      findings.addAll(scanParquet(group, matcher));
    }
    return findings;
  }

  /** Files of one schema: a table's data files, its change data, or its checkpoints; else the folder. */
  private static String parquetGroup(String relative) {
    String[] parts = relative.split("/");
    if (parts.length > 2 && parts[0].equals("tables")) {
      String kind = relative.contains("/_delta_log/") ? "_delta_log"
          : relative.contains("/_change_data/") ? "_change_data" : "data";
      return parts[1] + "/" + kind;
    }
    return relative.substring(0, Math.max(0, relative.lastIndexOf('/')));
  }

  private List<Finding> scanText(List<String> files, ValueMatcher matcher) {
    if (files.isEmpty()) {
      return List.of();
    }
    Map<String, String> conf = hadoopConf();
    Function<String, ArrayList<String>> find = file -> allMatches(file, conf, matcher);
    List<Finding> findings = new ArrayList<>();
    List<ArrayList<String>> results = JavaSparkContext.fromSparkContext(spark.sparkContext())
        .parallelize(files, slices(files.size())).map(find).collect();
    for (int i = 0; i < files.size(); i++) {
      for (String value : results.get(i)) {
        findings.add(new Finding(relative(files.get(i)), value));
      }
    }
    return findings;
  }

  /** Every value {@code file} holds, read as text lines; empty when none. */
  private static ArrayList<String> allMatches(String file, Map<String, String> conf, ValueMatcher matcher)
      throws IOException {
    Path path = new Path(file);
    FileSystem fs = Lake.withoutChecksumFiles(path.getFileSystem(configuration(conf)));
    java.util.Set<String> found = new java.util.LinkedHashSet<>();
    try (BufferedReader reader = reader(fs.open(path))) {
      String line;
      while ((line = reader.readLine()) != null) {
        found.addAll(matcher.findAll(line));
      }
    }
    return new ArrayList<>(found);
  }

  private List<Finding> scanParquet(List<String> files, ValueMatcher matcher) {
    UDF1<String, String[]> find = text -> text == null ? new String[0] : matcher.findAll(text).toArray(String[]::new);
    Column found = udf(find, DataTypes.createArrayType(DataTypes.StringType)).withName("lake_scan").apply(col("text"));
    try {
      Dataset<Row> rows = spark.read().option("mergeSchema", "true").option("recursiveFileLookup", "true")
          .parquet(files.toArray(String[]::new));
      Column[] all = java.util.Arrays.stream(rows.columns()).map(name -> col("`" + name + "`")).toArray(Column[]::new);
      List<Row> hits = rows.select(input_file_name().as("file"), to_json(struct(all)).as("text"))
          .select(col("file"), org.apache.spark.sql.functions.explode(found).as("value"))
          .distinct()
          .collectAsList();
      List<Finding> findings = new ArrayList<>();
      for (Row hit : hits) {
        findings.add(new Finding(relative(new Path(hit.getString(0)).toString()), hit.getString(1)));
      }
      return findings;
    } catch (RuntimeException e) {
      // A file Spark cannot read as Parquet cannot be shown to hold nothing: each is a finding.
      return files.stream().map(file -> new Finding(relative(file), null)).toList();
    }
  }

  /**
   * What a rewrite did.
   *
   * @param files files rewritten (those with at least one record dropped)
   * @param records records dropped
   * @param bytes bytes of the rewritten files before the rewrite
   * @param paths the rewritten files, relative to the lake root
   */
  public record Rewrite(long files, long records, long bytes, List<String> paths) {
    public Rewrite {
      paths = List.copyOf(paths);
    }

    public static final Rewrite NONE = new Rewrite(0, 0, 0, List.of());

    public Rewrite plus(Rewrite other) {
      List<String> all = new ArrayList<>(paths);
      all.addAll(other.paths);
      return new Rewrite(files + other.files, records + other.records, bytes + other.bytes, all);
    }
  }

  /**
   * Rewrites every file under {@code folder} (relative to the root; names starting with {@code _}
   * or {@code .} are left alone) without the records {@code filter} drops, each file in its own
   * task. A record is a line, or for a {@code .csv} file the lines of a quoted field that spans
   * several (RFC 4180); the first record of a {@code .csv} file is its header and always kept.
   * Files without a dropped record are not touched.
   */
  public Rewrite rewrite(String folder, RecordFilter filter) {
    return rewrite(folder, List.of(), filter);
  }

  /** {@link #rewrite(String, RecordFilter)}, leaving the files under {@code excludedFolders} (relative to the root) alone. */
  public Rewrite rewrite(String folder, List<String> excludedFolders, RecordFilter filter) {
    return rewrite(folder, excludedFolders, file -> true, filter);
  }

  /**
   * {@link #rewrite(String, List, RecordFilter)}, of the files {@code which} accepts only (files as
   * their listing names them).
   */
  Rewrite rewrite(String folder, List<String> excludedFolders, java.util.function.Predicate<String> which,
      RecordFilter filter) {
    String root = lake.root() + "/" + folder;
    FileSystem fs = Lake.withoutChecksumFiles(lake.fileSystem(spark.sparkContext().hadoopConfiguration()));
    List<String> files = new ArrayList<>();
    try {
      if (!fs.exists(new Path(root))) {
        return Rewrite.NONE;
      }
      recoverInterrupted(fs, new Path(root));
    } catch (IOException e) {
      throw TarmoException.job("Cannot rewrite files under " + folder + ": " + e.getMessage(), e);
    }
    for (String file : listFiles(root, excludedFolders)) {
      String name = new Path(file).getName();
      if (!name.startsWith("_") && !name.startsWith(".") && which.test(file)) {
        files.add(file);
      }
    }
    if (files.isEmpty()) {
      return Rewrite.NONE;
    }
    Map<String, String> conf = hadoopConf();
    Function<String, long[]> rewriteOne = file -> rewriteFile(file, conf, filter);
    List<long[]> results = JavaSparkContext.fromSparkContext(spark.sparkContext())
        .parallelize(files, slices(files.size())).map(rewriteOne).collect();
    Rewrite total = Rewrite.NONE;
    for (int i = 0; i < files.size(); i++) {
      long[] result = results.get(i);
      if (result[0] > 0) {
        total = total.plus(new Rewrite(1, result[0], result[1], List.of(relative(files.get(i)))));
      }
    }
    return total;
  }

  /**
   * One record of a lake file.
   *
   * @param path the file, relative to the lake root
   * @param line the line the record starts on (1 for the first)
   * @param header the file's first record for a {@code .csv} file, else null
   * @param record the record as stored, without its line end
   */
  public record Line(String path, long line, String header, String record) implements Serializable {}

  /**
   * The records that {@code filter} picks from the files under {@code folder} (relative to the root),
   * except those under {@code excludedFolders}, read as {@link #rewrite} reads them (the same files,
   * records and header), each file in its own task; by file, then line. Only the picked records
   * reach the driver.
   */
  public List<Line> lines(String folder, List<String> excludedFolders, RecordFilter filter) {
    List<String> files = new ArrayList<>();
    for (String file : listFiles(lake.root() + "/" + folder, excludedFolders)) {
      String name = new Path(file).getName();
      if (!name.startsWith("_") && !name.startsWith(".")) {
        files.add(file);
      }
    }
    if (files.isEmpty()) {
      return List.of();
    }
    Map<String, String> conf = hadoopConf();
    String rootPath = new Path(lake.root()).toUri().getPath();
    Function<String, List<Line>> pick = file -> pickedLines(file, relative(file, rootPath), conf, filter);
    List<Line> lines = new ArrayList<>();
    JavaSparkContext.fromSparkContext(spark.sparkContext()).parallelize(files, slices(files.size())).map(pick)
        .collect().forEach(lines::addAll);
    return lines;
  }

  private static List<Line> pickedLines(String file, String relative, Map<String, String> conf, RecordFilter filter)
      throws IOException {
    Path path = new Path(file);
    FileSystem fs = Lake.withoutChecksumFiles(path.getFileSystem(configuration(conf)));
    boolean csv = path.getName().toLowerCase(Locale.ROOT).replaceAll("\\.gz$", "").endsWith(".csv");
    List<Line> picked = new ArrayList<>();
    try (BufferedReader reader = reader(fs.open(path))) {
      String header = null;
      String record;
      long line = 1;
      while ((record = nextRecord(reader, csv)) != null) {
        if (csv && header == null) {
          header = record;
        } else if (filter.drop(record)) {
          picked.add(new Line(relative, line, header, record));
        }
        line += 1 + record.chars().filter(c -> c == '\n').count();
      }
    }
    return picked;
  }

  private static String relative(String file, String rootPath) {
    String path = new Path(file).toUri().getPath();
    return path.startsWith(rootPath + "/") ? path.substring(rootPath.length() + 1) : path;
  }

  /** Rewrites one file; returns {records dropped, bytes before}. */
  private static long[] rewriteFile(String file, Map<String, String> conf, RecordFilter filter) throws IOException {
    Path path = new Path(file);
    FileSystem fs = Lake.withoutChecksumFiles(path.getFileSystem(configuration(conf)));
    boolean csv = path.getName().toLowerCase(Locale.ROOT).replaceAll("\\.gz$", "").endsWith(".csv");
    boolean gzip;
    long dropped = 0;
    try (InputStream in = new BufferedInputStream(fs.open(path))) {
      gzip = isGzip(in);
      try (BufferedReader reader = reader(in)) {
        String record;
        boolean first = true;
        while ((record = nextRecord(reader, csv)) != null) {
          if (!(csv && first) && filter.drop(record)) {
            dropped++;
          }
          first = false;
        }
      }
    }
    if (dropped == 0) {
      return new long[] {0, 0};
    }
    long bytes = fs.getFileStatus(path).getLen();
    Path fresh = new Path(path.getParent(), "." + path.getName() + NEW_SUFFIX);
    try (BufferedReader reader = reader(fs.open(path));
        Writer writer = writer(fs.create(fresh, true), gzip)) {
      String record;
      boolean first = true;
      while ((record = nextRecord(reader, csv)) != null) {
        if ((csv && first) || !filter.drop(record)) {
          writer.write(record);
          writer.write('\n');
        }
        first = false;
      }
    }
    Path old = new Path(path.getParent(), "." + path.getName() + OLD_SUFFIX);
    if (!fs.rename(path, old) || !fs.rename(fresh, path) || !fs.delete(old, false)) {
      throw new IOException("cannot put the rewritten file in place of " + path.getName());
    }
    // Hadoop's checksummed file system would refuse to read the new file against the old checksum.
    fs.delete(new Path(path.getParent(), "." + path.getName() + ".crc"), false);
    return new long[] {dropped, bytes};
  }

  /** Finishes or undoes rewrites a killed run left under {@code folder}. */
  private static void recoverInterrupted(FileSystem fs, Path folder) throws IOException {
    RemoteIterator<LocatedFileStatus> files = fs.listFiles(folder, true);
    List<Path> leftovers = new ArrayList<>();
    while (files.hasNext()) {
      Path file = files.next().getPath();
      if (file.getName().endsWith(OLD_SUFFIX) || file.getName().endsWith(NEW_SUFFIX)) {
        leftovers.add(file);
      }
    }
    for (Path file : leftovers) {
      String name = file.getName();
      boolean old = name.endsWith(OLD_SUFFIX);
      String original = name.substring(1, name.length() - (old ? OLD_SUFFIX : NEW_SUFFIX).length());
      Path target = new Path(file.getParent(), original);
      if (old && !fs.exists(target)) {
        fs.rename(file, target);
      } else {
        fs.delete(file, false);
      }
    }
  }

  /** The next record: a line, or for CSV the lines up to the one that closes an open quoted field. */
  private static String nextRecord(BufferedReader reader, boolean csv) throws IOException {
    String line = reader.readLine();
    if (line == null || !csv) {
      return line;
    }
    StringBuilder record = new StringBuilder(line);
    int quotes = count(line);
    String next;
    while (quotes % 2 == 1 && (next = reader.readLine()) != null) {
      record.append('\n').append(next);
      quotes += count(next);
    }
    return record.toString();
  }

  private static int count(String line) {
    int quotes = 0;
    for (int i = 0; i < line.length(); i++) {
      if (line.charAt(i) == '"') {
        quotes++;
      }
    }
    return quotes;
  }

  private static boolean isGzip(InputStream in) throws IOException {
    in.mark(2);
    int first = in.read();
    int second = in.read();
    in.reset();
    return first == 0x1f && second == 0x8b;
  }

  /** Text lines of a stream, gunzipped when it is gzip; bytes that are not UTF-8 are replaced, never fatal. */
  private static BufferedReader reader(InputStream raw) throws IOException {
    InputStream in = raw instanceof BufferedInputStream ? raw : new BufferedInputStream(raw);
    InputStream content = isGzip(in) ? new GZIPInputStream(in, 1 << 16) : in;
    return new BufferedReader(new InputStreamReader(content, StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE)), 1 << 16);
  }

  private static Writer writer(OutputStream out, boolean gzip) throws IOException {
    OutputStream target = gzip ? new GZIPOutputStream(out, 1 << 16) : out;
    return new BufferedWriter(new OutputStreamWriter(target, StandardCharsets.UTF_8), 1 << 16);
  }

  /** Every file under {@code root} (full paths), except under the excluded folders (relative to the lake root). */
  private List<String> listFiles(String root, List<String> excludedFolders) {
    FileSystem fs = lake.fileSystem(spark.sparkContext().hadoopConfiguration());
    List<String> files = new ArrayList<>();
    try {
      Path rootPath = new Path(root);
      if (!fs.exists(rootPath)) {
        return files;
      }
      RemoteIterator<LocatedFileStatus> listing = fs.listFiles(rootPath, true);
      while (listing.hasNext()) {
        FileStatus status = listing.next();
        String file = status.getPath().toString();
        String relative = relative(file);
        if (excludedFolders.stream().noneMatch(excluded -> relative.startsWith(excluded + "/"))) {
          files.add(file);
        }
      }
    } catch (IOException e) {
      throw TarmoException.job("Cannot list the lake's files: " + e.getMessage() + " (" + root + ")", e);
    }
    files.sort(null);
    return files;
  }

  /** {@code file} relative to the lake root. */
  String relative(String file) {
    String path = new Path(file).toUri().getPath();
    String rootPath = new Path(lake.root()).toUri().getPath();
    return path.startsWith(rootPath + "/") ? path.substring(rootPath.length() + 1) : path;
  }

  private int slices(int files) {
    return Math.max(1, Math.min(files, spark.sparkContext().defaultParallelism() * 4));
  }

  /** The session's Hadoop settings, for tasks to open the lake's file system with. */
  private Map<String, String> hadoopConf() {
    Map<String, String> conf = new HashMap<>();
    for (Map.Entry<String, String> entry : spark.sparkContext().hadoopConfiguration()) {
      conf.put(entry.getKey(), entry.getValue());
    }
    return conf;
  }

  private static Configuration configuration(Map<String, String> entries) {
    Configuration conf = new Configuration(false);
    entries.forEach(conf::set);
    return conf;
  }

}
