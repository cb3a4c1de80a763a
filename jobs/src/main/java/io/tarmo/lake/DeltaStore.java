package io.tarmo.lake;

import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.count;
import static org.apache.spark.sql.functions.expr;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.udf;
import static org.apache.spark.sql.functions.when;

import io.delta.tables.DeltaTable;
import io.delta.tables.DeltaTableBuilder;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.tarmo.TarmoException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.delta.DeltaConcurrentModificationException;
import org.apache.spark.sql.delta.DeltaLog;
import org.apache.spark.sql.delta.DeltaOperations;
import org.apache.spark.sql.delta.OptimisticTransaction;
import org.apache.spark.sql.delta.Snapshot;
import org.apache.spark.sql.delta.actions.Action;
import org.apache.spark.sql.delta.actions.AddFile;
import org.apache.spark.sql.delta.actions.FileAction;
import scala.jdk.javaapi.CollectionConverters;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.expressions.Window;
import org.apache.spark.sql.types.StructField;

/**
 * All Delta I/O of Tarmo: creating tables with their declared layout and privacy properties,
 * reading them, and the few write patterns jobs use. Written rows are always conformed to the
 * table's schema first, so a job cannot widen a table by accident.
 */
public final class DeltaStore {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final SparkSession spark;
  private final Lake lake;

  public DeltaStore(SparkSession spark, Lake lake) {
    this.spark = spark;
    this.lake = lake;
  }

  public Lake lake() {
    return lake;
  }

  public SparkSession spark() {
    return spark;
  }

  public boolean exists(TableSpec spec) {
    return DeltaTable.isDeltaTable(spark, lake.tablePath(spec));
  }

  /**
   * Creates the table with its schema, comments, layout and statistics columns when missing. An
   * existing table gets the further properties its spec declares ({@link TableSpec#properties})
   * when it lacks them, e.g. a table created by an earlier version of Tarmo.
   */
  public void ensure(TableSpec spec) {
    if (exists(spec)) {
      addMissingProperties(spec);
      return;
    }
    DeltaTableBuilder builder = DeltaTable.createIfNotExists(spark)
        .location(lake.tablePath(spec))
        .addColumns(spec.schema())
        .comment(spec.comment())
        .property(TableSpec.STATS_COLUMNS_PROPERTY, String.join(",", spec.statsColumns()));
    for (Map.Entry<String, String> property : new java.util.TreeMap<>(spec.properties()).entrySet()) {
      builder = builder.property(property.getKey(), property.getValue());
    }
    if (!spec.partitionColumns().isEmpty()) {
      builder = builder.partitionedBy(spec.partitionColumns().toArray(String[]::new));
    }
    if (!spec.clusterColumns().isEmpty()) {
      builder = builder.clusterBy(spec.clusterColumns().toArray(String[]::new));
    }
    builder.execute();
  }

  private void addMissingProperties(TableSpec spec) {
    if (spec.properties().isEmpty()) {
      return;
    }
    Map<String, String> present = CollectionConverters.asJava(
        DeltaLog.forTable(spark, lake.tablePath(spec)).unsafeVolatileSnapshot().metadata().configuration());
    String missing = new java.util.TreeMap<>(spec.properties()).entrySet().stream()
        .filter(property -> !property.getValue().equals(present.get(property.getKey())))
        .map(property -> "'" + property.getKey() + "' = '" + property.getValue() + "'")
        .collect(java.util.stream.Collectors.joining(", "));
    if (!missing.isEmpty()) {
      spark.sql("ALTER TABLE delta.`" + lake.tablePath(spec) + "` SET TBLPROPERTIES (" + missing + ")");
    }
  }

  /**
   * The table's rows as of its current version, pinned: a frame that is evaluated again after a
   * later write to the same table still sees this version. An empty frame of its schema when the
   * table does not exist yet.
   */
  public Dataset<Row> read(TableSpec spec) {
    if (!exists(spec)) {
      return spark.createDataFrame(java.util.List.of(), spec.schema());
    }
    return readPath(lake.tablePath(spec));
  }

  /** The rows of the Delta table at {@code path} as of its current version, as {@link #read}. */
  public Dataset<Row> readPath(String path) {
    DeltaLog log = DeltaLog.forTable(spark, path);
    return frame(path, log, log.update(false, scala.Option.empty(), scala.Option.empty()));
  }

