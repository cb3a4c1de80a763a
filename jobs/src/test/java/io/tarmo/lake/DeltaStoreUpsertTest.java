package io.tarmo.lake;

import static org.apache.spark.sql.functions.col;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.tarmo.TarmoException;
import io.tarmo.testing.SparkJobs;
import io.tarmo.testing.SparkTest;
import java.nio.file.Path;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link DeltaStore#upsert}: a small table is rewritten in one pass, a table whose checksum file
 * does not list its files goes through Delta's merge, and both give the same rows and counts.
 */
@SparkTest
class DeltaStoreUpsertTest {

  private static final String NEWER = "s.updated_at > t.updated_at";
  private static final Timestamp MONDAY = Timestamp.valueOf("2026-11-23 10:00:00");
  private static final Timestamp TUESDAY = Timestamp.valueOf("2026-11-24 10:00:00");
  private static final Timestamp SUNDAY = Timestamp.valueOf("2026-11-22 10:00:00");

  private final SparkSession spark;
  @TempDir Path root;

  DeltaStoreUpsertTest(SparkSession spark) {
    this.spark = spark;
  }

  @Test
  void aSmallTableIsUpsertedInOneRewriteWithDeltasMergeCounts() {
    DeltaStore store = new DeltaStore(spark, Lake.at(root.toString()));
    store.upsert(Tables.CRM_CUSTOMERS, crm(row("c1", "Tartu", MONDAY), row("c2", "Tallinn", MONDAY)),
        List.of("customer_id"), NEWER, false, "first");

    List<Map<String, Long>> counts = new ArrayList<>();
    int jobs = jobsDuring(() -> counts.add(store.upsert(Tables.CRM_CUSTOMERS,
        crm(row("c1", "Narva", TUESDAY), row("c2", "Parnu", SUNDAY), row("c3", "Voru", TUESDAY)),
        List.of("customer_id"), NEWER, false, "second")));

    assertThat(counts.get(0)).containsEntry("numTargetRowsInserted", 1L).containsEntry("numTargetRowsUpdated", 1L)
        .containsEntry("numTargetRowsDeleted", 0L);
    assertThat(cities(store)).as("c2's row is older than the stored one, so it stays")
        .containsExactly("c1 Narva", "c2 Tallinn", "c3 Voru");
    assertThat(jobs).as("the key check and the write; Delta's merge runs about ten").isLessThanOrEqualTo(4);
    assertThat(store.latestCommitNote(Tables.CRM_CUSTOMERS)).contains("second");
    Row commit = io.delta.tables.DeltaTable.forPath(spark, store.lake().tablePath(Tables.CRM_CUSTOMERS))
        .history(1).select(col("operation"), col("operationParameters").getItem("predicate")).first();
    assertThat(commit.getString(1)).as("no value reaches the log").isEqualTo("upsert");
  }

  @Test
  void rowsWithoutANewRowAreDeletedWhenAskedAndNullConditionsUpdateNothing() {
    DeltaStore store = new DeltaStore(spark, Lake.at(root.toString()));
    store.upsert(Tables.CRM_CUSTOMERS, crm(row("c1", "Tartu", MONDAY), row("c2", "Tallinn", null)),
        List.of("customer_id"), NEWER, false, "first");

    Map<String, Long> counts = store.upsert(Tables.CRM_CUSTOMERS, crm(row("c2", "Parnu", TUESDAY)),
        List.of("customer_id"), NEWER, true, "second");

    assertThat(counts).containsEntry("numTargetRowsDeleted", 1L).containsEntry("numTargetRowsUpdated", 0L);
    assertThat(cities(store)).as("t.updated_at is null: the condition is not true").containsExactly("c2 Tallinn");
  }

  @Test
  void anUpsertThatChangesNothingCommitsNothing() {
    DeltaStore store = new DeltaStore(spark, Lake.at(root.toString()));
    store.upsert(Tables.CRM_CUSTOMERS, crm(row("c1", "Tartu", MONDAY)), List.of("customer_id"), NEWER, false, "first");
    long version = store.version(Tables.CRM_CUSTOMERS);

    Map<String, Long> counts = store.upsert(Tables.CRM_CUSTOMERS, crm(row("c1", "Narva", SUNDAY)),
        List.of("customer_id"), NEWER, false, "older");

    assertThat(counts.values()).allMatch(value -> value == 0);
    assertThat(store.version(Tables.CRM_CUSTOMERS)).isEqualTo(version);
  }

