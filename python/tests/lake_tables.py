"""Reads a Tarmo lake's Delta tables from Python with a local Spark whose Delta is the one inside the
cluster jar, and compares two lakes table by table: same schema, same rows (as multisets)."""
from __future__ import annotations

import os
from pathlib import Path

from pyspark.sql import DataFrame, SparkSession, functions as F
from pyspark.sql.types import MapType

from tarmo_runtime import PSEUDONYM_KEY, Submitted, tarmo_jar

# Columns whose values are the clock or the run, not the data: two runs of the same input differ there.
RUN_COLUMNS = {
    "job_runs": None,  # compared on (command, business_date, status) only
    "identity_merges": {"merged_at"},
    "erasure_log": {"started_at", "completed_at", "duration_ms", "run_id"},
    "suppression_list": {"suppressed_at"},
}
JOB_RUN_COLUMNS = ["command", "business_date", "status"]


def local_spark() -> SparkSession:
    """The tests' own local Spark (started once, in a JVM of this process): it reads the lakes, and
    runs Tarmo commands in process (`run_in_process`), where Tarmo borrows it. That JVM reads Tarmo's
    pseudonym key from the environment it starts with."""
    os.environ.setdefault("TARMO_PSEUDONYM_KEY", PSEUDONYM_KEY)
    return (SparkSession.builder.master("local[2]").appName("tarmo-tests")
            .config("spark.driver.memory", "2g")
            .config("spark.jars", str(tarmo_jar()))
            .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
            .config("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog")
            .config("spark.sql.session.timeZone", "UTC")
            .config("spark.sql.shuffle.partitions", "2")
            .config("spark.databricks.delta.snapshotPartitions", "2")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .getOrCreate())


def run_in_process(spark: SparkSession, *tarmo_args: str) -> Submitted:
    """A Tarmo command in the JVM of `spark` (io.tarmo.cli.Main, as spark-submit runs it), which it
    borrows: local mode in a warm JVM, without the cost of starting one per command."""
    jvm = spark.sparkContext._jvm
    args = spark.sparkContext._gateway.new_array(jvm.java.lang.String, len(tarmo_args))
    for i, arg in enumerate(tarmo_args):
        args[i] = arg
    out, err = jvm.java.io.StringWriter(), jvm.java.io.StringWriter()
    code = jvm.io.tarmo.cli.Main.commandLine(jvm.java.io.PrintWriter(out, True),
                                             jvm.java.io.PrintWriter(err, True)).execute(args)
    return Submitted(list(tarmo_args), code, out.toString(), err.toString())


def table_names(lake: Path) -> list[str]:
    return sorted(p.name for p in (lake / "tables").iterdir() if (p / "_delta_log").is_dir())


def read(spark: SparkSession, lake: Path, table: str) -> DataFrame:
    return spark.read.format("delta").load(str(lake / "tables" / table))


def comparable(spark: SparkSession, lake: Path, table: str) -> DataFrame:
    frame = read(spark, lake, table)
    if table == "job_runs":
        return frame.select(*JOB_RUN_COLUMNS)
    if table == "quarantine" and "file" in frame.columns:
        # The quarantined line's file, relative to its lake.
        frame = frame.withColumn("file", F.regexp_extract("file", "landing/.*$", 0))
    frame = frame.drop(*RUN_COLUMNS.get(table, set()))
    # Set operations refuse maps: a map compares as its entries, sorted.
    return frame.select(*[F.array_sort(F.map_entries(field.name)).alias(field.name)
                          if isinstance(field.dataType, MapType) else F.col(field.name) for field in frame.schema])


def differences(spark: SparkSession, left: Path, right: Path) -> dict[str, str]:
    """Every table that differs between two lakes, with what differs; empty when they are equal."""
    found: dict[str, str] = {}
    names = table_names(left)
    if names != table_names(right):
        found["<tables>"] = f"{names} != {table_names(right)}"
    for table in names:
        a, b = comparable(spark, left, table), comparable(spark, right, table)
        if a.schema != b.schema:
            found[table] = f"schema {a.schema.simpleString()} != {b.schema.simpleString()}"
            continue
        only_left, only_right = a.exceptAll(b).count(), b.exceptAll(a).count()
        if only_left or only_right:
            found[table] = f"{only_left} rows only in {left}, {only_right} only in {right}"
    return found
