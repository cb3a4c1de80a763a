package io.tarmo.lake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
  void aPersonalColumnCannotLayOutATable() {
    assertThatThrownBy(() -> new TableSpec("t", Tables.schema(Tables.col("email", org.apache.spark.sql.types.DataTypes.StringType, "x")),
        List.of("email"), List.of(), Set.of("email"), "t"))
        .isInstanceOf(TarmoException.class).hasMessageContaining("personal column email");
  }
}
