"""Programme tasks: one service call each, safe to run twice (outbox keys make a rerun a no-op)."""

from __future__ import annotations

from celery import shared_task

from programmes import services


@shared_task(name="programmes.queue_due", ignore_result=True)
def queue_due() -> None:
    services.queue_due_programme_emails()
