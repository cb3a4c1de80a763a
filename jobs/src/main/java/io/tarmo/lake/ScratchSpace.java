package io.tarmo.lake;

import io.tarmo.TarmoException;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongPredicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The local folder a Tarmo process gives Spark for its scratch files ({@code spark.local.dir}):
 * shuffle and spill files, broadcast and cached blocks, local checkpoints ({@code blockmgr-*},
 * {@code spark-*}). They hold whatever the job processes, phone numbers and customer ids
 * included, so they are a place erasure and retention must cover, outside the lake.
 *
 * <p>Each process gets its own folder {@code <root>/run-<pid>}: two Tarmo processes on one machine
 * never delete each other's files. Claiming it removes the folders of processes that no longer
 * run (left by a run killed with {@code kill -9}, which Spark's own clean-up never sees);
 * {@link #close} removes the process's own folder. A folder under the root not named
 * {@code run-<pid>} is not Tarmo's and is left alone.
 *
 * <p>Only the driver's machine is covered: under a cluster manager, executors keep their scratch
 * files in the manager's folders ({@code SPARK_LOCAL_DIRS}, YARN's local dirs, a Kubernetes
 * {@code emptyDir}), which it removes with the container.
 */
public final class ScratchSpace implements AutoCloseable {

  private static final Pattern RUN_FOLDER = Pattern.compile("run-(\\d{1,19})");

  private final Path folder;
  private final List<Path> removedStale;
  private boolean closed;

  private ScratchSpace(Path folder, List<Path> removedStale) {
    this.folder = folder;
    this.removedStale = List.copyOf(removedStale);
  }

  /** Claims this process's folder under {@code root}, after removing those of processes gone. */
  public static ScratchSpace claim(Path root) {
    return claim(root, ProcessHandle.current().pid(), pid -> ProcessHandle.of(pid).isPresent());
  }

  /**
   * Claims folder {@code run-<pid>} under {@code root}, empty, after removing every sibling
   * {@code run-<n>} whose process is not {@code alive}. A process id reused by another process
   * keeps its old folder until that process has ended too.
   */
  static ScratchSpace claim(Path root, long pid, LongPredicate alive) {
    Path absolute = root.toAbsolutePath().normalize();
    List<Path> removed = new ArrayList<>();
    try {
      createPrivate(absolute);
      try (Stream<Path> children = Files.list(absolute)) {
        for (Path child : children.sorted().toList()) {
          Matcher run = RUN_FOLDER.matcher(child.getFileName().toString());
          if (!run.matches() || !Files.isDirectory(child)) {
            continue;
          }
          long owner = Long.parseLong(run.group(1));
          // This process's own folder is left by an earlier process that had its id: no one's.
          if (owner == pid || !alive.test(owner)) {
            deleteTree(child);
            removed.add(child);
          }
        }
      }
      Path own = absolute.resolve("run-" + pid);
      createPrivate(own);
      return new ScratchSpace(own, removed);
    } catch (IOException e) {
      throw TarmoException.job("Cannot prepare Spark's scratch folder: " + e.getClass().getSimpleName() + " "
          + e.getMessage() + " (" + absolute + ")", e);
    }
  }

  /** The folder Spark gets as {@code spark.local.dir}. */
  public Path folder() {
    return folder;
  }

  /** The folders of ended processes that claiming removed. */
  public List<Path> removedStale() {
    return removedStale;
  }

  /** Removes this process's folder and everything in it; a second call does nothing. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      deleteTree(folder);
    } catch (IOException e) {
      throw TarmoException.job("Cannot remove Spark's scratch folder: " + e.getClass().getSimpleName() + " "
          + e.getMessage() + " (" + folder + ")", e);
    }
  }

  /** Creates {@code dir} (and its parents) readable by its owner only, where the file system has owners. */
  private static void createPrivate(Path dir) throws IOException {
    if (Files.isDirectory(dir)) {
      return;
    }
    if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
      Files.createDirectories(dir.getParent());
      try {
        Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      } catch (FileAlreadyExistsException e) {
        // Another process created it first; it is a folder all the same.
      }
    } else {
      Files.createDirectories(dir);
    }
    if (!Files.isDirectory(dir)) {
      throw new IOException("not a directory");
    }
  }

  /** Deletes {@code dir} and what is in it; files already gone (Spark removing its own) are fine. */
  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    Files.walkFileTree(dir, new SimpleFileVisitor<>() {
      @Override
      public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) throws IOException {
        Files.deleteIfExists(file);
        return FileVisitResult.CONTINUE;
      }

      @Override
      public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
        if (e instanceof NoSuchFileException) {
          return FileVisitResult.CONTINUE;
        }
        throw e;
      }

      @Override
      public FileVisitResult postVisitDirectory(Path visited, IOException e) throws IOException {
        if (e != null && !(e instanceof NoSuchFileException)) {
          throw e;
        }
        Files.deleteIfExists(visited);
        return FileVisitResult.CONTINUE;
      }
    });
  }
}
