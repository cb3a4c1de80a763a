package io.tarmo.cli;

import io.tarmo.ingest.IngestJob;
import io.tarmo.ingest.IngestResult;
import io.tarmo.subject.Pseudonyms;
import java.io.PrintWriter;
import java.time.LocalDate;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "ingest", mixinStandardHelpOptions = true,
    description = {
        "Ingests landing day D into the bronze tables.",
        "Events, CRM and consent go to events, crm_customers and consent_events after validation,",
        "de-duplication and normalisation; rejected lines go to quarantine with a reason. Exits 3",
        "when a source's quarantined share is above tarmo.ingest.quarantine-max-ratio. Lines about an",
        "erased person dated at or before the erasure are counted as suppressed, never stored or quarantined;",
        "needs " + Pseudonyms.KEY_VARIABLE + " once suppression_list holds rows."})
final class IngestCommand implements Callable<Integer> {

  @Mixin GlobalOptions global;
  @Spec CommandSpec spec;

  @Option(names = "--date", converter = BusinessDate.class, paramLabel = "YYYY-MM-DD",
      description = "The landing day (dt=) to ingest (default: yesterday, UTC)")
  LocalDate date;

  @Option(names = DayOrder.OPTION, description = DayOrder.DESCRIPTION)
  boolean inOrder;

  @Override
  public Integer call() {
    LocalDate day = BusinessDate.orYesterday(date);
    return new CommandRunner(global, spec.commandLine().getErr())
        .run("ingest", day, false, ingest(day, inOrder, spec.commandLine().getOut()));
  }

  /** Ingest of {@code day}; with {@code inOrder}, refused when the day before was not processed ({@link DayOrder}). */
  static CommandJob ingest(LocalDate day, boolean inOrder, PrintWriter out) {
    return new CommandJob() {
      @Override
      public void validate(JobContext context) {
        job(context).validate(day);
      }

      @Override
      public void check(JobContext context) {
        if (inOrder) {
          DayOrder.require(context, "ingest", day);
        }
        job(context).check(day);
      }

      @Override
      public Outcome run(JobContext context) {
        IngestResult result = job(context).run(day, context.commitNote());
        out.println(result.summary());
        return new Outcome(result.counts(),
            result.qualityFailure(context.settings().ingest().quarantineMaxRatio(),
                context.settings().ingest().quarantineMinLines()).orElse(null));
      }

      private IngestJob job(JobContext context) {
        return new IngestJob(context.store(), context.settings().ingest(), context.settings().privacy(),
            context.pseudonyms());
      }
    };
  }
}
