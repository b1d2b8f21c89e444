"""Self-intake tasks: one service call each, safe to run twice."""

from __future__ import annotations

from celery import shared_task

from selfintake import referral, services


@shared_task(name="selfintake.purge_expired", ignore_result=True)
def purge_expired() -> None:
    services.purge_expired_drafts()
    referral.purge_unconfirmed()  # the self-referral requests never confirmed
