package io.tarmo.lake;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.delta.tables.DeltaTable;
import io.tarmo.TarmoException;
import io.tarmo.testing.SparkTest;
import java.nio.file.Path;
import java.sql.Date;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.MapPartitionsFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link DeltaStore}: every write goes through Delta's public API, so the history names the real
 * operation, the counts are Delta's own metrics, and a retried task changes no count.
 */
@SparkTest
class DeltaStoreTest {

  private static final Date MONDAY = Date.valueOf("2026-11-23");
  private static final Date TUESDAY = Date.valueOf("2026-11-24");
  private static final String NEWER = "s.updated_at > t.updated_at";
  private static final Timestamp SUNDAY_10 = Timestamp.valueOf("2026-11-22 10:00:00");
  private static final Timestamp MONDAY_10 = Timestamp.valueOf("2026-11-23 10:00:00");
  private static final Timestamp TUESDAY_10 = Timestamp.valueOf("2026-11-24 10:00:00");

  private final SparkSession spark;
  @TempDir Path root;

  DeltaStoreTest(SparkSession spark) {
    this.spark = spark;
  }

  @Test
  void aDayIsReplacedByDeltasReplaceWhereWhichNamesOnlyTheDay() {
    DeltaStore store = store();
    DeltaStore.Write monday = store.replaceWhere(Tables.SEGMENT_MEMBERSHIP, members(MONDAY, 1, 2), day(MONDAY), "monday");
    store.replaceWhere(Tables.SEGMENT_MEMBERSHIP, members(TUESDAY, 3, 4, 5), day(TUESDAY), "tuesday");

    DeltaStore.Write again = store.replaceWhere(Tables.SEGMENT_MEMBERSHIP, members(MONDAY, 7), day(MONDAY), "again");

    assertThat(monday.rows()).isEqualTo(2);
    assertThat(again).isEqualTo(new DeltaStore.Write(monday.version() + 2, 1));
    assertThat(keys(store, MONDAY)).containsExactly(7L);
    assertThat(keys(store, TUESDAY)).containsExactly(3L, 4L, 5L);
    Row commit = latest(Tables.SEGMENT_MEMBERSHIP);
    assertThat(commit.getString(0)).isEqualTo("WRITE");
    assertThat(commit.getString(1)).as("the log names the day only").contains("2026-11-23").doesNotContain("7");
    assertThat(commit.getString(2)).startsWith("again write=");
    assertThat(store.latestCommit(Tables.SEGMENT_MEMBERSHIP).orElseThrow().metric("numOutputRows")).isEqualTo(1);
  }

  /**
   * Another writer commits eight times between a write and its look for its own commit: the look
   * goes deeper than the latest commits and still finds it; a write that committed nothing is
   * reported as such, however busy the table.
   */
  @Test
  void aWriteFindsItsOwnCommitBehindAnotherWritersCommits() {
    DeltaStore ours = store();
    DeltaStore other = store();
    ours.append(Tables.SEGMENT_MEMBERSHIP, members(MONDAY, 1), "first");
    DeltaStore.Stamp stamp = new DeltaStore.Stamp("ours write=test.1", System.currentTimeMillis());
    members(MONDAY, 2).write().format("delta").mode("append").option("userMetadata", stamp.note())
        .save(ours.lake().tablePath(Tables.SEGMENT_MEMBERSHIP));
    long version = other.version(Tables.SEGMENT_MEMBERSHIP);
    for (int i = 0; i < 8; i++) {
      other.append(Tables.SEGMENT_MEMBERSHIP, members(TUESDAY, 10 + i), "other");
    }

    assertThat(ours.commitOf(Tables.SEGMENT_MEMBERSHIP, stamp).map(DeltaStore.Commit::version)).contains(version);
    assertThat(ours.committedVersions()).containsEntry(Tables.SEGMENT_MEMBERSHIP.name(), version);
    assertThat(ours.commitOf(Tables.SEGMENT_MEMBERSHIP,
        new DeltaStore.Stamp("never committed", System.currentTimeMillis()))).isEmpty();
  }

