package io.tarmo.cli;

import io.tarmo.segments.SegmentCatalog;
import io.tarmo.segments.SegmentsJob;
import io.tarmo.segments.SegmentsLoader;
import io.tarmo.segments.SegmentsResult;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.LocalDate;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "segments", mixinStandardHelpOptions = true,
    description = {
        "Evaluates every segment definition as of day D into segment_membership, in one pass over the events.",
        "Definitions come from tarmo.segments.file (conf/segments.conf); invalid ones stop the command with",
        "exit 2 before anything is written. Also writes who entered or exited each segment since the previous",
        "evaluated day (segment_changes) and the sizes (segment_sizes). Re-running D replaces D."})
final class SegmentsCommand implements Callable<Integer> {

  @Mixin GlobalOptions global;
  @Spec CommandSpec spec;

  @Option(names = "--date", converter = BusinessDate.class, paramLabel = "YYYY-MM-DD",
      description = "The business day to evaluate (default: yesterday, UTC)")
  LocalDate date;

  @Option(names = "--definitions", paramLabel = "FILE",
      description = "Segment definitions to evaluate instead of tarmo.segments.file")
  Path definitions;

  @Override
  public Integer call() {
    LocalDate day = BusinessDate.orYesterday(date);
    return new CommandRunner(global, spec.commandLine().getErr())
        .run("segments", day, false, segments(day, definitions, spec.commandLine().getOut()));
  }

  static CommandJob segments(LocalDate day, Path definitions, PrintWriter out) {
    return new CommandJob() {
      private SegmentCatalog catalog;

      @Override
      public void validate(JobContext context) {
        job(context);
      }

      @Override
      public void check(JobContext context) {
        job(context).check(day);
      }

      @Override
      public Outcome run(JobContext context) {
        SegmentsResult result = job(context).run(day, context.commitNote());
        out.println(result.summary());
        return Outcome.of(result.counts());
      }

      private SegmentsJob job(JobContext context) {
        if (catalog == null) {
          catalog = SegmentsLoader.load(definitions != null ? definitions : context.settings().segments().file());
        }
        return new SegmentsJob(context.store(), catalog, Clock.systemUTC());
      }
    };
  }
}
