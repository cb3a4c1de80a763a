package io.tarmo.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tarmo.TarmoException;
import io.tarmo.lake.DeltaStore;
import io.tarmo.lake.Lake;
import io.tarmo.testing.SparkTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@SparkTest
class LakeViewsTest {

  private final SparkSession spark;
  @TempDir Path root;
  private Path quarantine;
  private List<String> views;

  LakeViewsTest(SparkSession spark) {
    this.spark = spark;
  }

  @BeforeEach
  void oneTable() {
    quarantine = root.resolve("tables/quarantine");
    spark.sql("select 'events' as source, 'bad json' as reason").write().format("delta").save(quarantine.toString());
    views = LakeViews.register(new DeltaStore(spark, Lake.at(root.toString())));
  }

  private List<String> log() throws Exception {
    try (Stream<Path> files = Files.list(quarantine.resolve("_delta_log"))) {
      return files.map(file -> file.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void registersEveryTableAsAView() {
    assertThat(views).containsExactly("quarantine");
    assertThat(LakeViews.query(spark, "select reason from quarantine", views).collectAsList())
        .extracting(row -> row.getString(0)).containsExactly("bad json");
  }

  @Test
  void refusedDeleteLeavesTheTableUnchanged() throws Exception {
    List<String> before = log();
    for (String statement : List.of("delete from delta.`" + quarantine + "`", "delete from quarantine",
        "explain delete from quarantine", "truncate table quarantine")) {
      assertThatThrownBy(() -> LakeViews.query(spark, statement, views))
          .isInstanceOf(TarmoException.class)
          .hasMessageStartingWith("Cannot run query: only read-only queries are allowed, not ");
    }
    assertThat(log()).isEqualTo(before);
    assertThat(spark.read().format("delta").load(quarantine.toString()).count()).isEqualTo(1);
  }

  @Test
  void syntaxErrorShowsSparksReason() {
    assertThatThrownBy(() -> LakeViews.query(spark, "selec reason from quarantine", views))
        .isInstanceOfSatisfying(TarmoException.class,
            e -> assertThat(e.failure()).isEqualTo(TarmoException.Failure.USAGE))
        .hasMessage("Cannot run query: [PARSE_SYNTAX_ERROR] Syntax error at or near 'selec'. SQLSTATE: 42601"
            + " (line 1, pos 0) (tables: quarantine)");
  }

  @Test
  void twoStatementsAreASyntaxError() {
    assertThatThrownBy(() -> LakeViews.query(spark, "select 1; delete from quarantine", views))
        .isInstanceOf(TarmoException.class)
        .hasMessage("Cannot run query: [PARSE_SYNTAX_ERROR] Syntax error at or near 'delete': extra input 'delete'."
            + " SQLSTATE: 42601 (line 1, pos 10) (tables: quarantine)");
  }

  @Test
  void unknownTableNamesTheTablesThereAre() {
    assertThatThrownBy(() -> LakeViews.query(spark, "select * from no_such_table", views))
        .isInstanceOf(TarmoException.class)
        .hasMessageStartingWith("Cannot run query: [TABLE_OR_VIEW_NOT_FOUND] ")
        .hasMessageEndingWith(" (tables: quarantine)");
  }
}
