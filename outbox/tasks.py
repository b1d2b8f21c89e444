"""Outbox tasks: ids in, one service call. Safe to run twice: a sent row is never sent again."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError

from outbox import services


@shared_task(name="outbox.send", bind=True, acks_late=True, ignore_result=True, max_retries=None)
def send(self, message_ids: list[int], claim: str | None = None) -> None:  # type: ignore[no-untyped-def]
    try:
        failed = services.send_messages(ids=message_ids, claim=claim)
    except (OperationalError, InterfaceError) as exc:
        # The database went away (a restart): the same batch with the same claim, soon, so the
        # claim takes its own rows back at once instead of waiting for its lease to run out.
        raise self.retry(exc=exc, countdown=2, max_retries=None) from exc
    if failed and self.request.retries < settings.OUTBOX_MAX_ATTEMPTS:
        # Soon again, with backoff. If the broker cannot take the retry, the rows are still
        # "failed for now" in the database and the dispatcher brings them back.
        countdown = services.retry_delay(self.request.retries + 1).total_seconds()
        raise self.retry(args=[failed], kwargs={"claim": None}, countdown=countdown)


@shared_task(name="outbox.dispatch", ignore_result=True)
def dispatch() -> None:
    services.dispatch_due_messages()


@shared_task(name="outbox.remove_old_content", ignore_result=True)
def remove_old_content() -> None:
    services.remove_old_content()