  @Test
  void rowsOfAnotherDayAreRefusedAndNothingChanges() {
    DeltaStore store = store();
    store.replaceWhere(Tables.SEGMENT_MEMBERSHIP, members(MONDAY, 1, 2), day(MONDAY), "monday");
    long version = store.version(Tables.SEGMENT_MEMBERSHIP);

    assertThatThrownBy(() -> store.replaceWhere(Tables.SEGMENT_MEMBERSHIP, members(TUESDAY, 9), day(MONDAY), "wrong"))
        .isInstanceOf(Exception.class);

    assertThat(store.version(Tables.SEGMENT_MEMBERSHIP)).isEqualTo(version);
    assertThat(keys(store, MONDAY)).containsExactly(1L, 2L);
  }

  @Test
  void anUnpartitionedTableIsReplacedByAColumnPredicate() {
    DeltaStore store = store();
    store.replaceWhere(Tables.SEGMENT_SIZES, sizes(MONDAY, 10), "as_of_date = DATE'2026-11-23'", "monday");
    store.replaceWhere(Tables.SEGMENT_SIZES, sizes(TUESDAY, 20), "as_of_date = DATE'2026-11-24'", "tuesday");

    store.replaceWhere(Tables.SEGMENT_SIZES, sizes(MONDAY, 11), "as_of_date = DATE'2026-11-23'", "monday again");

    assertThat(store.read(Tables.SEGMENT_SIZES).orderBy("as_of_date").select("members").as(Encoders.LONG())
        .collectAsList()).containsExactly(11L, 20L);
  }

  @Test
  void anOverwriteReplacesEveryRowAndKeepsTheClusteringColumns() {
    DeltaStore store = store();
    store.overwrite(Tables.IDENTITY_MERGES, merges(1, 2, 3), "first");

    DeltaStore.Write written = store.overwrite(Tables.IDENTITY_MERGES, merges(4), "second");

    assertThat(written.rows()).isEqualTo(1);
    assertThat(store.read(Tables.IDENTITY_MERGES).select("old_key").as(Encoders.LONG()).collectAsList())
        .containsExactly(4L);
    store.overwrite(Tables.CUSTOMER_PROFILES, spark.createDataFrame(List.of(), Tables.CUSTOMER_PROFILES.schema()), "x");
    Row detail = DeltaTable.forPath(spark, store.lake().tablePath(Tables.CUSTOMER_PROFILES)).detail()
        .select(col("clusteringColumns")).first();
    assertThat(detail.getList(0)).containsExactly("customer_key");
  }

  @Test
  void aVacuumRemovesReplacedFilesAndPrintsNothing() throws Exception {
    DeltaStore store = store();
    store.overwrite(Tables.IDENTITY_MERGES, merges(1, 2, 3), "first");
    store.overwrite(Tables.IDENTITY_MERGES, merges(4), "second");
    Path table = Path.of(java.net.URI.create(store.lake().tablePath(Tables.IDENTITY_MERGES)));
    java.io.ByteArrayOutputStream console = new java.io.ByteArrayOutputStream();

    // Delta prints its count with Scala's println, which goes to Console.out: captured here.
    long removed = scala.Console$.MODULE$.withOut(console,
        (scala.Function0<Long>) () -> store.vacuum(Tables.IDENTITY_MERGES, java.time.Duration.ZERO));

    assertThat(removed).isPositive();
    assertThat(console.toString()).as("standard output is Tarmo's summary channel").isEmpty();
    try (var files = java.nio.file.Files.list(table)) {
      assertThat(files.filter(file -> file.getFileName().toString().endsWith(".parquet")).count()).isEqualTo(1);
    }
    assertThat(store.read(Tables.IDENTITY_MERGES).count()).isEqualTo(1);
  }

