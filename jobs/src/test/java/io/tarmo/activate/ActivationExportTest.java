package io.tarmo.activate;

import static org.assertj.core.api.Assertions.assertThat;

import io.tarmo.lake.DeltaStore;
import io.tarmo.lake.JobRuns;
import io.tarmo.lake.Lake;
import io.tarmo.segments.SegmentCatalog;
import io.tarmo.segments.SegmentsLoader;
import io.tarmo.testing.ActivationFixtures;
import io.tarmo.testing.SparkTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.LocalDate;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The export files of activate: exact contents, changes against the previous day, manifest, reruns. */
@SparkTest
class ActivationExportTest {

  static final LocalDate DAY1 = LocalDate.of(2026, 11, 27);
  static final LocalDate DAY2 = LocalDate.of(2026, 11, 28);
  static final SegmentCatalog CATALOG = SegmentsLoader.parse("segments = ["
      + "{ id = promo, condition { profile { orders = 0 } } }, { id = quiet, condition { profile { orders = 0 } } } ]",
      "test");
  static final ActivationSettings SETTINGS = new ActivationSettings(Set.of(), List.of(
      new ActivationSettings.Audience("promo", List.of(Channel.EMAIL, Channel.WEB)),
      new ActivationSettings.Audience("quiet", List.of(Channel.PUSH))));

  private final SparkSession spark;
  @TempDir Path root;

  ActivationExportTest(SparkSession spark) {
    this.spark = spark;
  }

  @Test
  void fullAddedAndRemovedFilesWithAManifestAndARerunReplacesTheDay() throws Exception {
    DeltaStore store = new DeltaStore(spark, Lake.at(root.toString()));
    ActivationFixtures lake = new ActivationFixtures(spark).evaluated(DAY1).evaluated(DAY2)
        .member(DAY1, "promo", 1).member(DAY1, "promo", 2)
        .member(DAY2, "promo", 2).member(DAY2, "promo", 3).member(DAY2, "promo", 10).member(DAY2, "quiet", 3)
        .profile(1, "one@example.org", null, null).profile(2, "two@example.org", null, null)
        .profile(3, "three@example.org", null, null).profile(10, "ten@example.org", null, null)
        .identity("anonymous_id", "cookie-2a", 2).identity("anonymous_id", "cookie,2b", 2)
        .identity("anonymous_id", "cookie-3", 3);
    for (long key : new long[] {1, 2, 3, 10}) {
      lake.consent(key, "marketing", "email", "granted", "consent", "2026-11-01T00:00:00Z", null, "c" + key);
      lake.consent(key, "marketing", "web", "granted", "consent", "2026-11-01T00:00:00Z", null, "w" + key);
    }
    lake.writeTo(store);
    ActivateJob job = new ActivateJob(store, CATALOG, SETTINGS, Optional.empty(), Clock.systemUTC());

    job.run(DAY1, "day1");
    Path day1 = root.resolve("exports/dt=2026-11-27");
    assertThat(read(day1, "email/promo.csv")).isEqualTo("customer_key,email\n1,one@example.org\n2,two@example.org\n");
    assertThat(read(day1, "email/promo.added.csv")).as("everything is added on the first day")
        .isEqualTo(read(day1, "email/promo.csv"));
    assertThat(read(day1, "email/promo.removed.csv")).isEqualTo("customer_key,email\n");

    job.run(DAY2, "day2");
    Path day2 = root.resolve("exports/dt=2026-11-28");
    assertThat(read(day2, "email/promo.csv"))
        .isEqualTo("customer_key,email\n2,two@example.org\n3,three@example.org\n10,ten@example.org\n");
    assertThat(read(day2, "email/promo.added.csv")).isEqualTo("customer_key,email\n3,three@example.org\n10,ten@example.org\n");
    assertThat(read(day2, "email/promo.removed.csv")).isEqualTo("customer_key,email\n1,one@example.org\n");
    assertThat(read(day2, "web/promo.csv"))
        .isEqualTo("customer_key,anonymous_id\n2,\"cookie,2b\"\n2,cookie-2a\n3,cookie-3\n");
    assertThat(read(day2, "web/promo.added.csv")).isEqualTo("customer_key,anonymous_id\n3,cookie-3\n");
    assertThat(read(day2, "web/promo.removed.csv")).isEqualTo("customer_key,anonymous_id\n");
    assertThat(read(day2, "push/quiet.csv")).as("an empty audience gets a header").isEqualTo("customer_key,device_id\n");

    List<String> files = List.of("email/promo.added.csv", "email/promo.csv", "email/promo.removed.csv",
        "push/quiet.added.csv", "push/quiet.csv", "push/quiet.removed.csv",
        "web/promo.added.csv", "web/promo.csv", "web/promo.removed.csv");
    assertThat(listing(day2)).containsExactlyElementsOf(
        Stream.concat(Stream.of("_manifest.json"), files.stream()).sorted().toList());
    String manifest = read(day2, "_manifest.json");
    assertThat(manifest).startsWith("{\n  \"as_of_date\": \"2026-11-28\",\n  \"previous_date\": \"2026-11-27\",\n");
    assertThat(manifest).contains("{\"path\": \"email/promo.csv\", \"channel\": \"email\", \"segment\": \"promo\", "
        + "\"kind\": \"full\", \"rows\": 3, \"sha256\": \"" + sha256(day2.resolve("email/promo.csv")) + "\"}");
    assertThat(manifest).contains("{\"path\": \"email/promo.removed.csv\", \"channel\": \"email\", \"segment\": "
        + "\"promo\", \"kind\": \"removed\", \"rows\": 1, \"sha256\": \""
        + sha256(day2.resolve("email/promo.removed.csv")) + "\"}");
    assertThat(manifest).contains("{\"path\": \"push/quiet.csv\", \"channel\": \"push\", \"segment\": \"quiet\", "
        + "\"kind\": \"full\", \"rows\": 0, \"sha256\": \"" + sha256(day2.resolve("push/quiet.csv")) + "\"}");
    for (String file : files) {
      assertThat(manifest).as(file).contains("\"path\": \"" + file + "\"")
          .contains(sha256(day2.resolve(file)));
    }

    // A stale file and an abandoned staging folder of the day, as a killed run would leave them.
    Files.writeString(day2.resolve("email/retired.csv"), "customer_key,email\n9,nine@example.org\n");
    Files.createDirectories(root.resolve("exports/.staging-dt=2026-11-28-killed/email"));
    List<String> before = files.stream().map(file -> read(day2, file)).toList();
    job.run(DAY2, "rerun");
    assertThat(listing(day2)).as("the rerun leaves exactly its own files")
        .containsExactlyElementsOf(Stream.concat(Stream.of("_manifest.json"), files.stream()).sorted().toList());
    assertThat(files.stream().map(file -> read(day2, file)).toList()).isEqualTo(before);
    assertThat(read(day2, "_manifest.json")).isEqualTo(manifest);
    try (Stream<Path> exports = Files.list(root.resolve("exports"))) {
      assertThat(exports.map(path -> path.getFileName().toString()).sorted().toList())
          .containsExactly("dt=2026-11-27", "dt=2026-11-28");
    }
  }

