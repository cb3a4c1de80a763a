"""Tarmo's privacy DAGs.

tarmo_erasure (daily): runs every pending erasure request (`tarmo erase`: the files in the lake's
landing/erasure/), then checks the deadlines (`tarmo erase --check-deadlines N`): a request not
COMPLETED within [tarmo] erasure_alert_days of its 30-day legal deadline fails that task, and the
failure mails [tarmo] alert_email. The check runs even when the batch failed.

tarmo_retention (weekly): applies every table's and landing folder's retention period as of the
run's business day (`tarmo retention --date {{ ds }}`), then vacuums.

Both write the lake: give every Tarmo task one pool of one slot ([tarmo] pool) so that they never
run during a night. TARMO_PSEUDONYM_KEY must be in the workers' environment (a secret: never in
the DAG or its configuration).
"""
from __future__ import annotations

from airflow.sdk import TriggerRule

from tarmo_tasks import alert, setting, tarmo_dag, tarmo_task

with tarmo_dag(
    "tarmo_erasure",
    "Pending GDPR erasure requests, and an alert for those near their deadline",
    "@daily",
    tags=("gdpr",),
) as erasure:
    erase = tarmo_task("erase", "erase")
    deadlines = tarmo_task(
        "check_deadlines", "erase", "--check-deadlines", setting("erasure_alert_days", "7"),
        trigger_rule=TriggerRule.ALL_DONE,
        retries=0,
        on_failure_callback=alert(
            "Tarmo: erasure requests near their legal deadline",
            "Erasure requests are not COMPLETED and their 30-day deadline is near or past: see the task log of "
            "check_deadlines and the erasure_log table."),
    )
    erase >> deadlines

with tarmo_dag("tarmo_retention", "Retention deletes and vacuum, weekly", "@weekly", tags=("gdpr",)) as retention:
    tarmo_task("retention", "retention", "--date", "{{ ds }}")
