package io.tarmo.cli;

import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.UnmatchedArgumentException;

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
        ConsentCommand.class,
        ProfilesCommand.class,
        SegmentsCommand.class,
        ActivateCommand.class,
        NightlyCommand.class,
        EraseCommand.class,
        DsarCommand.class,
        RetentionCommand.class,
        SqlCommand.class,
        ReportCommand.class,
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

  private static final Pattern COMMAND_LIKE = Pattern.compile("[a-z][a-z0-9-]{0,31}");
  private static final Pattern OPTION_LIKE = Pattern.compile("--?[A-Za-z][A-Za-z0-9-]{0,31}");

  @picocli.CommandLine.Spec
  picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "Missing command");
  }

  /** Builds the command line with Tarmo's error handling, in the process's environment. */
  public static CommandLine commandLine(PrintWriter out, PrintWriter err) {
    return commandLine(out, err, System.getenv());
  }

  /**
   * Builds the command line with Tarmo's error handling; its commands read the pseudonym key
   * from {@code environment}, not from the process: an embedding application's, or a test's.
   * ({@code TARMO_HOME}, which only the launcher sets, is still the process's.)
   */
  public static CommandLine commandLine(PrintWriter out, PrintWriter err, Map<String, String> environment) {
    CommandLine.IFactory defaults = CommandLine.defaultFactory();
    CommandLine commandLine = new CommandLine(new Main(), new CommandLine.IFactory() {
      @Override
      public <K> K create(Class<K> type) throws Exception {
        return type == GlobalOptions.class ? type.cast(new GlobalOptions(environment)) : defaults.create(type);
      }
    });
    commandLine.setOut(out);
    commandLine.setErr(err);
    commandLine.setParameterExceptionHandler((ex, args) -> {
      CommandLine cmd = ex.getCommandLine();
      if (ex instanceof UnmatchedArgumentException unmatched && cmd.getParent() == null
          && !unmatched.getUnmatched().isEmpty() && !unmatched.getUnmatched().get(0).startsWith("-")) {
        cmd.getErr().println("tarmo: " + unknownCommand(unmatched.getUnmatched().get(0)) + " (commands: "
            + String.join(", ", cmd.getSubcommands().keySet()) + ")");
        return 2;
      }
      String message = ex instanceof UnmatchedArgumentException unmatched
          ? unmatched(unmatched.getUnmatched()) : ex.getMessage();
      cmd.getErr().println("tarmo: " + message + " (see: tarmo "
          + (cmd.getCommandName().equals("tarmo") ? "" : cmd.getCommandName() + " ") + "--help)");
      return 2;
    });
    commandLine.setExecutionExceptionHandler((ex, cmd, parseResult) -> {
      cmd.getErr().println("tarmo: " + CommandRunner.safeMessage(cmd.getCommandName(), ex));
      return ex instanceof io.tarmo.TarmoException t ? t.failure().exitCode() : 1;
    });
    return commandLine;
  }

  /**
   * An unknown command is named only when it looks like one: a mistyped {@code tarmo
   * anna@example.com} must not print the address (CONTRACT 1: no personal data on the console).
   */
  private static String unknownCommand(String word) {
    return COMMAND_LIKE.matcher(word).matches() ? "unknown command '" + word + "'" : "unknown command";
  }

  /**
   * Names the unknown options but never the values around them: {@code ingest --bogus
   * anna@example.com} says {@code Unknown option: '--bogus'}. Picocli's own message quotes every
   * unmatched argument, values included.
   */
  private static String unmatched(List<String> arguments) {
    List<String> options = arguments.stream()
        .filter(argument -> argument.startsWith("-"))
        .map(argument -> argument.split("=", 2)[0])
        .map(option -> OPTION_LIKE.matcher(option).matches() ? "'" + option + "'" : "an unreadable option")
        .distinct()
        .toList();
    if (!options.isEmpty()) {
      return (options.size() == 1 ? "Unknown option: " : "Unknown options: ") + String.join(", ", options);
    }
    return arguments.size() == 1 ? "Unexpected argument (its value is not shown)"
        : "Unexpected arguments (" + arguments.size() + ", their values are not shown)";
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
