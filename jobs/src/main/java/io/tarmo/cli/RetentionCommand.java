package io.tarmo.cli;

import io.tarmo.retention.RetentionJob;
import io.tarmo.retention.RetentionResult;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.LocalDate;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "retention", mixinStandardHelpOptions = true,
    description = {
        "Applies the retention policy (tarmo.retention) as of day D: deletes the rows of every aged table",
        "(events, quarantine, daily results, audit tables) dated before D minus the table's period, and the",
        "day folders (dt=) of landing/events, landing/crm, landing/consent and exports older than their",
        "period, then VACUUMs the tables it deleted from. A landing day is deleted only once an ingest of it",
        "has succeeded; otherwise it is kept and the summary warns. Prints counts only. Re-running D deletes",
        "nothing more."})
final class RetentionCommand implements Callable<Integer> {

  @Mixin GlobalOptions global;
  @Spec CommandSpec spec;

  @Option(names = "--date", converter = BusinessDate.class, paramLabel = "YYYY-MM-DD",
      description = "The day the retention periods are counted back from (default: yesterday, UTC)")
  LocalDate date;

  @Override
  public Integer call() {
    LocalDate day = BusinessDate.orYesterday(date);
    return new CommandRunner(global, spec.commandLine().getErr())
        .run("retention", day, false, retention(day, spec.commandLine().getOut()));
  }

  static CommandJob retention(LocalDate day, PrintWriter out) {
    return new CommandJob() {
      @Override
      public Outcome run(JobContext context) {
        RetentionResult result = new RetentionJob(context.store(), context.settings().retention(), Clock.systemUTC())
            .run(day, context.commitNote());
        out.println(result.summary());
        out.flush();
        return Outcome.of(result.counts());
      }
    };
  }
}
