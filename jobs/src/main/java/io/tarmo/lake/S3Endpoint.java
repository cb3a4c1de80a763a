package io.tarmo.lake;

import io.tarmo.TarmoException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.AccessDeniedException;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The S3 endpoint an {@code s3a://} lake is reached through, and one quick look at the lake root
 * before any job starts. S3A retries an endpoint that does not answer for minutes (5 SDK attempts
 * times 7 retries with back-off, by default) before a command could say anything, so the look is
 * made by a file system of its own with one attempt and short timeouts; the jobs keep the
 * configured retries. A failure names the endpoint and the lake root, never the credentials.
 */
final class S3Endpoint {

  /**
   * What the look changes: one attempt, no retries, and S3A's shortest timeouts (it raises anything
   * below 15 s to 15 s, with a warning on stderr).
   */
  static final Map<String, String> PROBE_SETTINGS = Map.of(
      "attempts.maximum", "1",
      "retry.limit", "0",
      "retry.throttle.limit", "0",
      "connection.establish.timeout", "15s",
      "connection.timeout", "15s",
      "connection.request.timeout", "15s");

  private S3Endpoint() {}

  /** Whether {@code root} is on S3 through Hadoop's S3A connector. */
  static boolean isS3(Path root) {
    String scheme = root.toUri().getScheme();
    return "s3a".equals(scheme);
  }

  /**
   * The endpoint S3A uses for {@code bucket}: its per-bucket {@code fs.s3a.bucket.<bucket>.endpoint},
   * else {@code fs.s3a.endpoint}, else AWS's own for the configured region; without any user
   * information a URL might carry.
   */
  static String describe(Configuration hadoop, String bucket) {
    String endpoint = hadoop.getTrimmed("fs.s3a.bucket." + bucket + ".endpoint",
        hadoop.getTrimmed("fs.s3a.endpoint", ""));
    if (endpoint.isEmpty()) {
      String region = hadoop.getTrimmed("fs.s3a.bucket." + bucket + ".endpoint.region",
          hadoop.getTrimmed("fs.s3a.endpoint.region", ""));
      return region.isEmpty() ? "AWS S3 (default endpoint)" : "AWS S3 in " + region;
    }
    try {
      URI uri = URI.create(endpoint);
      if (uri.getRawUserInfo() != null) {
        return new URI(uri.getScheme(), null, uri.getHost(), uri.getPort(), uri.getPath(), null, null).toString();
      }
    } catch (IllegalArgumentException | java.net.URISyntaxException e) {
      return "an endpoint that is not a valid URI";
    }
    return endpoint;
  }

  /**
   * Looks at {@code root} once; exit 2 when the endpoint cannot be reached, refuses the credentials
   * or fails otherwise, naming the endpoint.
   */
  static void check(Configuration hadoop, Path root) {
    String bucket = root.toUri().getHost();
    Configuration probe = new Configuration(hadoop);
    // Per-bucket settings win over the base ones in S3A: set both, so a bucket's own retries do not apply.
    PROBE_SETTINGS.forEach((key, value) -> {
      probe.set("fs.s3a." + key, value);
      probe.set("fs.s3a.bucket." + bucket + "." + key, value);
    });
    String endpoint = describe(hadoop, bucket);
    quietAwsSdkLogging();
    try (FileSystem fs = FileSystem.newInstance(root.toUri(), probe)) {
      fs.exists(root);
    } catch (IOException | RuntimeException e) {
      throw TarmoException.usage(reason(e, endpoint) + " (" + root + ")", e);
    }
  }

  /** The failure's one line: what happened at which endpoint, from the exception's kind only. */
  private static String reason(Exception e, String endpoint) {
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      if (cause instanceof ConnectException || cause instanceof UnknownHostException
          || cause instanceof NoRouteToHostException || cause instanceof SocketTimeoutException) {
        return "Cannot reach the lake's S3 endpoint " + endpoint + ": " + cause.getClass().getSimpleName();
      }
      if (cause instanceof AccessDeniedException) {
        return "Cannot use the lake on S3: access denied by " + endpoint + "; check AWS_ACCESS_KEY_ID and"
            + " AWS_SECRET_ACCESS_KEY or the instance profile";
      }
    }
    return "Cannot use the lake on S3 at " + endpoint + ": " + e.getClass().getSimpleName()
        + " (re-run with --verbose for details)";
  }

  /**
   * The AWS SDK bundle that hadoop-aws uses shades an SLF4J 1.x whose binding cannot load
   * (aws/aws-sdk-java-v2#5312): the first S3 client a JVM makes prints three "SLF4J: Failed to load
   * class" lines on stderr, around a command's one line. The SDK logs nowhere either way; this
   * lets that first lookup happen with those lines discarded.
   */
  private static synchronized void quietAwsSdkLogging() {
    PrintStream err = System.err;
    System.setErr(new PrintStream(OutputStream.nullOutputStream()));
    try {
      Class.forName("software.amazon.awssdk.thirdparty.org.slf4j.LoggerFactory")
          .getMethod("getILoggerFactory").invoke(null);
    } catch (ReflectiveOperationException | LinkageError e) {
      // Another SDK build, without the shaded SLF4J: nothing to quieten.
    } finally {
      System.setErr(err);
    }
  }
}