  /**
   * With deletion vectors on, a DELETE only marks rows in a file that still holds them; the vacuum
   * erasure runs rewrites such files first (REORG ... APPLY (PURGE)), so no file keeps a deleted row.
   */
  @Test
  void aVacuumPurgesRowsThatDeletionVectorsOnlyMarkedAsDeleted() throws Exception {
    DeltaStore store = store();
    store.overwrite(Tables.IDENTITY_MERGES, merges(1, 2, 3), "first");
    store.setProperty(Tables.IDENTITY_MERGES, "delta.enableDeletionVectors", "true");
    Path table = Path.of(java.net.URI.create(store.lake().tablePath(Tables.IDENTITY_MERGES)));

    assertThat(store.delete(Tables.IDENTITY_MERGES, col("old_key").equalTo(2L), "delete")).isEqualTo(1);
    assertThat(oldKeysInDataFiles(table)).as("the deletion vector only marks the row").contains(2L);

    store.vacuum(Tables.IDENTITY_MERGES, java.time.Duration.ZERO);

    assertThat(oldKeysInDataFiles(table)).as("every data file left, read without the log").containsExactly(1L, 3L);
    assertThat(store.history(Tables.IDENTITY_MERGES, 5).stream().map(entry -> entry.commit().operation()))
        .contains("REORG");
    assertThat(store.read(Tables.IDENTITY_MERGES).count()).isEqualTo(2);
  }

  /** old_key of every row of every Parquet file in the table's folder, read file by file, sorted. */
  private List<Long> oldKeysInDataFiles(Path table) throws java.io.IOException {
    List<Long> keys = new ArrayList<>();
    try (var files = java.nio.file.Files.list(table)) {
      for (Path file : files.filter(f -> f.getFileName().toString().endsWith(".parquet")).toList()) {
        keys.addAll(spark.read().parquet(file.toString()).select("old_key").as(org.apache.spark.sql.Encoders.LONG())
            .collectAsList());
      }
    }
    return keys.stream().sorted().toList();
  }

  @Test
  void aReadIsPinnedToTheVersionItWasMadeAt() {
    DeltaStore store = store();
    store.replaceWhere(Tables.SEGMENT_MEMBERSHIP, members(MONDAY, 1, 2), day(MONDAY), "monday");
    Dataset<Row> before = store.read(Tables.SEGMENT_MEMBERSHIP);

    store.replaceWhere(Tables.SEGMENT_MEMBERSHIP, members(MONDAY, 3), day(MONDAY), "again");

    assertThat(before.count()).isEqualTo(2);
    assertThat(store.read(Tables.SEGMENT_MEMBERSHIP).count()).isEqualTo(1);
    assertThat(store.readAsOf(Tables.SEGMENT_MEMBERSHIP, -1).schema()).isEqualTo(Tables.SEGMENT_MEMBERSHIP.schema());
  }

  @Test
  void personalAndFreeTextColumnsGetNoStatisticsInTheTable() {
    DeltaStore store = store();
    store.ensure(Tables.EVENTS);

    Map<String, String> properties = DeltaTable.forPath(spark, store.lake().tablePath(Tables.EVENTS)).detail()
        .select(col("properties")).first().getJavaMap(0);

    assertThat(List.of(properties.get(TableSpec.STATS_COLUMNS_PROPERTY).split(",")))
        .containsExactlyInAnyOrderElementsOf(Tables.EVENTS.statsColumns())
        .doesNotContain("page_path", "page_title", "page_name", "email", "message_id");
  }

