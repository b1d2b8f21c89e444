"""Governance tasks: ids in, one service call. Safe to run twice (a taken run is left alone)."""

from __future__ import annotations

from celery import shared_task

from governance import services


# acks_late: a worker lost mid-run gives the message back; by then the run is marked failed as
# stale, and the copy redelivered does nothing. Never retried on its own: a failed run says so,
# and a person starts it again.
@shared_task(name="governance.run_trial", acks_late=True, ignore_result=True)  # type: ignore[untyped-decorator]
def run_trial(run_id: int) -> None:
    services.run_trial_run(run_id=run_id)
