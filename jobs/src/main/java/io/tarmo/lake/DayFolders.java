package io.tarmo.lake;

import io.tarmo.TarmoException;
import java.io.IOException;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.spark.sql.SparkSession;

/**
 * The day folders ({@code dt=YYYY-MM-DD}) of a catalogued lake folder ({@link Tables#FOLDERS}), for
 * retention: listed and deleted through Hadoop's {@link FileSystem} on the lake's URI, so an
 * {@code s3a://} lake works alike. A day folder is found directly in the folder or in a sub-folder
 * the catalogue does not list itself (e.g. {@code exports/erasure/dt=D} under {@code exports});
 * names starting with {@code .} or {@code _} (staging folders, {@code _SUCCESS}) and folders whose
 * name is not {@code dt=} and a valid date are left alone.
 */
public final class DayFolders {

  private static final String PREFIX = "dt=";

  /**
   * One day folder.
   *
   * @param folder the catalogued folder it belongs to, e.g. {@code exports}
   * @param path where it is, relative to the lake root, e.g. {@code exports/erasure/dt=2026-01-01}
   * @param day the day its name says
   */
  public record DayFolder(String folder, String path, LocalDate day) {}

  private final Lake lake;
  private final FileSystem fs;

  public DayFolders(SparkSession spark, Lake lake) {
    this.lake = lake;
    this.fs = lake.fileSystem(spark.sparkContext().hadoopConfiguration());
  }

  /** Every day folder of {@code folder}, sorted by path; none when the folder does not exist. */
  public List<DayFolder> list(LandingSpec folder) {
    Set<String> others = Tables.FOLDERS.stream().map(LandingSpec::path)
        .filter(path -> !path.equals(folder.path())).collect(Collectors.toSet());
    List<DayFolder> days = new ArrayList<>();
    Path start = new Path(lake.root() + "/" + folder.path());
    try {
      if (fs.exists(start)) {
        collect(folder.path(), start, folder.path(), others, days);
      }
    } catch (IOException e) {
      throw TarmoException.job("Cannot list the day folders of " + folder.path() + ": " + e.getMessage()
          + " (" + start + ")", e);
    }
    days.sort(Comparator.comparing(DayFolder::path));
    return List.copyOf(days);
  }

  private void collect(String folder, Path dir, String relative, Set<String> others, List<DayFolder> days)
      throws IOException {
    for (FileStatus status : fs.listStatus(dir)) {
      String name = status.getPath().getName();
      String path = relative + "/" + name;
      if (!status.isDirectory() || name.startsWith(".") || name.startsWith("_") || others.contains(path)) {
        continue;
      }
      if (name.startsWith(PREFIX)) {
        try {
          days.add(new DayFolder(folder, path, LocalDate.parse(name.substring(PREFIX.length()))));
        } catch (DateTimeParseException e) {
          // Not a day Tarmo or a sender named: left alone rather than guessed at.
        }
      } else {
        collect(folder, status.getPath(), path, others, days);
      }
    }
  }

  /**
   * Deletes the day folder with everything in it.
   *
   * @return the files it held
   */
  public long delete(DayFolder day) {
    Path path = new Path(lake.root() + "/" + day.path());
    try {
      if (!fs.exists(path)) {
        return 0L;
      }
      long files = 0;
      RemoteIterator<LocatedFileStatus> listed = fs.listFiles(path, true);
      while (listed.hasNext()) {
        listed.next();
        files++;
      }
      if (!fs.delete(path, true)) {
        throw new IOException("the file system refused to delete it");
      }
      return files;
    } catch (IOException e) {
      throw TarmoException.job("Cannot delete day folder " + day.path() + ": " + e.getMessage() + " (" + path + ")", e);
    }
  }
}