  /**
   * The table's rows as of {@code version} ({@link #version}, pinned as {@link #read}); an empty
   * frame of its schema for version -1 (no table). When the version's checksum file lists the
   * table's files ({@link #listedFiles}), the frame scans exactly those: Delta would otherwise
   * compute the table's state and choose the files with a Spark job per query, a tenth to a third
   * of a second each, which a night of small tables pays a few hundred times. Such a frame prunes
   * files by partition values but not by column statistics, which matters little for fewer than
   * 50 files.
   */
  public Dataset<Row> readAsOf(TableSpec spec, long version) {
    if (version < 0) {
      return spark.createDataFrame(java.util.List.of(), spec.schema());
    }
    DeltaLog log = DeltaLog.forTable(spark, lake.tablePath(spec));
    Snapshot latest = log.unsafeVolatileSnapshot();
    return frame(lake.tablePath(spec), log, latest.version() == version
        ? latest : log.getSnapshotAt(version, scala.Option.empty(), scala.Option.empty(), false));
  }

  private Dataset<Row> frame(String path, DeltaLog log, Snapshot snapshot) {
    Optional<java.util.List<AddFile>> listed = listedFiles(snapshot);
    if (listed.isPresent()) {
      return log.createDataFrame(snapshot, CollectionConverters.asScala(listed.get()).toSeq(), false, scala.Option.empty());
    }
    return spark.read().format("delta").option("versionAsOf", snapshot.version()).load(path);
  }

  public DeltaTable table(TableSpec spec) {
    ensure(spec);
    return DeltaTable.forPath(spark, lake.tablePath(spec));
  }

  /** Selects and casts {@code rows} to exactly the table's columns, in order. */
  public static Dataset<Row> conform(Dataset<Row> rows, TableSpec spec) {
    java.util.Set<String> present = java.util.Set.of(rows.columns());
    Column[] columns = Arrays.stream(spec.schema().fields())
        .map(field -> conformColumn(field, present, spec))
        .toArray(Column[]::new);
    return rows.select(columns);
  }

  private static Column conformColumn(StructField field, java.util.Set<String> present, TableSpec spec) {
    if (!present.contains(field.name())) {
      throw TarmoException.job(
          "Cannot write table " + spec.name() + ": the rows have no column " + field.name());
    }
    return col(field.name()).cast(field.dataType()).as(field.name());
  }

  /**
   * Atomically replaces the rows matching {@code predicate} with {@code rows} (all of which must
   * match it). The predicate is recorded in the Delta log, so it must never hold personal data.
   *
   * @return rows written, from the commit's own metrics
   */
  public long replaceWhere(TableSpec spec, Dataset<Row> rows, String predicate, String commitNote) {
    Optional<FileScope> scope = FileScope.of(predicate);
    if (scope.isPresent()) {
      ensure(spec);
      OptionalLong written = replaceListed(spec, rows, scope.get(), predicate, commitNote);
      if (written.isPresent()) {
        return written.getAsLong();
      }
    }
    return write(spec, rows, "overwrite", Map.of("replaceWhere", predicate), commitNote);
  }