  /**
   * A day whose audiences were all empty removed everyone, and has no activation or exclusion row:
   * the day after compares with it (its SUCCEEDED run in job_runs), so whoever comes back is added
   * again, and a sending tool that synced the removal sends them again.
   */
  @Test
  void whoComesBackAfterADayWithEmptyAudiencesIsAddedAgain() throws Exception {
    LocalDate day3 = DAY2.plusDays(1);
    DeltaStore store = new DeltaStore(spark, Lake.at(root.toString()));
    ActivationFixtures lake = new ActivationFixtures(spark).evaluated(DAY1).evaluated(DAY2).evaluated(day3)
        .member(DAY1, "promo", 1).member(day3, "promo", 1)
        .profile(1, "one@example.org", null, null);
    lake.consent(1, "marketing", "email", "granted", "consent", "2026-11-01T00:00:00Z", null, "c1");
    lake.writeTo(store);
    ActivateJob job = new ActivateJob(store, CATALOG, SETTINGS, Optional.empty(), Clock.systemUTC());
    JobRuns runs = new JobRuns(store, Clock.systemUTC());
    for (LocalDate day : List.of(DAY1, DAY2, day3)) {
      JobRuns.Run run = runs.start("activate", day);
      job.run(day, "day");
      runs.finish(run, JobRuns.Status.SUCCEEDED, Map.of(), null);
    }

    assertThat(read(root.resolve("exports/dt=2026-11-28"), "email/promo.removed.csv"))
        .isEqualTo("customer_key,email\n1,one@example.org\n");
    Path day3Folder = root.resolve("exports/dt=2026-11-29");
    assertThat(read(day3Folder, "email/promo.added.csv")).isEqualTo("customer_key,email\n1,one@example.org\n");
    assertThat(read(day3Folder, "_manifest.json")).contains("\"previous_date\": \"2026-11-28\"");
  }

  private static String read(Path day, String file) {
    try {
      return Files.readString(day.resolve(file), StandardCharsets.UTF_8);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Every file under the day's folder, relative, sorted. */
  private static List<String> listing(Path day) throws Exception {
    try (Stream<Path> paths = Files.walk(day)) {
      return paths.filter(Files::isRegularFile).map(path -> day.relativize(path).toString())
          .sorted().toList();
    }
  }

  private static String sha256(Path file) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
  }
}
