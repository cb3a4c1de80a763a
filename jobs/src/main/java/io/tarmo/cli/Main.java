package io.tarmo.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The command line: {@code tarmo <command> [options]}. Exit codes: 0 success, 1 the job failed,
 * 2 bad usage or configuration, 3 a data-quality gate failed.
 */
@Command(
    name = "tarmo",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    description = "Tarmo: a customer data platform of nightly Spark jobs over Delta tables.",
    subcommands = {
        GenerateCommand.class,
        IngestCommand.class,
        IdentityCommand.class,
        ProfilesCommand.class,
        SegmentsCommand.class,
        SqlCommand.class,
        DemoCommand.class,
        CommandLine.HelpCommand.class
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
        "0:success",
        "1:the job failed",
        "2:bad usage or configuration (nothing was written)",
        "3:a data-quality gate failed (everything was written)"
    })
public final class Main implements Runnable {

  @picocli.CommandLine.Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "Missing command");
  }

  /** Builds the command line with Tarmo's error handling; visible for tests. */
  public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
    CommandLine commandLine = new CommandLine(new Main());
    commandLine.setOut(out);
    commandLine.setErr(err);
    commandLine.setParameterExceptionHandler((ex, args) -> {
      CommandLine cmd = ex.getCommandLine();
      cmd.getErr().println("tarmo: " + ex.getMessage() + " (see: tarmo "
          + (cmd.getCommandName().equals("tarmo") ? "" : cmd.getCommandName() + " ") + "--help)");
      return 2;
    });
    commandLine.setExecutionExceptionHandler((ex, cmd, parseResult) -> {
      cmd.getErr().println("tarmo: " + CommandRunner.safeMessage(cmd.getCommandName(), ex));
      return ex instanceof io.tarmo.TarmoException t ? t.failure().exitCode() : 1;
    });
    return commandLine;
  }

  public static int execute(String... args) {
    PrintWriter out = new PrintWriter(System.out, true, StandardCharsets.UTF_8);
    PrintWriter err = new PrintWriter(System.err, true, StandardCharsets.UTF_8);
    return commandLine(out, err).execute(args);
  }

  public static void main(String[] args) {
    System.exit(execute(args));
  }
}
