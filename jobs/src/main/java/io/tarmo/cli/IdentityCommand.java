package io.tarmo.cli;

import io.tarmo.identity.IdentityJob;
import io.tarmo.identity.IdentityResult;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.LocalDate;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "identity", mixinStandardHelpOptions = true,
    description = {
        "Builds or updates the identity graph from day D's bronze rows.",
        "Links identifiers seen together in events and CRM records (identity_edges), resolves them into",
        "customers without ever merging two customer_ids (identity_map, identity_merges, identity_decisions)",
        "and records graph statistics (identity_stats). A night re-solves only the clusters its new links",
        "touch; --full re-solves every stored link. Exits 3 when the largest customer has more identifiers",
        "than tarmo.identity.max-component-size."})
final class IdentityCommand implements Callable<Integer> {

  @Mixin GlobalOptions global;
  @Spec CommandSpec spec;

  @Option(names = "--date", converter = BusinessDate.class, paramLabel = "YYYY-MM-DD",
      description = "The business day whose ingested rows to link (default: yesterday, UTC)")
  LocalDate date;

  @Option(names = "--full",
      description = "Re-solve every stored link instead of the clusters the day touches; also rebuilds a missing identity_map")
  boolean full;

  @Override
  public Integer call() {
    LocalDate day = BusinessDate.orYesterday(date);
    return new CommandRunner(global, spec.commandLine().getErr())
        .run("identity", day, false, identity(day, full, spec.commandLine().getOut()));
  }

  static CommandJob identity(LocalDate day, boolean full, PrintWriter out) {
    return new CommandJob() {
      @Override
      public void check(JobContext context) {
        job(context).check(day, full);
      }

      @Override
      public Outcome run(JobContext context) {
        IdentityResult result = job(context).runChecked(day, full, context.commitNote());
        out.println(result.summary());
        return new Outcome(result.counts(), result.qualityFailure().orElse(null));
      }

      private IdentityJob job(JobContext context) {
        return new IdentityJob(context.store(), context.settings().identity(), Clock.systemUTC());
      }
    };
  }
}
