package io.tarmo.cli;

import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The options every command takes (CONTRACT section 1), and the environment the command reads
 * the pseudonym key from: the process's own, or the one
 * {@link Main#commandLine(java.io.PrintWriter, java.io.PrintWriter, Map)} was given.
 */
public final class GlobalOptions {

  final Map<String, String> environment;

  public GlobalOptions() {
    this(System.getenv());
  }

  GlobalOptions(Map<String, String> environment) {
    this.environment = Map.copyOf(environment);
  }

  @Option(names = "--config", paramLabel = "FILE",
      description = "HOCON file layered over the built-in reference.conf (default: conf/local.conf when present)")
  Path config;

  @Option(names = "--lake", paramLabel = "URI",
      description = "Lake root: /path, file:/path or s3a://bucket/prefix (default: tarmo.lake.root, ./lake)")
  String lake;

  @Option(names = "--master", paramLabel = "URL",
      description = "Spark master when not under spark-submit (default: tarmo.spark.master, local[*])")
  String master;

  @Option(names = "--verbose", description = "Print stack traces of failures and Spark's warnings")
  boolean verbose;
}
