"""What Tarmo's DAGs share: their settings, read from Airflow's configuration (section [tarmo], or
AIRFLOW__TARMO__<KEY> environment variables), and the one way they run a Tarmo command on Spark.

Nothing here is a DAG; .airflowignore keeps the scheduler from parsing it as one.

Settings ([tarmo] in airflow.cfg, or AIRFLOW__TARMO__<KEY>):
  jar                 required: tarmo-jobs-<version>-spark.jar, a path or URI spark-submit can read
  lake                required: the lake root (s3a://bucket/prefix, or a path every Spark node sees)
  config              a Tarmo HOCON file passed as --config (e.g. conf/cluster.conf); none by default
  alert_email         required: who is told of a missed deadline or an erasure request near its deadline
  start_date          the first business day to process (YYYY-MM-DD); default 2026-01-01
  spark_conn_id       the Spark connection spark-submit goes to; default tarmo_spark
  smtp_conn_id        the SMTP connection alerts go through; default smtp_default
  pool                the Airflow pool every task that writes the lake runs in; default default_pool
                      (create a pool of 1 slot, e.g. tarmo_lake, so that erasure never runs during a night)
  spark_conf          JSON object of extra Spark settings for every command; default {}
  retries             retries of a failed step; default 2
  retry_delay_minutes default 10
  step_timeout_hours  a step that runs longer fails (and is retried); default 4
  nightly_deadline_hours  the night must have finished this many hours after the business day began
                      (its logical date); default 30, i.e. 06:00 UTC the day after; 0 turns the alert off
  erasure_alert_days  alert when a request not yet COMPLETED is due within this many days; default 7
"""
from __future__ import annotations

import json
from datetime import timedelta

import pendulum
from airflow.configuration import conf
from airflow.exceptions import AirflowConfigException
from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator
from airflow.providers.smtp.notifications.smtp import SmtpNotifier
from airflow.sdk import DAG

SECTION = "tarmo"
MAIN_CLASS = "io.tarmo.cli.Main"
# `tarmo nightly`'s steps, in its order: each needs what the ones before it wrote.
NIGHTLY_STEPS = ("ingest", "identity", "consent", "profiles", "segments", "activate")


def setting(key: str, fallback: str | None = None) -> str:
    value = conf.get(SECTION, key, fallback=fallback)
    if value is None or str(value).strip() == "":
        raise AirflowConfigException(
            f"Tarmo's DAGs need [{SECTION}] {key} in Airflow's configuration (or AIRFLOW__TARMO__{key.upper()})")
    return str(value).strip()


def start_date() -> pendulum.DateTime:
    return pendulum.parse(setting("start_date", "2026-01-01"), tz="UTC")


def default_args() -> dict:
    """Retries and timeouts of every Tarmo task: a failed step is retried alone, a hung one is stopped."""
    return {
        "owner": "tarmo",
        "retries": int(setting("retries", "2")),
        "retry_delay": timedelta(minutes=float(setting("retry_delay_minutes", "10"))),
        "execution_timeout": timedelta(hours=float(setting("step_timeout_hours", "4"))),
        "pool": setting("pool", "default_pool"),
    }


def tarmo_dag(dag_id: str, description: str, schedule: str, *, catchup: bool = False, tags: tuple = (),
              args: dict | None = None, **kwargs) -> DAG:
    """A Tarmo DAG: from [tarmo] start_date, one run at a time (every task writes the lake), Tarmo's
    retries and timeouts (`args` adds to them)."""
    return DAG(dag_id=dag_id, description=description, schedule=schedule, start_date=start_date(),
               catchup=catchup, max_active_runs=1, default_args={**default_args(), **(args or {})},
               tags=["tarmo", *tags], **kwargs)


def alert_kwargs(subject: str, text: str) -> dict:
    """A mail to [tarmo] alert_email through [tarmo] smtp_conn_id: names and dates only, never data."""
    return {"to": setting("alert_email"), "subject": subject, "html_content": text,
            "smtp_conn_id": setting("smtp_conn_id", "smtp_default")}


def alert(subject: str, text: str) -> SmtpNotifier:
    return SmtpNotifier(**alert_kwargs(subject, text))


def tarmo_task(task_id: str, *command: str, **kwargs) -> SparkSubmitOperator:
    """`spark-submit --class io.tarmo.cli.Main <jar> <command> --lake <lake> [--config <file>]` on the
    configured Spark connection; Tarmo's exit code decides the task's state (2 and 3 are not retried
    into success: they fail again the same way, and say why in the task's log)."""
    args = [*command, "--lake", setting("lake")]
    config = conf.get(SECTION, "config", fallback="")
    if config:
        args += ["--config", config]
    return SparkSubmitOperator(
        task_id=task_id,
        application=setting("jar"),
        java_class=MAIN_CLASS,
        application_args=args,
        conn_id=setting("spark_conn_id", "tarmo_spark"),
        conf=json.loads(setting("spark_conf", "{}")),
        name=f"tarmo-{task_id}",
        **kwargs,
    )