  /**
   * Replaces the rows of {@code scope} without a Spark job to find them: when the latest commit's
   * checksum file lists every file of the table (Delta keeps the list there for small tables) and
   * the log tells of each file whether the scope covers all of its rows or none
   * ({@link FileScope}), the new rows' files are added and the covered files removed in one
   * commit. Delta's own replaceWhere first rebuilds the table's state with Spark jobs, about a
   * third of a second per write on a small machine, several times a night. Empty, having committed
   * nothing, when the table or the written rows do not qualify (the caller then uses replaceWhere;
   * files written for the attempt are in no commit, and VACUUM removes them). The transaction reads
   * the whole table, so a concurrent writer of the table makes the commit fail rather than be
   * overwritten unseen; a table whose stored columns differ from the spec's is left to Delta's
   * write, which checks them.
   *
   * @return rows written, from the new files' statistics
   */
  private OptionalLong replaceListed(TableSpec spec, Dataset<Row> rows, FileScope scope, String predicate,
      String commitNote) {
    OptimisticTransaction txn = DeltaLog.forTable(spark, lake.tablePath(spec)).startTransaction();
    Optional<java.util.List<AddFile>> listed = listedFiles(txn.snapshot());
    java.util.List<String> partitionColumns = CollectionConverters.asJava(txn.metadata().partitionColumns());
    if (listed.isEmpty()) {
      return OptionalLong.empty();
    }
    java.util.List<AddFile> replaced = new java.util.ArrayList<>();
    for (AddFile file : listed.get()) {
      FileScope.Cover cover = scope.cover(file, partitionColumns);
      if (cover == FileScope.Cover.SOME) {
        // Some of its rows are covered: only Delta's replaceWhere, which reads it, can split it.
        return OptionalLong.empty();
      }
      if (cover == FileScope.Cover.ALL) {
        replaced.add(file);
      }
    }
    Dataset<Row> conformed = conform(rows, spec);
    if (!columns(txn.metadata().schema()).equals(columns(conformed.schema()))) {
      // A table written by another version of Tarmo: Delta's write checks and reports the schema.
      return OptionalLong.empty();
    }
    java.util.List<Action> actions = new java.util.ArrayList<>();
    long written = 0;
    for (FileAction file : CollectionConverters.asJava(txn.writeFiles(conformed))) {
      if (!(file instanceof AddFile add)) {
        continue;
      }
      OptionalLong records = records(add);
      if (records.isEmpty() || records.getAsLong() > 0 && scope.cover(add, partitionColumns) != FileScope.Cover.ALL) {
        // Rows outside the scope, or no count to check them by: Delta's replaceWhere decides.
        return OptionalLong.empty();
      }
      written += records.getAsLong();
      actions.add(add);
    }
    long removedBytes = 0;
    long deletedRows = 0;
    for (AddFile file : replaced) {
      removedBytes += file.size();
      deletedRows += records(file).orElse(0L);
    }
    // The history shows what a replace removed, as it does for Delta's own replaceWhere.
    Map<String, org.apache.spark.sql.execution.metric.SQLMetric> removed = new HashMap<>();
    removed.put("numRemovedFiles", metric(replaced.size()));
    removed.put("numRemovedBytes", metric(removedBytes));
    removed.put("numDeletedRows", metric(deletedRows));
    removed.put("numCopiedRows", metric(0L));
    txn.registerSQLMetrics(spark, scala.collection.immutable.Map$.MODULE$.from(CollectionConverters.asScala(removed)));
    commitSwap(txn, actions, replaced, predicate, commitNote);
    return OptionalLong.of(written);
  }

  /**
   * Commits the files {@code added} and the removal of {@code removed} as one overwrite described
   * by {@code predicate}, the transaction having read the whole table: a concurrent writer of the
   * table makes the commit fail rather than be overwritten unseen.
   */
  private static void commitSwap(OptimisticTransaction txn, java.util.List<? extends Action> added,
      java.util.List<AddFile> removed, String predicate, String commitNote) {
    java.util.List<Action> actions = new java.util.ArrayList<>(added);
    long now = System.currentTimeMillis();
    removed.forEach(file -> actions.add(file.removeWithTimestamp(now, true)));
    txn.readWholeTable();
    txn.commit(actions(actions), writeOperation(SaveMode.Overwrite, predicate, commitNote));
  }

  /**
   * Every file of the snapshot, from its checksum file: Delta keeps the list there for tables of
   * fewer than 50 files ({@code spark.databricks.delta.allFilesInCrc.thresholdNumFiles}). Empty
   * when the checksum has no list, or a file has deleted rows marked in a deletion vector (left to
   * Delta's own reads and writes, which apply them).
   */
  private static Optional<java.util.List<AddFile>> listedFiles(Snapshot snapshot) {
    scala.Option<scala.collection.immutable.Seq<AddFile>> listed =
        snapshot.checksumOpt().flatMap(checksum -> checksum.allFiles());
    if (listed.isEmpty()) {
      return Optional.empty();
    }
    java.util.List<AddFile> files = CollectionConverters.asJava(listed.get());
    return files.stream().anyMatch(file -> file.deletionVector() != null) ? Optional.empty() : Optional.of(files);
  }

  /** The file's row count from its statistics; empty when it has none. */
  private static OptionalLong records(AddFile file) {
    scala.Option<Object> records = file.numLogicalRecords();
    return records.isEmpty() ? OptionalLong.empty() : OptionalLong.of((Long) records.get());
  }

