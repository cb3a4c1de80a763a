package io.tarmo.lake;

import static org.apache.spark.sql.functions.col;

import io.delta.tables.DeltaMergeBuilder;
import io.delta.tables.DeltaTable;
import io.delta.tables.DeltaTableBuilder;
import io.tarmo.SessionSettings;
import io.tarmo.TarmoException;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;

/**
 * All Delta I/O of Tarmo, through Delta's public API only ({@link DeltaTable}, the DataFrame
 * reader and writer, SQL): creating tables with their declared layout and privacy properties,
 * reading them at a pinned version, and the few write patterns jobs use. Written rows are always
 * conformed to the table's schema first, so a job cannot widen a table by accident. Counts come
 * from what Delta committed (its operation metrics), never from counters inside a task, which a
 * retried task would count twice.
 */
public final class DeltaStore {

  /** Delta's SQL setting that puts a note ({@code userMetadata}) into the commits of merges and updates. */
  private static final String USER_METADATA = "spark.databricks.delta.commitInfo.userMetadata";

  private final SparkSession spark;
  private final Lake lake;
  /** Tables this store has created or brought up to their spec: {@link #upgrade} runs once per table and run. */
  private final Set<String> upToDate = ConcurrentHashMap.newKeySet();
  /** The latest version this store committed to each table, by table name. */
  private final Map<String, Long> committed = new ConcurrentHashMap<>();
  /** Tells this store's writes from other writers' in a table's history: see {@link #stamp}. */
  private final String storeId = java.util.UUID.randomUUID().toString().substring(0, 8);
  private final java.util.concurrent.atomic.AtomicLong writes = new java.util.concurrent.atomic.AtomicLong();
  /**
   * How many of a table's latest commits {@link #commitOf} looks through for a write's own: more
   * than one, so that another writer committing right after it does not hide it.
   */
  private static final int RECENT_COMMITS = 5;
  /** How far apart two writers' clocks may be, for {@link #commitOf}: commit times are the writers'. */
  private static final long CLOCK_SKEW_MILLIS = 60_000;

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
   * existing table made by an earlier version of Tarmo gets the columns and properties its spec
   * has since declared ({@link TableSpec#deltaProperties}).
   */
  public void ensure(TableSpec spec) {
    if (exists(spec)) {
      if (upToDate.add(spec.name())) {
        upgrade(spec);
      }
    } else {
      DeltaTableBuilder builder = DeltaTable.createIfNotExists(spark)
          .location(lake.tablePath(spec))
          .addColumns(spec.schema())
          .comment(spec.comment());
      for (Map.Entry<String, String> property : new TreeMap<>(spec.deltaProperties()).entrySet()) {
        builder = builder.property(property.getKey(), property.getValue());
      }
      if (!spec.partitionColumns().isEmpty()) {
        builder = builder.partitionedBy(spec.partitionColumns().toArray(String[]::new));
      }
      if (!spec.clusterColumns().isEmpty()) {
        builder = builder.clusterBy(spec.clusterColumns().toArray(String[]::new));
      }
      builder.execute();
      upToDate.add(spec.name());
    }
  }

  /**
   * Brings a table an earlier version of Tarmo created up to its spec: columns the spec added are
   * added (at the end, null in existing rows), properties set where they differ.
   */
  private void upgrade(TableSpec spec) {
    String table = "delta.`" + lake.tablePath(spec) + "`";
    DeltaTable existing = DeltaTable.forPath(spark, lake.tablePath(spec));
    Set<String> columns = Set.of(existing.toDF().columns());
    String added = Arrays.stream(spec.schema().fields())
        .filter(field -> !columns.contains(field.name()))
        .map(field -> field.name() + " " + field.dataType().sql()
            + field.getComment().map(comment -> " COMMENT '" + comment.replace("'", "\\'") + "'").getOrElse(() -> ""))
        .collect(Collectors.joining(", "));
    if (!added.isEmpty()) {
      spark.sql("ALTER TABLE " + table + " ADD COLUMNS (" + added + ")");
    }
    Map<String, String> present = existing.detail().select(col("properties")).first().getJavaMap(0);
    String changed = new TreeMap<>(spec.deltaProperties()).entrySet().stream()
        .filter(property -> !property.getValue().equals(present.get(property.getKey())))
        .map(property -> "'" + property.getKey() + "' = '" + property.getValue() + "'")
        .collect(Collectors.joining(", "));
    if (!changed.isEmpty()) {
      spark.sql("ALTER TABLE " + table + " SET TBLPROPERTIES (" + changed + ")");
    }
  }

  /**
   * The table's rows as of its current version, pinned: a frame that is evaluated again after a
   * later write to the same table still sees this version. An empty frame of its schema when the
   * table does not exist yet.
   */
  public Dataset<Row> read(TableSpec spec) {
    return readAsOf(spec, version(spec));
  }

  /**
   * The table's rows as of {@code version} ({@link #version}); an empty frame of its schema for
   * version -1 (no table).
   */
  public Dataset<Row> readAsOf(TableSpec spec, long version) {
    if (version < 0) {
      return spark.createDataFrame(List.of(), spec.schema());
    }
    return spark.read().format("delta").option("versionAsOf", version).load(lake.tablePath(spec));
  }

  /**
   * Every Delta table under {@code <lake>/tables} whose folder name is a valid view name, with its
   * rows as of its current version, by name (sorted).
   */
  public Map<String, Dataset<Row>> readAll() {
    Map<String, Dataset<Row>> tables = new TreeMap<>();
    FileSystem fs = lake.fileSystem(spark.sparkContext().hadoopConfiguration());
    Path root = new Path(lake.tablesRoot());
    try {
      if (!fs.exists(root)) {
        return tables;
      }
      for (FileStatus status : fs.listStatus(root)) {
        String name = status.getPath().getName();
        String path = status.getPath().toString();
        if (status.isDirectory() && name.matches("[a-z][a-z0-9_]*") && DeltaTable.isDeltaTable(spark, path)) {
          tables.put(name, spark.read().format("delta").load(path));
        }
      }
    } catch (IOException e) {
      throw TarmoException.job("Cannot list lake tables: " + e.getMessage() + " (" + root + ")", e);
    }
    return tables;
  }

  public DeltaTable table(TableSpec spec) {
    ensure(spec);
    return DeltaTable.forPath(spark, lake.tablePath(spec));
  }

  /** Selects and casts {@code rows} to exactly the table's columns, in order. */
  public static Dataset<Row> conform(Dataset<Row> rows, TableSpec spec) {
    Set<String> present = Set.of(rows.columns());
    Column[] columns = Arrays.stream(spec.schema().fields())
        .map(field -> conformColumn(field, present, spec))
        .toArray(Column[]::new);
    return rows.select(columns);
  }

  private static Column conformColumn(StructField field, Set<String> present, TableSpec spec) {
    if (!present.contains(field.name())) {
      throw TarmoException.job(
          "Cannot write table " + spec.name() + ": the rows have no column " + field.name());
    }
    return col(field.name()).cast(field.dataType()).as(field.name());
  }

  /**
   * Atomically replaces the rows matching {@code predicate} with {@code rows} (all of which must
   * match it: Delta refuses the write otherwise). The predicate is recorded in the Delta log, so it
   * must never hold personal data.
   *
   * @return rows written, from the commit's own metrics
   */
  public Write replaceWhere(TableSpec spec, Dataset<Row> rows, String predicate, String commitNote) {
    return write(spec, rows, "overwrite", Map.of("replaceWhere", predicate), commitNote);
  }

  /**
   * Atomically replaces every row of the table with {@code rows}, keeping its declared layout: a
   * plain overwrite by path would drop the table's clustering columns, a {@code replaceWhere}
   * of every row keeps them.
   *
   * @return rows written, from the commit's own metrics
   */
  public Write overwrite(TableSpec spec, Dataset<Row> rows, String commitNote) {
    return replaceWhere(spec, rows, "true", commitNote);
  }

  /** Appends {@code rows}; returns rows written from the commit's own metrics. */
  public Write append(TableSpec spec, Dataset<Row> rows, String commitNote) {
    return write(spec, rows, "append", Map.of(), commitNote);
  }

  private Write write(TableSpec spec, Dataset<Row> rows, String mode, Map<String, String> options, String commitNote) {
    ensure(spec);
    Stamp stamp = stamp(commitNote);
    conform(rows, spec).write()
        .format("delta")
        .mode(mode)
        .options(options)
        .option("userMetadata", stamp.note())
        .save(lake.tablePath(spec));
    // Delta commits nothing for a write that changes nothing (no rows into an empty table).
    return commitOf(spec, stamp)
        .map(commit -> new Write(commit.version(), commit.metric("numOutputRows")))
        .orElseGet(() -> new Write(lastCommit(spec).version(), 0L));
  }

  /**
   * One committed write: the table version it made and the rows it wrote.
   *
   * @param version the Delta version of the commit
   * @param rows rows written, from Delta's {@code numOutputRows}
   */
  public record Write(long version, long rows) {}

  /**
   * Upserts {@code rows} into the table by {@code keyColumns} with Delta's merge: matched rows are
   * updated when {@code updateWhen} holds (target {@code t}, source {@code s}; null: matched rows
   * are kept), unmatched rows inserted, and with {@code deleteMissing} target rows without a source
   * row deleted. A key given by more than one row of {@code rows} fails the upsert before anything
   * is written, whether the table holds it yet or not (Delta's merge fails only in the first case,
   * and would insert the rows of a new key twice). The condition names columns only, so no value
   * reaches the Delta log.
   *
   * @return Delta's merge counts as {@code numTargetRowsInserted}, {@code numTargetRowsUpdated}
   *     and {@code numTargetRowsDeleted}, and the version committed
   */
  public Upsert upsert(TableSpec spec, Dataset<Row> rows, List<String> keyColumns, String updateWhen,
      boolean deleteMissing, String commitNote) {
    ensure(spec);
    Dataset<Row> source = conform(rows, spec);
    if (!source.where(keyed(keyColumns)).groupBy(keys(keyColumns)).count().where(col("count").gt(1))
        .limit(1).isEmpty()) {
      throw TarmoException.job("Cannot upsert into table " + spec.name() + ": more than one new row has the same "
          + String.join(", ", keyColumns));
    }
    Stamp stamp = stamp(commitNote);
    DeltaMergeBuilder merge = DeltaTable.forPath(spark, lake.tablePath(spec)).as("t")
        .merge(source.as("s"), matching(keyColumns));
    if (updateWhen != null) {
      merge = merge.whenMatched(updateWhen).updateAll();
    }
    merge = merge.whenNotMatched().insertAll();
    if (deleteMissing) {
      merge = merge.whenNotMatchedBySource().delete();
    }
    Row counts = withCommitNote(stamp.note(), merge::execute).first();
    long version = commitOf(spec, stamp).map(Commit::version).orElseGet(() -> lastCommit(spec).version());
    return new Upsert(version, Map.of(
        "numTargetRowsInserted", counts.getAs("num_inserted_rows"),
        "numTargetRowsUpdated", counts.getAs("num_updated_rows"),
        "numTargetRowsDeleted", counts.getAs("num_deleted_rows")));
  }

  /**
   * One merge: the table version after it (the version before when it committed nothing) and
   * Delta's counts of the rows it changed.
   */
  public record Upsert(long version, Map<String, Long> counts) {
    public Upsert {
      counts = Map.copyOf(counts);
    }

    public long count(String name) {
      return counts.getOrDefault(name, 0L);
    }
  }

  /**
   * Updates the rows matching {@code condition} with {@code set}. The condition is recorded in
   * the Delta log, so it must never hold personal data.
   *
   * @return rows updated, from Delta's {@code numUpdatedRows}
   */
  public long update(TableSpec spec, Column condition, Map<String, Column> set, String commitNote) {
    ensure(spec);
    Stamp stamp = stamp(commitNote);
    withCommitNote(stamp.note(), () -> {
      DeltaTable.forPath(spark, lake.tablePath(spec)).update(condition, set);
      return null;
    });
    return commitOf(spec, stamp).map(commit -> commit.metric("numUpdatedRows")).orElse(0L);
  }

  /**
   * The commit note of one write: the caller's note and a token no other write carries, by which
   * {@link #commitOf} finds the write's own commit in the history after it, in one look (a
   * version read before the write would cost a second); and when the write started.
   */
  private Stamp stamp(String commitNote) {
    return new Stamp(commitNote + " write=" + storeId + "." + writes.incrementAndGet(), System.currentTimeMillis());
  }

  /** A write's stamped commit note, and the time (epoch milliseconds) just before it. */
  record Stamp(String note, long startedMillis) {}

  /**
   * The commit a write made, found by its stamped note among the table's latest commits; empty
   * when the write committed nothing. It is also recorded for {@link #committedVersions}.
   *
   * <p>One look at the {@link #RECENT_COMMITS} latest commits finds it unless other writers
   * committed more since. So while the oldest commit looked at is not older than the write
   * (allowing {@link #CLOCK_SKEW_MILLIS} between writers' clocks), the look goes four times
   * deeper; a write that committed nothing costs a second look only on a table that busy.
   */
  Optional<Commit> commitOf(TableSpec spec, Stamp stamp) {
    DeltaTable table = DeltaTable.forPath(spark, lake.tablePath(spec));
    for (int depth = RECENT_COMMITS; ; depth *= 4) {
      List<Row> recent = table.history(depth)
          .select(col("version"), col("operation"), col("userMetadata"), col("operationMetrics"), col("timestamp"))
          .collectAsList();
      Optional<Commit> commit = recent.stream()
          .map(DeltaStore::commit)
          .filter(candidate -> candidate.note().filter(stamp.note()::equals).isPresent())
          .findFirst();
      if (commit.isPresent()) {
        committed.merge(spec.name(), commit.get().version(), Math::max);
        return commit;
      }
      boolean wholeHistory = recent.size() < depth;
      if (wholeHistory || recent.get(recent.size() - 1).getTimestamp(4).getTime()
          < stamp.startedMillis() - CLOCK_SKEW_MILLIS) {
        return Optional.empty();
      }
    }
  }

  /**
   * The latest version this store committed to each table since it was made or since the last
   * {@link #clearCommitted()}: what a job run wrote, for {@code job_runs} and the report.
   */
  public Map<String, Long> committedVersions() {
    return Map.copyOf(new TreeMap<>(committed));
  }

  /**
   * The tables this store committed to since {@code before} (an earlier {@link #committedVersions})
   * was taken, with the latest version of each: what one job wrote, whatever ran before it.
   */
  public Map<String, Long> committedSince(Map<String, Long> before) {
    Map<String, Long> since = new TreeMap<>();
    committed.forEach((table, version) -> {
      if (!version.equals(before.get(table))) {
        since.put(table, version);
      }
    });
    return Map.copyOf(since);
  }

  /** Forgets the versions {@link #committedVersions} reports, at the start of a job run. */
  public void clearCommitted() {
    committed.clear();
  }

  /**
   * Adds versions committed earlier back to those {@link #committedVersions} reports: a run that
   * contains other runs (a nightly run and its steps) reports what all of them committed.
   */
  public void addCommitted(Map<String, Long> versions) {
    versions.forEach((table, version) -> committed.merge(table, version, Math::max));
  }

  private <T> T withCommitNote(String commitNote, java.util.function.Supplier<T> work) {
    return SessionSettings.with(spark, Map.of(USER_METADATA, commitNote), work);
  }

  private static Column[] keys(List<String> keyColumns) {
    return keyColumns.stream().map(key -> col(key)).toArray(Column[]::new);
  }

  /** Whether a row has every key column set: rows without a key are never matched, so never duplicates. */
  private static Column keyed(List<String> keyColumns) {
    return keyColumns.stream().map(key -> col(key).isNotNull()).reduce(Column::and).orElseThrow();
  }

  /** {@code t.k = s.k AND ...} for the key columns. */
  private static String matching(List<String> keyColumns) {
    return keyColumns.stream().map(key -> "t." + key + " = s." + key).collect(Collectors.joining(" AND "));
  }

  /**
   * The table's latest commit as Delta's history tells it: version, operation, note and numeric
   * operation metrics. Empty when the table does not exist.
   */
  public Optional<Commit> latestCommit(TableSpec spec) {
    return exists(spec) ? Optional.of(lastCommit(spec)) : Optional.empty();
  }

  /** The latest commit of a table known to exist: the writes ask after {@link #ensure}, without looking again. */
  private Commit lastCommit(TableSpec spec) {
    return commit(DeltaTable.forPath(spark, lake.tablePath(spec)).history(1)
        .select(col("version"), col("operation"), col("userMetadata"), col("operationMetrics"))
        .first());
  }

  /** A row of Delta's history (version, operation, userMetadata, operationMetrics) as a {@link Commit}. */
  private static Commit commit(Row row) {
    Map<String, Long> metrics = new HashMap<>();
    Map<String, String> recorded = row.isNullAt(3) ? Map.of() : row.getJavaMap(3);
    recorded.forEach((name, value) -> {
      if (value != null && value.matches("-?\\d{1,18}")) {
        metrics.put(name, Long.parseLong(value));
      }
    });
    return new Commit(row.getLong(0), row.getString(1), Optional.ofNullable(row.getString(2)), metrics);
  }

  /**
   * One commit of a table, from Delta's history.
   *
   * @param version its version
   * @param operation Delta's name for it: WRITE, MERGE, UPDATE, DELETE, ...
   * @param note the commit's {@code userMetadata}
   * @param metrics its numeric operation metrics
   */
  public record Commit(long version, String operation, Optional<String> note, Map<String, Long> metrics) {
    public Commit {
      metrics = Map.copyOf(metrics);
    }

    public long metric(String name) {
      return metrics.getOrDefault(name, 0L);
    }
  }

  /** The note ({@code userMetadata}) of the table's latest commit; empty when it has none or no table. */
  public Optional<String> latestCommitNote(TableSpec spec) {
    return latestCommit(spec).flatMap(Commit::note);
  }

  /** The table's current version, -1 when it does not exist. */
  public long version(TableSpec spec) {
    return latestCommit(spec).map(Commit::version).orElse(-1L);
  }

  /**
   * Deletes the rows matching {@code condition}. The condition is recorded in the Delta log, so it
   * must never hold personal data (a date cutoff is fine, an identifier never is). A table that
   * does not exist is not created: nothing is deleted.
   *
   * @return rows deleted, from Delta's {@code numDeletedRows}
   */
  public long delete(TableSpec spec, Column condition, String commitNote) {
    if (!exists(spec)) {
      return 0L;
    }
    ensure(spec);
    Stamp stamp = stamp(commitNote);
    withCommitNote(stamp.note(), () -> {
      DeltaTable.forPath(spark, lake.tablePath(spec)).delete(condition);
      return null;
    });
    // Delta commits nothing when no row matched.
    return commitOf(spec, stamp).map(commit -> commit.metric("numDeletedRows")).orElse(0L);
  }

  /**
   * Deletes the rows that equal one of {@code keys}' rows on {@code keyColumns}: one {@code MERGE
   * ... WHEN MATCHED THEN DELETE}, whose commit records the join condition only, so the values may
   * be personal. A table that does not exist is not created: nothing is deleted.
   *
   * @return rows deleted, from Delta's {@code num_deleted_rows}
   */
  public long deleteMatching(TableSpec spec, Dataset<Row> keys, List<String> keyColumns, String commitNote) {
    if (!exists(spec)) {
      return 0L;
    }
    Dataset<Row> source = keys.select(keys(keyColumns)).where(keyed(keyColumns)).distinct();
    Stamp stamp = stamp(commitNote);
    Row counts = withCommitNote(stamp.note(), () -> DeltaTable.forPath(spark, lake.tablePath(spec)).as("t")
        .merge(source.as("s"), matching(keyColumns)).whenMatched().delete().execute()).first();
    commitOf(spec, stamp);
    return counts.getAs("num_deleted_rows");
  }

  /** The table property {@code key} ({@code DESCRIBE DETAIL}'s properties); empty when it is unset. */
  public Optional<String> property(TableSpec spec, String key) {
    Map<String, String> properties = DeltaTable.forPath(spark, lake.tablePath(spec)).detail()
        .select(col("properties")).first().getJavaMap(0);
    return Optional.ofNullable(properties.get(key));
  }

  /** Sets the table property {@code key} ({@code ALTER TABLE ... SET TBLPROPERTIES}, a commit of its own). */
  public void setProperty(TableSpec spec, String key, String value) {
    spark.sql("ALTER TABLE delta.`" + lake.tablePath(spec) + "` SET TBLPROPERTIES ('" + key + "' = '" + value + "')");
  }

  /** Delta's safety check that refuses a VACUUM retention below the table's (7 days by default). */
  private static final String RETENTION_CHECK = "spark.databricks.delta.retentionDurationCheck.enabled";
  /** Makes VACUUM record VACUUM START and VACUUM END commits, with the files it deleted. */
  private static final String VACUUM_LOGGING = "spark.databricks.delta.vacuum.logging.enabled";
  private static final Duration DELTA_DEFAULT_RETENTION = Duration.ofDays(7);

  /**
   * Physically removes the table's data files that no current row needs and that were removed from
   * it longer than {@code retention} ago (Delta's {@code VACUUM}). Where deletion vectors are
   * enabled, the files holding rows they mark as deleted are rewritten first ({@code REORG TABLE
   * ... APPLY (PURGE)}), so that VACUUM can remove the old ones. A retention below Delta's default
   * of 7 days turns Delta's check off for this VACUUM only: files removed since then are deleted
   * too, which a reader of an older version (time travel) or a writer that has not committed yet
   * may still need.
   *
   * @return files and directories VACUUM deleted, from its {@code VACUUM END} commit
   */
  public long vacuum(TableSpec spec, Duration retention) {
    return withVacuumSettings(retention, () -> vacuumTable(spec, retention));
  }

  /** Tables {@link #vacuumAll} vacuums at once. */
  private static final int VACUUM_THREADS = 4;

  /**
   * {@link #vacuum} of every table of {@code specs}, {@value #VACUUM_THREADS} at a time: a VACUUM
   * mostly lists its table's files and waits for the file system (an object store above all), and
   * tables are independent of each other. Delta's settings for the VACUUMs are set once, around all.
   *
   * @return files and directories the VACUUMs deleted, in all
   */
  public long vacuumAll(List<TableSpec> specs, Duration retention) {
    if (specs.isEmpty()) {
      return 0L;
    }
    return withVacuumSettings(retention, () -> {
      java.util.concurrent.ExecutorService pool =
          java.util.concurrent.Executors.newFixedThreadPool(Math.min(VACUUM_THREADS, specs.size()));
      try {
        List<java.util.concurrent.Future<Long>> removed = specs.stream()
            .map(spec -> pool.submit(() -> vacuumTable(spec, retention))).toList();
        long total = 0L;
        for (java.util.concurrent.Future<Long> table : removed) {
          total += table.get();
        }
        return total;
      } catch (java.util.concurrent.ExecutionException e) {
        throw e.getCause() instanceof RuntimeException cause ? cause
            : TarmoException.job("VACUUM failed: " + e.getCause().getMessage(), e.getCause());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw TarmoException.job("VACUUM interrupted", e);
      } finally {
        pool.shutdownNow();
      }
    });
  }

  /**
   * Runs {@code work} with VACUUM logging on and, for a retention below Delta's default of 7 days,
   * Delta's retention check off: session settings, so set once for VACUUMs that run at once.
   */
  private <T> T withVacuumSettings(Duration retention, java.util.function.Supplier<T> work) {
    Map<String, String> scoped = new HashMap<>();
    scoped.put(VACUUM_LOGGING, "true");
    if (retention.compareTo(DELTA_DEFAULT_RETENTION) < 0) {
      scoped.put(RETENTION_CHECK, "false");
    }
    return SessionSettings.with(spark, scoped, work);
  }

  private long vacuumTable(TableSpec spec, Duration retention) {
    if (!exists(spec)) {
      return 0L;
    }
    ensure(spec);
    String table = "delta.`" + lake.tablePath(spec) + "`";
    DeltaTable delta = DeltaTable.forPath(spark, lake.tablePath(spec));
    if (property(spec, "delta.enableDeletionVectors").filter("true"::equalsIgnoreCase).isPresent()) {
      spark.sql("REORG TABLE " + table + " APPLY (PURGE)");
    }
    // Delta prints "Deleted N files and directories ..." on standard output (Scala's Console), which is
    // Tarmo's summary channel; the count is read from the VACUUM END commit below instead.
    scala.Console$.MODULE$.withOut(OutputStream.nullOutputStream(),
        (scala.Function0<Dataset<Row>>) () -> delta.vacuum(retention.toMillis() / 3_600_000.0));
    return history(spec, RECENT_COMMITS).stream()
        .filter(entry -> entry.commit().operation().equals("VACUUM END"))
        .findFirst()
        .map(entry -> entry.commit().metric("numDeletedFiles"))
        .orElse(0L);
  }

  /**
   * The table's latest {@code limit} commits, newest first, with when each was made; none when the
   * table does not exist.
   */
  public List<TimedCommit> history(TableSpec spec, int limit) {
    if (!exists(spec)) {
      return List.of();
    }
    return DeltaTable.forPath(spark, lake.tablePath(spec)).history(limit)
        .select(col("version"), col("operation"), col("userMetadata"), col("operationMetrics"), col("timestamp"))
        .collectAsList().stream()
        .map(row -> new TimedCommit(row.getTimestamp(4).toInstant(), commit(row)))
        .toList();
  }

  /** A commit from the table's history and when it was made. */
  public record TimedCommit(Instant timestamp, Commit commit) {}

}
