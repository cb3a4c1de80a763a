"""The analyst-facing tables are open: delta-rs (the `deltalake` package, an engine other than Spark)
reads each of them and gets what Spark gets — the same columns with the same types, the same rows. It
reads through its DataFusion QueryBuilder, the path that also handles deletion vectors and column
mapping (README, "Reading the tables from other engines"). customer_profiles keeps its personal
columns in the same table, so both engines select only its other columns."""
from __future__ import annotations

from datetime import datetime, timezone

import pyarrow as pa
import pytest
from deltalake import DeltaTable, QueryBuilder
from pyspark.sql import types as T

from lake_tables import local_spark, read

OPEN_TABLES = ["segment_membership", "segment_sizes", "customer_profiles", "consent_state", "job_runs"]

# Arrow's primitive types as Spark names them; the nested, decimal and timestamp types follow below.
PRIMITIVES = {
    pa.string(): T.StringType(), pa.large_string(): T.StringType(), pa.string_view(): T.StringType(),
    pa.bool_(): T.BooleanType(), pa.int8(): T.ByteType(), pa.int16(): T.ShortType(), pa.int32(): T.IntegerType(),
    pa.int64(): T.LongType(), pa.float32(): T.FloatType(), pa.float64(): T.DoubleType(), pa.date32(): T.DateType(),
    pa.binary(): T.BinaryType(), pa.large_binary(): T.BinaryType(), pa.binary_view(): T.BinaryType(),
}


def spark_type(arrow: pa.DataType) -> T.DataType:
    """The Spark type of an Arrow type as delta-rs returns it."""
    if arrow in PRIMITIVES:
        return PRIMITIVES[arrow]
    if pa.types.is_timestamp(arrow):
        # Delta's timestamp is an instant (UTC); timestamp_ntz a wall-clock time without a zone.
        return T.TimestampType() if arrow.tz in ("UTC", "+00:00") else T.TimestampNTZType()
    if pa.types.is_decimal(arrow):
        return T.DecimalType(arrow.precision, arrow.scale)
    if pa.types.is_list(arrow) or pa.types.is_large_list(arrow) or pa.types.is_list_view(arrow):
        return T.ArrayType(spark_type(arrow.value_type), arrow.value_field.nullable)
    if pa.types.is_map(arrow):
        return T.MapType(spark_type(arrow.key_type), spark_type(arrow.item_type), arrow.item_field.nullable)
    if pa.types.is_struct(arrow):
        return T.StructType([T.StructField(field.name, spark_type(field.type), field.nullable) for field in arrow])
    raise AssertionError(f"no Spark type for the Arrow type {arrow}")


def without_metadata(data_type: T.DataType) -> T.DataType:
    """Spark's type with the column comments of nested fields left out: Arrow carries no comments."""
    if isinstance(data_type, T.StructType):
        return T.StructType([T.StructField(f.name, without_metadata(f.dataType), f.nullable) for f in data_type])
    return data_type


def comparable(value):
    """One value as both engines' rows can be compared: instants as aware UTC datetimes."""
    if isinstance(value, datetime):
        # PySpark gives naive local times, pyarrow aware UTC ones: the same instant either way.
        return value.astimezone(timezone.utc)
    return value


def delta_rs_rows(table: pa.Table) -> list[tuple]:
    """pyarrow gives a map as a list of (key, value) pairs; PySpark, as Spark SQL, as a dict."""
    maps = {field.name for field in table.schema if pa.types.is_map(field.type)}
    return [tuple(comparable(dict(row[name]) if name in maps and row[name] is not None else row[name])
                  for name in table.column_names) for row in table.to_pylist()]


def analyst_columns(spark, lake, table: str) -> list[str]:
    """The table's columns, minus those io.tarmo.lake.Tables declares personal."""
    personal = set(spark._jvm.io.tarmo.lake.Tables.byName(table).get().personalColumns())
    return [name for name in read(spark, lake, table).columns if name not in personal]


def read_with_delta_rs(lake, table: str, columns: list[str]) -> pa.Table:
    listed = ", ".join(f'"{name}"' for name in columns)
    delta = DeltaTable(str(lake / "tables" / table))
    return pa.table(QueryBuilder().register(table, delta).execute(f"select {listed} from {table}"))


def test_customer_profiles_is_read_without_its_personal_columns(demo_lake):
    columns = analyst_columns(local_spark(), demo_lake, "customer_profiles")
    assert "customer_key" in columns and "rfm_cell" in columns
    assert not {"customer_id", "email", "phone", "first_name", "last_name", "street"} & set(columns)


