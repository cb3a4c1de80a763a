package io.tarmo.cli;

import static io.tarmo.cli.CommandLineEndToEndTest.count;
import static io.tarmo.testing.InProcessTarmo.tarmo;
import static org.assertj.core.api.Assertions.assertThat;

import io.tarmo.testing.InProcessTarmo.Run;
import io.tarmo.testing.SparkTest;
import io.tarmo.testing.TwoNightLake;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code nightly}: every step of a day in order, re-runs, a failing step, {@code --from}. */
@SparkTest
@Tag("slow")
class NightlyCommandTest {

  private final SparkSession spark;
  @TempDir Path root;

  NightlyCommandTest(SparkSession spark) {
    this.spark = spark;
  }

  private String lake;
  private Path config;

  private Run nightly(String... args) {
    List<String> all = new java.util.ArrayList<>(List.of("nightly", "--lake", lake, "--config", config.toString()));
    all.addAll(List.of(args));
    return tarmo(all.toArray(String[]::new));
  }

  private void generateOneDay() throws Exception {
    lake = root.resolve("lake").toString();
    config = root.resolve("night.conf");
    Files.writeString(config, "tarmo.segments.file = \""
        + Path.of("..", "conf", "segments.conf").toAbsolutePath().normalize() + "\"\n");
    Run generate = tarmo("generate", "--lake", lake, "--date", "2026-11-28", "--days", "1",
        "--customers", "200");
    assertThat(generate.exitCode()).as(generate.err()).isZero();
  }

  @Test
  void runsEveryStepRecordsEachAndARerunChangesNoTable() throws Exception {
    TwoNightLake.Copy copy = TwoNightLake.copyTo(root);
    lake = copy.lake().toString();
    config = copy.config();
    String night = copy.printed();
    assertThat(night.lines().filter(line -> line.startsWith("nightly 2026-11-28: step")).toList())
        .hasSize(NightlyStep.night(false).size())
        .allSatisfy(line -> assertThat(line).contains("SUCCEEDED"));
    assertThat(night).contains("  step       status").doesNotContain("@");

    Run runs = tarmo("sql", "--lake", lake, "--format", "csv", "select command, status from job_runs"
        + " where business_date = DATE'2026-11-28' and command <> 'generate' order by started_at");
    List<String> expected = new java.util.ArrayList<>(List.of("command,status", "nightly,SUCCEEDED"));
    for (NightlyStep step : NightlyStep.night(false)) {
      expected.add(step.command() + ",SUCCEEDED");
    }
    assertThat(runs.out().strip().split("\n")).as("the night's row starts first").containsExactlyElementsOf(expected);
    assertThat(count(lake, "select count(*) from (select explode(map_keys(delta_versions)) from job_runs"
        + " where command = 'nightly' and business_date = DATE'2026-11-28' except select explode(array_union("
        + " array('job_runs'), flatten(collect_list(map_keys(delta_versions))))) from job_runs"
        + " where command <> 'nightly' and business_date = DATE'2026-11-28')"))
        .as("the night reports what its steps committed, and the steps' rows").isZero();
    assertThat(count(lake, "select size(delta_versions) from job_runs where command = 'nightly'"
        + " and business_date = DATE'2026-11-28'")).isGreaterThan(8);

    Map<String, List<Row>> before = tables();
    Run again = nightly("--date", "2026-11-28");
    assertThat(again.exitCode()).as(again.err()).isZero();
    Map<String, List<Row>> after = tables();
    assertThat(after.keySet()).isEqualTo(before.keySet());
    for (String table : before.keySet()) {
      assertThat(after.get(table)).as(table + " after a re-run of the night").isEqualTo(before.get(table));
    }
  }

