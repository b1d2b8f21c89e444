"""Is the clinic's background work being done? Heartbeats in, clinician-facing problems out.

Writes: `beat_started` / `beat_finished` (a beat entry's run, from the worker that runs it),
`beat_handed_out` (beat itself), `worker_took_work` (a worker). Each is one upsert, never more.

Reads: `snapshot(now)` reads everything a page's banner needs in one query; `problems_in` turns
it into sentences a clinician acts on (pure: no database, no clock). `problems(now)` is both.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.models import Count, F, Max
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext, ngettext

from health.models import BEAT, WORKER_PREFIX, Heartbeat
from outbox.models import Message
from triage.models import Case

log = logging.getLogger(__name__)

# The beat entries (settings.CELERY_BEAT_SCHEDULE) whose silence a clinician must be told of.
ESCALATIONS = "triage-escalate"
DISPATCHER = "outbox-dispatch"
PROGRAMME_MAIL = "programmes-queue-due"


def beat_entries() -> dict[str, str]:
    """Task name -> beat entry name, from the schedule."""
    return {str(entry["task"]): name for name, entry in settings.CELERY_BEAT_SCHEDULE.items()}


def interval(entry: str) -> timedelta:
    """How often beat runs `entry`."""
    schedule = settings.CELERY_BEAT_SCHEDULE[entry]["schedule"]
    if isinstance(schedule, timedelta):
        return schedule
    if not isinstance(schedule, int | float | str):
        raise TypeError(f"beat entry {entry!r}: a schedule in seconds is needed here")
    return timedelta(seconds=float(schedule))


# --- Writes -------------------------------------------------------------------------------------


def _upsert(name: str, **values: Any) -> None:
    """One statement: INSERT ... ON CONFLICT (name) DO UPDATE the given fields."""
    Heartbeat.objects.bulk_create(
        [Heartbeat(name=name, **values)],
        update_conflicts=True,
        unique_fields=["name"],
        update_fields=list(values),
    )


def beat_started(*, name: str, now: datetime | None = None) -> None:
    _upsert(name, last_started=now or timezone.now())


def beat_finished(
    *, name: str, duration: timedelta, error: str = "", now: datetime | None = None
) -> None:
    """A run of beat entry `name` ended. Only a run without an error counts as having run: an
    escalation check that fails every time is as silent as one that never starts."""
    now = now or timezone.now()
    if error:
        _upsert(name, last_error=error[:200], last_error_at=now, duration=duration)
    else:
        _upsert(name, last_finished=now, duration=duration, last_error="")


def beat_handed_out(*, now: datetime | None = None) -> None:
    """Beat itself, each time it hands a due entry to the workers."""
    now = now or timezone.now()
    _upsert(BEAT, last_started=now, last_finished=now)


def worker_took_work(*, hostname: str, now: datetime | None = None) -> None:
    now = now or timezone.now()
    _upsert(f"{WORKER_PREFIX}{hostname}"[:200], last_finished=now)


# --- Reads --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Snapshot:
    """What the banner reads, as of one query."""

    escalations: datetime | None  # the escalation check's last run without an error
    dispatcher: datetime | None
    worker: datetime | None  # the latest any worker finished a task
    first_seen: datetime | None  # the first heartbeat of anything: the system has run since
    failing_alerts: int  # alerts and escalations failing for now (being retried)
    dead_alerts: int  # alerts and escalations dead, about a case still open and unclaimed
    oldest_due: datetime | None  # the due_at of the message waiting longest to be handed over


def _subquery(queryset: Any) -> tuple[str, list[Any]]:
    sql, params = queryset.query.sql_with_params()
    return f"({sql})", list(params)


def _snapshot_sql(now: datetime) -> tuple[str, list[Any]]:
    beats = Heartbeat.objects.order_by()
    urgent = Message.objects.order_by().filter(kind__in=Message.URGENT_KINDS)
    scalars = _scalars(now, beats=beats, urgent=urgent)
    sql = "SELECT " + ", ".join(part for part, _params in scalars)
    return sql, [p for _part, ps in scalars for p in ps]


# Two instants no page asks about, to find which of the query's parameters are `now`.
_PROBES = (
    datetime(2001, 2, 3, 4, 5, 6, 7, tzinfo=UTC),
    datetime(2002, 3, 4, 5, 6, 7, 8, tzinfo=UTC),
)
# The snapshot's SQL and parameters for each database vendor, compiled once: building its seven
# subqueries through the ORM cost more than running them (bench/clinic_load.py: the banner was
# a sixth of a queue refresh). Only `now` changes from page to page; its places are found by
# compiling the query for two instants and comparing.
_compiled: dict[str, tuple[str, list[Any], list[int]]] = {}


def _as_parameter(now: datetime) -> Any:
    """`now` as the database driver is handed it in a lookup on a DateTimeField."""
    return Message._meta.get_field("due_at").get_db_prep_value(now, connection)


def _snapshot_query(now: datetime) -> tuple[str, list[Any]]:
    compiled = _compiled.get(connection.vendor)
    if compiled is None:
        (sql, params), (other_sql, other_params) = (_snapshot_sql(t) for t in _PROBES)
        places = [i for i, (a, b) in enumerate(zip(params, other_params, strict=True)) if a != b]
        probe, other = (_as_parameter(t) for t in _PROBES)
        if sql != other_sql or any(params[i] != probe or other_params[i] != other for i in places):
            return _snapshot_sql(now)  # not a query with `now` as plain parameters: build it
        compiled = _compiled.setdefault(connection.vendor, (sql, params, places))
    sql, template, places = compiled
    params = list(template)
    value = _as_parameter(now)
    for i in places:
        params[i] = value
    return sql, params


def snapshot(now: datetime) -> Snapshot:
    """Everything `problems_in` needs, in one query (every staff page runs it)."""
    sql, params = _snapshot_query(now)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    (escalations, dispatcher, worker, first_seen, failing, dead, oldest_due) = row
    return Snapshot(
        escalations=_as_datetime(escalations),
        dispatcher=_as_datetime(dispatcher),
        worker=_as_datetime(worker),
        first_seen=_as_datetime(first_seen),
        failing_alerts=int(failing or 0),
        dead_alerts=int(dead or 0),
        oldest_due=_as_datetime(oldest_due),
    )


def _scalars(now: datetime, *, beats: Any, urgent: Any) -> list[tuple[str, list[Any]]]:
    """Each a scalar subquery; Django compiles them, and their parameters stay parameters."""
    return [
        _subquery(beats.filter(name=ESCALATIONS).values("last_finished")[:1]),
        _subquery(beats.filter(name=DISPATCHER).values("last_finished")[:1]),
        _subquery(
            beats.filter(name__startswith=WORKER_PREFIX)
            .values("name")
            .annotate(latest=Max("last_finished"))
            .order_by(F("latest").desc(nulls_last=True))
            .values("latest")[:1]
        ),
        _subquery(beats.order_by("created_at").values("created_at")[:1]),
        _subquery(
            urgent.filter(status=Message.Status.FAILED)
            .values("status")
            .annotate(n=Count("pk"))
            .values("n")
        ),
        _subquery(
            urgent.filter(
                status=Message.Status.DEAD,
                case__status=Case.Status.OPEN,
                case__claimed_by__isnull=True,
            )
            .values("status")
            .annotate(n=Count("pk"))
            .values("n")
        ),
        _subquery(Message.objects.due(now).order_by("due_at").values("due_at")[:1]),
    ]


def _as_datetime(value: Any) -> datetime | None:
    """A timestamp as the driver gave it: aware already (PostgreSQL), or naive or text in UTC
    (SQLite)."""
    if value is None:
        return None
    parsed = value if isinstance(value, datetime) else parse_datetime(str(value))
    if parsed is not None and timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, UTC)
    return parsed


@dataclass(frozen=True)
class Problem:
    """One thing wrong, said to a clinician with what to do about it."""

    code: str
    message: str
    severity: str = "danger"  # "danger" or "warning", as Bootstrap names them


def _minutes(delta: timedelta) -> int:
    return max(1, int(delta.total_seconds() // 60))


def _silent_for(last: datetime | None, snap: Snapshot, now: datetime) -> timedelta | None:
    """How long a heartbeat has been silent; None while the system has never run anything (a
    new installation: /readyz says so, the pages do not)."""
    since = last or snap.first_seen
    return None if since is None else now - since


def problems_in(snap: Snapshot, now: datetime) -> list[Problem]:
    """The banner's sentences, most dangerous first."""
    found: list[Problem] = []
    silent = _silent_for(snap.escalations, snap, now)
    if silent is not None and silent > 2 * interval(ESCALATIONS):
        minutes = _minutes(silent)
        found.append(
            Problem(
                "escalations",
                ngettext(
                    "Escalations have not run for %(minutes)d minute: watch the queue yourself "
                    "and call the duty clinician for any emergency.",
                    "Escalations have not run for %(minutes)d minutes: watch the queue yourself "
                    "and call the duty clinician for any emergency.",
                    minutes,
                )
                % {"minutes": minutes},
            )
        )
    if snap.dead_alerts or snap.failing_alerts:
        count = snap.dead_alerts + snap.failing_alerts
        found.append(
            Problem(
                "alerts",
                ngettext(
                    "%(count)d alert to a clinician is not getting through: check every "
                    "emergency and urgent case in the queue, and phone the duty clinician.",
                    "%(count)d alerts to clinicians are not getting through: check every "
                    "emergency and urgent case in the queue, and phone the duty clinician.",
                    count,
                )
                % {"count": count},
            )
        )
    silent = _silent_for(snap.dispatcher, snap, now)
    if silent is not None and silent > 2 * interval(DISPATCHER):
        minutes = _minutes(silent)
        found.append(
            Problem(
                "dispatcher",
                ngettext(
                    "Emails have not been sent out for %(minutes)d minute: alerts about new "
                    "emergencies may not reach clinicians. Watch the queue yourself.",
                    "Emails have not been sent out for %(minutes)d minutes: alerts about new "
                    "emergencies may not reach clinicians. Watch the queue yourself.",
                    minutes,
                )
                % {"minutes": minutes},
            )
        )
    wait = settings.HEALTH_MESSAGE_WAIT
    if snap.oldest_due is not None and now - snap.oldest_due > wait:
        minutes = _minutes(now - snap.oldest_due)
        found.append(
            Problem(
                "waiting",
                ngettext(
                    "An email has waited %(minutes)d minute to go out: alerts to clinicians may "
                    "be late. Watch the queue yourself.",
                    "An email has waited %(minutes)d minutes to go out: alerts to clinicians may "
                    "be late. Watch the queue yourself.",
                    minutes,
                )
                % {"minutes": minutes},
                severity="warning",
            )
        )
    silent = _silent_for(snap.worker, snap, now)
    if silent is not None and silent > settings.HEALTH_WORKER_IDLE:
        minutes = _minutes(silent)
        found.append(
            Problem(
                "worker",
                ngettext(
                    "No background work has been done for %(minutes)d minute: emails and alerts "
                    "are not going out. Watch the queue yourself and tell the clinic's IT.",
                    "No background work has been done for %(minutes)d minutes: emails and alerts "
                    "are not going out. Watch the queue yourself and tell the clinic's IT.",
                    minutes,
                )
                % {"minutes": minutes},
            )
        )
    return found


