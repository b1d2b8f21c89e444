"""Triage tasks: thin, one service call each."""

from celery import shared_task

from triage import services


@shared_task(name="triage.escalate_unclaimed", ignore_result=True)
def escalate_unclaimed() -> None:
    services.escalate_unclaimed_cases()
    # The same beat entry: an alert that cannot be delivered is the escalation's business too.
    services.mark_undelivered_alerts()
