package io.tarmo.lake;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tarmo.TarmoException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
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
    Path partial = new Path(file.getParent(), "." + file.getName() + ".partial");
    try {
      fs.mkdirs(file.getParent(), new FsPermission((short) 0700));
      try (OutputStream out = fs.create(partial, true)) {
        out.write(JSON.writeValueAsString(subject).getBytes(StandardCharsets.UTF_8));
      }
      fs.setPermission(partial, new FsPermission((short) 0600));
      fs.delete(file, false);
      if (!fs.rename(partial, file)) {
        throw new IOException("rename failed");
      }
    } catch (JsonProcessingException e) {
      throw TarmoException.job("Cannot write the erasure work file of request " + subject.requestId(), e);
    } catch (IOException e) {
      throw TarmoException.job("Cannot write the erasure work file of request " + subject.requestId()
          + " (" + file + "): " + e.getMessage(), e);
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
