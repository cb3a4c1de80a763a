package io.tarmo.cli;

import io.tarmo.profiles.ProfilesJob;
import io.tarmo.profiles.ProfilesResult;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.LocalDate;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "profiles", mixinStandardHelpOptions = true,
    description = {
        "Builds customer_profiles as of day D: one row per customer_key of identity_map.",
        "The golden record (CRM values over event traits, else the most recent non-empty trait) and",
        "traits computed from every event known by the end of D: first/last seen, sessions, page views,",
        "orders, revenue, favourite category, RFM scores and contactable channels. Replaces the table."})
final class ProfilesCommand implements Callable<Integer> {

  @Mixin GlobalOptions global;
  @Spec CommandSpec spec;

  @Option(names = "--date", converter = BusinessDate.class, paramLabel = "YYYY-MM-DD",
      description = "The business day to build profiles as of (default: yesterday, UTC)")
  LocalDate date;

  @Override
  public Integer call() {
    LocalDate day = BusinessDate.orYesterday(date);
    return new CommandRunner(global, spec.commandLine().getErr())
        .run("profiles", day, false, profiles(day, spec.commandLine().getOut()));
  }

  static CommandJob profiles(LocalDate day, PrintWriter out) {
    return new CommandJob() {
      @Override
      public void check(JobContext context) {
        job(context).check(day);
      }

      @Override
      public Outcome run(JobContext context) {
        ProfilesResult result = job(context).run(day, context.commitNote());
        out.println(result.summary());
        return Outcome.of(result.counts());
      }

      private ProfilesJob job(JobContext context) {
        return new ProfilesJob(context.store(), Clock.systemUTC());
      }
    };
  }
}
