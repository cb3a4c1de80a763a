package io.tarmo.cli;

import io.tarmo.dsar.DsarJob;
import io.tarmo.dsar.DsarResult;
import io.tarmo.erasure.ErasureRequests;
import io.tarmo.lake.AccessFolder;
import io.tarmo.subject.Pseudonyms;
import java.io.PrintWriter;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "dsar", mixinStandardHelpOptions = true,
    description = {
        "Writes everything the lake holds about one data subject (GDPR Art. 15 access request) into a new or empty",
        "folder outside the lake: tables/<table>.json (the rows about the subject, every column, as JSON lines),",
        "files/<folder>.jsonl (the landing and export lines that mention the subject, with file and line) and",
        "summary.md (identifiers, profile, segments per day with titles, consent history, activation by channel,",
        "erasure status, counts). The subject is resolved through the identity graph as erase resolves it, and rows",
        "are found by the same lookups erase deletes by; an identifier shared with another customer finds nothing",
        "on its own. Reads the lake only (one job_runs row with counts). The console shows counts only.",
        "With " + Pseudonyms.KEY_VARIABLE + " set, the summary also says whether an identifier was erased before."})
final class DsarCommand implements Callable<Integer> {

  @Mixin GlobalOptions global;
  @Spec CommandSpec spec;

  @Option(names = "--subject", required = true, paramLabel = "TYPE:VALUE",
      description = "The data subject: customer_id, email, phone, anonymous_id or loyalty_card_id, a colon, the value "
          + "as people write it (an email in capitals, a phone in national format: normalised as ingest does)")
  String subject;

  @Option(names = "--out", required = true, paramLabel = "DIR",
      description = "The folder to write (a path or a URI such as s3a://...): new or empty, outside the lake")
  String out;

  @Override
  public Integer call() {
    return new CommandRunner(global, spec.commandLine().getErr())
        .run("dsar", null, false, dsar(subject, EraseCommand.uri(out), spec.commandLine().getOut()));
  }

  static CommandJob dsar(String subject, String out, PrintWriter console) {
    return new CommandJob() {
      private ErasureRequests.Request request;
      private AccessFolder folder;

      @Override
      public void validate(JobContext context) {
        request = DsarJob.subject(subject, context.settings().ingest().defaultPhoneRegion(), Instant.now());
        folder = AccessFolder.at(out, context.lake(), context.spark().sparkContext().hadoopConfiguration());
      }

      @Override
      public Outcome run(JobContext context) {
        DsarResult result = new DsarJob(context.store(), context.settings().ingest().defaultPhoneRegion(),
            context.pseudonyms(), Clock.systemUTC()).run(request, folder);
        console.println(result.summary());
        return Outcome.of(result.counts());
      }
    };
  }
}
