package io.tarmo.lake;

import io.tarmo.TarmoException;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Paths;
import java.time.LocalDate;
import java.util.Objects;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Where everything lives under the lake root: tables at {@code tables/<name>}, raw input at
 * {@code landing/<source>/dt=YYYY-MM-DD}. The root is a local path, a {@code file:} URI or an
 * {@code s3a://} URI; all paths are handed to Spark and Hadoop as URIs.
 */
public final class Lake {

  /** Landing sources: the folder names under {@code landing/}, and what their files hold. */
  public enum Source {
    EVENTS("events", LandingFiles.Format.JSON_LINES),
    CRM("crm", LandingFiles.Format.CSV),
    CONSENT("consent", LandingFiles.Format.JSON_LINES);

    private final String folder;
    private final LandingFiles.Format format;

    Source(String folder, LandingFiles.Format format) {
      this.folder = folder;
      this.format = format;
    }

    public String folder() {
      return folder;
    }

    public LandingFiles.Format format() {
      return format;
    }
  }

  /** Characters Hadoop's file system reads as a pattern in a path, not as themselves. */
  private static final String GLOB_CHARACTERS = "[]{}*?";

  private final String root;

  private Lake(String root) {
    this.root = root;
  }

  /** The lake at {@code root}, normalised to a URI without a trailing slash. */
  public static Lake at(String root) {
    String trimmed = root.trim();
    if (trimmed.isEmpty()) {
      throw TarmoException.usage("Cannot use lake root: it is empty");
    }
    for (char glob : GLOB_CHARACTERS.toCharArray()) {
      if (trimmed.indexOf(glob) >= 0) {
        throw TarmoException.usage("Cannot use lake root " + trimmed + ": it contains '" + glob
            + "', which Hadoop reads as a file pattern; choose a folder whose path has none of " + GLOB_CHARACTERS);
      }
    }
    URI uri = URI.create(trimmed.replace(" ", "%20"));
    String normalised;
    if (uri.getScheme() == null || uri.getScheme().length() == 1) {
      // Hadoop's own spelling (file:/x, not file:///x): Delta compares locations as strings.
      normalised = new Path(Paths.get(trimmed).toAbsolutePath().normalize().toUri()).toString();
    } else {
      normalised = new Path(trimmed).toString();
    }
    while (normalised.endsWith("/")) {
      normalised = normalised.substring(0, normalised.length() - 1);
    }
    return new Lake(normalised);
  }

  public String root() {
    return root;
  }

  public String tablePath(TableSpec spec) {
    return root + "/tables/" + spec.name();
  }

  public String tablesRoot() {
    return root + "/tables";
  }

  public String landingDay(Source source, LocalDate day) {
    return root + "/landing/" + source.folder() + "/dt=" + day;
  }

  /** Lake-internal scratch space (checkpoints, staging), never read by analysts. */
  public String internalPath(String name) {
    return root + "/_tarmo/" + name;
  }

  /**
   * {@code fs} without Hadoop's local {@code .crc} side files: files Tarmo writes for people or
   * rewrites in place (exports, notices, work files, rewritten landing files) get no stale or
   * stray checksum beside them.
   */
  static FileSystem withoutChecksumFiles(FileSystem fs) {
    return fs instanceof org.apache.hadoop.fs.ChecksumFileSystem checksummed ? checksummed.getRawFileSystem() : fs;
  }

  public FileSystem fileSystem(Configuration hadoop) {
    try {
      return new Path(root).getFileSystem(hadoop);
    } catch (IOException e) {
      throw TarmoException.usage("Cannot use lake root: " + e.getMessage() + " (" + root + ")", e);
    }
  }

  /**
   * Refuses a lake root that does not exist or cannot be written, before any job starts; with
   * {@code create}, a missing root is made first (as {@code generate} does).
   */
  public void checkUsable(Configuration hadoop, boolean create) {
    FileSystem fs = fileSystem(hadoop);
    Path rootPath = new Path(root);
    try {
      if (!fs.exists(rootPath)) {
        if (!create) {
          throw TarmoException.usage("Cannot use lake root: it does not exist (" + root + ")");
        }
        fs.mkdirs(rootPath);
      } else if (!fs.getFileStatus(rootPath).isDirectory()) {
        throw TarmoException.usage("Cannot use lake root: it is not a directory (" + root + ")");
      }
      Path probe = new Path(internalPath("write-probe-" + UUID.randomUUID()));
      fs.create(probe, false).close();
      fs.delete(probe, false);
    } catch (IOException e) {
      throw TarmoException.usage("Cannot use lake root: it is not writable (" + root + ")", e);
    }
  }

  /**
   * Refuses, within seconds, a lake on S3 whose endpoint cannot be reached or refuses the
   * credentials, naming the endpoint; nothing to do for other roots.
   */
  public void checkReachable(Configuration hadoop) {
    Path rootPath = new Path(root);
    if (S3Endpoint.isS3(rootPath)) {
      S3Endpoint.check(hadoop, rootPath);
    }
  }

  /**
   * Whether the qualified {@code path} is the lake root or lies inside it ({@code file:/x} and
   * {@code file:///x} alike): where a file written for people (an access request, a report) must
   * not go, since erasure reads every file under the root and the catalogue accounts for them.
   */
  public boolean holds(Path path, Configuration hadoop) {
    URI inner = path.toUri().normalize();
    URI outer = fileSystem(hadoop).makeQualified(new Path(root)).toUri().normalize();
    if (!String.valueOf(inner.getScheme()).equalsIgnoreCase(String.valueOf(outer.getScheme()))
        || !Objects.toString(inner.getAuthority(), "").equals(Objects.toString(outer.getAuthority(), ""))) {
      return false;
    }
    String innerPath = inner.getPath().replaceAll("/+$", "");
    String outerPath = outer.getPath().replaceAll("/+$", "");
    return innerPath.equals(outerPath) || innerPath.startsWith(outerPath + "/");
  }

  /** Refuses a lake root that does not exist. */
  public void checkExists(Configuration hadoop) {
    try {
      if (!fileSystem(hadoop).exists(new Path(root))) {
        throw TarmoException.usage("Cannot use lake root: it does not exist (" + root + ")");
      }
    } catch (IOException e) {
      throw TarmoException.usage("Cannot use lake root: " + e.getMessage() + " (" + root + ")", e);
    }
  }

  public boolean landingDayExists(Configuration hadoop, Source source, LocalDate day) {
    try {
      return fileSystem(hadoop).exists(new Path(landingDay(source, day)));
    } catch (IOException e) {
      throw TarmoException.job("Cannot read landing folder (" + landingDay(source, day) + ")", e);
    }
  }
}
