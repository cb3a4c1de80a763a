"""What every Tarmo notebook starts with: a local Spark session with the jobs' Delta, and the lake's
tables read without their personal columns, so that no email, phone, name or address reaches a
notebook's output (analysts work with customer_key and counts)."""
from __future__ import annotations

import os
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from delta import configure_spark_with_delta_pip
from pyspark.sql import DataFrame, SparkSession

NOTEBOOKS = Path(__file__).resolve().parent

# The tables the notebooks read, each with its personal columns as io.tarmo.lake.Tables declares them
# (python/tests/test_notebooks.py checks this against the catalogue). Tables not listed here (events'
# raw JSON, crm_customers, consent_events, quarantine, ...) hold personal data in most columns and are
# not for notebooks.
PERSONAL_COLUMNS: dict[str, frozenset[str]] = {
    "segment_sizes": frozenset(),
    "segment_membership": frozenset(),
    "segment_changes": frozenset(),
    "customer_profiles": frozenset({
        "customer_id", "email", "phone", "first_name", "last_name", "birth_date", "street", "postal_code",
        "city", "country", "loyalty_card_id", "push_device_id"}),
    "events": frozenset({
        "anonymous_id", "user_id", "previous_id", "email", "phone", "traits", "properties", "page_url",
        "page_referrer", "ip", "user_agent"}),
    "consent_state": frozenset(),
    "activation": frozenset({"address"}),
    "activation_exclusions": frozenset(),
    "identity_map": frozenset({"identifier_value"}),
    "identity_merges": frozenset(),
    "identity_decisions": frozenset({"identifier_value"}),
    "identity_stats": frozenset(),
    "job_runs": frozenset(),
}


def start_spark(app_name: str) -> SparkSession:
    """A local session with delta-spark fetched from Maven Central by Ivy (the version pip installed,
    built for this PySpark), quiet enough for a notebook."""
    # Spark binds to the address the host name resolves to; a laptop on a VPN makes that unreachable.
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    builder = (SparkSession.builder.master("local[*]").appName(app_name)
               .config("spark.sql.extensions", "io.delta.sql.DeltaSparkSessionExtension")
               .config("spark.sql.catalog.spark_catalog", "org.apache.spark.sql.delta.catalog.DeltaCatalog")
               .config("spark.jars.ivySettings", str(NOTEBOOKS / "ivysettings.xml"))
               # The lake's timestamps are UTC and its days are UTC days.
               .config("spark.sql.session.timeZone", "UTC")
               # Demo-sized tables: Spark's 200 shuffle partitions would be 200 tiny tasks per join.
               .config("spark.sql.shuffle.partitions", "4")
               .config("spark.ui.showConsoleProgress", "false"))
    spark = configure_spark_with_delta_pip(builder).getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def table_path(lake: str, name: str) -> str:
    """`<lake>/tables/<name>`; a lake without a scheme is a local folder, relative to the notebook."""
    if "://" in lake or lake.startswith("file:"):
        return f"{lake.rstrip('/')}/tables/{name}"
    return str(Path(lake).resolve() / "tables" / name)


def read_table(spark: SparkSession, lake: str, name: str) -> DataFrame:
    """The table's current version without its personal columns."""
    if name not in PERSONAL_COLUMNS:
        raise ValueError(f"Cannot read {name} in a notebook: it is not an analyst table "
                         f"(these are: {', '.join(sorted(PERSONAL_COLUMNS))})")
    frame = spark.read.format("delta").load(table_path(lake, name))
    return frame.drop(*PERSONAL_COLUMNS[name])


def register_views(spark: SparkSession, lake: str, *names: str) -> None:
    """Each table as a temporary view by its name, as `bin/tarmo sql` sees them, for Spark SQL."""
    for name in names:
        read_table(spark, lake, name).createOrReplaceTempView(name)


def nothing_to_show(frame: pd.DataFrame, what: str) -> bool:
    """True, after saying so, when a frame has no rows to chart (a young lake, a quiet day)."""
    if frame.empty:
        print(f"No {what} in this lake yet.")
        return True
    return False


def draw_heatmap(frame: pd.DataFrame, title: str, number_format: str = "{:.0f}") -> None:
    """A grid of numbers (rows × columns of `frame`) as shades, each cell labelled with its value."""
    values = frame.to_numpy(dtype=float)
    figure, axes = plt.subplots(figsize=(1.1 * len(frame.columns) + 4, 0.5 * len(frame.index) + 2))
    image = axes.imshow(values, cmap="Blues", aspect="auto")
    axes.set_xticks(range(len(frame.columns)), labels=[str(c) for c in frame.columns], rotation=40, ha="right")
    axes.set_yticks(range(len(frame.index)), labels=[str(i) for i in frame.index])
    axes.set_xlabel(frame.columns.name or "")
    axes.set_ylabel(frame.index.name or "")
    for (row, column), value in np.ndenumerate(values):
        axes.text(column, row, number_format.format(value), ha="center", va="center", fontsize=8)
    axes.set_title(title)
    figure.colorbar(image, ax=axes)
    plt.show()
