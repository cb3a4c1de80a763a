package io.tarmo.lake;

import io.tarmo.TarmoException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The one file a report is written to: a local path or a URI Hadoop can write ({@code s3a://...}),
 * outside the lake. The lake is refused because every file under its root is accounted for by the
 * catalogue and read by erasure's verification, and a report is not a lake file; an existing file is
 * replaced, as a report written again for the same day replaces its page.
 */
public final class ReportFile {

  private final FileSystem fs;
  private final Path file;

  private ReportFile(FileSystem fs, Path file) {
    this.fs = fs;
    this.file = file;
  }

  /**
   * The file at {@code location}, given with command-line option {@code option} (named in messages),
   * checked: refused (exit 2) inside the lake root or when it is a folder.
   */
  public static ReportFile at(String location, String option, Lake lake, Configuration hadoop) {
    try {
      Path path = new Path(location);
      FileSystem fs = Lake.withoutChecksumFiles(path.getFileSystem(hadoop));
      Path file = fs.makeQualified(path);
      if (lake.holds(file, hadoop)) {
        throw TarmoException.usage("Cannot write the report: " + option + " lies inside the lake; choose a file outside "
            + lake.root() + " (" + location + ")");
      }
      if (fs.exists(file) && fs.getFileStatus(file).isDirectory()) {
        throw TarmoException.usage("Cannot write the report: " + option + " is a folder, not a file (" + location + ")");
      }
      return new ReportFile(fs, file);
    } catch (IOException | IllegalArgumentException e) {
      throw TarmoException.usage("Cannot write the report: " + option + " is not a usable file (" + location + ")", e);
    }
  }

  /**
   * {@code report.html} in the folder that holds the lake ({@code ./lake} gives {@code ./report.html}):
   * where {@code demo} puts its report, outside the lake yet easy to find; empty for a lake at the
   * root of a file system or bucket, which has no such folder.
   */
  public static Optional<ReportFile> besideLake(Lake lake, Configuration hadoop) {
    Path parent = new Path(lake.root()).getParent();
    return parent == null ? Optional.empty()
        : Optional.of(at(new Path(parent, "report.html").toString(), "the demo's report", lake, hadoop));
  }

  /** Where the page is: a local path for a local file, the URI otherwise. */
  public String location() {
    return "file".equals(file.toUri().getScheme()) ? file.toUri().getPath() : file.toString();
  }

  /** Writes {@code text} as UTF-8, replacing the file; missing parent folders are made. */
  public void write(String text) {
    try {
      if (file.getParent() != null) {
        fs.mkdirs(file.getParent());
      }
      try (OutputStream out = fs.create(file, true)) {
        out.write(text.getBytes(StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      throw TarmoException.job("Cannot write the report: " + e.getMessage() + " (" + file + ")", e);
    }
  }
}
