package io.tarmo.lake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.apache.spark.sql.types.DataTypes.DateType;
import static org.apache.spark.sql.types.DataTypes.LongType;
import static org.apache.spark.sql.types.DataTypes.StringType;

import io.tarmo.TarmoException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LakeAndTablesTest {

  @Test
  void localRootsBecomeHadoopFileUris() {
    assertThat(Lake.at("/data/lake/").root()).isEqualTo("file:/data/lake");
    assertThat(Lake.at("file:/data/lake").root()).isEqualTo("file:/data/lake");
    assertThat(Lake.at("relative/lake").root())
        .isEqualTo("file:" + Path.of("relative/lake").toAbsolutePath().normalize());
  }

  @Test
  void objectStoreRootsAreKept() {
    Lake lake = Lake.at("s3a://bucket/prefix/");
    assertThat(lake.root()).isEqualTo("s3a://bucket/prefix");
    assertThat(lake.tablePath(Tables.EVENTS)).isEqualTo("s3a://bucket/prefix/tables/events");
    assertThat(lake.landingDay(Lake.Source.CRM, LocalDate.of(2026, 11, 28)))
        .isEqualTo("s3a://bucket/prefix/landing/crm/dt=2026-11-28");
  }

  @Test
  void blankRootIsBadUsage() {
    assertThatThrownBy(() -> Lake.at("  ")).isInstanceOf(TarmoException.class).hasMessageContaining("empty");
  }

  @Test
  void aRootWithAPatternCharacterIsBadUsageNamingIt() {
    assertThatThrownBy(() -> Lake.at("/tmp/bench/local[2]-0")).isInstanceOf(TarmoException.class)
        .hasMessage("Cannot use lake root /tmp/bench/local[2]-0: it contains '[', which Hadoop reads as a file pattern;"
            + " choose a folder whose path has none of []{}*?");
  }

  @Test
  void everyTableHasAUniqueNameAndCommentedColumns() {
    assertThat(Tables.ALL.stream().map(TableSpec::name).distinct()).hasSameSizeAs(Tables.ALL);
    for (TableSpec spec : Tables.ALL) {
      assertThat(Tables.byName(spec.name())).contains(spec);
      for (var field : spec.schema().fields()) {
        assertThat(field.getComment().isDefined()).as(spec.name() + "." + field.name()).isTrue();
      }
    }
  }

  @Test
  void personalColumnsNeverGetStatistics() {
    for (TableSpec spec : Tables.ALL) {
      assertThat(spec.statsColumns()).as(spec.name())
          .noneMatch(spec.personalColumns()::contains)
          .noneMatch(spec.partitionColumns()::contains);
    }
    assertThat(Tables.EVENTS.statsColumns()).contains("ts", "ingest_date").doesNotContain("anonymous_id", "event_date");
  }

  @Test
  void aPersonalOrFreeTextColumnCannotLayOutATable() {
    assertThatThrownBy(() -> TableSpec.named("t", Tables.col("email", StringType, "x"))
        .partitionedBy("email").personal("email").findBy(SubjectLookup.byIdentifier("email", "email"))
        .retention(Retention.CURRENT).build("t"))
        .isInstanceOf(TarmoException.class).hasMessageContaining("column email would be in file statistics");
    assertThatThrownBy(() -> TableSpec.named("t", Tables.col("page_path", StringType, "x"))
        .clusteredBy("page_path").freeText("page_path").findBy(SubjectLookup.byRawText("page_path"))
        .retention(Retention.HISTORY).build("t"))
        .isInstanceOf(TarmoException.class).hasMessageContaining("column page_path would be in file statistics");
  }

  @Test
  void aTableMustSayHowAPersonIsFoundInIt() {
    assertThatThrownBy(() -> TableSpec.named("t", Tables.col("customer_key", LongType, "x"))
        .retention(Retention.DAILY).build("t"))
        .isInstanceOf(TarmoException.class).hasMessageContaining("how a person's rows are found");
    assertThatThrownBy(() -> TableSpec.named("t", Tables.col("title", StringType, "x"))
        .freeText("title").findBy(SubjectLookup.byKey("title")).retention(Retention.DAILY).build("t"))
        .as("free text is searched as text").isInstanceOf(TarmoException.class)
        .hasMessageContaining("free-text column title is searched by no lookup");
    assertThatThrownBy(() -> TableSpec.named("t", Tables.col("email", StringType, "x"))
        .personal("email").aboutNoOne("counts").retention(Retention.DAILY).build("t"))
        .isInstanceOf(TarmoException.class).hasMessageContaining("about no one");
  }

  @Test
  void everyKeyAndIdentifierColumnIsALookup() {
    Set<String> keyColumns = Set.of("customer_key", "old_key", "new_key", "other_customer_key");
    Set<String> identifierColumns = Set.of("customer_id", "email", "phone", "anonymous_id", "user_id", "previous_id",
        "loyalty_card_id", "identifier_value", "subject_value", "src_value", "dst_value");
    for (TableSpec spec : Tables.ALL) {
      Set<String> byKey = spec.lookups().stream().filter(SubjectLookup.ByCustomerKey.class::isInstance)
          .flatMap(lookup -> lookup.columns().stream()).collect(java.util.stream.Collectors.toSet());
      Set<String> byIdentifier = spec.lookups().stream()
          .filter(lookup -> lookup instanceof SubjectLookup.ByIdentifier || lookup instanceof SubjectLookup.ByTypedIdentifier)
          .flatMap(lookup -> lookup.columns().stream()).collect(java.util.stream.Collectors.toSet());
      for (String column : spec.schema().fieldNames()) {
        if (keyColumns.contains(column)) {
          assertThat(byKey).as(spec.name() + "." + column + " is found by customer_key").contains(column);
        }
        if (identifierColumns.contains(column)) {
          assertThat(byIdentifier).as(spec.name() + "." + column + " is found by identifier").contains(column);
          assertThat(spec.personalColumns()).as(spec.name() + "." + column + " is personal").contains(column);
        }
      }
    }
    assertThat(Tables.SEGMENT_MEMBERSHIP.personal()).as("a table keyed by customer_key is personal data").isTrue();
    assertThat(Tables.SEGMENT_SIZES.personal()).isFalse();
  }

  @Test
  void activationKeepsAddressesOutOfStatisticsAndTheSuppressionListHoldsOnlyHashes() {
    assertThat(Tables.ACTIVATION.statsColumns()).containsExactly("channel", "segment_id", "customer_key", "legal_basis");
    assertThat(Tables.ACTIVATION.personalColumns()).containsExactly("address");
    assertThat(Tables.CUSTOMER_PROFILES.personalColumns()).contains("push_device_id");
    assertThat(Tables.CONSENT_STATE.statsColumns()).as("Delta keeps no statistics of booleans")
        .doesNotContain("objected_before");
    assertThat(Tables.SUPPRESSION_LIST.personal()).isFalse();
    assertThat(Tables.SUPPRESSION_LIST.retention()).isEqualTo(Retention.SUPPRESSION);
    assertThat(Tables.FOLDERS).extracting(LandingSpec::path).contains("exports");
  }

  @Test
  void freeTextNeverGetsStatistics() {
    for (TableSpec spec : Tables.ALL) {
      assertThat(spec.statsColumns()).as(spec.name()).noneMatch(spec.freeTextColumns()::contains);
    }
    assertThat(Tables.EVENTS.statsColumns())
        .containsExactly("type", "ts", "price", "quantity", "revenue", "ingest_date");
  }

  @Test
  void anAgedTableSaysWhatDatesItsRows() {
    assertThatThrownBy(() -> TableSpec.named("t", Tables.col("as_of_date", DateType, "x"))
        .aboutNoOne("counts").retention(Retention.AUDIT).build("t"))
        .isInstanceOf(TarmoException.class)
        .hasMessage("Cannot declare table t: retention class AUDIT deletes rows by age, so the table must say which "
            + "date or timestamp column dates them (agedBy)");
    assertThatThrownBy(() -> TableSpec.named("t", Tables.col("customer_key", LongType, "x"))
        .findBy(SubjectLookup.byKey("customer_key")).retention(Retention.CURRENT).agedBy("customer_key").build("t"))
        .isInstanceOf(TarmoException.class).hasMessageContaining("does not delete rows by age");
    assertThatThrownBy(() -> TableSpec.named("t", Tables.col("customer_key", LongType, "x"))
        .findBy(SubjectLookup.byKey("customer_key")).retention(Retention.DAILY).agedBy("customer_key").build("t"))
        .isInstanceOf(TarmoException.class).hasMessageContaining("not a DATE or TIMESTAMP column");
    assertThatThrownBy(() -> TableSpec.named("t", Tables.col("birth_date", DateType, "x"))
        .personal("birth_date").findBy(SubjectLookup.byRawText("birth_date")).retention(Retention.DAILY)
        .agedBy("birth_date").build("t"))
        .isInstanceOf(TarmoException.class).hasMessageContaining("personal or free-text column birth_date");
    for (TableSpec spec : Tables.ALL) {
      assertThat(spec.aging() != null).as(spec.name() + " is aged by a column exactly when its class ages rows")
          .isEqualTo(spec.retention().aged());
    }
    assertThat(Tables.EVENTS.aging().column()).isEqualTo("event_date");
    assertThat(Tables.JOB_RUNS.aging().column()).isEqualTo("started_at");
    assertThat(Tables.IDENTITY_EDGES.aging()).as("the graph's memory: re-solving needs every edge").isNull();
    assertThat(Tables.FOLDERS).filteredOn(LandingSpec::aged).extracting(LandingSpec::path)
        .containsExactly("landing/events", "landing/crm", "landing/consent", "exports");
  }
}