  private org.apache.spark.sql.execution.metric.SQLMetric metric(long value) {
    org.apache.spark.sql.execution.metric.SQLMetric metric =
        org.apache.spark.sql.execution.metric.SQLMetrics.createMetric(spark.sparkContext(), "");
    metric.set(value);
    return metric;
  }

  /** Column names and types, in order (not nullability or comments). */
  private static java.util.List<String> columns(org.apache.spark.sql.types.StructType schema) {
    return Arrays.stream(schema.fields()).map(field -> field.name() + " " + field.dataType().simpleString()).toList();
  }

  /**
   * Atomically replaces every row of the table with {@code rows}, keeping its declared layout: a
   * plain overwrite by path would drop the table's clustering columns, a {@code replaceWhere}
   * of every row keeps them.
   *
   * @return rows written, from the commit's own metrics
   */
  public long overwrite(TableSpec spec, Dataset<Row> rows, String commitNote) {
    return replaceWhere(spec, rows, "true", commitNote);
  }

  /** Appends {@code rows}; returns rows written from the commit's own metrics. */
  public long append(TableSpec spec, Dataset<Row> rows, String commitNote) {
    return write(spec, rows, "append", Map.of(), commitNote);
  }

  private long write(TableSpec spec, Dataset<Row> rows, String mode, Map<String, String> options, String commitNote) {
    ensure(spec);
    long before = version(spec);
    conform(rows, spec).write()
        .format("delta")
        .mode(mode)
        .options(options)
        .option("userMetadata", commitNote)
        .save(lake.tablePath(spec));
    return metricsSince(spec, before).getOrDefault("numOutputRows", 0L);
  }

  /**
   * Upserts {@code rows} into the table by {@code keyColumns}: matched rows are updated when
   * {@code updateWhen} holds (target {@code t}, source {@code s}; null: matched rows are kept),
   * unmatched rows inserted, and with {@code deleteMissing} target rows without a source row
   * deleted. A key given by more than one row of {@code rows} fails the upsert, whether the table
   * holds it yet or not (Delta's merge fails only in the first case, and would insert the rows of a
   * new key twice). The condition names columns only, so no value reaches the Delta log.
   *
   * @return the counts {@code numTargetRowsInserted}, {@code numTargetRowsUpdated} and
   *     {@code numTargetRowsDeleted} (empty when nothing changed)
   */
  public Map<String, Long> upsert(TableSpec spec, Dataset<Row> rows, java.util.List<String> keyColumns,
      String updateWhen, boolean deleteMissing, String commitNote) {
    ensure(spec);
    Optional<Map<String, Long>> rewritten = upsertListed(spec, rows, keyColumns, updateWhen, deleteMissing, commitNote);
    if (rewritten.isPresent()) {
      return rewritten.get();
    }
    if (!rows.where(keyed(keyColumns)).groupBy(keys(keyColumns)).count().where(col("count").gt(1)).isEmpty()) {
      throw duplicateKeys(spec, keyColumns);
    }
    DeltaTable table = DeltaTable.forPath(spark, lake.tablePath(spec));
    long before = version(spec);
    spark.conf().set("spark.databricks.delta.commitInfo.userMetadata", commitNote);
    try {
      io.delta.tables.DeltaMergeBuilder merge = table.as("t").merge(conform(rows, spec).as("s"), matching(keyColumns));
      if (updateWhen != null) {
        merge = merge.whenMatched(updateWhen).updateAll();
      }
      merge = merge.whenNotMatched().insertAll();
      if (deleteMissing) {
        merge = merge.whenNotMatchedBySource().delete();
      }
      merge.execute();
    } finally {
      spark.conf().unset("spark.databricks.delta.commitInfo.userMetadata");
    }
    return metricsSince(spec, before);
  }

  private static Column[] keys(java.util.List<String> keyColumns) {
    return keyColumns.stream().map(key -> col(key)).toArray(Column[]::new);
  }

  /** Whether a row has every key column set: rows without a key are never matched, so never duplicates. */
  private static Column keyed(java.util.List<String> keyColumns) {
    return keyColumns.stream().map(key -> col(key).isNotNull()).reduce(Column::and).orElseThrow();
  }

