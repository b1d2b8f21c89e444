"""Outcome tasks: one service call each, safe to run twice."""

from __future__ import annotations

from celery import shared_task

from outcomes import non_responders


@shared_task(name="outcomes.flag_non_responders", ignore_result=True)
def flag_non_responders() -> None:
    non_responders.flag_non_responders()
