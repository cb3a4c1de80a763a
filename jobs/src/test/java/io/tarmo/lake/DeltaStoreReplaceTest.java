package io.tarmo.lake;

import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tarmo.testing.SparkJobs;
import io.tarmo.testing.SparkTest;
import java.nio.file.Path;
import java.sql.Date;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@SparkTest
class DeltaStoreReplaceTest {

  private static final Date MONDAY = Date.valueOf("2026-11-23");
  private static final Date TUESDAY = Date.valueOf("2026-11-24");

  private final SparkSession spark;
  @TempDir Path root;

  DeltaStoreReplaceTest(SparkSession spark) {
    this.spark = spark;
  }

  @Test
  void aDayOfAPartitionedTableIsReplacedFromTheChecksumFileListWithoutLookingForItsFiles() {
    DeltaStore store = new DeltaStore(spark, Lake.at(root.toString()));
    assertThat(store.replaceWhere(Tables.SEGMENT_MEMBERSHIP, members(MONDAY, 1, 2), day(MONDAY), "monday")).isEqualTo(2);
    assertThat(store.replaceWhere(Tables.SEGMENT_MEMBERSHIP, members(TUESDAY, 3, 4, 5), day(TUESDAY), "tuesday"))
        .isEqualTo(3);

    long before = store.version(Tables.SEGMENT_MEMBERSHIP);
    long[] written = new long[1];
    int jobs = jobsDuring(() -> written[0] =
        store.replaceWhere(Tables.SEGMENT_MEMBERSHIP, members(MONDAY, 7), day(MONDAY), "monday again"));

    assertThat(written[0]).isEqualTo(1);
    assertThat(store.metricsSince(Tables.SEGMENT_MEMBERSHIP, before))
        .as("the history tells what the replace removed and wrote")
        .containsEntry("numDeletedRows", 2L).containsEntry("numOutputRows", 1L).containsKey("numRemovedFiles");
    assertThat(jobs).as("only the job writing the new rows; no job rebuilds the table state").isEqualTo(1);
    assertThat(keys(store, MONDAY)).containsExactly(7L);
    assertThat(keys(store, TUESDAY)).containsExactly(3L, 4L, 5L);
    assertThat(store.latestCommitNote(Tables.SEGMENT_MEMBERSHIP)).contains("monday again");
    Row commit = io.delta.tables.DeltaTable.forPath(spark, store.lake().tablePath(Tables.SEGMENT_MEMBERSHIP))
        .history(1).select(col("operation"), col("operationParameters").getItem("predicate")).first();
    assertThat(commit.getString(0)).isEqualTo("WRITE");
    assertThat(commit.getString(1)).as("the log names the day only").contains("2026-11-23").doesNotContain("7");
  }

  @Test
  void rowsOfAnotherDayAreRefusedAndNothingChanges() {
    DeltaStore store = new DeltaStore(spark, Lake.at(root.toString()));
    store.replaceWhere(Tables.SEGMENT_MEMBERSHIP, members(MONDAY, 1, 2), day(MONDAY), "monday");
    long version = store.version(Tables.SEGMENT_MEMBERSHIP);

    assertThatThrownBy(() -> store.replaceWhere(Tables.SEGMENT_MEMBERSHIP, members(TUESDAY, 9), day(MONDAY), "wrong day"))
        .isInstanceOf(Exception.class);

    assertThat(store.version(Tables.SEGMENT_MEMBERSHIP)).isEqualTo(version);
    assertThat(keys(store, MONDAY)).containsExactly(1L, 2L);
  }

