package io.tarmo.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.tarmo.testing.SparkTest;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code activate} refuses a configuration it cannot honour with exit 2, before anything is written. */
@SparkTest
class ActivateCommandTest {

  @TempDir Path root;

  ActivateCommandTest(SparkSession spark) {
    // The shared session is started first, so the command borrows it.
  }

  record Run(int exitCode, String out, String err) {}

  static Run tarmo(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.commandLine(new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  private Run activate(String overlay) throws Exception {
    Path lake = Files.createDirectories(root.resolve("lake"));
    Path conf = root.resolve("activation.conf");
    Files.writeString(conf, "tarmo.segments.file = \""
        + Path.of("..", "conf", "segments.conf").toAbsolutePath().normalize() + "\"\n" + overlay);
    return tarmo("activate", "--lake", lake.toString(), "--config", conf.toString(), "--date", "2026-11-28");
  }

  @Test
  void anUnknownSegmentStopsActivateNamingIt() throws Exception {
    Run run = activate("tarmo.activation.audiences = [ { segment = cart-abandoners, channels = [email] },"
        + " { segment = weekend-shoppers, channels = [sms] } ]\n");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err().strip()).doesNotContain("\n")
        .startsWith("tarmo activate: Cannot run activate for 2026-11-28: tarmo.activation.audiences names segment "
            + "weekend-shoppers, which the segments file does not define");
    assertThat(root.resolve("lake/tables")).as("nothing written, not even job_runs").doesNotExist();
  }

  @Test
  void anUnknownChannelStopsActivateNamingIt() throws Exception {
    Run run = activate("tarmo.activation.audiences = [ { segment = cart-abandoners, channels = [email, fax] } ]\n");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err().strip()).isEqualTo("tarmo activate: Cannot start: configuration key "
        + "tarmo.activation.audiences[0].channels must list channels (email|sms|push|phone|web) (unknown channel fax)");
    assertThat(root.resolve("lake/tables")).doesNotExist();
  }
}
