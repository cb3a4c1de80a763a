"""Tarmo's DAGs in real Airflow 3: they import, the night's tasks are `tarmo nightly`'s steps in its
order, and `dag.test()` runs one business day with the real SparkSubmitOperator (each task a
`spark-submit` of the cluster jar, through the connection the DAGs name), after which the lake holds
that day's tables. A day whose day before was not processed fails at its first task and writes
nothing. The connection points at a `local[2]` master: this test is about the DAGs; the same jar on a
standalone cluster is test_cluster.py's."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path

import pytest

from tarmo_runtime import REPO, SHORT_JVM_OPTIONS, SPARK_HOME, submit, tarmo_jar

pytestmark = pytest.mark.airflow

DAGS = REPO / "airflow" / "dags"
HOME = Path(tempfile.mkdtemp(prefix="tarmo-airflow-"))
LAKE = HOME / "lake"

# Airflow reads its configuration when it is first imported: everything is set before that.
os.environ.update(
    AIRFLOW_HOME=str(HOME),
    AIRFLOW__CORE__DAGS_FOLDER=str(DAGS),
    AIRFLOW__CORE__LOAD_EXAMPLES="False",
    AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=f"sqlite:///{HOME / 'airflow.db'}",
    AIRFLOW__TARMO__JAR=str(tarmo_jar()),
    AIRFLOW__TARMO__LAKE=str(LAKE),
    AIRFLOW__TARMO__CONFIG=str(HOME / "tarmo.conf"),
    AIRFLOW__TARMO__ALERT_EMAIL="compliance@tarmo.invalid",
    AIRFLOW__TARMO__START_DATE="2026-11-01",
    # A failed step fails the test at once instead of waiting for its retries.
    AIRFLOW__TARMO__RETRIES="0",
    # Every task's spark-submit gets these settings (the operator's `conf`). Each task is one step in a
    # cold JVM: C1 only (the test took about 210 s against 250 s, 2026-12-07).
    AIRFLOW__TARMO__SPARK_CONF=json.dumps({
        "spark.driver.memory": "1g",
        "spark.driver.extraJavaOptions": f"-Dlog4j2.configurationFile=jar:{tarmo_jar().as_uri()}!/log4j2.properties"
                                         f" {SHORT_JVM_OPTIONS}",
    }),
    SPARK_HOME=str(SPARK_HOME),
    SPARK_LOCAL_IP="127.0.0.1",
    PATH=f"{SPARK_HOME / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}",
)
(HOME / "tarmo.conf").write_text('tarmo.spark.shuffle-partitions = 4\ntarmo.segments.file = "%s"\n'
                                 % (REPO / "conf" / "segments.conf"))
subprocess.run([str(Path(sys.executable).parent / "airflow"), "db", "migrate"], check=True, capture_output=True)

from airflow.models.dagbag import BundleDagBag, DagBag  # noqa: E402  (after the configuration above)
from airflow.utils.state import DagRunState, TaskInstanceState  # noqa: E402

from conftest import FIRST_DAY  # noqa: E402
from lake_tables import local_spark, read, run_in_process  # noqa: E402


@pytest.fixture(scope="module")
def dagbag() -> DagBag:
    """The DAG folder as Airflow 3's DAG processor reads a bundle: the folder is on sys.path, so the DAGs
    import their shared module tarmo_tasks."""
    return BundleDagBag(dag_folder=str(DAGS), bundle_path=DAGS)


def test_every_dag_imports_without_errors(dagbag):
    assert dagbag.import_errors == {}
    assert sorted(dagbag.dag_ids) == ["tarmo_erasure", "tarmo_nightly", "tarmo_retention"]


def nightly_steps_of_the_jar() -> list[str]:
    """The steps `nightly --help` of the cluster jar lists for --from: the order Tarmo runs them in."""
    help_text = submit("local[1]", "nightly", "--help").check().out
    listed = re.search(r"--from=STEP\s+Start at this step \(([^;)]*)", help_text, re.S)
    assert listed, help_text
    return [step.strip() for step in re.sub(r"\s+", " ", listed.group(1)).split(",")]


def test_the_night_is_tarmo_nightlys_steps_in_its_order(dagbag):
    dag = dagbag.get_dag("tarmo_nightly")
    order = [task.task_id for task in dag.topological_sort()]
    assert order == nightly_steps_of_the_jar()
    for earlier, later in zip(order, order[1:]):
        assert dag.get_task(earlier).downstream_task_ids == {later}
    for task in dag.tasks:
        assert task.application_args[:3] == [task.task_id, "--date", "{{ ds }}"]
        assert ("--in-order" in task.application_args) == (task.task_id == "ingest")
        assert task._java_class == "io.tarmo.cli.Main"


def test_the_night_runs_one_day_at_a_time_in_order_with_a_deadline(dagbag):
    dag = dagbag.get_dag("tarmo_nightly")
    assert dag.max_active_runs == 1
    assert dag.catchup is True
    assert all(task.depends_on_past for task in dag.tasks)
    assert all(task.execution_timeout is not None for task in dag.tasks)
    assert [deadline.interval.total_seconds() for deadline in dag.deadline] == [30 * 3600]
    erasure = dagbag.get_dag("tarmo_erasure")
    assert [task.task_id for task in erasure.topological_sort()] == ["erase", "check_deadlines"]
    assert erasure.get_task("check_deadlines").trigger_rule == "all_done"
    assert dagbag.get_dag("tarmo_retention").get_task("retention").application_args[:3] == [
        "retention", "--date", "{{ ds }}"]


def day(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


def states(run) -> dict[str, str]:
    return {ti.task_id: ti.state for ti in run.get_task_instances()}


def test_dag_test_runs_a_business_day_then_refuses_a_day_out_of_order(dagbag, landing):
    # Each task is an application of its own in a cold JVM: local[2] runs it in one JVM where a
    # standalone cluster adds a cold executor JVM per task (test_cluster.py covers the cluster).
    os.environ["AIRFLOW_CONN_TARMO_SPARK"] = json.dumps({"conn_type": "spark", "host": "local[2]"})
    shutil.rmtree(LAKE, ignore_errors=True)
    shutil.copytree(landing / "landing", LAKE / "landing")
    # Airflow 3.1.8's dag.test() cannot finish a run of a DAG with a deadline: DagRun.update_state prunes
    # the deadline against an end_date it has not loaded yet (None <= datetime). The scheduler's path is
    # not affected; the deadline itself is checked above, and this run goes without it.
    os.environ["AIRFLOW__TARMO__NIGHTLY_DEADLINE_HOURS"] = "0"
    dag = BundleDagBag(dag_folder=str(DAGS), bundle_path=DAGS).get_dag("tarmo_nightly")
    assert dag.deadline is None

    run = dag.test(logical_date=day(FIRST_DAY))

    assert states(run) == {step: TaskInstanceState.SUCCESS for step in nightly_steps_of_the_jar()}
    assert run.state == DagRunState.SUCCESS
    spark = local_spark()
    runs = {(r["command"], str(r["business_date"]), r["status"]) for r in read(spark, LAKE, "job_runs").collect()}
    assert runs == {(step, FIRST_DAY, "SUCCEEDED") for step in nightly_steps_of_the_jar()}
    assert read(spark, LAKE, "events").where(f"event_date = '{FIRST_DAY}'").count() > 0
    assert read(spark, LAKE, "segment_membership").where(f"as_of_date = '{FIRST_DAY}'").count() > 0
    assert read(spark, LAKE, "consent_state").count() > 0
    # The day's audiences were decided (on a first day of 200 customers, possibly nobody is contactable yet).
    decided = read(spark, LAKE, "activation").where(f"as_of_date = '{FIRST_DAY}'").count() + read(
        spark, LAKE, "activation_exclusions").where(f"as_of_date = '{FIRST_DAY}'").count()
    assert decided > 0
    assert (LAKE / "exports" / f"dt={FIRST_DAY}" / "_manifest.json").is_file()

    # Two days later, with the day between never processed: the first task refuses it.
    out_of_order = dag.test(logical_date=day("2026-11-29"))
    assert out_of_order.state == DagRunState.FAILED
    assert states(out_of_order)["ingest"] == TaskInstanceState.FAILED
    assert {state for task, state in states(out_of_order).items() if task != "ingest"} == {
        TaskInstanceState.UPSTREAM_FAILED}
    assert read(spark, LAKE, "job_runs").where("business_date = '2026-11-29'").count() == 0
    refused = run_in_process(spark, "ingest", "--in-order", "--date", "2026-11-29", "--lake", str(LAKE))
    assert refused.returncode == 2
    assert "ingest 2026-11-29 refused (--in-order): the day before, 2026-11-28, was not processed" in refused.err