  private static TarmoException duplicateKeys(TableSpec spec, java.util.List<String> keyColumns) {
    return TarmoException.job("Cannot upsert into table " + spec.name() + ": more than one new row has the same "
        + String.join(", ", keyColumns));
  }

  /** Tables up to this size (their files' bytes) are upserted by rewriting them ({@link #upsertListed}). */
  static final long REWRITTEN_UPSERT_BYTES = 64L * 1024 * 1024;

  /**
   * Upserts into a small table by writing its new rows whole: the listed files ({@link
   * #listedFiles}, at most {@link #REWRITTEN_UPSERT_BYTES}) joined with {@code rows} in one pass,
   * the new files added and every old one removed in one commit. Delta's merge first computes the
   * table's state, then reads the table twice (to find the files a change touches, then to rewrite
   * them), over a second per merge on a small machine whatever the size; for a table this small,
   * rewriting all of it costs less. Empty, having committed nothing, when the table does not
   * qualify (the caller then merges). The transaction reads the whole table, so a concurrent
   * writer makes the commit fail rather than be overwritten unseen. The history shows a WRITE
   * with the predicate {@code upsert}; the counts are returned, as Delta's merge metrics would be.
   * Source rows that share a key are counted in the same query (a window over the key), and fail
   * the upsert before anything is committed.
   */
  private Optional<Map<String, Long>> upsertListed(TableSpec spec, Dataset<Row> rows, java.util.List<String> keyColumns,
      String updateWhen, boolean deleteMissing, String commitNote) {
    DeltaLog log = DeltaLog.forTable(spark, lake.tablePath(spec));
    OptimisticTransaction txn = log.startTransaction();
    Optional<java.util.List<AddFile>> listed = listedFiles(txn.snapshot());
    Dataset<Row> source = conform(rows, spec);
    if (listed.isEmpty()
        || listed.get().stream().mapToLong(AddFile::size).sum() > REWRITTEN_UPSERT_BYTES
        || !columns(txn.metadata().schema()).equals(columns(source.schema()))) {
      return Optional.empty();
    }
    Dataset<Row> target = log.createDataFrame(txn.snapshot(), CollectionConverters.asScala(listed.get()).toSeq(),
        false, scala.Option.empty());
    Column inTarget = col("t." + MARK).isNotNull();
    Column inSource = col("s." + MARK).isNotNull();
    Column update = updateWhen == null ? lit(false) : coalesce(expr(updateWhen), lit(false));
    Column change = when(inTarget.and(inSource), when(update, lit(UPDATED)).otherwise(lit(KEPT)))
        .when(inSource, lit(INSERTED))
        .otherwise(lit(deleteMissing ? DELETED : KEPT));
    java.util.List<Column> merged = new java.util.ArrayList<>(java.util.List.of(change.as(MARK)));
    for (String name : spec.schema().fieldNames()) {
      merged.add(when(change.isin(UPDATED, INSERTED), col("s." + name)).otherwise(col("t." + name)).as(name));
    }
    merged.add(col("s." + SHARED).as(SHARED));
    Column sharedKey = when(keyed(keyColumns),
        count(lit(1)).over(Window.partitionBy(keys(keyColumns))))
        .otherwise(lit(1L)).gt(1);
    Dataset<Row> joined = target.withColumn(MARK, lit(true)).as("t")
        .join(source.withColumn(MARK, lit(true)).withColumn(SHARED, sharedKey).as("s"), expr(matching(keyColumns)),
            "full_outer")
        .select(merged.toArray(Column[]::new));
    ChangeCounts counts = new ChangeCounts(spark);
    Dataset<Row> written = conform(joined.where(counts.keep(col(MARK), coalesce(col(SHARED), lit(false)))), spec);
    java.util.List<FileAction> added = CollectionConverters.asJava(txn.writeFiles(written));
    if (counts.sharedKeys() > 0) {
      // The files written are in no commit.
      throw duplicateKeys(spec, keyColumns);
    }
    Map<String, Long> result = counts.values();
    if (result.values().stream().allMatch(value -> value == 0)) {
      // Nothing changed: commit nothing, as Delta's merge does; the files written are in no commit.
      return Optional.of(Map.of());
    }
    commitSwap(txn, added, listed.get(), "upsert", commitNote);
    return Optional.of(result);
  }

