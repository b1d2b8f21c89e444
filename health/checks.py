"""What /readyz, /metrics and `manage.py health_check` ask: is each part of the clinic up and
doing its work? Every probe has a short timeout: a load balancer asks every few seconds."""

from __future__ import annotations

import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.models import Count, Min
from django.utils import timezone

from health import services
from health.models import BEAT, Heartbeat
from outbox.models import Message
from triage.models import Case, Urgency

PROBE_TIMEOUT = 3.0  # seconds


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str = ""


def database() -> Check:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as exc:
        return Check("database", False, type(exc).__name__)
    return Check("database", True)


def broker() -> Check:
    from clinic.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=PROBE_TIMEOUT)
    except Exception as exc:
        return Check("broker", False, type(exc).__name__)
    return Check("broker", True)


def smtp() -> Check:
    """The SMTP server answers (a NOOP); skipped when email is written to files."""
    if settings.EMAIL_BACKEND != "django.core.mail.backends.smtp.EmailBackend":
        return Check("smtp", True, "not used")
    try:
        server_class = smtplib.SMTP_SSL if settings.EMAIL_USE_SSL else smtplib.SMTP
        with server_class(settings.EMAIL_HOST, settings.EMAIL_PORT, timeout=PROBE_TIMEOUT) as s:
            code, _ = s.noop()
    except (OSError, smtplib.SMTPException) as exc:
        return Check("smtp", False, type(exc).__name__)
    return Check("smtp", 200 <= code < 300, str(code))


def _heartbeats() -> dict[str, Heartbeat]:
    return {beat.name: beat for beat in Heartbeat.objects.all()}


def _age(moment: datetime | None, now: datetime) -> timedelta | None:
    return None if moment is None else now - moment


def beat(now: datetime, beats: dict[str, Heartbeat] | None = None) -> Check:
    """Beat has handed out work, and the escalation check and the dispatcher have run, within
    twice their intervals."""
    beats = _heartbeats() if beats is None else beats
    shortest = min(services.interval(name) for name in settings.CELERY_BEAT_SCHEDULE)
    stale = []
    own = beats.get(BEAT)
    age = _age(own.last_finished if own else None, now)
    if age is None or age > 2 * shortest:
        stale.append(BEAT)
    for name in (services.ESCALATIONS, services.DISPATCHER, services.PROGRAMME_MAIL):
        entry = beats.get(name)
        age = _age(entry.last_finished if entry else None, now)
        if age is None or age > 2 * services.interval(name):
            stale.append(name)
    return Check("beat", not stale, ", ".join(stale) and f"stale: {', '.join(stale)}")


def beat_process(now: datetime) -> Check:
    """Beat itself hands out work (the beat container's health check): whether the workers then
    run it is the worker's check."""
    return Check("beat", beat_process_fresh(now, _heartbeats()))


def worker(now: datetime, beats: dict[str, Heartbeat] | None = None) -> Check:
    beats = _heartbeats() if beats is None else beats
    latest = max(
        (b.last_finished for b in beats.values() if b.is_worker and b.last_finished),
        default=None,
    )
    age = _age(latest, now)
    return Check("worker", age is not None and age <= settings.HEALTH_WORKER_IDLE)


def worker_process(now: datetime) -> Check:
    """A worker takes work whenever beat hands any out (the worker container's health check):
    with beat silent too, an idle worker is not the one to restart."""
    beats = _heartbeats()
    if not beat_process_fresh(now, beats):
        return Check("worker", True, "beat is silent: nothing to take")
    return worker(now, beats)


def beat_process_fresh(now: datetime, beats: dict[str, Heartbeat]) -> bool:
    own = beats.get(BEAT)
    shortest = min(services.interval(name) for name in settings.CELERY_BEAT_SCHEDULE)
    age = _age(own.last_finished if own else None, now)
    return age is not None and age <= 2 * shortest


