package io.tarmo.cli;

import io.tarmo.generate.GenerationResult;
import io.tarmo.generate.GeneratorSettings;
import io.tarmo.generate.LandingGenerator;
import io.tarmo.lake.ReportFile;
import io.tarmo.report.ReportJob;
import io.tarmo.report.ReportResult;
import io.tarmo.sql.LakeViews;
import io.tarmo.sql.ResultPrinter;
import java.io.PrintWriter;
import java.time.LocalDate;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "demo", mixinStandardHelpOptions = true,
    description = {
        "Generates a week of data for a few thousand customers and runs the pipeline on it:",
        "each day the whole night (bin/tarmo nightly: ingest, identity, consent, profiles, segments, ...).",
        "Writes into the lake (./lake by default), prints a summary and writes the run report of the last day",
        "(tarmo report) to report.html beside the lake (./report.html by default), printing its path."})
final class DemoCommand implements Callable<Integer> {

  @Mixin GlobalOptions global;
  @Spec CommandSpec spec;

  @Mixin GeneratorOptions generatorOptions;

  @Option(names = "--days", defaultValue = "7", description = "Days to generate and process (default: ${DEFAULT-VALUE})")
  int days;

  @Option(names = "--customers", defaultValue = "3000", description = "Customers in the population (default: ${DEFAULT-VALUE})")
  long customers;

  @Override
  public Integer call() {
    LocalDate end = generatorOptions.endDate();
    GeneratorSettings generator = generatorOptions.settings(days, customers);
    PrintWriter out = spec.commandLine().getOut();
    return new CommandRunner(global, spec.commandLine().getErr()).run("demo", true, true, session -> {
      // Refuse invalid settings and definitions before a week of work, not after the first day.
      NightlyCommand.validated(session, end, NightlyStep.values()[0], out);
      Optional<ReportFile> report = ReportFile.besideLake(session.readOnlyContext().lake(),
          session.readOnlyContext().spark().sparkContext().hadoopConfiguration());
      session.step("generate", end, new CommandJob() {
        @Override
        public Outcome run(JobContext context) {
          GenerationResult result = new LandingGenerator(generator, context.lake(),
              context.spark().sparkContext().hadoopConfiguration()).run();
          out.println(result.summary());
          return Outcome.of(result.counts());
        }
      });
      // Each day as Airflow would run it: the whole night.
      for (LocalDate day = end.minusDays(days - 1L); !day.isAfter(end); day = day.plusDays(1)) {
        NightlyCommand.night(session, day, NightlyStep.values()[0], true, out);
      }
      JobContext context = session.readOnlyContext();
      LakeViews.register(context.store());
      out.println();
      out.println("Lake: " + context.lake().root());
      out.println("Rows per table:");
      new ResultPrinter(out, ResultPrinter.Format.table, 100).print(context.spark().sql(
          "select 'events' as table_name, count(*) as row_count from events"
              + " union all select 'crm_customers', count(*) from crm_customers"
              + " union all select 'consent_events', count(*) from consent_events"
              + " union all select 'quarantine', count(*) from quarantine"
              + " union all select 'identity_map', count(*) from identity_map"
              + " union all select 'identity_merges', count(*) from identity_merges"
              + " union all select 'identity_decisions', count(*) from identity_decisions"
              + " union all select 'customer_profiles', count(*) from customer_profiles"
              + " union all select 'segment_membership', count(*) from segment_membership"
              + " union all select 'consent_state', count(*) from consent_state"
              + " union all select 'activation', count(*) from activation"));
      out.println("Identity graph on " + end + " (counts only):");
      new ResultPrinter(out, ResultPrinter.Format.table, 100).print(context.spark().sql(
          "select metric, label, value from identity_stats where business_date = DATE'" + end + "'"
              + " and metric in ('identifiers', 'customers', 'components', 'component_size', 'largest_component',"
              + " 'merges', 'decisions', 'rejected') order by metric, label"));
      out.println("Segment sizes on " + end + " (members, and entered/exited since the day before):");
      new ResultPrinter(out, ResultPrinter.Format.table, 100).print(context.spark().sql(
          "select segment_id, members, entered, exited from segment_sizes where as_of_date = DATE'" + end + "'"
              + " order by segment_id"));
      out.println("Who may be contacted on " + end + ", per channel and segment (customers; counts only):");
      new ResultPrinter(out, ResultPrinter.Format.table, 100).print(context.spark().sql(
          "select channel, segment_id, count(distinct customer_key) as members,"
              + " count(distinct if(contacted, customer_key, null)) as may_contact from ("
              + " select channel, segment_id, customer_key, true as contacted from activation"
              + " where as_of_date = DATE'" + end + "' union all"
              + " select channel, segment_id, customer_key, false from activation_exclusions"
              + " where as_of_date = DATE'" + end + "') group by 1, 2 order by 1, 2"));
      out.println("Members not contacted on " + end + ", by reason (member x channel pairs):");
      new ResultPrinter(out, ResultPrinter.Format.table, 100).print(context.spark().sql(
          "select reason, count(*) as excluded from activation_exclusions where as_of_date = DATE'" + end + "'"
              + " group by 1 order by 2 desc, 1"));
      // Objectors are left out of segments, so activation never sees them: segments counted them.
      out.println("Customers not evaluated into segments on " + end + " (objection to profiling, GDPR Art. 21): "
          + context.spark().sql("select coalesce(max(counts['segments.excluded_profiling_objection']), 0)"
              + " from job_runs where command = 'segments' and status = 'SUCCEEDED'"
              + " and business_date = DATE'" + end + "'").first().getLong(0));
      out.println("Try: bin/tarmo sql \"select as_of_date, segment_id, members from segment_sizes order by 1, 2\"");
      if (report.isPresent()) {
        ReportResult result = ReportCommand.write(context, end, Math.max(days, ReportJob.DEFAULT_DAYS), report.get());
        out.println("Report: " + result.location() + " (" + result.from() + " to " + end
            + "; open it in a browser, it needs no network)");
      } else {
        out.println("Report: none (the lake has no folder above it); run: bin/tarmo report --out FILE.html");
      }
    });
  }
}