  @Test
  void twoNewRowsForOneKeyFailTheUpsertAndChangeNothing() {
    DeltaStore store = new DeltaStore(spark, Lake.at(root.toString()));
    store.upsert(Tables.CRM_CUSTOMERS, crm(row("c1", "Tartu", MONDAY)), List.of("customer_id"), NEWER, false, "first");
    long version = store.version(Tables.CRM_CUSTOMERS);

    assertThatThrownBy(() -> store.upsert(Tables.CRM_CUSTOMERS,
        crm(row("c1", "Narva", TUESDAY), row("c1", "Voru", TUESDAY)), List.of("customer_id"), NEWER, false, "twice"))
        .isInstanceOf(TarmoException.class).hasMessageContaining("customer_id").hasMessageNotContaining("c1");
    assertThatThrownBy(() -> store.upsert(Tables.CRM_CUSTOMERS,
        crm(row("c9", "Narva", TUESDAY), row("c9", "Voru", TUESDAY)), List.of("customer_id"), NEWER, false, "new twice"))
        .as("a key the table does not hold yet would be inserted twice").isInstanceOf(TarmoException.class);

    assertThat(store.version(Tables.CRM_CUSTOMERS)).isEqualTo(version);
    assertThat(cities(store)).containsExactly("c1 Tartu");
  }

  @Test
  void twoNewRowsForOneKeyFailDeltasMergeToo() {
    DeltaStore store = new DeltaStore(spark, Lake.at(root.toString()));
    store.upsert(Tables.CRM_CUSTOMERS, crm(row("c1", "Tartu", MONDAY)), List.of("customer_id"), NEWER, false, "first");
    long version = store.version(Tables.CRM_CUSTOMERS);
    spark.conf().set("spark.databricks.delta.allFilesInCrc.thresholdNumFiles", "0");
    try {
      assertThatThrownBy(() -> store.upsert(Tables.CRM_CUSTOMERS,
          crm(row("c9", "Narva", TUESDAY), row("c9", "Voru", TUESDAY)), List.of("customer_id"), NEWER, false, "merge"))
          .isInstanceOf(TarmoException.class).hasMessageContaining("customer_id").hasMessageNotContaining("c9");
    } finally {
      spark.conf().unset("spark.databricks.delta.allFilesInCrc.thresholdNumFiles");
    }

    assertThat(store.version(Tables.CRM_CUSTOMERS)).isEqualTo(version);
    assertThat(cities(store)).containsExactly("c1 Tartu");
  }

  @Test
  void aTableWhoseFilesAreNotListedIsMergedByDeltaWithTheSameResult() {
    DeltaStore listed = new DeltaStore(spark, Lake.at(root.resolve("listed").toString()));
    DeltaStore merged = new DeltaStore(spark, Lake.at(root.resolve("merged").toString()));
    List<Map<String, Long>> counts = new ArrayList<>();
    int[] jobs = new int[2];
    for (DeltaStore store : List.of(listed, merged)) {
      boolean unlisted = store == merged;
      if (unlisted) {
        spark.conf().set("spark.databricks.delta.allFilesInCrc.thresholdNumFiles", "0");
      }
      try {
        store.upsert(Tables.CRM_CUSTOMERS, crm(row("c1", "Tartu", MONDAY), row("c2", "Tallinn", MONDAY),
            row("c4", "Haapsalu", MONDAY)), List.of("customer_id"), NEWER, false, "first");
        jobs[unlisted ? 1 : 0] = jobsDuring(() -> counts.add(store.upsert(Tables.CRM_CUSTOMERS,
            crm(row("c1", "Narva", TUESDAY), row("c2", "Parnu", SUNDAY), row("c3", "Voru", TUESDAY)),
            List.of("customer_id"), NEWER, true, "second")));
      } finally {
        spark.conf().unset("spark.databricks.delta.allFilesInCrc.thresholdNumFiles");
      }
    }

    assertThat(jobs[1]).as("Delta's merge").isGreaterThan(jobs[0]);
    assertThat(counts.get(0)).isEqualTo(Map.of("numTargetRowsInserted", 1L, "numTargetRowsUpdated", 1L,
        "numTargetRowsDeleted", 1L));
    assertThat(counts.get(1)).containsAllEntriesOf(counts.get(0));
    assertThat(cities(listed)).isEqualTo(cities(merged)).containsExactly("c1 Narva", "c2 Tallinn", "c3 Voru");
  }

  private static Object[] row(String id, String city, Timestamp updatedAt) {
    return new Object[] {id, city, updatedAt};
  }

  private Dataset<Row> crm(Object[]... rows) {
    List<Row> full = new ArrayList<>();
    for (Object[] row : rows) {
      full.add(RowFactory.create(row[0], null, null, null, null, null, null, null, row[1], "EE", null, MONDAY,
          row[2], java.sql.Date.valueOf("2026-11-24")));
    }
    return spark.createDataFrame(full, Tables.CRM_CUSTOMERS.schema());
  }

  private static List<String> cities(DeltaStore store) {
    return store.read(Tables.CRM_CUSTOMERS).orderBy("customer_id").collectAsList().stream()
        .map(row -> row.getString(0) + " " + row.getString(8)).toList();
  }

  private int jobsDuring(Runnable work) {
    return SparkJobs.during(spark, work);
  }
}