  @Test
  void anUpsertIsDeltasMergeWithItsCountsAndNoValueInTheLog() {
    DeltaStore store = store();
    store.upsert(Tables.CRM_CUSTOMERS, crm(row("c1", "Tartu", MONDAY_10), row("c2", "Tallinn", MONDAY_10),
        row("c4", "Haapsalu", MONDAY_10)), List.of("customer_id"), NEWER, false, "first");

    DeltaStore.Upsert upsert = store.upsert(Tables.CRM_CUSTOMERS,
        crm(row("c1", "Narva", TUESDAY_10), row("c2", "Parnu", SUNDAY_10), row("c3", "Voru", TUESDAY_10)),
        List.of("customer_id"), NEWER, true, "second");

    assertThat(upsert.counts()).isEqualTo(Map.of("numTargetRowsInserted", 1L, "numTargetRowsUpdated", 1L,
        "numTargetRowsDeleted", 1L));
    assertThat(upsert.version()).isEqualTo(store.version(Tables.CRM_CUSTOMERS));
    assertThat(cities(store)).as("c2's row is older than the stored one, so it stays")
        .containsExactly("c1 Narva", "c2 Tallinn", "c3 Voru");
    Row commit = latest(Tables.CRM_CUSTOMERS);
    assertThat(commit.getString(0)).isEqualTo("MERGE");
    assertThat(commit.getString(1)).as("no value reaches the log").contains("customer_id")
        .doesNotContain("c1").doesNotContain("Narva").doesNotContain("Tartu");
    assertThat(commit.getString(2)).startsWith("second write=");
  }

  @Test
  void anUpsertThatChangesNothingCountsNothing() {
    DeltaStore store = store();
    store.upsert(Tables.CRM_CUSTOMERS, crm(row("c1", "Tartu", MONDAY_10)), List.of("customer_id"), NEWER, false, "a");

    DeltaStore.Upsert upsert = store.upsert(Tables.CRM_CUSTOMERS, crm(row("c1", "Narva", SUNDAY_10)),
        List.of("customer_id"), NEWER, false, "older");

    assertThat(upsert.counts().values()).allMatch(value -> value == 0);
    assertThat(cities(store)).containsExactly("c1 Tartu");
  }

  @Test
  void twoNewRowsForOneKeyFailTheUpsertAndChangeNothing() {
    DeltaStore store = store();
    store.upsert(Tables.CRM_CUSTOMERS, crm(row("c1", "Tartu", MONDAY_10)), List.of("customer_id"), NEWER, false, "a");
    long version = store.version(Tables.CRM_CUSTOMERS);

    assertThatThrownBy(() -> store.upsert(Tables.CRM_CUSTOMERS,
        crm(row("c1", "Narva", TUESDAY_10), row("c1", "Voru", TUESDAY_10)), List.of("customer_id"), NEWER, false, "b"))
        .isInstanceOf(TarmoException.class).hasMessageContaining("customer_id").hasMessageNotContaining("c1");
    assertThatThrownBy(() -> store.upsert(Tables.CRM_CUSTOMERS,
        crm(row("c9", "Narva", TUESDAY_10), row("c9", "Voru", TUESDAY_10)), List.of("customer_id"), NEWER, false, "c"))
        .as("a key the table does not hold yet would be inserted twice").isInstanceOf(TarmoException.class);

    assertThat(store.version(Tables.CRM_CUSTOMERS)).isEqualTo(version);
    assertThat(cities(store)).containsExactly("c1 Tartu");
  }

  @Test
  void aRetriedTaskChangesNoCount() {
    DeltaStore store = store();
    store.upsert(Tables.CRM_CUSTOMERS, crm(row("c1", "Tartu", MONDAY_10)), List.of("customer_id"), NEWER, false, "a");
    Dataset<Row> flaky = failingFirstAttempt(crm(row("c1", "Narva", TUESDAY_10), row("c2", "Parnu", TUESDAY_10),
        row("c3", "Voru", TUESDAY_10)));

    DeltaStore.Upsert upsert = store.upsert(Tables.CRM_CUSTOMERS, flaky, List.of("customer_id"), NEWER, false, "b");
    DeltaStore.Write written = store.replaceWhere(Tables.SEGMENT_MEMBERSHIP,
        failingFirstAttempt(members(MONDAY, 1, 2, 3)), day(MONDAY), "c");

    assertThat(upsert.counts()).isEqualTo(Map.of("numTargetRowsInserted", 2L, "numTargetRowsUpdated", 1L,
        "numTargetRowsDeleted", 0L));
    assertThat(written.rows()).isEqualTo(3);
    assertThat(cities(store)).containsExactly("c1 Narva", "c2 Parnu", "c3 Voru");
  }