@pytest.mark.parametrize("table", OPEN_TABLES)
def test_delta_rs_reads_the_same_schema_and_rows_as_spark(table, demo_lake):
    spark = local_spark()
    columns = analyst_columns(spark, demo_lake, table)
    by_delta_rs = read_with_delta_rs(demo_lake, table, columns)
    by_spark = read(spark, demo_lake, table).select(*columns)

    assert by_delta_rs.column_names == columns
    assert {field.name: spark_type(field.type) for field in by_delta_rs.schema} == \
        {field.name: without_metadata(field.dataType) for field in by_spark.schema.fields}

    spark_rows = [tuple(comparable(row[name]) for name in columns) for row in by_spark.collect()]
    assert spark_rows, f"{table} is empty in the demo lake: nothing was compared"
    # Sorted by their text: rows hold None and dicts, which do not order among themselves.
    assert sorted(delta_rs_rows(by_delta_rs), key=repr) == sorted(spark_rows, key=repr)


@pytest.mark.parametrize("table", OPEN_TABLES)
def test_open_tables_need_no_reader_feature(table, demo_lake):
    """Reader version 1: no deletion vectors, column mapping, v2 checkpoints or type widening, which lock
    out delta-rs's pyarrow path or (type widening) delta-rs altogether (docs/other-engines.md)."""
    protocol = DeltaTable(str(demo_lake / "tables" / table)).protocol()
    assert protocol.min_reader_version == 1 and not protocol.reader_features, f"{table}: {protocol}"


# Delta features Tarmo could turn on, each as a tiny table: its columns, properties and what makes the
# feature take effect. What delta-rs makes of them is docs/other-engines.md's table.
FEATURES = {
    "deletion_vectors": ("id bigint, name string", "'delta.enableDeletionVectors' = 'true'",
                         ["insert into {t} values (1, 'a'), (2, 'b'), (3, 'c')", "delete from {t} where id = 2"]),
    "column_mapping": ("id bigint, name string", "'delta.columnMapping.mode' = 'name'",
                       ["insert into {t} values (1, 'a'), (2, 'b')", "alter table {t} rename column name to label"]),
    "v2_checkpoint": ("id bigint, name string", "'delta.checkpointPolicy' = 'v2', 'delta.checkpointInterval' = '2'",
                      ["insert into {t} values (1, 'a')", "insert into {t} values (2, 'b')"]),
    "timestamp_ntz": ("id bigint, seen timestamp_ntz", "'delta.feature.timestampNtz' = 'supported'",
                      ["insert into {t} values (1, timestamp_ntz'2026-01-01 10:00:00'), (2, null)"]),
    "type_widening": ("id int, name string", "'delta.enableTypeWidening' = 'true'",
                      ["insert into {t} values (1, 'a')", "alter table {t} change column id type bigint"]),
}


def outcome(read_rows, expected: list[tuple]) -> str:
    try:
        rows = sorted((tuple(row.values()) for row in read_rows()), key=repr)
    except Exception:  # delta-rs refuses with its own exception types, which differ by path
        return "refuses"
    return "reads" if rows == expected else "misreads"


@pytest.mark.parametrize("feature, query_builder, pyarrow_path", [
    ("deletion_vectors", "reads", "refuses"),
    ("column_mapping", "reads", "misreads"),
    ("v2_checkpoint", "reads", "refuses"),
    ("timestamp_ntz", "reads", "reads"),
    ("type_widening", "refuses", "refuses"),
])
def test_which_delta_features_delta_rs_reads(feature, query_builder, pyarrow_path, tmp_path):
    spark = local_spark()
    columns, properties, statements = FEATURES[feature]
    path = str(tmp_path / feature)
    spark.sql(f"create table delta.`{path}` ({columns}) using delta tblproperties ({properties})")
    for statement in statements:
        spark.sql(statement.format(t=f"delta.`{path}`"))
    expected = sorted((tuple(row) for row in spark.read.format("delta").load(path).collect()), key=repr)

    def by_query_builder():
        return pa.table(QueryBuilder().register("t", DeltaTable(path)).execute("select * from t")).to_pylist()

    def by_pyarrow():
        return DeltaTable(path).to_pyarrow_table().to_pylist()

    assert (outcome(by_query_builder, expected), outcome(by_pyarrow, expected)) == (query_builder, pyarrow_path)
