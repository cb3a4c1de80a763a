package io.tarmo.lake;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tarmo.TarmoException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.permission.FsPermission;

/**
 * The work files of an erasure in progress, one per request under {@value #FOLDER}: the subject's
 * customer_keys and identifiers as resolved before anything was deleted. Erasure deletes the very
 * rows ({@code identity_map}) it resolved them from, so a run killed half-way could not find them
 * again: the next run reads them here instead. They hold identifiers in clear, owner-only, and are
 * removed before the request is marked COMPLETED (after the lake was verified without them).
 */
public final class ErasureWork {

  /** The folder of the work files, relative to the lake root. */
  public static final String FOLDER = "_tarmo/erasure";
  /** The runs' progress files, a folder of their own beside the work files. */
  private static final String PROGRESS = FOLDER + "/progress";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Lake lake;
  private final FileSystem fs;

  public ErasureWork(Lake lake, org.apache.hadoop.conf.Configuration hadoop) {
    this.lake = lake;
    FileSystem any = lake.fileSystem(hadoop);
    this.fs = Lake.withoutChecksumFiles(any);
  }

  /**
   * One identifier of a subject.
   *
   * @param type its identifier type
   * @param value normalised
   * @param shared whether another customer holds it too (kept for them)
   * @param owner for a shared identifier, the customer_key it goes to once the subject is erased
   *     (the other customer who holds it); null otherwise
   */
  public record Identifier(String type, String value, boolean shared, Long owner) {}

  /**
   * A request's subject as resolved.
   *
   * @param requestId the request
   * @param raw the identifier as the request gave it (searched for as is, too)
   * @param keys the subject's customer_keys, merged-away keys included
   * @param identifiers every identifier linked to them, the requested one included
   * @param clusters the raw identity clusters ({@code identity_map.cluster_id}) of their keys and of
   *     the owners of their shared identifiers: what is re-solved once they are gone (none in a work
   *     file written before clusters were kept)
   */
  public record Subject(String requestId, String raw, List<Long> keys, List<Identifier> identifiers,
      List<Long> clusters) {
    public Subject {
      keys = List.copyOf(keys);
      identifiers = List.copyOf(identifiers);
      clusters = clusters == null ? List.of() : List.copyOf(clusters);
    }
  }

  /**
   * What one erasure run had done when it last wrote its progress: counts only, no identifier. A run
   * that stops leaves it behind, and the run that finishes its requests adds it to their counts in
   * {@code erasure_log}, so the log counts the work of every run a request took, not only the last.
   *
   * @param runId the run
   * @param requestIds the requests of its batch
   * @param rowsDeleted rows deleted, by table
   * @param filesRewritten files outside the tables rewritten without the subjects' values
   * @param bytesRewritten their bytes
   * @param dataFilesRemoved table data files removed by vacuum
   */
  public record Progress(String runId, List<String> requestIds, Map<String, Long> rowsDeleted, long filesRewritten,
      long bytesRewritten, long dataFilesRemoved) {
    public Progress {
      requestIds = List.copyOf(requestIds);
      rowsDeleted = Map.copyOf(rowsDeleted);
    }
  }

  private Path progressFile(String runId) {
    return new Path(lake.root() + "/" + PROGRESS + "/" + runId + ".json");
  }

  /** Writes (replaces) the run's progress, complete or not at all. */
  public void writeProgress(Progress progress) {
    try {
      writeAtomically(progressFile(progress.runId()), JSON.writeValueAsBytes(progress));
    } catch (IOException e) {
      throw TarmoException.job("Cannot write the progress of erasure run " + progress.runId() + ": " + e.getMessage(), e);
    }
  }

  /** The progress every earlier run left behind (none once their requests were finished). */
  public List<Progress> progress() {
    Path folder = new Path(lake.root() + "/" + PROGRESS);
    List<Progress> progress = new ArrayList<>();
    try {
      if (!fs.exists(folder)) {
        return progress;
      }
      for (FileStatus status : fs.listStatus(folder)) {
        String name = status.getPath().getName();
        if (!name.startsWith(".") && name.endsWith(".json")) {
          try (InputStream in = fs.open(status.getPath())) {
            progress.add(JSON.readValue(in, Progress.class));
          }
        }
      }
    } catch (IOException e) {
      throw TarmoException.job("Cannot read the progress of earlier erasure runs (" + folder + "): " + e.getMessage(), e);
    }
    progress.sort(java.util.Comparator.comparing(Progress::runId));
    return progress;
  }

  public void deleteProgress(String runId) {
    try {
      fs.delete(progressFile(runId), false);
    } catch (IOException e) {
      throw TarmoException.job("Cannot remove the progress of erasure run " + runId, e);
    }
  }

  private Path file(String requestId) {
    return new Path(lake.root() + "/" + FOLDER + "/" + requestId + ".json");
  }

  public Optional<Subject> read(String requestId) {
    Path file = file(requestId);
    try {
      if (!fs.exists(file)) {
        return Optional.empty();
      }
      try (InputStream in = fs.open(file)) {
        return Optional.of(JSON.readValue(in, Subject.class));
      }
    } catch (IOException e) {
      throw TarmoException.job("Cannot read the erasure work file of request " + requestId + " (" + file + ")", e);
    }
  }

  /** Writes the subject's work file, readable by the owner only, complete or not at all. */
  public void write(Subject subject) {
    Path file = file(subject.requestId());
    try {
      writeAtomically(file, JSON.writeValueAsString(subject).getBytes(StandardCharsets.UTF_8));
    } catch (JsonProcessingException e) {
      throw TarmoException.job("Cannot write the erasure work file of request " + subject.requestId(), e);
    } catch (IOException e) {
      throw TarmoException.job("Cannot write the erasure work file of request " + subject.requestId()
          + " (" + file + "): " + e.getMessage(), e);
    }
  }

  /** {@code bytes} at {@code file}, readable by the owner only, through a partial file renamed into place. */
  private void writeAtomically(Path file, byte[] bytes) throws IOException {
    Path partial = new Path(file.getParent(), "." + file.getName() + ".partial");
    fs.mkdirs(file.getParent(), new FsPermission((short) 0700));
    try (OutputStream out = fs.create(partial, true)) {
      out.write(bytes);
    }
    fs.setPermission(partial, new FsPermission((short) 0600));
    fs.delete(file, false);
    if (!fs.rename(partial, file)) {
      throw new IOException("rename failed");
    }
  }

  public void delete(String requestId) {
    try {
      fs.delete(file(requestId), false);
    } catch (IOException e) {
      throw TarmoException.job("Cannot remove the erasure work file of request " + requestId, e);
    }
  }
}
