package io.tarmo.lake;

import static org.apache.spark.sql.functions.col;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * Reads a lake's landing folders for ingest: which files a day has ({@link #files}), and those
 * files as rows of text ({@link #VALUE}) with the file each came from ({@link #FILE}) and its
 * position ({@link #LINE_ID}: the file's place in the list, then the row's in the file, so the same
 * in every read of the same files). A file gives one row per line, or per record where a
 * {@link RecordSplitter} joins lines (CSV records spanning lines). Each file is read whole by one
 * task, plain or gzip by its name.
 *
 * <p>The bytes are kept as they are: a line that is not UTF-8 stays so, for the checks to reject
 * it. A line break is {@code \n}; a {@code \r} before it and a UTF-8 byte-order mark at the start
 * of a file are dropped. A line longer than the line limit is kept only up to a little over it,
 * so one runaway line costs no more memory than a rejected one.
 *
 * <p>A file that fails part-way (a truncated or corrupt gzip) keeps the whole lines read before the
 * failure and adds one row with {@link #PROBLEM} set, saying what went wrong after how many lines;
 * the failure does not stop the day.
 */
public final class LandingReader {

  /** Columns of what is read: the text of a line or record. */
  public static final String VALUE = "value";
  /** The file a row came from, as a URI. */
  public static final String FILE = "file";
  /** A row's position: its file's place in the list read, then its place in the file. */
  public static final String LINE_ID = "line_id";
  /** Set, with no {@link #VALUE}, on the one row standing for a file not readable to its end: why. */
  public static final String PROBLEM = "_problem";

  /** Columns of what is read, {@code value} still bytes. */
  private static final StructType READ = new StructType()
      .add("bytes", DataTypes.BinaryType)
      .add(FILE, DataTypes.StringType)
      .add(LINE_ID, DataTypes.LongType)
      .add(PROBLEM, DataTypes.StringType);

  private final SparkSession spark;
  private final Lake lake;

  public LandingReader(SparkSession spark, Lake lake) {
    this.spark = spark;
    this.lake = lake;
  }

  /** Where one record of a file ends: after one line, or after several. */
  @FunctionalInterface
  public interface RecordSplitter extends Serializable {

    /** Every line a record of its own. */
    RecordSplitter LINES = Lines::next;

    /** The next record of {@code lines}; null at their end. */
    byte[] next(Lines lines);
  }

  /** The lines of one file, as a {@link RecordSplitter} takes them. */
  public interface Lines {

    /** The next line, without its line break; null at the end of the file or where it cannot be read further. */
    byte[] next();

    /** Gives {@code lines} back: they are the next ones {@link #next} returns, in this order. */
    void unread(List<byte[]> lines);

    /** The most bytes a line is kept to; a record longer than this is not one. */
    int maxBytes();
  }

  /** Whether the day has a landing folder for {@code source}. */
  public boolean dayExists(Lake.Source source, LocalDate day) {
    return lake.landingDayExists(hadoop(), source, day);
  }

  /** The files of one landing day of {@code source}, sorted into those read and those not. */
  public LandingFiles files(Lake.Source source, LocalDate day) {
    return LandingFiles.list(lake.fileSystem(hadoop()), new Path(lake.landingDay(source, day)), day, source.format());
  }

  /** One row per line of {@code files}; empty for no files. */
  public Dataset<Row> lines(List<String> files, int maxLineChars) {
    return records(files, maxLineChars, RecordSplitter.LINES);
  }

  /** One row per record of {@code files}, as {@code splitter} finds them; empty for no files. */
  public Dataset<Row> records(List<String> files, int maxLineChars, RecordSplitter splitter) {
    List<FileRef> refs = new ArrayList<>();
    for (int i = 0; i < files.size(); i++) {
      refs.add(new FileRef(i, files.get(i)));
    }
    HashMap<String, String> settings = new HashMap<>();
    hadoop().forEach(entry -> settings.put(entry.getKey(), entry.getValue()));
    JavaSparkContext context = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Broadcast<HashMap<String, String>> hadoop = context.broadcast(settings);
    JavaRDD<Row> rows = context.parallelize(refs, Math.max(1, refs.size()))
        .flatMap(ref -> new FileRows(ref, hadoop.value(), maxLineChars, splitter));
    int cores = spark.sparkContext().defaultParallelism();
    if (refs.size() < cores) {
      // A (gzip) file is read by one task; the work on its lines (parsing, validation, phone
      // numbers) is spread over every core instead of staying in that task.
      rows = rows.repartition(cores);
    }
    return spark.createDataFrame(rows, READ)
        .select(col("bytes").cast(DataTypes.StringType).as(VALUE), col(FILE), col(LINE_ID), col(PROBLEM));
  }

  /**
   * The first line of a (possibly compressed) file, without a byte-order mark and stripped of
   * white space; null if the file is empty or cannot be read (reading it reports that).
   */
  public String firstLine(String file) {
    try (InputStream in = open(hadoop(), file)) {
      byte[] line = new LineReader(in, Integer.MAX_VALUE).next();
      return line == null ? null : new String(line, StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      return null;
    }
  }

  private Configuration hadoop() {
    return spark.sparkContext().hadoopConfiguration();
  }

  private static InputStream open(Configuration hadoop, String file) throws IOException {
    Path path = new Path(file);
    InputStream raw = path.getFileSystem(hadoop).open(path);
    try {
      return LandingFiles.gzipped(file) ? new GZIPInputStream(raw, 1 << 16) : raw;
    } catch (IOException e) {
      raw.close();
      throw e;
    }
  }

  private record FileRef(int index, String path) implements Serializable {}

  /** Lines of a stream, split at {@code \n}, without {@code \r\n}'s {@code \r} or a leading BOM. */
  private static final class LineReader {
    private final InputStream in;
    private final int maxBytes;
    private final byte[] chunk = new byte[1 << 16];
    private int position;
    private int limit;
    private byte[] line = new byte[256];
    private boolean first = true;

    LineReader(InputStream in, int maxBytes) {
      this.in = in;
      this.maxBytes = maxBytes;
    }

    /** The next line, cut at {@code maxBytes}; null at the end. */
    byte[] next() throws IOException {
      if (position == limit && !fill()) {
        return null;
      }
      int length = 0;
      while (true) {
        int end = position;
        while (end < limit && chunk[end] != '\n') {
          end++;
        }
        int kept = Math.min(end - position, maxBytes - length);
        if (kept > 0) {
          if (length + kept > line.length) {
            line = Arrays.copyOf(line, Math.max(length + kept, Math.min(2 * line.length, maxBytes)));
          }
          System.arraycopy(chunk, position, line, length, kept);
          length += kept;
        }
        if (end < limit) {
          position = end + 1;
          break;
        }
        position = limit;
        if (!fill()) {
          break;
        }
      }
      int start = 0;
      if (first) {
        first = false;
        if (length >= 3 && line[0] == (byte) 0xEF && line[1] == (byte) 0xBB && line[2] == (byte) 0xBF) {
          start = 3;
        }
      }
      int end = length > start && line[length - 1] == '\r' ? length - 1 : length;
      return Arrays.copyOfRange(line, start, end);
    }

    private boolean fill() throws IOException {
      int n;
      do {
        n = in.read(chunk, 0, chunk.length);
      } while (n == 0);
      if (n < 0) {
        return false;
      }
      position = 0;
      limit = n;
      return true;
    }
  }

  /** The rows of one file, read lazily by the task that holds them. */
  private static final class FileRows implements Iterator<Row> {
    private final FileRef ref;
    private final Map<String, String> hadoop;
    private final int maxBytes;
    private final RecordSplitter splitter;
    private final Deque<byte[]> pushedBack = new ArrayDeque<>();
    private final Lines lines = new Lines() {
      @Override
      public byte[] next() {
        return nextLine();
      }

      @Override
      public void unread(List<byte[]> unread) {
        for (int i = unread.size() - 1; i >= 0; i--) {
          pushedBack.addFirst(unread.get(i));
        }
      }

      @Override
      public int maxBytes() {
        return maxBytes;
      }
    };
    private InputStream in;
    private LineReader reader;
    private long linesRead;
    private long rowsOut;
    private boolean ended;
    private String problem;
    private Row next;

    FileRows(FileRef ref, Map<String, String> hadoop, int maxLineChars, RecordSplitter splitter) {
      this.ref = ref;
      this.hadoop = hadoop;
      // A UTF-8 character is at most 4 bytes: a line cut here still has more than maxLineChars.
      this.maxBytes = (int) Math.min(Integer.MAX_VALUE - 8, 4L * maxLineChars + 4);
      this.splitter = splitter;
    }

    @Override
    public boolean hasNext() {
      if (next == null) {
        next = advance();
      }
      return next != null;
    }

    @Override
    public Row next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      Row row = next;
      next = null;
      return row;
    }

    private Row advance() {
      byte[] record = splitter.next(lines);
      if (record != null) {
        return RowFactory.create(record, ref.path(), id(rowsOut++), null);
      }
      if (problem != null) {
        String reported = problem;
        problem = null;
        return RowFactory.create(null, ref.path(), id(rowsOut++), reported);
      }
      return null;
    }

    private long id(long row) {
      return ((long) ref.index() << 32) | row;
    }

    /** The next line of the file; null at its end or when it cannot be read further. */
    private byte[] nextLine() {
      if (!pushedBack.isEmpty()) {
        return pushedBack.removeFirst();
      }
      if (ended) {
        return null;
      }
      try {
        if (in == null) {
          openFile();
        }
        byte[] line = reader.next();
        if (line == null) {
          end();
        } else {
          linesRead++;
        }
        return line;
      } catch (IOException e) {
        problem = describe(e);
        end();
        return null;
      }
    }

    private void openFile() throws IOException {
      Configuration conf = new Configuration(false);
      hadoop.forEach(conf::set);
      in = open(conf, ref.path());
      reader = new LineReader(in, maxBytes);
      TaskContext task = TaskContext.get();
      if (task != null) {
        task.addTaskCompletionListener((org.apache.spark.util.TaskCompletionListener) context -> end());
      }
    }

    private String describe(IOException e) {
      String what = e instanceof EOFException ? "unexpected end of stream"
          : e instanceof ZipException ? "corrupt data (" + e.getMessage() + ")"
          : "read failed (" + e.getClass().getSimpleName() + ")";
      return (LandingFiles.gzipped(ref.path()) ? "unreadable gzip: " : "unreadable file: ") + what + " after "
          + linesRead + " lines; the lines before were read";
    }

    private void end() {
      ended = true;
      if (in != null) {
        try {
          in.close();
        } catch (IOException e) {
          // Nothing was lost: every byte wanted has been read.
        }
        in = null;
      }
    }
  }
}
