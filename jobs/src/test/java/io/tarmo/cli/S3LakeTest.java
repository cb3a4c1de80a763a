package io.tarmo.cli;

import static io.tarmo.testing.InProcessTarmo.tarmo;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tarmo.TarmoException;
import io.tarmo.testing.InProcessTarmo.Run;
import io.tarmo.lake.Lake;
import io.tarmo.lake.RequestFiles;
import io.tarmo.testing.LakeScan;
import io.tarmo.testing.S3Proxy;
import io.tarmo.testing.SparkTest;
import io.tarmo.testing.TarmoProcess;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A lake on S3: S3Proxy on loopback stands for S3, with a checked identity and credential, and the
 * shipped {@code conf/s3.conf} is included in every command's configuration. generate → nightly →
 * erase, then the bucket is checked from outside Tarmo: the tables through Spark on
 * {@code s3a://}, and every object byte by byte in S3Proxy's folder. Nothing any command prints holds
 * the credentials.
 *
 * <p>{@code erase} and the refusals run as production runs them, each in a JVM of its own with the
 * credentials in its environment ({@code AWS_ACCESS_KEY_ID}, {@code AWS_SECRET_ACCESS_KEY}, which
 * Spark and S3A's default chain read; erase's {@code TARMO_PSEUDONYM_KEY} too), a fresh SparkSession
 * and everything it prints captured, Spark's and Hadoop's logs included. generate and the night
 * run in this JVM's warm shared session, with the keys as per-bucket S3A settings: a cold JVM per
 * command made the test take several times as long, and the path from the environment is the
 * erasure's.
 */
@SparkTest
@Tag("slow")
class S3LakeTest {

  private static final String BUCKET = "tarmo-s3-test";
  private static final String ACCESS_KEY = "TARMOTESTKEY" + UUID.randomUUID().toString().replace("-", "")
      .substring(0, 8).toUpperCase(java.util.Locale.ROOT);
  private static final String SECRET_KEY = "secret-" + UUID.randomUUID();
  private static final String PSEUDONYM_KEY = "s3-test-pseudonym-key-0123456789abcdef";
  private static final Duration TIMEOUT = Duration.ofMinutes(10);
  private static final Path REPO = Path.of("..").toAbsolutePath().normalize();

  @TempDir static Path proxyFolder;
  private static S3Proxy proxy;

  private final SparkSession spark;
  @TempDir Path root;

  S3LakeTest(SparkSession spark) {
    this.spark = spark;
  }

  @BeforeAll
  static void startS3() throws Exception {
    proxy = S3Proxy.start(proxyFolder, ACCESS_KEY, SECRET_KEY, List.of(BUCKET));
  }

  @AfterAll
  static void stopS3() {
    if (proxy != null) {
      proxy.close();
    }
  }

  @Test
  void generateNightlyAndEraseRunEntirelyOnS3() throws Exception {
    String lake = "s3a://" + BUCKET + "/lake";
    Path config = s3Config(proxy.endpoint(), lake);
    Path bucketLake = proxy.basedir().resolve(BUCKET).resolve("lake");
    List<String> printed = new ArrayList<>();

    readS3FromThisSession();
    Run generate = tarmo("generate", "--config", config.toString(), "--date", "2026-11-28", "--days", "1",
        "--customers", "200");
    printed.add(generate.out() + generate.err());
    assertThat(generate.exitCode()).as(generate.err()).isZero();
    assertLandingEqualsALocalGenerate(bucketLake.resolve("landing"));
    Run night = tarmo("nightly", "--config", config.toString(), "--date", "2026-11-28");
    printed.add(night.out() + night.err());
    assertThat(night.exitCode()).as(night.err()).isZero();
    assertThat(night.out()).contains("nightly 2026-11-28: step 6/6").doesNotContain("@");
    assertThat(Files.exists(bucketLake.resolve("exports/dt=2026-11-28/_manifest.json"))).isTrue();

    Row subject = spark.read().format("delta").load(lake + "/tables/crm_customers")
        .where("email is not null and phone is not null").orderBy("customer_id").select("customer_id", "email", "phone")
        .first();
    List<String> values = List.of(subject.getString(0), subject.getString(1), subject.getString(2));
    assertThat(LakeScan.find(spark, Lake.at(bucketLake.toString()), values)).as("the subject is in the lake at first")
        .isNotEmpty();
    writeOnS3(lake + "/" + RequestFiles.FOLDER + "/s3-test.csv", "request_id,subject_type,subject_value,received_at\n"
        + "S3-1,customer_id," + subject.getString(0) + ",2026-12-01\n");

    TarmoProcess tarmo = new TarmoProcess(Files.createDirectories(root.resolve("runs")), Map.of(
        "AWS_ACCESS_KEY_ID", ACCESS_KEY, "AWS_SECRET_ACCESS_KEY", SECRET_KEY, "TARMO_PSEUDONYM_KEY", PSEUDONYM_KEY),
        List.of());
    TarmoProcess.Run erase = tarmo.run(TIMEOUT, "erase", "--config", config.toString());
    printed.add(erase.printed());
    assertThat(erase.exitCode()).as(erase.err()).isZero();
    assertThat(erase.err()).as("nothing on stderr").isEmpty();

    assertThat(spark.read().format("delta").load(lake + "/tables/erasure_log").select("request_id", "status")
        .collectAsList()).map(Row::toString).containsExactly("[S3-1,COMPLETED]");
    assertThat(spark.read().format("delta").load(lake + "/tables/job_runs").where("status <> 'SUCCEEDED'").count())
        .as("every run and step succeeded").isZero();
    for (String table : List.of("events", "crm_customers", "consent_events", "identity_map", "customer_profiles",
        "segment_membership", "consent_state", "activation_exclusions", "suppression_list")) {
      assertThat(spark.read().format("delta").load(lake + "/tables/" + table).count()).as(table).isPositive();
    }
    assertThat(Files.exists(bucketLake.resolve(RequestFiles.FOLDER).resolve("s3-test.csv")))
        .as("the finished request file is gone").isFalse();
    List<String> scanned = new ArrayList<>(values);
    scanned.addAll(List.of(ACCESS_KEY, SECRET_KEY));
    assertThat(LakeScan.find(spark, Lake.at(bucketLake.toString()), scanned))
        .as("no object in the bucket holds the subject's values or the credentials").isEmpty();
    assertThat(printed).as("what the commands printed").allSatisfy(text -> assertThat(text)
        .doesNotContain(ACCESS_KEY).doesNotContain(SECRET_KEY).doesNotContain(PSEUDONYM_KEY));
  }

  /**
   * An endpoint nothing listens on: exit 2 within seconds, one line on stderr naming the endpoint
   * and the lake, never the keys (S3A's own retries would take minutes).
   */
  @Test
  void unreachableEndpointIsExitTwoWithinSecondsNamingItButNotTheKeys() throws Exception {
    String endpoint = "http://127.0.0.1:" + S3Proxy.freePort();
    Path config = s3Config(endpoint, "s3a://" + BUCKET + "/nowhere");
    TarmoProcess tarmo = new TarmoProcess(Files.createDirectories(root.resolve("runs")),
        Map.of("AWS_ACCESS_KEY_ID", ACCESS_KEY, "AWS_SECRET_ACCESS_KEY", SECRET_KEY), List.of());
    TarmoProcess.Run ingest = tarmo.run(TIMEOUT, "ingest", "--config", config.toString(), "--date", "2026-11-28");
    assertThat(ingest.exitCode()).as(ingest.err()).isEqualTo(2);
    assertThat(ingest.err().lines().toList()).containsExactly("tarmo ingest: Cannot reach the lake's S3 endpoint "
        + endpoint + ": ConnectException (s3a://" + BUCKET + "/nowhere)");
    assertThat(ingest.printed()).doesNotContain(ACCESS_KEY).doesNotContain(SECRET_KEY);
    assertThat(ingest.seconds()).as("seconds, Spark's start included").isLessThan(90);
  }

  /** Keys the store refuses: exit 2 at the first look, naming the endpoint and what to check, not the keys. */
  @Test
  void refusedKeysAreExitTwoNamingTheEndpointButNotTheKeys() {
    Configuration hadoop = new Configuration();
    s3Settings(proxy.endpoint()).forEach(hadoop::set);
    hadoop.set("fs.s3a.bucket." + BUCKET + ".secret.key", "not-" + SECRET_KEY);
    assertThatThrownBy(() -> Lake.at("s3a://" + BUCKET + "/lake").checkReachable(hadoop))
        .isInstanceOfSatisfying(TarmoException.class, e -> assertThat(e.failure()).isEqualTo(TarmoException.Failure.USAGE))
        .hasMessage("Cannot use the lake on S3: access denied by " + proxy.endpoint() + "; check AWS_ACCESS_KEY_ID"
            + " and AWS_SECRET_ACCESS_KEY or the instance profile (s3a://" + BUCKET + "/lake)");
  }

  /** A jar run (spark-submit sets spark.master) without a lake: exit 2 before Spark starts, saying what to set. */
  @Test
  void sparkSubmitRunWithoutALakeIsExitTwo() throws Exception {
    Path config = root.resolve("no-lake.conf");
    Files.writeString(config, "tarmo.spark.shuffle-partitions = 2\n", StandardCharsets.UTF_8);
    TarmoProcess submitted = new TarmoProcess(Files.createDirectories(root.resolve("runs")), Map.of(),
        List.of("-Dspark.master=local[1]"));
    TarmoProcess.Run nightly = submitted.run(TIMEOUT, "nightly", "--config", config.toString(), "--date", "2026-11-28");
    assertThat(nightly.exitCode()).as(nightly.err()).isEqualTo(2);
    assertThat(nightly.err().lines().toList()).containsExactly("tarmo nightly: Cannot start under spark-submit"
        + " without a lake: pass --lake s3a://bucket/prefix or set tarmo.lake.root in the --config file (the default"
        + " ./lake is a folder on the driver's machine)");
    assertThat(root.resolve("runs/lake")).doesNotExist();
  }

  /** conf/s3.conf as shipped, pointed at the proxy: the configuration a user of S3Proxy or MinIO writes. */
  private Path s3Config(String endpoint, String lake) throws IOException {
    Path config = root.resolve("s3-test.conf");
    Files.writeString(config, String.join("\n",
        "include file(\"" + REPO.resolve("conf/s3.conf") + "\")",
        "tarmo.lake.root = \"" + lake + "\"",
        "tarmo.segments.file = \"" + REPO.resolve("conf/segments.conf") + "\"",
        "tarmo.spark.master = \"local[2]\"",
        "tarmo.spark.conf.\"spark.hadoop.fs.s3a.endpoint\" = \"" + endpoint + "\"",
        ""), StandardCharsets.UTF_8);
    return config;
  }

  /** The landing files on S3 are, byte for byte, those of the same generate into a local lake. */
  private void assertLandingEqualsALocalGenerate(Path s3Landing) throws IOException {
    Path local = root.resolve("local-lake");
    Run generate = tarmo("generate", "--lake", local.toString(), "--date", "2026-11-28",
        "--days", "1", "--customers", "200");
    assertThat(generate.exitCode()).as(generate.err()).isZero();
    assertThat(files(s3Landing)).as("landing files on S3").isNotEmpty().isEqualTo(files(local.resolve("landing")));
  }

  /** Every regular file under {@code folder} by relative path, with its bytes' hash; not Hadoop's local .crc files. */
  private static Map<String, Integer> files(Path folder) throws IOException {
    Map<String, Integer> files = new TreeMap<>();
    try (Stream<Path> walk = Files.walk(folder)) {
      for (Path file : walk.filter(Files::isRegularFile)
          .filter(file -> !file.getFileName().toString().endsWith(".crc")).toList()) {
        files.put(folder.relativize(file).toString(), java.util.Arrays.hashCode(Files.readAllBytes(file)));
      }
    }
    return files;
  }

  /**
   * The test's own session reads the bucket with the proxy's endpoint and keys as per-bucket S3A
   * settings, which no other test's path touches.
   */
  private void readS3FromThisSession() {
    Configuration hadoop = spark.sparkContext().hadoopConfiguration();
    s3Settings(proxy.endpoint()).forEach(hadoop::set);
  }

  private static Map<String, String> s3Settings(String endpoint) {
    String prefix = "fs.s3a.bucket." + BUCKET + ".";
    return Map.of(prefix + "endpoint", endpoint, prefix + "path.style.access", "true",
        prefix + "connection.ssl.enabled", "false", prefix + "access.key", ACCESS_KEY,
        prefix + "secret.key", SECRET_KEY, prefix + "endpoint.region", "us-east-1");
  }

  private void writeOnS3(String uri, String text) throws IOException {
    Configuration hadoop = new Configuration(spark.sparkContext().hadoopConfiguration());
    try (FileSystem fs = FileSystem.newInstance(URI.create(uri), hadoop);
        OutputStream out = fs.create(new org.apache.hadoop.fs.Path(uri), true)) {
      out.write(text.getBytes(StandardCharsets.UTF_8));
    }
  }
}
