"""Programme tasks: one service call each, safe to run twice (outbox keys make a rerun a no-op)."""

from __future__ import annotations

from celery import shared_task

from programmes import reminders


@shared_task(name="programmes.queue_due", ignore_result=True)
def queue_due() -> None:
    reminders.queue_due_programme_emails()