  private static final String MARK = "_tarmo_change";
  private static final String SHARED = "_tarmo_shared_key";
  private static final String KEPT = "kept";
  private static final String UPDATED = "updated";
  private static final String INSERTED = "inserted";
  private static final String DELETED = "deleted";

  /** {@code t.k = s.k AND ...} for the key columns. */
  private static String matching(java.util.List<String> keyColumns) {
    return keyColumns.stream().map(key -> "t." + key + " = s." + key)
        .collect(java.util.stream.Collectors.joining(" AND "));
  }

  /**
   * Counts the rows an upsert inserts, updates and deletes while they are written, with
   * accumulators behind a filter that drops the deleted ones.
   */
  private static final class ChangeCounts {
    private final org.apache.spark.util.LongAccumulator inserted;
    private final org.apache.spark.util.LongAccumulator updated;
    private final org.apache.spark.util.LongAccumulator deleted;
    private final org.apache.spark.util.LongAccumulator shared;

    ChangeCounts(SparkSession spark) {
      inserted = spark.sparkContext().longAccumulator();
      updated = spark.sparkContext().longAccumulator();
      deleted = spark.sparkContext().longAccumulator();
      shared = spark.sparkContext().longAccumulator();
    }

    /**
     * A column that is true for the rows kept, counting each change it sees and each source row
     * whose key another source row has ({@code sharedKey}).
     */
    Column keep(Column change, Column sharedKey) {
      org.apache.spark.util.LongAccumulator insertedRows = inserted;
      org.apache.spark.util.LongAccumulator updatedRows = updated;
      org.apache.spark.util.LongAccumulator deletedRows = deleted;
      org.apache.spark.util.LongAccumulator sharedRows = shared;
      org.apache.spark.sql.expressions.UserDefinedFunction count = udf((String kind, Boolean sharesKey) -> {
        if (sharesKey) {
          sharedRows.add(1);
        }
        switch (kind) {
          case INSERTED -> insertedRows.add(1);
          case UPDATED -> updatedRows.add(1);
          case DELETED -> deletedRows.add(1);
          default -> { }
        }
        return !DELETED.equals(kind);
      }, org.apache.spark.sql.types.DataTypes.BooleanType).asNondeterministic();
      return count.apply(change, sharedKey);
    }

    long sharedKeys() {
      return shared.value();
    }

    Map<String, Long> values() {
      return Map.of("numTargetRowsInserted", inserted.value(), "numTargetRowsUpdated", updated.value(),
          "numTargetRowsDeleted", deleted.value());
    }
  }

  /** Rows appended in one commit ({@link #appendTracked}): its version and the files it added. */
  record Appended(long version, java.util.List<AddFile> files) {}

  /**
   * Appends {@code rows} in a commit of its own and tells which files hold them, so that
   * {@link #replaceAppended} can later swap them for new rows without reading the table.
   */
  Appended appendTracked(TableSpec spec, Dataset<Row> rows, String commitNote) {
    ensure(spec);
    OptimisticTransaction txn = DeltaLog.forTable(spark, lake.tablePath(spec)).startTransaction();
    java.util.List<FileAction> written = CollectionConverters.asJava(txn.writeFiles(conform(rows, spec)));
    long version = txn.commit(actions(written), writeOperation(SaveMode.Append, null, commitNote));
    return new Appended(version, written.stream().filter(AddFile.class::isInstance).map(AddFile.class::cast).toList());
  }

  /**
   * Replaces the rows an earlier {@link #appendTracked} wrote with {@code rows}, in one commit that
   * removes its files and adds the new ones: no file is read, no Spark job looks for the rows.
   * Returns false, having changed nothing, when those files have been rewritten or removed since
   * (by a compaction, a delete) or another commit removes them meanwhile; the caller then has to
   * find the rows the ordinary way. {@code predicate} describes the rows for the Delta log only, so
   * it must never hold personal data.
   */
  boolean replaceAppended(TableSpec spec, Appended earlier, Dataset<Row> rows, String predicate, String commitNote) {
    OptimisticTransaction txn = DeltaLog.forTable(spark, lake.tablePath(spec)).startTransaction();
    if (removedSince(spec, earlier, txn.readVersion())) {
      return false;
    }
    java.util.List<FileAction> actions = new java.util.ArrayList<>(
        CollectionConverters.asJava(txn.writeFiles(conform(rows, spec))));
    long now = System.currentTimeMillis();
    for (AddFile file : earlier.files()) {
      actions.add(file.removeWithTimestamp(now, true));
    }
    try {
      txn.commit(actions(actions), writeOperation(SaveMode.Overwrite, predicate, commitNote));
      return true;
    } catch (DeltaConcurrentModificationException e) {
      // The files written for this attempt are in no commit; VACUUM removes them.
      return false;
    }
  }

