package io.tarmo.cli;

import io.tarmo.TarmoException;
import io.tarmo.erasure.ErasureDeadlines;
import io.tarmo.erasure.ErasureJob;
import io.tarmo.erasure.ErasureResult;
import io.tarmo.subject.Pseudonyms;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(name = "erase", mixinStandardHelpOptions = true,
    description = {
        "Runs an erasure batch (GDPR Art. 17): every pending request file in landing/erasure/ (or the one",
        "--requests names), CSV with the header request_id,subject_type,subject_value,received_at. Each subject",
        "is resolved through the identity graph to every linked identifier; their rows are deleted from every",
        "table, the landing and export files that mention them rewritten, downstream deletion notices written",
        "(exports/erasure/dt=D/<channel>.csv), erased identifiers suppressed, old files vacuumed; then every file",
        "under the lake root is read for the subject's values, and only a request with none left is COMPLETED",
        "in erasure_log. Exit 1 when a request FAILED (values still found). Needs " + Pseudonyms.KEY_VARIABLE + ".",
        "Run it alone: its zero-hour vacuum ends time travel and would break readers of older versions."})
final class EraseCommand implements Callable<Integer> {

  @Mixin GlobalOptions global;
  @Spec CommandSpec spec;

  @Option(names = "--requests", paramLabel = "FILE_OR_URI",
      description = "One request file (a path or a URI such as s3a://...); default: every pending file in "
          + "landing/erasure/. A file outside landing/erasure/ is left as it is: it is yours to remove.")
  String requests;

  @Option(names = "--check-deadlines", paramLabel = "DAYS",
      description = "Run no batch: only check erasure_log, and exit 1 when a request not yet COMPLETED (nor REJECTED)"
          + " is due within DAYS days or past due (for a scheduler's alert); exit 0 otherwise")
  Integer checkDeadlines;

  @Override
  public Integer call() {
    if (checkDeadlines != null) {
      return checkDeadlines(checkDeadlines);
    }
    String file = requests == null ? null : uri(requests);
    return new CommandRunner(global, spec.commandLine().getErr())
        .run("erase", null, false, erase(file, spec.commandLine().getOut()));
  }

  private int checkDeadlines(int days) {
    if (days < 0) {
      throw new ParameterException(spec.commandLine(), "--check-deadlines: expected a number of days, 0 or more");
    }
    PrintWriter out = spec.commandLine().getOut();
    return new CommandRunner(global, spec.commandLine().getErr()).runReadOnly("erase", context -> {
      ErasureDeadlines deadlines = ErasureDeadlines.within(context.store(), Duration.ofDays(days), Instant.now());
      if (deadlines.anyDueSoon()) {
        throw TarmoException.job("erase --check-deadlines: " + deadlines.summary(days));
      }
      out.println(deadlines.summary(days));
      out.flush();
    });
  }

  static String uri(String requests) {
    URI uri = URI.create(requests.replace(" ", "%20"));
    return uri.getScheme() == null || uri.getScheme().length() == 1
        ? Path.of(requests).toAbsolutePath().normalize().toUri().toString() : requests;
  }

  static CommandJob erase(String requestsFile, PrintWriter out) {
    return new CommandJob() {
      @Override
      public void validate(JobContext context) {
        job(context).check();
      }

      @Override
      public Outcome run(JobContext context) {
        ErasureResult result = job(context).run(requestsFile, context.commitNote(), context.run().runId());
        out.println(result.summary());
        return result.anyFailed()
            ? Outcome.failed(result.counts(), "erase: " + result.failed().size() + " request(s) FAILED: values of "
                + "the subject are still in the lake (see erasure_log.places); run erase again once the cause is fixed")
            : Outcome.of(result.counts());
      }

      private ErasureJob job(JobContext context) {
        return new ErasureJob(context.store(), context.pseudonyms(),
            context.settings().ingest().defaultPhoneRegion(), context.settings().identity(), Clock.systemUTC());
      }
    };
  }
}
