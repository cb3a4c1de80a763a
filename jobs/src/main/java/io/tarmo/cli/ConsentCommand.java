package io.tarmo.cli;

import io.tarmo.consent.ConsentJob;
import io.tarmo.consent.ConsentResult;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.LocalDate;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "consent", mixinStandardHelpOptions = true,
    description = {
        "Builds consent_state from the consent ledger (consent_events) delivered by the end of day D:",
        "per customer, purpose and channel, validity intervals of the latest decision (a record for 'all'",
        "counts for every channel; at equal times a refusal wins; a grant ends at its expires_at). Subjects",
        "are resolved to customers through identity_map. Replaces the table; the state as of an earlier",
        "day is a filter on valid_from/valid_to."})
final class ConsentCommand implements Callable<Integer> {

  @Mixin GlobalOptions global;
  @Spec CommandSpec spec;

  @Option(names = "--date", converter = BusinessDate.class, paramLabel = "YYYY-MM-DD",
      description = "The business day whose deliveries the state includes (default: yesterday, UTC)")
  LocalDate date;

  @Override
  public Integer call() {
    LocalDate day = BusinessDate.orYesterday(date);
    return new CommandRunner(global, spec.commandLine().getErr())
        .run("consent", day, false, consent(day, spec.commandLine().getOut()));
  }

  static CommandJob consent(LocalDate day, PrintWriter out) {
    return new CommandJob() {
      @Override
      public void check(JobContext context) {
        job(context).check(day);
      }

      @Override
      public Outcome run(JobContext context) {
        ConsentResult result = job(context).run(day, context.commitNote());
        out.println(result.summary());
        return Outcome.of(result.counts());
      }

      private ConsentJob job(JobContext context) {
        return new ConsentJob(context.store(), Clock.systemUTC());
      }
    };
  }
}
