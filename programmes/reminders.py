"""Reminders, check-in emails and the patient's choices about them. Reminders are not queued weeks
ahead: each programme carries its next reminder time, and a beat entry every minute turns the
reminders and check-ins that have fallen due into outbox rows (`queue_due_programme_emails`), so
a change of training days, a pause or an unsubscribe takes effect at once, and each email carries
a fresh link. Every programme email is sent under the programme's row lock (`still_wanted`): an
unsubscribe that commits first stops it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.contrib.auth.models import User
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from outbox.models import Message
from outbox.services import queue_emails
from programmes.core import schedule
from programmes.emails import can_email, check_in_email, link_email, reminder_email
from programmes.history import ProgrammeRefused, lock_programme, record_event
from programmes.models import (
    CheckIn,
    Programme,
    ProgrammeEvent,
    ProgrammeExercise,
    ProgrammePhase,
)

log = logging.getLogger(__name__)

# Email kinds a programme sends, and the outbox keys they use ("prg<id>.<what>").
PROGRAMME_KINDS = (
    Message.Kind.PROGRAMME,
    Message.Kind.PROGRAMME_REMINDER,
    Message.Kind.CHECK_IN,
    Message.Kind.PROGRAMME_LINK,
)


# --- Reminders and check-ins ------------------------------------------------------------------


def reschedule(programme: Programme, now: datetime) -> None:
    """Work out the next reminder from now (not saved)."""
    if (
        programme.status != Programme.Status.ACTIVE
        or programme.reminders_paused
        or programme.unsubscribed_at
    ):
        programme.next_reminder_at = None
        return
    programme.next_reminder_at = schedule.next_reminder(
        after=now,
        start=programme.start_date,
        end=programme.end_date,
        days=programme.training_days,
        at=programme.reminder_time,
        tz=programme.tz,
    )


def queue_due_programme_emails(*, now: datetime | None = None, batch: int = 250) -> int:
    """The beat entry's work: every reminder and check-in now due becomes an outbox row, each
    batch in its own transaction so that sending starts while later batches are written. Keys
    make a second run a no-op. Returns how many emails were queued."""
    now = now or timezone.now()
    queued = 0
    while True:
        count = _queue_reminders(now, batch)
        queued += count
        if count < batch:
            break
    while True:
        count = _queue_check_ins(now, batch)
        queued += count
        if count < batch:
            break
    return queued


@transaction.atomic
def _queue_reminders(now: datetime, batch: int) -> int:
    # A reminder names only the current phase's exercises and doses: fetch just those.
    current_exercises = ProgrammeExercise.objects.select_related("exercise").only(
        "phase_id", "position", "sets", "reps", "hold_seconds", "load_kg",
        "exercise__name", "exercise__name_de", "exercise__per_side",
    )  # fmt: skip
    current_phase = ProgrammePhase.objects.filter(
        position=models.F("programme__current_phase")
    ).prefetch_related(models.Prefetch("exercises", queryset=current_exercises))
    programmes = list(
        Programme.objects.reminders_due(now)
        .select_for_update(skip_locked=True, of=("self",))
        .select_related("patient")
        .prefetch_related(
            models.Prefetch("phases", queryset=current_phase, to_attr="current_phases"),
            # Every phase's weeks, for the programme's end (Programme.total_weeks): one query
            # for the batch, not one a programme.
            models.Prefetch(
                "phases", queryset=ProgrammePhase.objects.only("programme_id", "weeks")
            ),
        )
        .order_by("next_reminder_at", "pk")[:batch]
    )
    emails = []
    next_times: dict[datetime | None, list[int]] = {}
    for programme in programmes:
        due = programme.next_reminder_at
        assert due is not None
        if now - due <= settings.PROGRAMME_REMINDER_LATEST:
            emails.append(reminder_email(programme, due))
        else:
            # The service was down past the reminder's day: today's reminder, not a stale one.
            log.info("programmes: reminder for programme %s skipped as stale", programme.pk)
        reschedule(programme, max(now, due))
        next_times.setdefault(programme.next_reminder_at, []).append(programme.pk)
    # Programmes due together mostly share their next reminder too: one UPDATE each.
    for moment, ids in next_times.items():
        Programme.objects.filter(pk__in=ids).update(next_reminder_at=moment)
    queue_emails(emails)
    return len(programmes)


@transaction.atomic
def _queue_check_ins(now: datetime, batch: int) -> int:
    check_ins = list(
        CheckIn.objects.to_send(now)
        .select_for_update(skip_locked=True, of=("self",))
        .select_related("programme__patient")
        .order_by("due_at", "pk")[:batch]
    )
    for check_in in check_ins:
        check_in.sent_at = now
    CheckIn.objects.bulk_update(check_ins, ["sent_at"])
    queue_emails([check_in_email(check_in) for check_in in check_ins])
    return len(check_ins)


def still_wanted(message: Message) -> bool:
    """The outbox's last word before a programme email leaves, under the programme's row lock
    (held until the send is recorded): a pause, an unsubscribe or a hold that committed first
    stops it."""
    programme_id = programme_id_of(message.key)
    if programme_id is None:
        return True
    programme = Programme.objects.select_for_update().filter(pk=programme_id).first()
    if programme is None:
        return False
    if message.kind == Message.Kind.PROGRAMME_LINK:
        return True  # the patient asked for it
    if programme.status != Programme.Status.ACTIVE or programme.unsubscribed_at is not None:
        return False
    if message.kind == Message.Kind.PROGRAMME_REMINDER:
        return not programme.reminders_paused
    if message.kind == Message.Kind.CHECK_IN:
        # The patient may have answered it from their page before its email went.
        week = message.key.rsplit(".w", 1)[-1]
        return not (
            week.isdigit()
            and programme.check_ins.filter(week=int(week), completed_at__isnull=False).exists()
        )
    return True


def programme_id_of(key: str) -> int | None:
    head = key.split(".", 1)[0]
    return int(head[3:]) if head.startswith("prg") and head[3:].isdigit() else None


def cancel_unsent(programme: Programme, *kinds: str) -> int:
    return Message.objects.filter(
        key__startswith=f"prg{programme.pk}.",
        kind__in=kinds or PROGRAMME_KINDS,
        status__in=[Message.Status.PENDING, Message.Status.FAILED],
    ).update(status=Message.Status.CANCELLED, lease_until=None, lease_token="")


# --- The patient's choices (on their page) ----------------------------------------------------


@transaction.atomic
def choose_schedule(
    *, programme_id: int, training_days: Sequence[int], reminder_time: time, time_zone: str
) -> Programme:
    """The patient's training days, reminder time and time zone. Reminders follow at once; so do
    check-ins not yet sent."""
    try:
        tz = ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ProgrammeRefused(_("Choose a time zone from the list.")) from exc
    days = sorted({int(day) for day in training_days})
    if not days or any(not 0 <= day <= 6 for day in days):
        raise ProgrammeRefused(_("Choose at least one training day."))
    programme = lock_programme(programme_id)
    before = (
        schedule.spread(programme.training_days),
        programme.reminder_time,
        programme.time_zone,
    )
    programme.training_days = days
    programme.reminder_time = reminder_time
    programme.time_zone = time_zone
    now = timezone.now()
    reschedule(programme, now)
    programme.save(
        update_fields=[
            "training_days",
            "reminder_time",
            "time_zone",
            "next_reminder_at",
            "updated_at",
        ]
    )
    for check_in in programme.check_ins.filter(sent_at__isnull=True, completed_at__isnull=True):
        check_in.due_at = schedule.check_in_due(
            start=programme.start_date, week=check_in.week, at=reminder_time, tz=tz
        )
        check_in.save(update_fields=["due_at"])
    record_event(
        programme,
        ProgrammeEvent.Kind.SCHEDULE_CHANGED,
        by_patient=True,
        detail=f"{schedule.spread(days)} at {reminder_time:%H:%M} ({time_zone})",
        at=now,
        changes={
            name: (old, new)
            for name, old, new in zip(
                ("training days", "reminder time", "time zone"),
                before,
                (schedule.spread(days), reminder_time, time_zone),
                strict=True,
            )
            if old != new
        },
    )
    return programme


@transaction.atomic
def pause_reminders(*, programme_id: int) -> Programme:
    programme = lock_programme(programme_id)
    if not programme.reminders_paused:
        programme.reminders_paused = True
        programme.next_reminder_at = None
        programme.save(update_fields=["reminders_paused", "next_reminder_at", "updated_at"])
        cancel_unsent(programme, Message.Kind.PROGRAMME_REMINDER)
        record_event(
            programme,
            ProgrammeEvent.Kind.PAUSED,
            by_patient=True,
            changes={"reminders paused": (False, True)},
        )
    return programme


@transaction.atomic
def resume_reminders(*, programme_id: int) -> Programme:
    programme = lock_programme(programme_id)
    if programme.reminders_paused:
        programme.reminders_paused = False
        reschedule(programme, timezone.now())
        programme.save(update_fields=["reminders_paused", "next_reminder_at", "updated_at"])
        record_event(
            programme,
            ProgrammeEvent.Kind.RESUMED,
            by_patient=True,
            changes={"reminders paused": (True, False)},
        )
    return programme


@transaction.atomic
def unsubscribe(*, programme_id: int) -> Programme:
    """No more reminder or check-in emails, from this moment: any not yet sent is cancelled,
    and one being sent right now holds the programme's row lock, so it went before this."""
    programme = lock_programme(programme_id)
    if programme.unsubscribed_at is None:
        programme.unsubscribed_at = timezone.now()
        programme.next_reminder_at = None
        programme.save(update_fields=["unsubscribed_at", "next_reminder_at", "updated_at"])
        cancel_unsent(programme, Message.Kind.PROGRAMME_REMINDER, Message.Kind.CHECK_IN)
        record_event(
            programme,
            ProgrammeEvent.Kind.UNSUBSCRIBED,
            by_patient=True,
            changes={"emails": ("on", "off")},
        )
    return programme


