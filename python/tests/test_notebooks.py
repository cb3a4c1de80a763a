"""The analysts' notebooks (notebooks/*.ipynb) run top to bottom with papermill against a demo lake, as
an analyst runs them, in a kernel of this venv; no cell may fail, and no output may quote an email or
phone number of the lake's customers. The executed copies go to python/target/notebooks/ to look at."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import nbformat
import papermill
import pytest

from lake_tables import local_spark, read
from tarmo_runtime import REPO, SHORT_JVM_OPTIONS

NOTEBOOKS = REPO / "notebooks"
EXECUTED = REPO / "python" / "target" / "notebooks"
KERNEL = "tarmo-venv"

sys.path.insert(0, str(NOTEBOOKS))
from tarmo_lake import PERSONAL_COLUMNS  # noqa: E402  (the notebooks' own module, beside them)


@pytest.fixture(scope="session")
def venv_kernel_path(tmp_path_factory) -> Path:
    """A Jupyter data folder whose one kernel runs this very interpreter: the kernelspec `python3` found
    first on a machine may belong to another Python, without pyspark or delta-spark."""
    folder = tmp_path_factory.mktemp("jupyter")
    spec = folder / "kernels" / KERNEL
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Tarmo (venv)", "language": "python"}))
    return folder


@pytest.fixture(scope="session")
def contact_values(demo_lake) -> set[str]:
    """Every email and phone of the lake's CRM customers: none of them may appear in an output."""
    rows = read(local_spark(), demo_lake, "crm_customers").select("email", "phone").collect()
    values = {value for row in rows for value in row if value}
    assert values, "the demo lake has no CRM emails or phones to look for"
    return values


def notebooks() -> list[Path]:
    return sorted(NOTEBOOKS.glob("*.ipynb"))


def output_texts(notebook: nbformat.NotebookNode) -> list[str]:
    """The text of every output: streams, tables (plain and HTML), errors; charts are images of counts."""
    texts = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            texts.append(output.get("text", ""))
            texts.extend(value for kind, value in output.get("data", {}).items() if kind.startswith("text/"))
            texts.extend(output.get("traceback", []))
    return texts


def test_there_are_notebooks_and_they_are_stored_without_outputs():
    assert [path.stem for path in notebooks()] == ["consent", "identity", "profiles", "segments"]
    for path in notebooks():
        notebook = nbformat.read(path, as_version=4)
        assert all(not cell.get("outputs") and cell.get("execution_count") is None
                   for cell in notebook.cells if cell.cell_type == "code"), f"{path.name} holds outputs"
        tagged = [cell for cell in notebook.cells if "parameters" in cell.get("metadata", {}).get("tags", [])]
        assert len(tagged) == 1 and tagged[0].source.startswith('lake = "../lake"'), path.name


def test_notebooks_drop_exactly_the_personal_columns_the_catalogue_declares():
    catalogue = local_spark()._jvm.io.tarmo.lake.Tables
    for table, personal in PERSONAL_COLUMNS.items():
        declared = set(catalogue.byName(table).get().personalColumns())
        assert personal == declared, f"{table}: notebooks drop {sorted(personal)}, Tables declares {sorted(declared)}"


@pytest.mark.parametrize("notebook", notebooks(), ids=lambda path: path.stem)
def test_notebook_runs_on_the_demo_lake_and_shows_no_contact_data(notebook, demo_lake, contact_values,
                                                                   venv_kernel_path, monkeypatch):
    monkeypatch.setenv("JUPYTER_PATH", str(venv_kernel_path))
    # The kernel's Spark JVM (started through spark-submit) runs a few queries: C1 only (the four took
    # 116 s against 145 s, 2026-12-07).
    monkeypatch.setenv("SPARK_SUBMIT_OPTS", SHORT_JVM_OPTIONS)
    EXECUTED.mkdir(parents=True, exist_ok=True)
    executed = EXECUTED / notebook.name
    # A failing cell raises PapermillExecutionError naming the cell and its error.
    papermill.execute_notebook(str(notebook), str(executed), parameters={"lake": str(demo_lake)},
                               kernel_name=KERNEL, cwd=str(NOTEBOOKS), progress_bar=False)

    texts = output_texts(nbformat.read(executed, as_version=4))
    leaked = sum(1 for value in contact_values if any(value in text for text in texts))
    # The count only: a failure message must not print the values it found.
    assert leaked == 0, f"{executed.name}: {leaked} CRM emails or phones appear in the outputs"
    assert any("image/png" in output.get("data", {})
               for cell in nbformat.read(executed, as_version=4).cells for output in cell.get("outputs", [])), \
        f"{executed.name} drew no chart"
