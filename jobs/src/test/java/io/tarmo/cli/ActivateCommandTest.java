package io.tarmo.cli;

import static io.tarmo.testing.InProcessTarmo.tarmo;
import static org.assertj.core.api.Assertions.assertThat;

import io.tarmo.testing.InProcessTarmo.Run;
import io.tarmo.lake.DeltaStore;
import io.tarmo.lake.Lake;
import io.tarmo.testing.ActivationFixtures;
import io.tarmo.testing.SparkTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code activate} refuses a configuration it cannot honour with exit 2, before anything is written. */
@SparkTest
class ActivateCommandTest {

  private final SparkSession spark;
  @TempDir Path root;

  /** The shared session is started first, so the command borrows it. */
  ActivateCommandTest(SparkSession spark) {
    this.spark = spark;
  }

  private Run activate(String overlay) throws Exception {
    Path lake = Files.createDirectories(root.resolve("lake"));
    Path conf = root.resolve("activation.conf");
    Files.writeString(conf, "tarmo.segments.file = \""
        + Path.of("..", "conf", "segments.conf").toAbsolutePath().normalize() + "\"\n" + overlay);
    return tarmo("activate", "--lake", lake.toString(), "--config", conf.toString(), "--date", "2026-11-28");
  }

  @Test
  void theShippedAudiencesRunAndPrintCountsOnly() throws Exception {
    LocalDate day = LocalDate.of(2026, 11, 28);
    DeltaStore store = new DeltaStore(spark, Lake.at(Files.createDirectories(root.resolve("lake")).toString()));
    new ActivationFixtures(spark).evaluated(day)
        .member(day, "cart-abandoners", 1).member(day, "cart-abandoners", 2).member(day, "health-interest", 1)
        .profile(1, "anna@example.org", "+491511234567", null).profile(2, "ben@example.org", null, null)
        .consent(1, "marketing", "email", "granted", "consent", "2026-11-01T00:00:00Z", null, "c1")
        .consent(2, "marketing", "email", "granted", "legitimate_interest", "2026-11-01T00:00:00Z", null, "c2")
        .writeTo(store);

    Run run = activate("");
    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).startsWith("activate 2026-11-28: audiences=11 activated=3 excluded=");
    assertThat(run.out()).containsPattern("cart-abandoners +email +2 +0")
        .containsPattern("health-interest +email +1 +0")
        .contains("excluded by reason: suppressed=0 profiling_objection=0 no_consent=")
        .doesNotContain("@").doesNotContain("+49");
    assertThat(root.resolve("lake/exports/dt=2026-11-28/email/cart-abandoners.csv"))
        .hasContent("customer_key,email\n1,anna@example.org\n2,ben@example.org");
    assertThat(spark.read().format("delta").load(root.resolve("lake/tables/job_runs").toString())
        .where("command = 'activate'").select("status", "counts")
        .selectExpr("status", "counts['activation.cart-abandoners.email.activated']").first().toString())
        .isEqualTo("[SUCCEEDED,2]");
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