@transaction.atomic
def resubscribe(*, programme_id: int) -> Programme:
    programme = lock_programme(programme_id)
    if programme.unsubscribed_at is not None:
        programme.unsubscribed_at = None
        reschedule(programme, timezone.now())
        programme.save(update_fields=["unsubscribed_at", "next_reminder_at", "updated_at"])
        record_event(
            programme,
            ProgrammeEvent.Kind.RESUBSCRIBED,
            by_patient=True,
            changes={"emails": ("off", "on")},
        )
    return programme


@transaction.atomic
def send_new_link(*, programme_id: int, now: datetime | None = None) -> bool:
    """Email a fresh link to the address on file (asked for from an expired or replaced link).
    At most one an hour: the key carries the hour. True when one was queued."""
    now = now or timezone.now()
    programme = lock_programme(programme_id)
    if not programme.patient.email:
        return False
    key = f"prg{programme.pk}.link.{now:%Y%m%d%H}"
    if Message.objects.filter(key=key).exists():
        return False
    queue_emails([link_email(programme, key)])
    record_event(programme, ProgrammeEvent.Kind.LINK_SENT, by_patient=True, at=now)
    return True


@transaction.atomic
def revoke_link(*, programme_id: int, clinician: User, send_new: bool = True) -> Programme:
    """End every link to the patient's page (a lost phone, a forwarded email); optionally email
    a fresh one to the address on file, when the patient has agreed to email (as for the
    programme's own email: emails.can_email). Otherwise nothing is sent and the clinician is
    told to give the patient the new link another way."""
    programme = lock_programme(programme_id)
    programme.link_version += 1
    programme.save(update_fields=["link_version", "updated_at"])
    record_event(
        programme,
        ProgrammeEvent.Kind.LINK_REVOKED,
        by=clinician,
        changes={"link version": (programme.link_version - 1, programme.link_version)},
    )
    if send_new and can_email(programme.patient):
        key = f"prg{programme.pk}.link.v{programme.link_version}"
        queue_emails([link_email(programme, key)])
        record_event(programme, ProgrammeEvent.Kind.LINK_SENT, by=clinician)
    return programme


def record_page_visit(programme: Programme) -> None:
    Programme.objects.filter(pk=programme.pk).update(last_seen_at=timezone.now())