  @Test
  void aFailingStepStopsTheNightWithItsCodeAndFromResumesIt() throws Exception {
    generateOneDay();
    Path tight = root.resolve("tight.conf");
    Files.writeString(tight, Files.readString(config) + "tarmo.identity.max-component-size = 2\n");
    Run gated = tarmo("nightly", "--lake", lake, "--config", tight.toString(), "--date", "2026-11-28");
    assertThat(gated.exitCode()).as(gated.err()).isEqualTo(3);
    assertThat(gated.err().strip()).doesNotContain("\n").contains("stopped at step identity")
        .contains("--from consent").doesNotContain("@");
    assertThat(gated.out()).containsPattern("identity +QUALITY_FAILED").containsPattern("consent +not run").containsPattern("profiles +not run")
        .containsPattern("segments +not run").containsPattern("activate +not run");
    assertThat(statuses()).containsExactly("command,status", "nightly,QUALITY_FAILED", "ingest,SUCCEEDED",
        "identity,QUALITY_FAILED");

    Run resumed = nightly("--date", "2026-11-28", "--from", "consent");
    assertThat(resumed.exitCode()).as(resumed.err()).isZero();
    assertThat(resumed.out()).containsPattern("ingest +skipped").containsPattern("identity +skipped");
    List<String> expected = new java.util.ArrayList<>(List.of("command,status", "nightly,QUALITY_FAILED",
        "ingest,SUCCEEDED", "identity,QUALITY_FAILED", "nightly,SUCCEEDED"));
    for (NightlyStep step : NightlyStep.CONSENT.andAfter(NightlyStep.night(false))) {
      expected.add(step.command() + ",SUCCEEDED");
    }
    assertThat(statuses()).containsExactlyElementsOf(expected);
    assertThat(count(lake, "select count(*) from customer_profiles")).isPositive();
  }

  @Test
  void aStepThatCannotStartStopsTheNightWithExitTwoAndRunsNothingLater() throws Exception {
    generateOneDay();
    Run noData = nightly("--date", "2026-11-20");
    assertThat(noData.exitCode()).as(noData.err()).isEqualTo(2);
    assertThat(noData.err().strip()).doesNotContain("\n").startsWith("tarmo nightly: nightly 2026-11-20 stopped at"
        + " step ingest");
    assertThat(statuses()).as("the night and the step that could not start, nothing after it")
        .containsExactly("command,status", "nightly,FAILED", "ingest,FAILED");
    assertThat(count(lake, "select count(*) from job_runs where command = 'ingest' and message like"
        + " '%2026-11-20%' and size(delta_versions) = 0")).as("the step's own reason, and it wrote nothing").isEqualTo(1);

    Path bad = root.resolve("bad-segments.conf");
    Files.writeString(bad, "segments = [ { id = weekend-shoppers, condition { event { event = X, within = 36h } } } ]\n");
    Path badConfig = root.resolve("bad.conf");
    Files.writeString(badConfig, "tarmo.segments.file = \"" + bad + "\"\n");
    Run invalid = tarmo("nightly", "--lake", lake, "--config", badConfig.toString(), "--date", "2026-11-28");
    assertThat(invalid.exitCode()).isEqualTo(2);
    assertThat(invalid.err()).contains("segment weekend-shoppers");
    assertThat(count(lake, "select count(*) from job_runs where command <> 'generate'"
        + " and business_date = DATE'2026-11-28'"))
        .as("definitions are checked before the first step writes anything").isZero();

    Run unknownStep = nightly("--date", "2026-11-28", "--from", "anna@example.com");
    assertThat(unknownStep.exitCode()).isEqualTo(2);
    assertThat(unknownStep.err()).contains("ingest, identity").doesNotContain("anna");
  }

  private List<String> statuses() {
    return List.of(tarmo("sql", "--lake", lake, "--format", "csv", "select command, status from job_runs"
        + " where command <> 'generate' order by started_at").out().strip().split("\n"));
  }

  /**
   * Every table but job_runs, its rows sorted, without the columns that hold the wall-clock time of a
   * run, and with landing file paths relative to the lake.
   */
  private Map<String, List<Row>> tables() throws Exception {
    Map<String, List<Row>> tables = new TreeMap<>();
    try (var folders = Files.list(Path.of(lake, "tables"))) {
      for (Path folder : folders.toList()) {
        String name = folder.getFileName().toString();
        if (name.equals("job_runs")) {
          continue;
        }
        Dataset<Row> rows = spark.read().format("delta").load(folder.toString());
        for (String clock : List.of("merged_at")) {
          rows = rows.drop(clock);
        }
        if (List.of(rows.columns()).contains("file")) {
          // Where a quarantined line came from, relative to the lake: the lake was copied from another folder.
          rows = rows.withColumn("file", functions.regexp_extract(rows.col("file"), "landing/.*$", 0));
        }
        tables.put(name, rows.orderBy(rows.columns()[0], java.util.Arrays.copyOfRange(rows.columns(), 1,
            rows.columns().length)).collectAsList());
      }
    }
    return tables;
  }
}