  /**
   * The rows, with the first attempt of every task that reads them failing after it has passed
   * them all on downstream (to the writer, or to a shuffle), when asked for more: Spark retries
   * the task (the test session allows two attempts), so the first attempt's output must be thrown
   * away and counted nowhere.
   */
  private static Dataset<Row> failingFirstAttempt(Dataset<Row> rows) {
    MapPartitionsFunction<Row, Row> flaky = partition -> new java.util.Iterator<>() {
      private final boolean first = TaskContext.get().attemptNumber() == 0;
      private boolean passedOn;

      @Override
      public boolean hasNext() {
        boolean more = partition.hasNext();
        if (!more && first && passedOn) {
          throw new IllegalStateException("injected failure of a first attempt, after its rows");
        }
        return more;
      }

      @Override
      public Row next() {
        passedOn = true;
        return partition.next();
      }
    };
    return rows.mapPartitions(flaky, Encoders.row(rows.schema()));
  }

  private DeltaStore store() {
    return new DeltaStore(spark, Lake.at(root.toString()));
  }

  /** Operation, predicate (or merge condition) and note of the table's latest commit. */
  private Row latest(TableSpec table) {
    return DeltaTable.forPath(spark, Lake.at(root.toString()).tablePath(table)).history(1)
        .select(col("operation"),
            coalesce(col("operationParameters").getItem("predicate"),
                col("operationParameters").getItem("mergePredicate")),
            col("userMetadata"))
        .first();
  }

  private static String day(Date date) {
    return "as_of_date = DATE'" + date + "'";
  }

  private Dataset<Row> members(Date date, long... keys) {
    List<Row> rows = new ArrayList<>();
    for (long key : keys) {
      rows.add(RowFactory.create(date, "avocado-regulars", key));
    }
    return spark.createDataFrame(rows, Tables.SEGMENT_MEMBERSHIP.schema());
  }

  private Dataset<Row> sizes(Date date, long members) {
    return spark.createDataFrame(List.of(RowFactory.create(date, "avocado-regulars", "Avocado regulars", members,
        0L, 0L, "hash")), Tables.SEGMENT_SIZES.schema());
  }

  private Dataset<Row> merges(long... oldKeys) {
    List<Row> rows = new ArrayList<>();
    for (long key : oldKeys) {
      rows.add(RowFactory.create(key, 100L, MONDAY_10, MONDAY));
    }
    return spark.createDataFrame(rows, Tables.IDENTITY_MERGES.schema());
  }

  private static Object[] row(String id, String city, Timestamp updatedAt) {
    return new Object[] {id, city, updatedAt};
  }

  private Dataset<Row> crm(Object[]... rows) {
    List<Row> full = new ArrayList<>();
    for (Object[] row : rows) {
      full.add(RowFactory.create(row[0], null, null, null, null, null, null, null, row[1], "EE", null, MONDAY_10,
          row[2], TUESDAY));
    }
    return spark.createDataFrame(full, Tables.CRM_CUSTOMERS.schema());
  }

  private static List<String> cities(DeltaStore store) {
    return store.read(Tables.CRM_CUSTOMERS).orderBy("customer_id").collectAsList().stream()
        .map(row -> row.getString(0) + " " + row.getString(8)).toList();
  }

  private static List<Long> keys(DeltaStore store, Date date) {
    return store.read(Tables.SEGMENT_MEMBERSHIP).where(col("as_of_date").equalTo(date)).orderBy("customer_key")
        .select("customer_key").as(Encoders.LONG()).collectAsList();
  }
}
