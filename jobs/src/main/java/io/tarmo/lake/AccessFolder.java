package io.tarmo.lake;

import io.tarmo.TarmoException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.permission.FsPermission;

/**
 * The folder an access request is written to: a local path or a URI Hadoop can write
 * ({@code s3a://...}), outside the lake. It holds one person's data in clear, so it must be new
 * or empty (a DSAR never mixes with or overwrites another), it may not lie inside the lake (whose
 * every file erasure reads and the catalogue accounts for), and locally its folders and files are
 * readable by their owner only.
 */
public final class AccessFolder {

  private static final FsPermission OWNER_FOLDER = new FsPermission((short) 0700);
  private static final FsPermission OWNER_FILE = new FsPermission((short) 0600);

  private final FileSystem fs;
  private final Path root;

  private AccessFolder(FileSystem fs, Path root) {
    this.fs = fs;
    this.root = root;
  }

  /**
   * The folder at {@code location}, checked: refused (exit 2) when it is a file, a folder with
   * anything in it, or inside the lake root.
   */
  public static AccessFolder at(String location, Lake lake, Configuration hadoop) {
    try {
      Path path = new Path(location);
      FileSystem any = path.getFileSystem(hadoop);
      FileSystem fs = Lake.withoutChecksumFiles(any);
      Path root = fs.makeQualified(path);
      if (lake.holds(root, hadoop)) {
        throw TarmoException.usage("Cannot write the access request: --out lies inside the lake, where it would be "
            + "personal data outside the catalogue; choose a folder outside " + lake.root() + " (" + location + ")");
      }
      if (fs.exists(root)) {
        FileStatus status = fs.getFileStatus(root);
        if (!status.isDirectory()) {
          throw TarmoException.usage("Cannot write the access request: --out is a file, not a folder (" + location
              + ")");
        }
        if (fs.listStatus(root).length > 0) {
          throw TarmoException.usage("Cannot write the access request: --out is not empty; give a new or empty "
              + "folder (" + location + ")");
        }
      }
      return new AccessFolder(fs, root);
    } catch (IOException | IllegalArgumentException e) {
      throw TarmoException.usage("Cannot write the access request: --out is not a usable folder (" + location + ")",
          e);
    }
  }

  /** The folder as a URI, for messages. */
  public String location() {
    return root.toString();
  }

  /** Writes {@code relative} (e.g. {@code tables/events.json}) as UTF-8 lines, each ending in {@code \n}. */
  public void write(String relative, List<String> lines) {
    Path file = new Path(root, relative);
    try {
      mkdirs(file.getParent());
      try (OutputStream out = fs.create(file, false)) {
        for (String line : lines) {
          out.write(line.getBytes(StandardCharsets.UTF_8));
          out.write('\n');
        }
      }
      setOwnerOnly(file, OWNER_FILE);
    } catch (IOException e) {
      throw TarmoException.job("Cannot write the access request: " + e.getMessage() + " (" + file + ")", e);
    }
  }

  private void mkdirs(Path folder) throws IOException {
    if (folder == null || fs.exists(folder)) {
      return;
    }
    mkdirs(folder.getParent());
    fs.mkdirs(folder, OWNER_FOLDER);
    setOwnerOnly(folder, OWNER_FOLDER);
  }

  /** Object stores (s3a) have no permissions to set: their bucket's policy applies. */
  private void setOwnerOnly(Path path, FsPermission permission) throws IOException {
    if ("file".equals(path.toUri().getScheme())) {
      fs.setPermission(path, permission);
    }
  }
}
