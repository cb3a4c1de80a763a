package io.tarmo.lake;

import io.tarmo.TarmoException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

/**
 * Erasure request files: those pending in {@value #FOLDER} ({@code *.csv}, plain or gzip), or one
 * given file anywhere Hadoop can read. They name data subjects in clear: once every request of a
 * file is done, its lines are removed, and a file left with its header only is deleted.
 */
public final class RequestFiles {

  /** Pending requests, relative to the lake root. */
  public static final String FOLDER = "landing/erasure";

  private final SparkSession spark;
  private final Lake lake;

  public RequestFiles(SparkSession spark, Lake lake) {
    this.spark = spark;
    this.lake = lake;
  }

  /** The pending request files, sorted; none when the folder does not exist. */
  public List<String> pending() {
    FileSystem fs = lake.fileSystem(spark.sparkContext().hadoopConfiguration());
    Path folder = new Path(lake.root() + "/" + FOLDER);
    List<String> files = new ArrayList<>();
    try {
      if (!fs.exists(folder)) {
        return files;
      }
      for (FileStatus status : fs.listStatus(folder)) {
        String name = status.getPath().getName().toLowerCase(Locale.ROOT);
        if (status.isFile() && !name.startsWith(".") && !name.startsWith("_")
            && (name.endsWith(".csv") || name.endsWith(".csv.gz"))) {
          files.add(status.getPath().toString());
        }
      }
    } catch (IOException e) {
      throw TarmoException.job("Cannot list erasure requests: " + e.getMessage() + " (" + folder + ")", e);
    }
    files.sort(null);
    return files;
  }

  /** The lines of a request file (gunzipped when it is gzip); exit 2 when it cannot be read. */
  public List<String> lines(String file) {
    Path path = new Path(file);
    try {
      FileSystem fs = path.getFileSystem(spark.sparkContext().hadoopConfiguration());
      if (!fs.exists(path) || !fs.getFileStatus(path).isFile()) {
        throw TarmoException.usage("Cannot read erasure requests: no such file (" + file + ")");
      }
      try (InputStream raw = fs.open(path)) {
        InputStream in = file.toLowerCase(Locale.ROOT).endsWith(".gz") ? new GZIPInputStream(raw) : raw;
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
          return reader.lines().toList();
        }
      }
    } catch (IOException e) {
      throw TarmoException.usage("Cannot read erasure requests: " + e.getMessage() + " (" + file + ")", e);
    }
  }

  /** Whether {@code file} lies in the pending folder (and so is Tarmo's to rewrite). */
  public boolean isPending(String file) {
    return pending().stream().anyMatch(pendingFile -> new Path(pendingFile).equals(new Path(file)));
  }

  /**
   * Removes the lines of the requests {@code done} (by their first field, the request id) and the
   * lines {@code unusable} says name no request id (rejected by their place in the file) from the
   * pending files, and deletes each file left with its header only.
   *
   * @return files rewritten or deleted
   */
  public long remove(Set<String> done, LakeFiles.RecordFilter unusable) {
    // The request files only: anything else in the folder is not Tarmo's to change.
    Set<String> requests = Set.copyOf(pending());
    LakeFiles.Rewrite rewrite = new LakeFiles(spark, lake).rewrite(FOLDER, List.of(), requests::contains, line -> {
      int comma = line.indexOf(',');
      String id = (comma < 0 ? line : line.substring(0, comma)).strip();
      return done.contains(id.startsWith("\"") && id.endsWith("\"") && id.length() > 1
          ? id.substring(1, id.length() - 1) : id) || unusable.drop(line);
    });
    for (String file : pending()) {
      if (lines(file).stream().filter(line -> !line.isBlank()).count() <= 1) {
        try {
          Path path = new Path(file);
          path.getFileSystem(spark.sparkContext().hadoopConfiguration()).delete(path, false);
        } catch (IOException e) {
          throw TarmoException.job("Cannot remove a finished erasure request file (" + file + ")", e);
        }
      }
    }
    return rewrite.files();
  }
}
