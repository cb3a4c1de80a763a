package io.tarmo.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.tarmo.TarmoException;
import io.tarmo.activate.ActivationSettings;
import io.tarmo.activate.Channel;
import io.tarmo.ingest.IpPolicy;
import io.tarmo.retention.RetentionSettings;
import io.tarmo.subject.IdentifierType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Period;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsLoaderTest {

  private static final Config REFERENCE = ConfigFactory.parseResources("reference.conf");

  private static TarmoSettings load(String hocon) {
    return SettingsLoader.fromConfig(ConfigFactory.parseString(hocon), REFERENCE);
  }

  @Test
  void defaultsComeFromReferenceConf() {
    TarmoSettings settings = load("");
    assertThat(settings.lakeRoot()).isEqualTo("./lake");
    assertThat(settings.spark().master()).isEqualTo("local[*]");
    assertThat(settings.ingest().maxClockSkew()).isEqualTo(Duration.ofDays(1));
    assertThat(settings.ingest().defaultPhoneRegion()).isEqualTo("DE");
    assertThat(settings.privacy().ipPolicy()).isEqualTo(IpPolicy.TRUNCATE);
  }

  @Test
  void aLakeRootIsGivenOnlyWhenAFileOrTheCommandLineSetsIt() {
    assertThat(load("").lakeRootGiven()).isFalse();
    assertThat(load("tarmo.lake.root = \"./lake\"").lakeRootGiven()).as("set, even to the default").isTrue();
    assertThat(load("").withLakeRoot("s3a://bucket/lake").lakeRootGiven()).isTrue();
    assertThat(load("").withMaster("local[1]").lakeRootGiven()).isFalse();
  }

  @Test
  void sparkScratchFilesGoUnderTheTempFolderByDefault() {
    assertThat(load("").spark().localDir()).isEqualTo(Path.of(System.getProperty("java.io.tmpdir"),
        "tarmo-spark-" + System.getProperty("user.name")).toAbsolutePath().normalize());
    assertThat(load("tarmo.spark.local-dir = \"scratch/../spark\"").spark().localDir())
        .isEqualTo(Path.of("spark").toAbsolutePath());
  }

  @Test
  void sparkScratchFolderMustBeOneLocalFolderSetByItsOwnKey() {
    for (String hocon : new String[] {"tarmo.spark.local-dir = \"s3a://bucket/tmp\"",
        "tarmo.spark.local-dir = \"/a,/b\"", "tarmo.spark.local-dir = \" \""}) {
      assertThatThrownBy(() -> load(hocon)).isInstanceOf(TarmoException.class)
          .hasMessageContaining("tarmo.spark.local-dir");
    }
    assertThatThrownBy(() -> load("tarmo.spark.conf { \"spark.local.dir\" = \"/tmp/x\" }"))
        .isInstanceOf(TarmoException.class)
        .hasMessage("Cannot start: configuration key tarmo.spark.conf.\"spark.local.dir\" is not allowed: "
            + "set tarmo.spark.local-dir, the folder Tarmo clears of Spark's scratch files");
  }

  @Test
  void overlayValuesWin() {
    TarmoSettings settings = load("tarmo.privacy.ip-policy = drop\ntarmo.ingest.default-phone-region = fi");
    assertThat(settings.privacy().ipPolicy()).isEqualTo(IpPolicy.DROP);
    assertThat(settings.ingest().defaultPhoneRegion()).isEqualTo("FI");
  }

  @Test
  void unknownKeyIsRejectedByName() {
    assertThatThrownBy(() -> load("tarmo.ingest.max-line-chars = 1000\ntarmo.ingest.quarantine-max-ratoi = 0.1"))
        .isInstanceOf(TarmoException.class)
        .hasMessageContaining("tarmo.ingest.quarantine-max-ratoi")
        .extracting(e -> ((TarmoException) e).failure().exitCode()).isEqualTo(2);
  }

  @Test
  void activationAudiencesAndLegitimateInterestChannels() {
    ActivationSettings defaults = load("").activation();
    assertThat(defaults.legitimateInterestChannels()).containsExactly(Channel.EMAIL);
    assertThat(defaults.pairs().stream().map(ActivationSettings.Pair::channel).distinct())
        .as("the shipped audiences use every channel").containsExactlyInAnyOrder(Channel.values());
    ActivationSettings settings = load("tarmo.activation { legitimate-interest-channels = [], audiences = ["
        + " { segment = a, channels = [sms, PUSH, sms] } ] }").activation();
    assertThat(settings.legitimateInterestChannels()).isEmpty();
    assertThat(settings.audiences()).containsExactly(
        new ActivationSettings.Audience("a", java.util.List.of(Channel.SMS, Channel.PUSH)));
  }

  @Test
  void unknownChannelIsRejectedNamingItAndItsKey() {
    assertThatThrownBy(() -> load("tarmo.activation.audiences = [ { segment = a, channels = [email, fax] } ]"))
        .isInstanceOfSatisfying(TarmoException.class, e -> {
          assertThat(e.failure().exitCode()).isEqualTo(2);
          assertThat(e.getMessage()).isEqualTo("Cannot start: configuration key tarmo.activation.audiences[0].channels "
              + "must list channels (email|sms|push|phone|web) (unknown channel fax)");
        });
    assertThatThrownBy(() -> load("tarmo.activation.legitimate-interest-channels = [\"anna@example.org\"]"))
        .hasMessageContaining("tarmo.activation.legitimate-interest-channels").hasMessageNotContaining("anna");
    assertThatThrownBy(() -> load("tarmo.activation.audiences = [ { segment = a, channels = [] } ]"))
        .hasMessageContaining("tarmo.activation.audiences[0].channels must be a non-empty list");
    assertThatThrownBy(() -> load("tarmo.activation.audiences = [ { segment = a, chanels = [email] } ]"))
        .hasMessage("Cannot start: unknown configuration key tarmo.activation.audiences[0].chanels");
  }

  @Test
  void invalidValuesAreRejectedByName() {
    assertThatThrownBy(() -> load("tarmo.privacy.ip-policy = blur"))
        .hasMessageContaining("tarmo.privacy.ip-policy").hasMessageContaining("truncate|drop|keep");
    assertThatThrownBy(() -> load("tarmo.ingest.quarantine-max-ratio = 1.5"))
        .hasMessageContaining("tarmo.ingest.quarantine-max-ratio");
    assertThatThrownBy(() -> load("tarmo.ingest.max-clock-skew = soon"))
        .hasMessageContaining("tarmo.ingest.max-clock-skew");
    assertThatThrownBy(() -> load("tarmo.ingest.default-phone-region = XX"))
        .hasMessageContaining("tarmo.ingest.default-phone-region");
    assertThatThrownBy(() -> load("tarmo.spark.shuffle-partitions = zero"))
        .hasMessageContaining("tarmo.spark.shuffle-partitions");
  }

  @Test
  void identityRulesHaveSaneDefaultsAndAreValidated() {
    TarmoSettings settings = load("");
    assertThat(settings.identity().priority()).containsExactly(IdentifierType.CUSTOMER_ID,
        IdentifierType.LOYALTY_CARD_ID, IdentifierType.EMAIL, IdentifierType.PHONE, IdentifierType.ANONYMOUS_ID);
    assertThat(settings.identity().blockedValues()).contains("undefined", "null", "0", "-1", "anonymous");
    assertThat(settings.identity().maxPerCustomer()).containsEntry(IdentifierType.EMAIL, 10);
    assertThatThrownBy(() -> load("tarmo.identity.priority = [email, customer_id, loyalty_card_id, phone, anonymous_id]"))
        .hasMessageContaining("tarmo.identity.priority").hasMessageContaining("customer_id");
    assertThatThrownBy(() -> load("tarmo.identity.priority = [customer_id, email]"))
        .hasMessageContaining("tarmo.identity.priority");
    assertThatThrownBy(() -> load("tarmo.identity.max-per-customer.customer_id = 2"))
        .hasMessageContaining("tarmo.identity.max-per-customer.customer_id");
    assertThatThrownBy(() -> load("tarmo.identity.blocked-patterns = [\"(unclosed\"]"))
        .hasMessageContaining("tarmo.identity.blocked-patterns");
    assertThatThrownBy(() -> load("tarmo.identity.max-component-size = 1"))
        .hasMessageContaining("tarmo.identity.max-component-size");
  }

  @Test
  void sparkConfIsFreeForm() {
    TarmoSettings settings = load("tarmo.spark.conf { \"spark.hadoop.fs.s3a.endpoint\" = \"http://127.0.0.1:9000\" }");
    assertThat(settings.spark().conf()).containsEntry("spark.hadoop.fs.s3a.endpoint", "http://127.0.0.1:9000");
  }

  @Test
  void missingOverlayFileIsBadUsage(@TempDir Path dir) {
    assertThatThrownBy(() -> SettingsLoader.load(dir.resolve("nope.conf")))
        .isInstanceOf(TarmoException.class).hasMessageContaining("nope.conf");
  }

  @Test
  void shippedOverlaysAreValid() throws Exception {
    Path conf = Path.of(System.getProperty("user.dir")).getParent().resolve("conf");
    try (var files = Files.list(conf)) {
      for (Path file : files.filter(f -> f.toString().endsWith(".conf")).toList()) {
        assertThat(SettingsLoader.load(file)).as(file.toString()).isNotNull();
      }
    }
  }

  @Test
  void retentionHasDocumentedDefaultsAndOverridesByName() {
    RetentionSettings defaults = load("").retention();
    assertThat(defaults.nightly()).isFalse();
    assertThat(defaults.vacuumRetention()).isEqualTo(Duration.ofDays(7));
    assertThat(defaults.classes()).containsEntry("landing", Period.ofDays(30)).containsEntry("history", Period.ofMonths(13))
        .containsEntry("daily", Period.ofDays(400)).containsEntry("quarantine", Period.ofDays(30))
        .containsEntry("audit", Period.ofYears(2));
    assertThat(defaults.folders()).containsExactly(java.util.Map.entry("exports", Period.ofDays(90)));
    assertThat(defaults.tables()).isEmpty();
    RetentionSettings settings = load("tarmo.retention { nightly = true, vacuum-retention = 0h,"
        + " classes.history = 25 months, tables { quarantine = 2w }, folders { landing/crm = 60d, exports = 1y } }")
        .retention();
    assertThat(settings.nightly()).isTrue();
    assertThat(settings.vacuumRetention()).isZero();
    assertThat(settings.classes()).containsEntry("history", Period.ofMonths(25));
    assertThat(settings.tables()).containsEntry("quarantine", Period.ofWeeks(2));
    assertThat(settings.folders()).containsEntry("landing/crm", Period.ofDays(60)).containsEntry("exports", Period.ofYears(1));
  }

  @Test
  void retentionRefusesUnknownNamesAndInvalidPeriodsNamingTheKey() {
    assertThatThrownBy(() -> load("tarmo.retention.tables.evnts = 30d"))
        .isInstanceOfSatisfying(TarmoException.class, e -> assertThat(e.failure().exitCode()).isEqualTo(2))
        .hasMessageStartingWith("Cannot start: configuration key tarmo.retention.tables.evnts must name a table "
            + "retention ages (events, quarantine, identity_merges");
    assertThatThrownBy(() -> load("tarmo.retention.tables.crm_customers = 30d"))
        .as("current state is erased, never aged").hasMessageContaining("tarmo.retention.tables.crm_customers");
    assertThatThrownBy(() -> load("tarmo.retention.folders { landing/erasure = 30d }"))
        .hasMessageContaining("tarmo.retention.folders.landing/erasure must name a folder retention ages");
    assertThatThrownBy(() -> load("tarmo.retention.tables { \"anna@example.com\" = 30d }"))
        .hasMessageContaining("tarmo.retention.tables.").hasMessageNotContaining("anna");
    assertThatThrownBy(() -> load("tarmo.retention.classes.ledger = 30d"))
        .hasMessage("Cannot start: unknown configuration key tarmo.retention.classes.ledger");
    assertThatThrownBy(() -> load("tarmo.retention.vacuum-retentoin = 1d"))
        .hasMessage("Cannot start: unknown configuration key tarmo.retention.vacuum-retentoin");
    assertThatThrownBy(() -> load("tarmo.retention.classes.audit = soon"))
        .hasMessageStartingWith("Cannot start: configuration key tarmo.retention.classes.audit must be a period");
    assertThatThrownBy(() -> load("tarmo.retention.classes.landing = 0d"))
        .hasMessageContaining("tarmo.retention.classes.landing must be between 1 day and 100 years");
    assertThatThrownBy(() -> load("tarmo.retention.tables.events = -3d"))
        .hasMessageContaining("tarmo.retention.tables.events");
    assertThatThrownBy(() -> load("tarmo.retention.tables.events { days = 3 }"))
        .hasMessageContaining("tarmo.retention.tables.events must be a period");
    assertThatThrownBy(() -> load("tarmo.retention.vacuum-retention = -1h"))
        .hasMessageContaining("tarmo.retention.vacuum-retention");
    assertThatThrownBy(() -> load("tarmo.retention.nightly = sometimes"))
        .hasMessageContaining("tarmo.retention.nightly must be true or false");
  }
}
