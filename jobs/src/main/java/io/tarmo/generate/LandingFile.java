package io.tarmo.generate;

import io.tarmo.TarmoException;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/** One landing file being written line by line, optionally gzipped (fastest level), replacing any old one. */
final class LandingFile implements AutoCloseable {

  private static final int BUFFER = 1 << 18;

  private final Path path;
  private final OutputStream out;
  private long lines;
  private boolean closed;

  LandingFile(FileSystem fs, Path path, boolean gzip) {
    this.path = path;
    try {
      OutputStream raw = fs.create(path, true);
      this.out = gzip
          ? new BufferedOutputStream(new FastGzip(raw), BUFFER)
          : new BufferedOutputStream(raw, BUFFER);
    } catch (IOException e) {
      throw TarmoException.job("Cannot write landing file: " + e.getMessage() + " (" + path + ")", e);
    }
  }

  void line(String line) {
    bytes(line.getBytes(StandardCharsets.UTF_8));
  }

  /** A line given as bytes: how a line that is not valid UTF-8 gets written. */
  void bytes(byte[] line) {
    try {
      out.write(line);
      out.write('\n');
      lines++;
    } catch (IOException e) {
      throw TarmoException.job("Cannot write landing file: " + e.getMessage() + " (" + path + ")", e);
    }
  }

  long lines() {
    return lines;
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      out.close();
    } catch (IOException e) {
      throw TarmoException.job("Cannot write landing file: " + e.getMessage() + " (" + path + ")", e);
    }
  }

  /** gzip at the fastest level: files are transient landing input, throughput matters more. */
  private static final class FastGzip extends GZIPOutputStream {
    FastGzip(OutputStream out) throws IOException {
      super(out, BUFFER);
      def.setLevel(Deflater.BEST_SPEED);
    }
  }
}