  @Test
  void aTableWhoseStoredColumnsDifferIsLeftToDeltasWrite() {
    DeltaStore store = new DeltaStore(spark, Lake.at(root.toString()));
    store.replaceWhere(Tables.SEGMENT_MEMBERSHIP, members(MONDAY, 1), day(MONDAY), "monday");
    spark.sql("ALTER TABLE delta.`" + store.lake().tablePath(Tables.SEGMENT_MEMBERSHIP) + "` ADD COLUMNS (note STRING)");

    int jobs = jobsDuring(() -> store.replaceWhere(Tables.SEGMENT_MEMBERSHIP, members(MONDAY, 2), day(MONDAY), "again"));

    assertThat(jobs).as("Delta's replaceWhere, which rebuilds the table state").isGreaterThan(1);
    assertThat(keys(store, MONDAY)).containsExactly(2L);
    assertThat(store.read(Tables.SEGMENT_MEMBERSHIP).columns()).contains("note");
  }

  @Test
  void aDayOfAnUnpartitionedTableIsReplacedByItsFilesStatistics() {
    DeltaStore store = new DeltaStore(spark, Lake.at(root.toString()));
    store.replaceWhere(Tables.SEGMENT_SIZES, sizes(MONDAY, 10), day(MONDAY), "monday");
    store.replaceWhere(Tables.SEGMENT_SIZES, sizes(TUESDAY, 20), day(TUESDAY), "tuesday");

    int jobs = jobsDuring(() -> store.replaceWhere(Tables.SEGMENT_SIZES, sizes(MONDAY, 11), day(MONDAY), "again"));

    assertThat(jobs).as("the statistics say which files hold Monday: only the write runs").isEqualTo(1);
    assertThat(members(store)).containsExactly(11L, 20L);
    assertThat(store.metricsSince(Tables.SEGMENT_SIZES, store.version(Tables.SEGMENT_SIZES) - 1))
        .containsEntry("numDeletedRows", 1L).containsEntry("numRemovedFiles", 1L);
  }

  @Test
  void aFileHoldingTwoDaysIsLeftToDeltasReplaceWhichKeepsTheOtherDay() {
    DeltaStore store = new DeltaStore(spark, Lake.at(root.toString()));
    store.append(Tables.SEGMENT_SIZES, sizes(MONDAY, 10).union(sizes(TUESDAY, 20)).coalesce(1), "both days");

    int jobs = jobsDuring(() -> store.replaceWhere(Tables.SEGMENT_SIZES, sizes(MONDAY, 11), day(MONDAY), "again"));

    assertThat(jobs).as("Delta's replaceWhere reads the file to keep Tuesday's row").isGreaterThan(1);
    assertThat(members(store)).containsExactly(11L, 20L);
  }

  @Test
  void rowsOfAnotherDayAreRefusedByAnUnpartitionedTableToo() {
    DeltaStore store = new DeltaStore(spark, Lake.at(root.toString()));
    store.replaceWhere(Tables.SEGMENT_SIZES, sizes(MONDAY, 10), day(MONDAY), "monday");
    long version = store.version(Tables.SEGMENT_SIZES);

    assertThatThrownBy(() -> store.replaceWhere(Tables.SEGMENT_SIZES, sizes(TUESDAY, 9), day(MONDAY), "wrong day"))
        .isInstanceOf(Exception.class);

    assertThat(store.version(Tables.SEGMENT_SIZES)).isEqualTo(version);
    assertThat(members(store)).containsExactly(10L);
  }

  @Test
  void anOverwriteReplacesEveryFileInOneCommitWithOnlyTheWrite() {
    DeltaStore store = new DeltaStore(spark, Lake.at(root.toString()));
    store.replaceWhere(Tables.SEGMENT_SIZES, sizes(MONDAY, 10), day(MONDAY), "monday");
    store.replaceWhere(Tables.SEGMENT_SIZES, sizes(TUESDAY, 20), day(TUESDAY), "tuesday");

    long[] written = new long[1];
    int jobs = jobsDuring(() -> written[0] = store.overwrite(Tables.SEGMENT_SIZES, sizes(TUESDAY, 30), "all"));

    assertThat(jobs).isEqualTo(1);
    assertThat(written[0]).isEqualTo(1);
    assertThat(members(store)).containsExactly(30L);
    assertThat(store.metricsSince(Tables.SEGMENT_SIZES, store.version(Tables.SEGMENT_SIZES) - 1))
        .containsEntry("numDeletedRows", 2L);
  }

