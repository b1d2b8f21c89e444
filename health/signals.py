"""Celery's signals leave the heartbeats: a beat entry's run (start, end, how long, any error)
from the worker that runs it; beat's own each time it hands out an entry; a worker's each time it
finishes a task. A heartbeat that cannot be written never fails the task it is about."""

from __future__ import annotations

import logging
import time
from datetime import timedelta
from typing import Any

from celery import signals
from django.db import DatabaseError

log = logging.getLogger(__name__)

# A worker writes its own heartbeat at most this often: a batch of sends is not a write each.
WORKER_EVERY_SECONDS = 5.0

_started: dict[str, float] = {}  # task id -> time.monotonic() at its start, in this process
_worker_written = 0.0
_in_beat = False


def _django() -> None:
    """Beat may hand out work before Django's apps are loaded: load them first."""
    from django.apps import apps

    if not apps.ready:
        import django

        django.setup()


def _safely(write: Any, **kwargs: Any) -> None:
    try:
        write(**kwargs)
    except DatabaseError as exc:
        log.warning("health: heartbeat not written (%s)", type(exc).__name__)


def _entry(task: Any) -> str | None:
    _django()
    from health.services import beat_entries

    return beat_entries().get(getattr(task, "name", ""))


def task_prerun(task_id: str, task: Any, **kwargs: Any) -> None:
    from health import services

    name = _entry(task)
    if name is not None:
        _started[task_id] = time.monotonic()
        _safely(services.beat_started, name=name)


def task_postrun(task_id: str, task: Any, state: str | None = None, **kwargs: Any) -> None:
    from health import services

    global _worker_written
    name = _entry(task)
    began = _started.pop(task_id, None)
    if name is not None and began is not None:
        duration = timedelta(seconds=time.monotonic() - began)
        if state in (None, "SUCCESS"):
            _safely(services.beat_finished, name=name, duration=duration)
        elif state != "FAILURE":  # a failure is task_failure's to record, with its kind
            _safely(services.beat_finished, name=name, duration=duration, error=str(state))
    if time.monotonic() - _worker_written >= WORKER_EVERY_SECONDS or name is not None:
        _worker_written = time.monotonic()
        hostname = getattr(task.request, "hostname", None) or "worker"
        _safely(services.worker_took_work, hostname=hostname)


def task_failure(sender: Any = None, exception: BaseException | None = None, **kw: Any) -> None:
    """Only the error's kind is kept: its message may quote a patient's data."""
    from health import services

    name = _entry(sender)
    task_id = kw.get("task_id") or ""
    began = _started.get(task_id)
    if name is not None and began is not None:
        duration = timedelta(seconds=time.monotonic() - began)
        _safely(
            services.beat_finished,
            name=name,
            duration=duration,
            error=type(exception).__name__ if exception else "error",
        )


def worker_ready(sender: Any = None, **kwargs: Any) -> None:
    _django()
    from health import services

    hostname = getattr(sender, "hostname", None) or "worker"
    _safely(services.worker_took_work, hostname=hostname)


def beat_init(**kwargs: Any) -> None:
    global _in_beat
    _in_beat = True


def before_task_publish(sender: str | None = None, **kwargs: Any) -> None:
    """In beat only: it is handing out one of its entries."""
    if not _in_beat:
        return
    _django()
    from health import services

    if _in_beat and sender in services.beat_entries():  # a task name
        _safely(services.beat_handed_out)


def connect() -> None:
    signals.task_prerun.connect(task_prerun, dispatch_uid="health.task_prerun")
    signals.task_postrun.connect(task_postrun, dispatch_uid="health.task_postrun")
    signals.task_failure.connect(task_failure, dispatch_uid="health.task_failure")
    signals.worker_ready.connect(worker_ready, dispatch_uid="health.worker_ready")
    signals.beat_init.connect(beat_init, dispatch_uid="health.beat_init")
    signals.before_task_publish.connect(before_task_publish, dispatch_uid="health.before_publish")
