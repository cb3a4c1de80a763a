package io.tarmo.testing;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code io.tarmo.cli.Main} in a JVM of its own, as {@code bin/tarmo} does (its JVM flags,
 * Tarmo's own {@code log4j2.properties}, a fresh SparkSession built from the command line), with an
 * environment of the test's choosing: the only way a test can give secrets the way production
 * does, through environment variables ({@code AWS_ACCESS_KEY_ID}, {@code TARMO_PSEUDONYM_KEY}), and
 * see everything the process prints, Spark's and Hadoop's logs included. The classpath is the test
 * JVM's (Surefire's manifest jar names it), not a build: {@code bin/tarmo} would start Maven inside
 * Maven.
 */
public final class TarmoProcess {

  /** What a run printed and how it ended; {@code seconds} is its wall time. */
  public record Run(int exitCode, String out, String err, double seconds) {
    /** stdout and stderr together, for assertions about everything printed. */
    public String printed() {
      return out + err;
    }
  }

  private final Path workDir;
  private final Map<String, String> environment;
  private final List<String> systemProperties;
  private int runs;

  /**
   * @param workDir the working directory, also where each run's output files go
   * @param environment variables added to the test JVM's environment (AWS_* and TARMO_* variables
   *     of the test JVM itself are not passed on)
   * @param systemProperties extra {@code -Dkey=value} options, e.g. {@code -Dspark.master=local[2]}
   *     as spark-submit sets it
   */
  public TarmoProcess(Path workDir, Map<String, String> environment, List<String> systemProperties) {
    this.workDir = workDir;
    this.environment = Map.copyOf(environment);
    this.systemProperties = List.copyOf(systemProperties);
  }

  /** Runs {@code tarmo args...}; fails the test when it has not ended after {@code timeout}. */
  public Run run(Duration timeout, String... args) throws IOException, InterruptedException {
    int number = ++runs;
    Path out = workDir.resolve("run-" + number + ".out");
    Path err = workDir.resolve("run-" + number + ".err");
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    for (String option : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
      if (option.startsWith("--add-opens") || option.startsWith("-Djdk.reflect")) {
        command.add(option);
      }
    }
    // One command on a tiny lake in a cold JVM: C1 alone compiles for less than C2 would cost it (as for
    // the Python side's short JVMs, docs/ci.md).
    command.addAll(List.of("-Xmx1500m", "-XX:+UseParallelGC", "-XX:TieredStopAtLevel=1", "-Duser.timezone=UTC",
        "-Dfile.encoding=UTF-8", "-Dlog4j2.configurationFile=log4j2.properties"));
    command.addAll(systemProperties);
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), "io.tarmo.cli.Main"));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile())
        .redirectOutput(out.toFile()).redirectError(err.toFile());
    builder.environment().keySet().removeIf(name -> name.startsWith("AWS_") || name.startsWith("TARMO_"));
    builder.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    builder.environment().put("TZ", "UTC");
    builder.environment().putAll(environment);
    long start = System.nanoTime();
    Process process = builder.start();
    try {
      if (!process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
        throw new AssertionError("tarmo " + args[0] + " did not end within " + timeout.toSeconds() + " s");
      }
    } finally {
      process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }
    return new Run(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8), (System.nanoTime() - start) / 1e9);
  }
}
