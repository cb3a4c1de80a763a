package io.tarmo.testing;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.stream.Stream;

/**
 * The lake the real pipeline leaves after two nights: {@code demo} of 1,000 customers over 2026-11-27
 * and 2026-11-28 (the generator's landing files, then the whole night for each day, with the shipped
 * segment definitions, and the run report beside the lake).
 * Several slow test classes start from that lake. It is built once per build: Maven's two test JVMs
 * share it through the folder {@code tarmo.test.shared-lake} names (jobs/pom.xml; one per build, older
 * builds' folders are removed), the first to need it builds it under a file lock while the other
 * waits. Each test gets a copy of its own, so none can change what another sees.
 */
public final class TwoNightLake {

  public static final List<String> DAYS = List.of("2026-11-27", "2026-11-28");

  /**
   * A test's copy: the lake, a configuration that names the shipped segment definitions, what
   * {@code demo} printed on stdout, and the report it wrote (the copy's {@code report.html}, beside
   * the lake as the demo writes it).
   */
  public record Copy(Path lake, Path config, String printed, Path report) {}

  private static final String DONE = "built";
  private static final String PRINTED = "demo.out";
  private static final String REPORT = "report.html";

  private static Path built;

  private TwoNightLake() {}

  /** A fresh copy of the two-night lake at {@code folder}/lake, with its configuration beside it. */
  public static Copy copyTo(Path folder) throws IOException {
    Path source = built();
    Path lake = folder.resolve("lake");
    Folders.copy(source.resolve("lake"), lake);
    Path config = Files.writeString(folder.resolve("two-nights.conf"), configText());
    Path report = Files.copy(source.resolve(REPORT), folder.resolve(REPORT));
    return new Copy(lake, config, Files.readString(source.resolve(PRINTED)), report);
  }

  private static synchronized Path built() throws IOException {
    if (built == null) {
      // Outside Maven (an IDE's run) the lake is this JVM's own.
      Path folder = Path.of(System.getProperty("tarmo.test.shared-lake",
          "target/two-night-lake/jvm-" + ProcessHandle.current().pid()).replace(':', '-')).toAbsolutePath();
      Files.createDirectories(folder.getParent());
      try (FileChannel channel = FileChannel.open(folder.getParent().resolve("lock"), StandardOpenOption.CREATE,
          StandardOpenOption.WRITE); FileLock lock = channel.lock()) {
        if (!Files.exists(folder.resolve(DONE))) {
          removeEarlierBuilds(folder.getParent());
          build(folder);
        }
      }
      built = folder;
    }
    return built;
  }

  private static void build(Path folder) throws IOException {
    Files.createDirectories(folder);
    String lake = folder.resolve("lake").toString();
    Path config = Files.writeString(folder.resolve("two-nights.conf"), configText());
    String printed = InProcessTarmo.succeeding("demo", "--lake", lake, "--config", config.toString(), "--date",
        DAYS.get(1), "--days", String.valueOf(DAYS.size()), "--customers", "1000");
    Files.writeString(folder.resolve(PRINTED), printed);
    Files.writeString(folder.resolve(DONE), "");
  }

  /** Removes the lakes earlier builds left under {@code parent}, and this build's if it stopped half-way. */
  private static void removeEarlierBuilds(Path parent) throws IOException {
    try (Stream<Path> folders = Files.list(parent)) {
      for (Path folder : folders.filter(Files::isDirectory).toList()) {
        Folders.delete(folder);
      }
    }
  }

  private static String configText() {
    return "tarmo.segments.file = \"" + Path.of("..", "conf", "segments.conf").toAbsolutePath().normalize() + "\"\n";
  }
}