def readiness(now: datetime | None = None) -> list[Check]:
    now = now or timezone.now()
    checks = [database(), broker(), smtp()]
    if checks[0].ok:
        beats = _heartbeats()
        checks += [beat(now, beats), worker(now, beats)]
    else:
        checks += [Check("beat", False, "database down"), Check("worker", False, "database down")]
    return checks


# --- Metrics (Prometheus text format 0.0.4) -----------------------------------------------------


def _label(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def metrics(now: datetime | None = None) -> str:
    """Counts and ages a clinic's IT watches. Nothing here names or describes a patient."""
    now = now or timezone.now()
    lines: list[str] = []

    def metric(name: str, kind: str, help_text: str, samples: list[tuple[str, float]]) -> None:
        lines.append(f"# HELP {name} {help_text}")
        lines.append(f"# TYPE {name} {kind}")
        for labels, value in samples:
            lines.append(f"{name}{labels} {value:g}")

    open_counts = dict(
        Case.objects.open().order_by().values_list("urgency").annotate(n=Count("pk"))
    )
    metric(
        "clinic_open_cases",
        "gauge",
        "Open cases in the queue, by urgency.",
        [(f'{{urgency="{level.key}"}}', open_counts.get(level.value, 0)) for level in Urgency],
    )
    oldest = (
        Case.objects.open()
        .filter(urgency=Urgency.EMERGENCY, claimed_by__isnull=True)
        .aggregate(oldest=Min("opened_at"))["oldest"]
    )
    metric(
        "clinic_oldest_unclaimed_emergency_seconds",
        "gauge",
        "How long the longest-waiting unclaimed emergency has waited (0 when there is none).",
        [("", (now - oldest).total_seconds() if oldest else 0)],
    )
    statuses = [
        Message.Status.PENDING,
        Message.Status.SENDING,
        Message.Status.FAILED,
        Message.Status.DEAD,
    ]
    message_counts = dict(
        Message.objects.filter(status__in=statuses)
        .order_by()
        .values_list("status")
        .annotate(n=Count("pk"))
    )
    metric(
        "clinic_outbox_messages",
        "gauge",
        "Messages not yet sent, by status (waiting, sending, failed for now, dead).",
        [(f'{{status="{status.value}"}}', message_counts.get(status, 0)) for status in statuses],
    )
    snap = services.snapshot(now)
    metric(
        "clinic_outbox_oldest_due_seconds",
        "gauge",
        "How long the message waiting longest to be handed to a worker has waited.",
        [("", max(0.0, (now - snap.oldest_due).total_seconds()) if snap.oldest_due else 0)],
    )
    metric(
        "clinic_alerts_not_delivered",
        "gauge",
        "Alerts and escalations to clinicians failing for now, or dead about an unclaimed case.",
        [('{state="failing"}', snap.failing_alerts), ('{state="dead"}', snap.dead_alerts)],
    )
    beats = list(Heartbeat.objects.all())
    metric(
        "clinic_heartbeat_age_seconds",
        "gauge",
        "Seconds since each beat entry, beat and each worker last did its work.",
        [
            (f'{{name="{_label(b.name)}"}}', (now - b.last_finished).total_seconds())
            for b in beats
            if b.last_finished
        ],
    )
    metric(
        "clinic_heartbeat_duration_seconds",
        "gauge",
        "How long each beat entry's last run took.",
        [
            (f'{{name="{_label(b.name)}"}}', b.duration.total_seconds())
            for b in beats
            if b.duration is not None
        ],
    )
    metric(
        "clinic_heartbeat_failing",
        "gauge",
        "1 when a beat entry's last run ended with an error.",
        [
            (
                f'{{name="{_label(b.name)}"}}',
                1
                if b.last_error_at
                and (b.last_finished is None or b.last_error_at > b.last_finished)
                else 0,
            )
            for b in beats
            if not b.is_worker and b.name != BEAT
        ],
    )
    metric(
        "clinic_banner_problems",
        "gauge",
        "Problems the staff pages' banner shows now.",
        [("", len(services.problems_in(snap, now)))],
    )
    return "\n".join(lines) + "\n"
