package io.tarmo.testing;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real S3 endpoint on loopback for {@code s3a://} tests: S3Proxy (its filesystem provider, a
 * folder per bucket under {@link #basedir()}) started as a process of its own from the runnable jar
 * Maven copies to {@code target/s3proxy}, with AWS v2/v4 signatures checked against one identity
 * and credential, so a wrong or missing key is refused as S3 refuses it. Stopped by {@link #close()},
 * and by a shutdown hook should the test JVM end first.
 */
public final class S3Proxy implements AutoCloseable {

  /** Where Surefire says the jar is ({@code jobs/pom.xml}); a run from an IDE looks in target/. */
  private static final String JAR_PROPERTY = "tarmo.s3proxy.jar";

  private final Process process;
  private final Path basedir;
  private final int port;
  private final Thread stopAtExit;

  private S3Proxy(Process process, Path basedir, int port) {
    this.process = process;
    this.basedir = basedir;
    this.port = port;
    this.stopAtExit = new Thread(process::destroyForcibly, "s3proxy-stop");
    Runtime.getRuntime().addShutdownHook(stopAtExit);
  }

  /**
   * Starts S3Proxy on a free loopback port with its objects under {@code folder/data}, the given
   * {@code buckets} already there, accepting only {@code identity} and {@code credential}; returns
   * once it answers HTTP.
   */
  public static S3Proxy start(Path folder, String identity, String credential, List<String> buckets)
      throws IOException, InterruptedException {
    Path basedir = Files.createDirectories(folder.resolve("data"));
    for (String bucket : buckets) {
      Files.createDirectories(basedir.resolve(bucket));
    }
    int port = freePort();
    Path properties = folder.resolve("s3proxy.conf");
    Files.writeString(properties, String.join("\n",
        "s3proxy.endpoint=http://127.0.0.1:" + port,
        "s3proxy.authorization=aws-v2-or-v4",
        "s3proxy.identity=" + identity,
        "s3proxy.credential=" + credential,
        "jclouds.provider=filesystem",
        "jclouds.filesystem.basedir=" + basedir,
        ""), StandardCharsets.UTF_8);
    Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-jar", jar().toString(), "--properties", properties.toString())
        .redirectErrorStream(true)
        .redirectOutput(folder.resolve("s3proxy.log").toFile())
        .start();
    S3Proxy proxy = new S3Proxy(process, basedir, port);
    try {
      proxy.awaitReady(Duration.ofSeconds(60));
    } catch (IOException | RuntimeException e) {
      proxy.close();
      throw e;
    }
    return proxy;
  }

  /** {@code http://127.0.0.1:PORT}. */
  public String endpoint() {
    return "http://127.0.0.1:" + port;
  }

  /** The folder that holds a sub-folder per bucket, each object a plain file at its key. */
  public Path basedir() {
    return basedir;
  }

  /** A loopback port nothing listens on at the moment of asking. */
  public static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static Path jar() {
    Path jar = Path.of(System.getProperty(JAR_PROPERTY, "target/s3proxy/s3proxy.jar"));
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException("S3Proxy's jar is missing: run mvn process-test-resources first (" + jar + ")");
    }
    return jar;
  }

  /** Waits until S3Proxy answers anything over HTTP (an unsigned request gets 403). */
  private void awaitReady(Duration timeout) throws IOException, InterruptedException {
    Instant deadline = Instant.now().plus(timeout);
    while (Instant.now().isBefore(deadline)) {
      if (!process.isAlive()) {
        throw new IOException("S3Proxy ended with exit code " + process.exitValue() + " before it was ready");
      }
      try {
        HttpURLConnection connection = (HttpURLConnection) URI.create(endpoint() + "/").toURL().openConnection();
        connection.setConnectTimeout(500);
        connection.setReadTimeout(2000);
        connection.getResponseCode();
        connection.disconnect();
        return;
      } catch (IOException notYet) {
        Thread.sleep(200);
      }
    }
    throw new IOException("S3Proxy did not answer within " + timeout.toSeconds() + " s");
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    try {
      Runtime.getRuntime().removeShutdownHook(stopAtExit);
    } catch (IllegalStateException shuttingDown) {
      // The hook runs anyway.
    }
  }
}
