"""Tarmo's night as an Airflow DAG: one task per step of `tarmo nightly`, in its order, each a
spark-submit of the cluster jar for the business day `{{ ds }}`.

- One task per step: a failed step is retried alone, and the graph shows which one failed.
- The business day is the run's logical date: the daily run for day D starts once D has ended.
- Days run one at a time and in date order (max_active_runs=1, depends_on_past): a day's identity
  builds on the day before's graph. Catch-up is on: after a pause, the missed days run in order,
  oldest first. `ingest --in-order` refuses a day whose day before the lake has not processed (a
  manual trigger, a cleared run), so a day is never processed out of order.
- A deadline alert (Airflow 3's DeadlineAlert; the `sla` argument is gone) mails [tarmo] alert_email
  when a night has not finished [tarmo] nightly_deadline_hours after its business day began.
Settings: tarmo_tasks.py and README ("For data engineers", step 4).
"""
from __future__ import annotations

from datetime import timedelta

from airflow.providers.smtp.notifications.smtp import SmtpNotifier
from airflow.sdk.definitions.deadline import AsyncCallback, DeadlineAlert, DeadlineReference

from tarmo_tasks import NIGHTLY_STEPS, alert_kwargs, setting, tarmo_dag, tarmo_task

DEADLINE_HOURS = float(setting("nightly_deadline_hours", "30"))


def deadline_alert() -> DeadlineAlert | None:
    """A mail when the night has not finished DEADLINE_HOURS after its business day began; 0 turns it off."""
    if DEADLINE_HOURS <= 0:
        return None
    return DeadlineAlert(
        reference=DeadlineReference.DAGRUN_LOGICAL_DATE,
        interval=timedelta(hours=DEADLINE_HOURS),
        callback=AsyncCallback(SmtpNotifier, kwargs=alert_kwargs(
            "Tarmo: a night missed its deadline", "A tarmo_nightly run has not finished in time; see its task logs.")),
    )


with tarmo_dag(
    "tarmo_nightly",
    "Tarmo's night: ingest, identity, consent, profiles, segments, activate for {{ ds }}",
    "@daily",
    catchup=True,
    args={"depends_on_past": True},
    dagrun_timeout=timedelta(hours=max(DEADLINE_HOURS, 30) + 18),
    deadline=deadline_alert(),
) as dag:
    previous = None
    for step in NIGHTLY_STEPS:
        extra = ["--in-order"] if step == "ingest" else []
        task = tarmo_task(step, step, "--date", "{{ ds }}", *extra)
        if previous is not None:
            previous >> task
        previous = task
