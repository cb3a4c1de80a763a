package io.tarmo.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tarmo.TarmoException;
import io.tarmo.testing.InProcessTarmo;
import io.tarmo.testing.SparkTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code report} as a user runs it: a lake without tables, and the places it refuses to write. */
@SparkTest
class ReportCommandTest {

  @TempDir Path root;

  @Test
  void aNewLakeGetsAReportWhoseChartsSayWhatIsMissing() throws Exception {
    Files.createDirectories(root.resolve("lake"));
    InProcessTarmo.Run run = InProcessTarmo.tarmo("report", "--lake", root.resolve("lake").toString(),
        "--date", "2026-11-28", "--out", root.resolve("reports/first.html").toString());

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out().strip()).startsWith("report 2026-11-28: 2026-11-28 to 2026-11-28, ")
        .contains("; no table yet: quarantine, identity_merges, ")
        .endsWith(" -> " + root.resolve("reports/first.html"));
    assertThat(Files.readString(root.resolve("reports/first.html"))).startsWith("<!DOCTYPE html>");
    try (var made = Files.list(root.resolve("lake"))) {
      assertThat(made.toList()).as("the report writes nothing into the lake, not even a job_runs row").isEmpty();
    }
  }

  @Test
  void outInsideTheLakeIsExitTwoWithOneLine() throws Exception {
    Files.createDirectories(root.resolve("lake/tables"));
    InProcessTarmo.Run run = InProcessTarmo.tarmo("report", "--lake", root.resolve("lake").toString(),
        "--date", "2026-11-28", "--out", root.resolve("lake/tables/report.html").toString());

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.out()).isEmpty();
    assertThat(run.err().strip()).hasLineCount(1)
        .startsWith("tarmo report: Cannot write the report: --out lies inside the lake; choose a file outside ");
    assertThat(root.resolve("lake/tables/report.html")).doesNotExist();
  }

  @Test
  void outThatIsAFolderOrDaysBelowOneAreExitTwo() throws Exception {
    Files.createDirectories(root.resolve("lake"));
    Files.createDirectories(root.resolve("folder"));
    InProcessTarmo.Run folder = InProcessTarmo.tarmo("report", "--lake",
        root.resolve("lake").toString(), "--date", "2026-11-28", "--out", root.resolve("folder").toString());
    InProcessTarmo.Run days = InProcessTarmo.tarmo("report", "--lake", root.resolve("lake").toString(),
        "--date", "2026-11-28", "--days", "0", "--out", root.resolve("r.html").toString());

    assertThat(folder.exitCode()).isEqualTo(2);
    assertThat(folder.err().strip()).startsWith("tarmo report: Cannot write the report: --out is a folder, not a file");
    assertThat(days.exitCode()).isEqualTo(2);
    assertThat(days.err().strip()).isEqualTo("tarmo report: Cannot write the report: --days must be at least 1 (0)");
  }

  @Test
  void nightlyRefusesAReportInsideTheLakeBeforeTheNight() throws Exception {
    Files.createDirectories(root.resolve("lake"));
    InProcessTarmo.Run run = InProcessTarmo.tarmo("nightly", "--lake",
        root.resolve("lake").toString(), "--date", "2026-11-28", "--report", root.resolve("lake/r.html").toString());

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err().strip()).hasLineCount(1).contains("Cannot write the report: --report lies inside the lake");
    assertThat(run.out()).doesNotContain("step 1/");
  }

  @Test
  void nightlyWritesItsReportAfterAFailedNightAndKeepsTheNightsFailure() {
    List<String> done = new ArrayList<>();
    TarmoException night = TarmoException.qualityGate("nightly 2026-11-28 stopped at step ingest");
    TarmoException report = TarmoException.job("Cannot write the report: disk full");

    assertThatThrownBy(() -> NightlyCommand.reportAfter(() -> {
      done.add("night");
      throw night;
    }, () -> done.add("report"))).isSameAs(night);
    assertThatThrownBy(() -> NightlyCommand.reportAfter(() -> {
      throw night;
    }, () -> {
      throw report;
    })).isSameAs(night).satisfies(e -> assertThat(e.getSuppressed()).containsExactly(report));
    NightlyCommand.reportAfter(() -> done.add("night"), () -> done.add("report"));

    assertThat(done).containsExactly("night", "report", "night", "report");
  }
}
