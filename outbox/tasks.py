"""Outbox tasks: ids in, one service call. Safe to run twice: a sent row is never sent again."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from outbox import services


@shared_task(name="outbox.send", bind=True, acks_late=True, ignore_result=True, max_retries=None)
def send(self, message_ids: list[int], claim: str | None = None) -> None:  # type: ignore[no-untyped-def]
    failed = services.send_messages(ids=message_ids, claim=claim)
    if failed and self.request.retries < settings.OUTBOX_MAX_ATTEMPTS:
        # Soon again, with backoff. If the broker cannot take the retry, the rows are still
        # "failed for now" in the database and the dispatcher brings them back.
        countdown = services.retry_delay(self.request.retries + 1).total_seconds()
        raise self.retry(args=[failed], kwargs={"claim": None}, countdown=countdown)


@shared_task(name="outbox.dispatch", ignore_result=True)
def dispatch() -> None:
    services.dispatch_due_messages()
