package io.tarmo.cli;

import static io.tarmo.testing.InProcessTarmo.tarmo;
import static org.assertj.core.api.Assertions.assertThat;

import io.tarmo.testing.InProcessTarmo.Run;
import org.junit.jupiter.api.Test;

/** What the command line answers to arguments it does not know: never the values it was given. */
class MainTest {

  private static final String COMMANDS = "(commands: generate, ingest, identity, consent, profiles, segments, activate, nightly, erase, dsar, retention, sql, report, demo, help)";

  @Test
  void unknownCommandIsNamedWithTheCommandsAndNothingElse() {
    Run run = tarmo("access", "--subject", "email:anna@example.com");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.out()).isEmpty();
    assertThat(run.err().strip()).isEqualTo("tarmo: unknown command 'access' " + COMMANDS);
  }

  @Test
  void dsarWithoutItsFolderIsRefusedWithoutEchoingTheSubject() {
    Run run = tarmo("dsar", "--subject", "email:anna@example.com");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.out()).isEmpty();
    assertThat(run.err()).contains("--out").doesNotContain("anna");
  }

  @Test
  void argumentThatIsNoCommandIsNotEchoed() {
    Run run = tarmo("anna@example.com", "+491701234567");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err().strip()).isEqualTo("tarmo: unknown command " + COMMANDS);
  }

  @Test
  void unknownOptionOfAKnownCommandIsNamedWithoutItsValue() {
    for (String[] args : new String[][] {{"ingest", "--bogus", "anna@example.com"},
        {"ingest", "--bogus=anna@example.com"}, {"ingest", "--date", "2026-11-28", "--bogus", "anna@example.com"}}) {
      Run run = tarmo(args);
      assertThat(run.exitCode()).isEqualTo(2);
      assertThat(run.out()).isEmpty();
      assertThat(run.err().strip()).isEqualTo("tarmo: Unknown option: '--bogus' (see: tarmo ingest --help)");
    }
  }

  @Test
  void unknownOptionBeforeAnyCommandIsNamedWithoutItsValue() {
    Run run = tarmo("--subject", "email:anna@example.com");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err().strip()).isEqualTo("tarmo: Unknown option: '--subject' (see: tarmo --help)");
  }

  @Test
  void optionThatIsNoOptionNameIsNotEchoed() {
    Run run = tarmo("ingest", "-anna@example.com");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).doesNotContain("anna").contains("Unknown option: an unreadable option");
  }

  @Test
  void extraArgumentsOfAKnownCommandAreCountedNotEchoed() {
    Run one = tarmo("consent", "--date", "2026-11-28", "anna@example.com");
    assertThat(one.exitCode()).isEqualTo(2);
    assertThat(one.err().strip())
        .isEqualTo("tarmo: Unexpected argument (its value is not shown) (see: tarmo consent --help)");
    Run two = tarmo("consent", "--date", "2026-11-28", "anna@example.com", "+491701234567");
    assertThat(two.err().strip())
        .isEqualTo("tarmo: Unexpected arguments (2, their values are not shown) (see: tarmo consent --help)");
  }

  @Test
  void aStrayValueAfterAQueryIsAQueryAndRefusedBeforeAnyRuns() {
    // sql takes several queries: a stray value is one of them, which Spark's parser refuses.
    Run run = tarmo("sql", "--lake", System.getProperty("java.io.tmpdir"), "select 1", "anna@example.com");
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.out()).isEmpty();
    assertThat(run.err()).startsWith("tarmo sql: Cannot run query: [PARSE_SYNTAX_ERROR]");
  }
}
