package io.tarmo.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.tarmo.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;

/**
 * Runs a Tarmo command in the test JVM, as {@code io.tarmo.cli.Main} runs it from a command line
 * (it borrows the tests' shared SparkSession), and keeps what it printed on each stream. The
 * command's environment (where it finds the pseudonym key) is empty unless given ({@link #tarmoIn}),
 * whatever the test JVM's holds. For a command in a JVM of its own, see {@link TarmoProcess}.
 */
public final class InProcessTarmo {

  /** How a command ended and what it printed. */
  public record Run(int exitCode, String out, String err) {}

  private InProcessTarmo() {}

  public static Run tarmo(String... args) {
    return tarmoIn(Map.of(), args);
  }

  /** {@link #tarmo} with these environment variables (the pseudonym key, say). */
  public static Run tarmoIn(Map<String, String> environment, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.commandLine(new PrintWriter(out, true), new PrintWriter(err, true), environment).execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  /** {@link #tarmo}, which must exit 0 (its standard error is the failure's message); its standard output. */
  public static String succeeding(String... args) {
    Run run = tarmo(args);
    assertThat(run.exitCode()).as(String.join(" ", args) + ": " + run.err()).isZero();
    return run.out();
  }
}