  /** Whether a commit after {@code earlier}'s, up to {@code version}, removed one of its files. */
  private boolean removedSince(TableSpec spec, Appended earlier, long version) {
    java.util.Set<String> paths = new java.util.HashSet<>();
    earlier.files().forEach(file -> paths.add(file.path()));
    for (long v = earlier.version() + 1; v <= version; v++) {
      try {
        for (JsonNode action : commitActions(spec, v)) {
          JsonNode removed = action.path("remove").path("path");
          if (removed.isTextual() && paths.contains(removed.asText())) {
            return true;
          }
        }
      } catch (IOException e) {
        return true;
      }
    }
    return false;
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static scala.collection.immutable.Seq<Action> actions(java.util.List<? extends Action> actions) {
    return (scala.collection.immutable.Seq) CollectionConverters.asScala(actions).toSeq();
  }

  private static DeltaOperations.Write writeOperation(SaveMode mode, String predicate, String commitNote) {
    return new DeltaOperations.Write(mode, scala.Option.empty(), scala.Option.apply(predicate),
        scala.Option.apply(commitNote), scala.Option.empty(), scala.Option.empty(), scala.Option.empty());
  }

  /**
   * The operation metrics of the table's latest commit if it is newer than {@code version}; empty
   * when the operation committed nothing (Delta skips commits that would change nothing). Read
   * from the commit file itself: {@code DeltaTable.history} would start a Spark job for them.
   */
  public Map<String, Long> metricsSince(TableSpec spec, long version) {
    long latest = version(spec);
    if (latest <= version) {
      return Map.of();
    }
    JsonNode metrics = commitInfo(spec, latest).path("operationMetrics");
    Map<String, Long> values = new HashMap<>();
    metrics.fields().forEachRemaining(entry -> {
      String value = entry.getValue().asText();
      if (value.matches("-?\\d{1,18}")) {
        values.put(entry.getKey(), Long.parseLong(value));
      }
    });
    return values;
  }

  /** The note ({@code userMetadata}) of the table's latest commit; empty when it has none or no table. */
  public Optional<String> latestCommitNote(TableSpec spec) {
    long latest = version(spec);
    if (latest < 0) {
      return Optional.empty();
    }
    JsonNode note = commitInfo(spec, latest).path("userMetadata");
    return note.isTextual() ? Optional.of(note.asText()) : Optional.empty();
  }

  /** The {@code commitInfo} action of the table's commit {@code version}; a missing node when it has none. */
  private JsonNode commitInfo(TableSpec spec, long version) {
    try {
      for (JsonNode action : commitActions(spec, version)) {
        if (action.has("commitInfo")) {
          return action.path("commitInfo");
        }
      }
      return MissingNode.getInstance();
    } catch (IOException e) {
      throw TarmoException.job("Cannot read the commit of table " + spec.name() + " (version " + version + ")", e);
    }
  }

  /** The actions of the table's commit {@code version}, one JSON object each, read from its log file. */
  private java.util.List<JsonNode> commitActions(TableSpec spec, long version) throws IOException {
    Path commit = new Path(lake.tablePath(spec) + "/_delta_log/" + String.format(Locale.ROOT, "%020d.json", version));
    java.util.List<JsonNode> actions = new java.util.ArrayList<>();
    try (FSDataInputStream in = commit.getFileSystem(spark.sparkContext().hadoopConfiguration()).open(commit);
         BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      String line;
      while ((line = reader.readLine()) != null) {
        actions.add(JSON.readTree(line));
      }
    }
    return actions;
  }

  /** The table's current version, -1 when it does not exist. */
  public long version(TableSpec spec) {
    if (!exists(spec)) {
      return -1L;
    }
    return DeltaLog.forTable(spark, lake.tablePath(spec)).update(false, scala.Option.empty(), scala.Option.empty()).version();
  }
}
