package io.tarmo.cli;

import io.tarmo.activate.ActivateJob;
import io.tarmo.activate.ActivationResult;
import io.tarmo.segments.SegmentCatalog;
import io.tarmo.segments.SegmentsLoader;
import io.tarmo.subject.Pseudonyms;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.LocalDate;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "activate", mixinStandardHelpOptions = true,
    description = {
        "Per configured segment x channel pair (tarmo.activation.audiences): the members of day D who may be",
        "contacted on the channel (consent as of D, no profiling objection, not suppressed, a valid address)",
        "into activation, everyone else with one reason into activation_exclusions, and the export files",
        "exports/dt=D/<channel>/<segment>.csv (.added.csv, .removed.csv, _manifest.json). Re-running D",
        "replaces D. Needs " + Pseudonyms.KEY_VARIABLE + " once suppression_list holds rows."})
final class ActivateCommand implements Callable<Integer> {

  @Mixin GlobalOptions global;
  @Spec CommandSpec spec;

  @Option(names = "--date", converter = BusinessDate.class, paramLabel = "YYYY-MM-DD",
      description = "The business day to activate (default: yesterday, UTC)")
  LocalDate date;

  @Override
  public Integer call() {
    LocalDate day = BusinessDate.orYesterday(date);
    return new CommandRunner(global, spec.commandLine().getErr())
        .run("activate", day, false, activate(day, spec.commandLine().getOut()));
  }

  static CommandJob activate(LocalDate day, PrintWriter out) {
    return new CommandJob() {
      private SegmentCatalog catalog;

      @Override
      public void validate(JobContext context) {
        job(context).validate(day);
      }

      @Override
      public void check(JobContext context) {
        job(context).check(day);
      }

      @Override
      public Outcome run(JobContext context) {
        ActivationResult result = job(context).run(day, context.commitNote());
        out.println(result.summary());
        return Outcome.of(result.counts());
      }

      private ActivateJob job(JobContext context) {
        if (catalog == null) {
          catalog = SegmentsLoader.load(context.settings().segments().file());
        }
        return new ActivateJob(context.store(), catalog, context.settings().activation(), context.pseudonyms(),
            Clock.systemUTC());
      }
    };
  }
}
