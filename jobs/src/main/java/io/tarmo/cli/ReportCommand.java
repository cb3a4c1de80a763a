package io.tarmo.cli;

import io.tarmo.TarmoException;
import io.tarmo.lake.ReportFile;
import io.tarmo.report.ReportJob;
import io.tarmo.report.ReportResult;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.LocalDate;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code report --date D --out FILE.html}. The report reads the lake only and records no
 * {@code job_runs} row: it must work on a lake its reader may not write, and a row of its own would
 * show up in the next report's steps as if it were part of the night.
 */
@Command(name = "report", mixinStandardHelpOptions = true,
    description = {
        "Writes one self-contained HTML page (charts inlined, no network needed to open it) of the runs up to day D:",
        "volumes per source and day (stored, duplicates, dropped, quarantined), quarantine reasons, identity",
        "statistics, segment sizes with entries and exits, consent coverage per purpose and channel, activations and",
        "exclusions per reason, erasure requests against their 30-day deadline, and each night's steps and durations,",
        "with D's own numbers on top. Counts only: the page holds no personal data. Reads the lake only; records",
        "no job_runs row. A table that does not exist yet gives an empty chart that says so."})
final class ReportCommand implements Callable<Integer> {

  @Mixin GlobalOptions global;
  @Spec CommandSpec spec;

  @Option(names = "--date", converter = BusinessDate.class, paramLabel = "YYYY-MM-DD",
      description = "The report's day: its numbers are the headline (default: yesterday, UTC)")
  LocalDate date;

  @Option(names = "--out", required = true, paramLabel = "FILE.html",
      description = "The page to write (a path or a URI such as s3a://...), outside the lake; an existing file is replaced")
  String out;

  @Option(names = "--days", defaultValue = "" + ReportJob.DEFAULT_DAYS, paramLabel = "N",
      description = "How many days ending at D the charts show at most (default: ${DEFAULT-VALUE}); they start at the "
          + "first of them with a recorded run")
  int days;

  @Override
  public Integer call() {
    LocalDate day = BusinessDate.orYesterday(date);
    PrintWriter console = spec.commandLine().getOut();
    return new CommandRunner(global, spec.commandLine().getErr()).runReadOnly("report", context -> {
      if (days < 1) {
        throw TarmoException.usage("Cannot write the report: --days must be at least 1 (" + days + ")");
      }
      console.println(write(context, day, days, file(context, "--out", out)).summary());
    });
  }

  /** The page at {@code out}, given as {@code option}, checked before any work (exit 2 inside the lake or on a folder). */
  static ReportFile file(JobContext context, String option, String out) {
    return ReportFile.at(EraseCommand.uri(out), option, context.lake(),
        context.spark().sparkContext().hadoopConfiguration());
  }

  /** Writes the report of {@code day} over up to {@code days} days ending at it to {@code file}. */
  static ReportResult write(JobContext context, LocalDate day, int days, ReportFile file) {
    return new ReportJob(context.store(), Clock.systemUTC()).run(day, days, file);
  }
}
