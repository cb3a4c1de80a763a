package io.tarmo.lake;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.ChecksumFs;
import org.apache.hadoop.fs.DelegateToFileSystem;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FsServerDefaults;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.local.LocalConfigKeys;
import org.apache.hadoop.fs.permission.FsAction;
import org.apache.hadoop.fs.permission.FsPermission;

/**
 * Hadoop's local file system without a process per call. Without Hadoop's native library (not
 * shipped with Spark), {@link RawLocalFileSystem} starts {@code chmod} for every file and folder it
 * creates and {@code readlink} for every link status, which Delta asks for on every commit: on a
 * small machine those forks were about a tenth of a nightly run's time. This one does both through
 * {@code java.nio} and is otherwise Hadoop's own. Spark uses it for {@code file:} paths through
 * {@code fs.file.impl} (this class) and {@code fs.AbstractFileSystem.file.impl} ({@link Fs}).
 */
public final class NioLocalFileSystem extends LocalFileSystem {

  public NioLocalFileSystem() {
    super(new Raw());
  }

  /** The raw (checksum-less) local file system with the two calls done in process. */
  public static final class Raw extends RawLocalFileSystem {

    /** Sets permissions as {@code chmod} would; a sticky bit is left to Hadoop's own code. */
    @Override
    public void setPermission(Path path, FsPermission permission) throws IOException {
      if (permission.getStickyBit()) {
        super.setPermission(path, permission);
        return;
      }
      Files.setPosixFilePermissions(pathToFile(path).toPath(), posix(permission));
    }

    /**
     * A path that is not a symbolic link has its plain status as link status, which is all
     * Hadoop's version finds out by running {@code readlink} on the same {@code File}; links
     * themselves still go through Hadoop's code.
     */
    @Override
    public FileStatus getFileLinkStatus(Path path) throws IOException {
      if (Files.isSymbolicLink(new File(path.toString()).toPath())) {
        return super.getFileLinkStatus(path);
      }
      return getFileStatus(path);
    }

    private static Set<PosixFilePermission> posix(FsPermission permission) {
      Set<PosixFilePermission> set = EnumSet.noneOf(PosixFilePermission.class);
      add(set, permission.getUserAction(),
          PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE);
      add(set, permission.getGroupAction(),
          PosixFilePermission.GROUP_READ, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_EXECUTE);
      add(set, permission.getOtherAction(),
          PosixFilePermission.OTHERS_READ, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_EXECUTE);
      return set;
    }

    private static void add(Set<PosixFilePermission> set, FsAction action, PosixFilePermission read,
        PosixFilePermission write, PosixFilePermission execute) {
      if (action.implies(FsAction.READ)) {
        set.add(read);
      }
      if (action.implies(FsAction.WRITE)) {
        set.add(write);
      }
      if (action.implies(FsAction.EXECUTE)) {
        set.add(execute);
      }
    }
  }

  /** The {@code FileContext} side (Delta writes its commit files through it), over {@link Raw}. */
  public static final class Fs extends ChecksumFs {

    public Fs(URI uri, Configuration conf) throws IOException, URISyntaxException {
      super(new RawFs(uri, conf));
    }
  }

  /** What Hadoop's {@code RawLocalFs} is, over {@link Raw}. */
  static final class RawFs extends DelegateToFileSystem {

    RawFs(URI uri, Configuration conf) throws IOException, URISyntaxException {
      super(uri, new Raw(), conf, "file", false);
    }

    @Override
    public int getUriDefaultPort() {
      return -1;
    }

    @Override
    @SuppressWarnings("deprecation")
    public FsServerDefaults getServerDefaults() throws IOException {
      return LocalConfigKeys.getServerDefaults();
    }

    @Override
    public FsServerDefaults getServerDefaults(Path path) throws IOException {
      return LocalConfigKeys.getServerDefaults();
    }

    @Override
    public boolean isValidName(String src) {
      // As Hadoop's RawLocalFs: local file systems differ in what they accept; the OS decides.
      return true;
    }
  }
}