  @Test
  void aReadScansTheListedFilesWithoutAJobToChooseThemAndKeepsItsVersion() {
    DeltaStore store = new DeltaStore(spark, Lake.at(root.toString()));
    store.replaceWhere(Tables.SEGMENT_MEMBERSHIP, members(MONDAY, 1, 2), day(MONDAY), "monday");
    store.replaceWhere(Tables.SEGMENT_MEMBERSHIP, members(TUESDAY, 3), day(TUESDAY), "tuesday");

    Dataset<Row> before = store.read(Tables.SEGMENT_MEMBERSHIP);
    long[] counted = new long[1];
    int jobs = jobsDuring(() -> counted[0] = before.where(col("as_of_date").equalTo(MONDAY)).count());
    assertThat(counted[0]).isEqualTo(2);
    assertThat(jobs).as("the count's own jobs; none computes the table state or filters its files")
        .isLessThanOrEqualTo(2);
    store.replaceWhere(Tables.SEGMENT_MEMBERSHIP, members(MONDAY, 9), day(MONDAY), "monday again");

    assertThat(before.count()).as("a frame keeps the version it was read at").isEqualTo(3);
    assertThat(store.read(Tables.SEGMENT_MEMBERSHIP).count()).isEqualTo(2);
    assertThat(store.readAsOf(Tables.SEGMENT_MEMBERSHIP, store.version(Tables.SEGMENT_MEMBERSHIP) - 1).count())
        .isEqualTo(3);
  }

  @Test
  void aReadOfTheListedFilesStillSkipsOtherPartitions() throws Exception {
    DeltaStore store = new DeltaStore(spark, Lake.at(root.toString()));
    store.replaceWhere(Tables.SEGMENT_MEMBERSHIP, members(MONDAY, 1, 2), day(MONDAY), "monday");
    store.replaceWhere(Tables.SEGMENT_MEMBERSHIP, members(TUESDAY, 3), day(TUESDAY), "tuesday");
    Path tuesday = root.resolve("tables/segment_membership/as_of_date=2026-11-24");
    try (var files = java.nio.file.Files.list(tuesday)) {
      for (Path file : files.toList()) {
        java.nio.file.Files.delete(file);
      }
    }

    assertThat(keys(store, MONDAY)).as("Tuesday's missing files are not opened").containsExactly(1L, 2L);
    assertThatThrownBy(() -> keys(store, TUESDAY)).isInstanceOf(Exception.class);
  }

  private int jobsDuring(Runnable work) {
    return SparkJobs.during(spark, work);
  }

  private static String day(Date date) {
    return "as_of_date = DATE'" + date + "'";
  }

  private Dataset<Row> members(Date date, long... keys) {
    List<Row> rows = new java.util.ArrayList<>();
    for (long key : keys) {
      rows.add(RowFactory.create(date, "avocado-regulars", key));
    }
    return spark.createDataFrame(rows, Tables.SEGMENT_MEMBERSHIP.schema());
  }

  private Dataset<Row> sizes(Date date, long members) {
    return spark.createDataFrame(List.of(RowFactory.create(date, "avocado-regulars", "Avocado regulars", members,
        0L, 0L, "hash")), Tables.SEGMENT_SIZES.schema());
  }

  private static List<Long> members(DeltaStore store) {
    return store.read(Tables.SEGMENT_SIZES).orderBy("members").select("members")
        .as(org.apache.spark.sql.Encoders.LONG()).collectAsList();
  }

  private static List<Long> keys(DeltaStore store, Date date) {
    return store.read(Tables.SEGMENT_MEMBERSHIP).where(col("as_of_date").equalTo(date)).orderBy("customer_key")
        .select("customer_key").as(org.apache.spark.sql.Encoders.LONG()).collectAsList();
  }
}