def ruleset_problem() -> Problem | None:
    """While no signed-off rule set is chosen (production), every intake is refused: reception's,
    the patients' own self-intakes and check-ins that go back to triage, and FHIR submissions.
    The patients are told to phone; staff are told here. No query while the process's copy of
    the choice is fresh (governance/active.py)."""
    from governance.active import NotSignedOff, active

    found = active()
    if not isinstance(found, NotSignedOff):
        return None
    return Problem(
        "ruleset",
        gettext(
            "No signed-off rule set is chosen (%(why)s): every intake is refused, including "
            "patients' self-intakes, check-ins that go back to triage and FHIR submissions. "
            "Have a clinician see every patient now, and call 999 for any emergency sign. "
            "Patients are told to phone the clinic: expect their calls. The clinical safety "
            "officer signs a rule set off and chooses it under Governance."
        )
        % {"why": found},
    )


def problems(now: datetime | None = None) -> list[Problem]:
    """What every staff page's banner says now. A database that cannot answer is the database
    half's to say (the page it leaves says so): here it is no banner rather than no page."""
    now = now or timezone.now()
    try:
        ruleset = ruleset_problem()
        return ([ruleset] if ruleset else []) + problems_in(snapshot(now), now)
    except DatabaseError:
        log.warning("health: could not read the heartbeats")
        return []
    except Exception as exc:  # a fault here must never take every staff page down with it
        log.error("health: could not work out the banner (%s)", type(exc).__name__)
        return [
            Problem(
                "unknown",
                gettext(
                    "The system could not check whether escalations and alerts are running: "
                    "watch the queue yourself and tell the clinic's IT."
                ),
                severity="warning",
            )
        ]
