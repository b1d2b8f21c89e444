"""Every write about home-exercise programmes: one function per action, as the clinic says it.

Prescribing copies a template's phases and doses into the patient's programme, queues the
programme email, and schedules the check-ins as rows. Reminders are not queued weeks ahead: each
programme carries its next reminder time, and a beat entry every minute turns the reminders and
check-ins that have fallen due into outbox rows (`queue_due_programme_emails`), so a change of
training days, a pause or an unsubscribe takes effect at once, and each email carries a fresh
link. Every programme email is sent under the programme's row lock (`still_wanted`): an
unsubscribe that commits first stops it.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.contrib.auth.models import User
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone

from audit import services as audit
from audit.models import AuditEvent
from outbox.models import Message
from outbox.services import Email, Recipient, queue_emails
from patients.models import Intake
from programmes import caution, ndi, progression, schedule, screen
from programmes.emails import check_in_email, link_email, programme_emails, reminder_email
from programmes.models import (
    CheckIn,
    Exercise,
    Programme,
    ProgrammeEvent,
    ProgrammeExercise,
    ProgrammePhase,
    ProgrammeTemplate,
    SessionExercise,
    SessionLog,
)
from programmes.suggest import Suggestion, suggest_template
from triage.models import Case, CaseDecision, Urgency
from triage.outcomes import safety_net_for
from triage.services import CaseActionRefused, lock_for_decision, record_decision

log = logging.getLogger(__name__)

# Email kinds a programme sends, and the outbox keys they use ("prg<id>.<what>").
PROGRAMME_KINDS = (
    Message.Kind.PROGRAMME,
    Message.Kind.PROGRAMME_REMINDER,
    Message.Kind.CHECK_IN,
    Message.Kind.PROGRAMME_LINK,
)


class ProgrammeRefused(Exception):
    """A prescription or change the clinic cannot make as asked; the message says why."""


class CheckInClosed(Exception):
    """The check-in is already answered, not yet open, or its programme has ended."""


# --- Prescribing ------------------------------------------------------------------------------


@dataclass(kw_only=True)
class PlannedExercise:
    exercise: Exercise
    sets: int
    reps: int | None
    hold_seconds: int | None
    load_kg: Decimal | None
    days_per_week: int
    keep: bool = True
    clash_note: str = ""


@dataclass(kw_only=True)
class PlannedPhase:
    position: int
    name: str
    weeks: int
    goal: str
    advance: str
    exercises: list[PlannedExercise] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class ClashWarning:
    phase: int
    exercise: Exercise
    found: tuple[caution.ClashFound, ...]


def plan_from_template(template: ProgrammeTemplate) -> list[PlannedPhase]:
    """The template's phases and doses, ready for the clinician to adjust."""
    phases = template.phases.prefetch_related("exercises__exercise").order_by("position")
    return [
        PlannedPhase(
            position=phase.position,
            name=phase.name,
            weeks=phase.weeks,
            goal=phase.goal,
            advance=phase.advance,
            exercises=[
                PlannedExercise(
                    exercise=item.exercise,
                    sets=item.sets,
                    reps=item.reps,
                    hold_seconds=item.hold_seconds,
                    load_kg=item.load_kg,
                    days_per_week=item.days_per_week,
                )
                for item in phase.exercises.all()
            ],
        )
        for phase in phases
    ]


def clash_warnings(plan: Sequence[PlannedPhase], answers: Mapping[str, Any]) -> list[ClashWarning]:
    """Exercises whose caution tags clash with the patient's answers (e.g. overhead load with
    osteoporosis): each needs the clinician's explicit choice."""
    found = []
    for phase in plan:
        for item in phase.exercises:
            clashes = caution.clashes_for(item.exercise.caution_tags, answers)
            if clashes:
                found.append(ClashWarning(phase.position, item.exercise, tuple(clashes)))
    return found


def prescription_blocker(case: Case) -> str | None:
    """Why no programme may be prescribed for this case now, or None."""
    if case.urgency >= Urgency.URGENT:
        return (
            f"This case is {Urgency(case.urgency).label}: a clinician must clear it before a "
            "home-exercise programme goes out. Lower its urgency with a reason first."
        )
    # A patient without email (or who has not agreed to it) is given the printed handout.
    return None


@transaction.atomic
def prescribe_programme(
    *,
    case_id: int,
    clinician: User,
    template_id: int,
    start_date: date,
    plan: Sequence[PlannedPhase] | None = None,
    note: str = "",
) -> Programme:
    """Prescribe a programme from a case: the template as adjusted in `plan`, starting on
    `start_date`. The case is claimed if nobody had it, the decision recorded with its
    safety-net advice, and the case closed; the programme email goes at once."""
    try:
        case = lock_for_decision(
            case_id=case_id, clinician=clinician, action="prescribe for", further=True
        )
    except CaseActionRefused as exc:
        raise ProgrammeRefused(str(exc)) from exc
    blocker = prescription_blocker(case)
    if blocker:
        raise ProgrammeRefused(blocker)
    if Programme.objects.live().filter(patient=case.patient).exists():
        raise ProgrammeRefused(
            "The patient already has a live programme. Stop it before prescribing another."
        )
    template = ProgrammeTemplate.objects.get(pk=template_id)
    plan = list(plan) if plan is not None else plan_from_template(template)
    assessment = case.latest_assessment
    if assessment is None:
        raise ProgrammeRefused("This case has no triage result to prescribe from.")
    answers: dict[str, Any] = dict(assessment.intake.answers)
    _check_plan(plan, answers, start_date)

    now = timezone.now()
    tz = ZoneInfo(settings.TIME_ZONE)
    first_days = max((item.days_per_week for item in plan[0].exercises if item.keep), default=3)
    programme = Programme.objects.create(
        case=case,
        patient=case.patient,
        template=template,
        name=template.name,
        prescribed_by=clinician,
        prescribed_at=now,
        start_date=start_date,
        note=note.strip(),
        safety_net=safety_net_for(CaseDecision.Kind.PROGRAMME_PRESCRIBED).as_text(),
        baseline_pain=int(answers.get("pain_score_now", 0)),
        intake_answers=answers,
        current_phase=plan[0].position,
        phase_started_on=start_date,
        time_zone=settings.TIME_ZONE,
        training_days=schedule.default_training_days(first_days),
        reminder_time=settings.PROGRAMME_REMINDER_TIME,
    )
    for phase in plan:
        row = ProgrammePhase.objects.create(
            programme=programme,
            position=phase.position,
            name=phase.name,
            weeks=phase.weeks,
            goal=phase.goal,
            advance=phase.advance,
        )
        ProgrammeExercise.objects.bulk_create(
            ProgrammeExercise(
                phase=row,
                exercise=item.exercise,
                position=n,
                sets=item.sets,
                reps=item.reps,
                hold_seconds=item.hold_seconds,
                load_kg=item.load_kg,
                days_per_week=item.days_per_week,
                clashes=[
                    clash.tag + ":" + clash.field
                    for clash in caution.clashes_for(item.exercise.caution_tags, answers)
                ],
                clash_note=item.clash_note.strip(),
            )
            for n, item in enumerate((i for i in phase.exercises if i.keep), start=1)
        )
    weeks = [0, *settings.PROGRAMME_CHECK_IN_WEEKS]
    last = weeks[-1]
    CheckIn.objects.bulk_create(
        CheckIn(
            programme=programme,
            week=week,
            due_at=schedule.check_in_due(
                start=start_date, week=week, at=programme.reminder_time, tz=tz
            ),
            # The starting questionnaire arrives with the programme email itself.
            sent_at=now if week == 0 else None,
            asks_ndi=week in (0, last),
        )
        for week in weeks
    )
    _reschedule(programme, now)
    programme.save(update_fields=["next_reminder_at"])

    record_decision(
        case=case,
        kind=CaseDecision.Kind.PROGRAMME_PRESCRIBED,
        clinician=clinician,
        note=f"{template.name}, starting {start_date:%a %d %b %Y}",
        safety_net=programme.safety_net,
        further=True,
        at=now,
    )
    _event(
        programme,
        ProgrammeEvent.Kind.PRESCRIBED,
        by=clinician,
        detail=template.name,
        at=now,
        changes={
            "status": (None, programme.get_status_display()),
            "template": (None, template.name),
            "start date": (None, start_date),
        },
    )
    queue_emails(programme_emails(programme))
    return programme


# The latest start a clinician may choose, from today in the clinic's time zone. A programme
# rests on the triage of the patient as they are now: starting it more than a year later would
# follow an assessment that no longer describes them (and its check-ins, weeks after the start,
# must stay dates the calendar has).
START_AT_MOST_DAYS_AHEAD = 365


def latest_start() -> date:
    return timezone.localdate() + timedelta(days=START_AT_MOST_DAYS_AHEAD)


def _check_plan(plan: Sequence[PlannedPhase], answers: Mapping[str, Any], start: date) -> None:
    if start < timezone.localdate():
        raise ProgrammeRefused("The start date is in the past.")
    if start > latest_start():
        raise ProgrammeRefused(
            f"The start date is more than {START_AT_MOST_DAYS_AHEAD} days ahead: choose one "
            f"by {latest_start():%d/%m/%Y}."
        )
    if not plan or not any(item.keep for item in plan[0].exercises):
        raise ProgrammeRefused("The programme's first phase has no exercises.")
    for phase in plan:
        if phase.weeks < 1:
            raise ProgrammeRefused(f"Phase {phase.position} needs at least one week.")
        for item in phase.exercises:
            if not item.keep:
                continue
            if item.reps is None and item.hold_seconds is None:
                raise ProgrammeRefused(f"{item.exercise.name}: give repetitions or a hold time.")
            if not 1 <= item.days_per_week <= 7:
                raise ProgrammeRefused(f"{item.exercise.name}: days a week must be 1 to 7.")
            if item.load_kg is not None and item.load_kg < 0:
                raise ProgrammeRefused(f"{item.exercise.name}: the load cannot be negative.")
    unresolved = [
        warning
        for warning in clash_warnings(plan, answers)
        if any(
            item.keep and not item.clash_note.strip()
            for phase in plan
            if phase.position == warning.phase
            for item in phase.exercises
            if item.exercise.pk == warning.exercise.pk
        )
    ]
    if unresolved:
        names = sorted({warning.exercise.name for warning in unresolved})
        raise ProgrammeRefused(
            "Caution: "
            + ", ".join(names)
            + " clash with the patient's answers. Remove each one, or keep it with a note "
            "saying why."
        )


@transaction.atomic
def approve_suggested_programme(*, case_id: int, clinician: User) -> Programme:
    """The queue's one-step approval of triage's suggestion for a SELF_CARE case: the template
    as it stands, starting tomorrow."""
    case = Case.objects.select_related("patient").get(pk=case_id)
    suggestion = suggestion_for(case)
    if suggestion is None:
        raise ProgrammeRefused("Triage suggests no programme for this case.")
    template = ProgrammeTemplate.objects.filter(slug=suggestion.template, active=True).first()
    if template is None:
        raise ProgrammeRefused("The suggested programme is no longer in the library.")
    return prescribe_programme(
        case_id=case.pk,
        clinician=clinician,
        template_id=template.pk,
        start_date=timezone.localdate() + timedelta(days=1),
    )


def suggestion_for(case: Case) -> Suggestion | None:
    assessment = case.latest_assessment
    if assessment is None or case.status != Case.Status.OPEN:
        return None
    return suggest_template(assessment.intake.answers, Urgency(case.urgency).key)


# --- Reminders and check-ins ------------------------------------------------------------------


def _reschedule(programme: Programme, now: datetime) -> None:
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
        "exercise__name", "exercise__per_side",
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
        _reschedule(programme, max(now, due))
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


def _cancel_unsent(programme: Programme, *kinds: str) -> int:
    return Message.objects.filter(
        key__startswith=f"prg{programme.pk}.",
        kind__in=kinds or PROGRAMME_KINDS,
        status__in=[Message.Status.PENDING, Message.Status.FAILED],
    ).update(status=Message.Status.CANCELLED, lease_until=None, lease_token="")


# --- The patient's choices (on their page) ----------------------------------------------------


def _locked(programme_id: int) -> Programme:
    return Programme.objects.select_for_update().select_related("patient").get(pk=programme_id)


@transaction.atomic
def choose_schedule(
    *, programme_id: int, training_days: Sequence[int], reminder_time: time, time_zone: str
) -> Programme:
    """The patient's training days, reminder time and time zone. Reminders follow at once; so do
    check-ins not yet sent."""
    try:
        tz = ZoneInfo(time_zone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ProgrammeRefused("Choose a time zone from the list.") from exc
    days = sorted({int(day) for day in training_days})
    if not days or any(not 0 <= day <= 6 for day in days):
        raise ProgrammeRefused("Choose at least one training day.")
    programme = _locked(programme_id)
    before = (
        schedule.spread(programme.training_days),
        programme.reminder_time,
        programme.time_zone,
    )
    programme.training_days = days
    programme.reminder_time = reminder_time
    programme.time_zone = time_zone
    now = timezone.now()
    _reschedule(programme, now)
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
    _event(
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
    programme = _locked(programme_id)
    if not programme.reminders_paused:
        programme.reminders_paused = True
        programme.next_reminder_at = None
        programme.save(update_fields=["reminders_paused", "next_reminder_at", "updated_at"])
        _cancel_unsent(programme, Message.Kind.PROGRAMME_REMINDER)
        _event(
            programme,
            ProgrammeEvent.Kind.PAUSED,
            by_patient=True,
            changes={"reminders paused": (False, True)},
        )
    return programme


@transaction.atomic
def resume_reminders(*, programme_id: int) -> Programme:
    programme = _locked(programme_id)
    if programme.reminders_paused:
        programme.reminders_paused = False
        _reschedule(programme, timezone.now())
        programme.save(update_fields=["reminders_paused", "next_reminder_at", "updated_at"])
        _event(
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
    programme = _locked(programme_id)
    if programme.unsubscribed_at is None:
        programme.unsubscribed_at = timezone.now()
        programme.next_reminder_at = None
        programme.save(update_fields=["unsubscribed_at", "next_reminder_at", "updated_at"])
        _cancel_unsent(programme, Message.Kind.PROGRAMME_REMINDER, Message.Kind.CHECK_IN)
        _event(
            programme,
            ProgrammeEvent.Kind.UNSUBSCRIBED,
            by_patient=True,
            changes={"emails": ("on", "off")},
        )
    return programme


@transaction.atomic
def resubscribe(*, programme_id: int) -> Programme:
    programme = _locked(programme_id)
    if programme.unsubscribed_at is not None:
        programme.unsubscribed_at = None
        _reschedule(programme, timezone.now())
        programme.save(update_fields=["unsubscribed_at", "next_reminder_at", "updated_at"])
        _event(
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
    programme = _locked(programme_id)
    if not programme.patient.email:
        return False
    key = f"prg{programme.pk}.link.{now:%Y%m%d%H}"
    if Message.objects.filter(key=key).exists():
        return False
    queue_emails([link_email(programme, key)])
    _event(programme, ProgrammeEvent.Kind.LINK_SENT, by_patient=True, at=now)
    return True


@transaction.atomic
def revoke_link(*, programme_id: int, clinician: User, send_new: bool = True) -> Programme:
    """End every link to the patient's page (a lost phone, a forwarded email); optionally email
    a fresh one to the address on file."""
    programme = _locked(programme_id)
    programme.link_version += 1
    programme.save(update_fields=["link_version", "updated_at"])
    _event(
        programme,
        ProgrammeEvent.Kind.LINK_REVOKED,
        by=clinician,
        changes={"link version": (programme.link_version - 1, programme.link_version)},
    )
    if send_new and programme.patient.email:
        key = f"prg{programme.pk}.link.v{programme.link_version}"
        queue_emails([link_email(programme, key)])
        _event(programme, ProgrammeEvent.Kind.LINK_SENT, by=clinician)
    return programme


def record_page_visit(programme: Programme) -> None:
    Programme.objects.filter(pk=programme.pk).update(last_seen_at=timezone.now())


# --- Sessions and check-ins -------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class LoggedExercise:
    exercise_id: int
    done: bool
    load_kg: Decimal | None = None


@transaction.atomic
def log_session(
    *,
    programme_id: int,
    performed_on: date,
    felt: str,
    exercises: Sequence[LoggedExercise],
    note: str = "",
) -> SessionLog:
    programme = _locked(programme_id)
    if not programme.is_live:
        raise ProgrammeRefused("This programme has ended; sessions can no longer be logged.")
    today = programme.local_today()
    if performed_on > today:
        raise ProgrammeRefused("A session cannot be logged for a day still to come.")
    if performed_on < programme.start_date - timedelta(days=1):
        raise ProgrammeRefused("That day is before the programme started.")
    if felt not in SessionLog.Felt.values:
        raise ProgrammeRefused("Say how the session felt.")
    current = {
        item.pk: item
        for item in ProgrammeExercise.objects.filter(
            phase__programme=programme, phase__position=programme.current_phase
        )
    }
    if not any(item.done for item in exercises):
        raise ProgrammeRefused("Tick at least one exercise you did.")
    for item in exercises:
        if item.exercise_id not in current:
            raise ProgrammeRefused("That exercise is not in your current phase.")
        if item.load_kg is not None and not Decimal(0) <= item.load_kg <= Decimal(100):
            raise ProgrammeRefused("Give the load in kilograms, between 0 and 100.")
    session = SessionLog.objects.create(
        programme=programme,
        performed_on=performed_on,
        phase=programme.current_phase,
        felt=felt,
        note=note.strip()[:2000],
    )
    SessionExercise.objects.bulk_create(
        SessionExercise(
            session=session, exercise_id=item.exercise_id, done=item.done, load_kg=item.load_kg
        )
        for item in exercises
    )
    _event(
        programme,
        ProgrammeEvent.Kind.SESSION_LOGGED,
        by_patient=True,
        detail=f"{performed_on:%a %d %b}: {SessionLog.Felt(felt).label}",
    )
    return session


@dataclass(frozen=True)
class CheckInResult:
    check_in: CheckIn
    urgency: Urgency | None  # the triage result when the check-in went back to triage
    decision: progression.Decision | None


def open_check_in(programme: Programme, now: datetime | None = None) -> CheckIn | None:
    """The check-in the patient can answer now: the earliest unanswered one that is due (a day
    early is fine: the email comes on the day)."""
    now = now or timezone.now()
    return (
        programme.check_ins.filter(
            completed_at__isnull=True, due_at__lte=now + settings.PROGRAMME_CHECK_IN_EARLY
        )
        .order_by("week")
        .first()
    )


@transaction.atomic
def complete_check_in(
    *,
    programme_id: int,
    week: int,
    pain: int,
    sessions_done: int | None,
    ndi_answers: Mapping[str, int | None] | None,
    screen_answers: Mapping[str, bool],
    trauma_mechanism: str | None = None,
    now: datetime | None = None,
) -> CheckInResult:
    """The patient's check-in. Any red flag, or pain worse by 2 points or more than at the start,
    sends the patient back to triage as a new intake: the case reopens (or the open one is
    raised), the clinicians on duty are alerted for an EMERGENCY or URGENT result, and the
    programme is on hold until a clinician looks. Otherwise the check-in may move the programme
    on, as its template says."""
    now = now or timezone.now()
    programme = _locked(programme_id)
    check_in = programme.check_ins.select_for_update().filter(week=week).first()
    if check_in is None:
        raise CheckInClosed("There is no such check-in.")
    if check_in.completed_at is not None:
        raise CheckInClosed("This check-in is already answered. Thank you.")
    if not programme.is_live:
        raise CheckInClosed("This programme has ended.")
    if check_in.due_at > now + settings.PROGRAMME_CHECK_IN_EARLY:
        raise CheckInClosed("This check-in is not open yet.")
    if not 0 <= pain <= 10:
        raise ProgrammeRefused("Pain must be 0 to 10.")
    if check_in.asks_ndi and ndi_answers is None:
        raise ProgrammeRefused("Please answer the neck questionnaire.")
    previous = _latest_answers(programme)
    baseline = _baseline_pain(programme)
    try:
        score = ndi.score(ndi_answers) if ndi_answers is not None else None
        reenter, reasons = screen.needs_triage(
            screen=screen_answers, previous=previous.answers, baseline_pain=baseline, pain_now=pain
        )
    except ValueError as exc:
        # The forms check every answer first; this is the service's own guard.
        raise ProgrammeRefused(str(exc)) from exc
    before = (
        programme.check_ins.filter(week__lt=week, completed_at__isnull=False)
        .order_by("-week")
        .first()
    )
    planned = _sessions_planned(programme, check_in, before, now)
    check_in.pain = pain
    check_in.sessions_done = sessions_done
    check_in.sessions_planned = planned
    check_in.completed_at = now
    check_in.screen = dict(screen_answers)
    check_in.red_flags = screen.red_flags_reported(screen_answers, previous.answers)
    if score is not None:
        check_in.ndi_answers = dict(ndi_answers or {})
        check_in.ndi_points = Decimal(str(score.points))
        check_in.ndi_percent = Decimal(str(score.percent))

    urgency: Urgency | None = None
    decision: progression.Decision | None = None
    if reenter:
        intake = _reenter_triage(
            programme,
            check_in,
            previous=previous,
            screen_answers=screen_answers,
            pain=pain,
            baseline=baseline,
            trauma_mechanism=trauma_mechanism,
            reasons=reasons,
            now=now,
        )
        check_in.intake = intake
        check_in.outcome = CheckIn.Outcome.TRIAGE
        check_in.outcome_reason = "; ".join(reasons)
        urgency = Urgency(intake.assessment.urgency)
    elif week > 0:
        decision = _progress(programme, check_in, before, baseline=baseline, now=now)
        check_in.outcome = decision.action
        check_in.outcome_reason = decision.clinician_reason
    check_in.save()
    _event(
        programme,
        ProgrammeEvent.Kind.CHECK_IN,
        by_patient=True,
        detail=f"{check_in.title}: pain {pain}/10"
        + (f", NDI {score.points:g}/50" if score else ""),
        at=now,
    )
    if not reenter and week == max(settings.PROGRAMME_CHECK_IN_WEEKS):
        _end(programme, Programme.Status.COMPLETED, now=now, detail="Final check-in answered")
    return CheckInResult(check_in, urgency, decision)


@dataclass(frozen=True)
class _Answers:
    answers: Mapping[str, Any]
    taken_at: datetime


def _latest_answers(programme: Programme) -> _Answers:
    """The answers the next intake builds on: the last check-in's re-entry, else the intake the
    programme was prescribed from."""
    latest = (
        programme.check_ins.filter(intake__isnull=False)
        .select_related("intake")
        .order_by("-week")
        .first()
    )
    if latest is not None and latest.intake is not None:
        return _Answers(latest.intake.answers, latest.intake.created_at)
    return _Answers(programme.intake_answers, programme.prescribed_at)


def _baseline_pain(programme: Programme) -> int:
    """Pain at the start: the lower of the intake's and the starting questionnaire's, so that a
    rise is caught against either."""
    start = programme.check_ins.filter(week=0, pain__isnull=False).first()
    if start is not None and start.pain is not None:
        return min(programme.baseline_pain, start.pain)
    return programme.baseline_pain


def _sessions_planned(
    programme: Programme, check_in: CheckIn, before: CheckIn | None, now: datetime
) -> int:
    """Sessions planned from the last answered check-in (`before`) to this one."""
    since = programme.start_date + timedelta(weeks=before.week if before else 0)
    until = min(programme.local_today(now), programme.start_date + timedelta(weeks=check_in.week))
    return schedule.sessions_planned(
        days_per_week=len(programme.training_days), start=since, until=until
    )


def _reenter_triage(
    programme: Programme,
    check_in: CheckIn,
    *,
    previous: _Answers,
    screen_answers: Mapping[str, bool],
    pain: int,
    baseline: int,
    trauma_mechanism: str | None,
    reasons: Sequence[str],
    now: datetime,
) -> Intake:
    from triage import rules
    from triage.rules.contract import QUESTIONS_BY_NAME
    from triage.services import assess_intake

    def within_contract(name: str, value: int) -> int:
        # A red flag must always reach triage: an answer this function works out (not one the
        # patient gave) is held inside the contract's range rather than refused for leaving it.
        question = QUESTIONS_BY_NAME[name]
        low = question.minimum if question.minimum is not None else value
        high = question.maximum if question.maximum is not None else value
        return min(max(value, low), high)

    patient = programme.patient
    today = programme.local_today(now)
    elapsed = max((now - previous.taken_at).days, 0)
    before = previous.answers.get("duration_days")
    if type(before) is int:
        # The check-in's duration is the last intake's plus the days since, at most the cap: a
        # pain of a hundred years (the contract's maximum) is as long as the rules can read.
        elapsed = max(0, within_contract("duration_days", before + elapsed) - before)
    try:
        answers = screen.reentry_answers(
            previous=previous.answers,
            screen=screen_answers,
            pain_now=pain,
            # The age from the date of birth on file, which may have passed the contract's
            # oldest age since the intake.
            age_now=within_contract("age", patient.age_on(today)),
            days_since_previous=elapsed,
            baseline_pain=baseline,
            trauma_mechanism=trauma_mechanism,
        )
    except ValueError as exc:
        raise ProgrammeRefused(str(exc)) from exc
    intake = Intake.objects.create(
        patient=patient,
        answers=rules.Answers.from_mapping(answers).as_mapping(),
        contract_version=rules.CONTRACT_VERSION,
        source=Intake.Source.CHECK_IN,
        entered_by=None,
    )
    note = f"{check_in.title}: " + "; ".join(reasons)
    assess_intake(intake=intake, reopen=programme.case, subject=check_in.title, reasons=reasons)
    status_before = programme.get_status_display()
    programme.status = Programme.Status.ON_HOLD
    programme.next_reminder_at = None
    programme.save(update_fields=["status", "next_reminder_at", "updated_at"])
    _cancel_unsent(programme, Message.Kind.PROGRAMME_REMINDER, Message.Kind.CHECK_IN)
    _event(
        programme,
        ProgrammeEvent.Kind.REENTERED,
        detail=note,
        at=now,
        changes={"status": (status_before, programme.get_status_display())},
    )
    log.info("programmes: check-in %s of programme %s re-entered triage", check_in.pk, programme.pk)
    return intake


def _progress(
    programme: Programme,
    check_in: CheckIn,
    previous: CheckIn | None,
    *,
    baseline: int,
    now: datetime,
) -> progression.Decision:
    phases = list(programme.phases.order_by("position"))
    current = next((p for p in phases if p.position == programme.current_phase), phases[0])
    following = next((p for p in phases if p.position > current.position), None)
    since = previous.completed_at if previous and previous.completed_at else programme.prescribed_at
    form_broke = programme.sessions.filter(
        created_at__gt=since, felt=SessionLog.Felt.FORM_BROKE
    ).exists()
    today = programme.local_today(now)
    planned = check_in.sessions_planned or 0
    done = check_in.sessions_done
    if done is None:
        done = programme.sessions.filter(created_at__gt=since).count()
    decision = progression.decide(
        adherence=progression.adherence(done, planned),
        pain_baseline=baseline,
        pain_previous=previous.pain if previous else None,
        pain_now=check_in.pain if check_in.pain is not None else baseline,
        form_broke=form_broke,
        phase_weeks_done=today >= programme.phase_started_on + timedelta(weeks=current.weeks),
        has_next_phase=following is not None,
        advance=following.advance if following else "auto",
    )
    if decision.action == "next_phase" and following is not None:
        programme.current_phase = following.position
        programme.phase_started_on = today
        programme.save(update_fields=["current_phase", "phase_started_on", "updated_at"])
        _event(
            programme,
            ProgrammeEvent.Kind.PROGRESSED,
            detail=f"Moved to {following.name}",
            changes={"phase": (current.name, following.name)},
        )
    elif decision.action in ("add_load", "reduce_load"):
        changed = _step_loads(current, up=decision.action == "add_load")
        if changed:
            _event(programme, ProgrammeEvent.Kind.PROGRESSED, detail="; ".join(changed))
    elif decision.action == "ask_clinician":
        programme.awaiting_review = True
        programme.save(update_fields=["awaiting_review", "updated_at"])
        _event(
            programme,
            ProgrammeEvent.Kind.REVIEW_REQUESTED,
            detail=decision.clinician_reason,
            changes={"awaiting review": (False, True)},
        )
        _ask_prescriber(programme)
    return decision


def _step_loads(phase: ProgrammePhase, *, up: bool) -> list[str]:
    """One progression step up (or down) for each loaded exercise of the phase, within the
    exercise's range."""
    changed = []
    for item in phase.exercises.select_related("exercise"):
        step, load = item.exercise.load_step_kg, item.load_kg
        if not step or load is None:
            continue
        if up:
            ceiling = item.exercise.load_max_kg
            new = min(load + step, ceiling) if ceiling is not None else load + step
        else:
            floor = item.exercise.load_min_kg or Decimal(0)
            new = max(load - step, floor)
        if new != load:
            item.load_kg = new
            item.save(update_fields=["load_kg"])
            changed.append(f"{item.exercise.name} {load:g} → {new:g} kg")
    return changed


@transaction.atomic
def review_progression(
    *, programme_id: int, clinician: User, move_on: bool, note: str = ""
) -> Programme:
    """A clinician's answer when the template asks them before the next phase."""
    programme = _locked(programme_id)
    if not programme.awaiting_review:
        raise ProgrammeRefused("Nothing is waiting for review on this programme.")
    programme.awaiting_review = False
    detail = note.strip()
    changes: dict[str, tuple[Any, Any]] = {"awaiting review": (True, False)}
    if move_on:
        following = (
            programme.phases.filter(position__gt=programme.current_phase)
            .order_by("position")
            .first()
        )
        if following is None:
            raise ProgrammeRefused("This is the programme's last phase; there is none to move to.")
        current = programme.phases.filter(position=programme.current_phase).first()
        changes["phase"] = (current.name if current else None, following.name)
        programme.current_phase = following.position
        programme.phase_started_on = programme.local_today()
        detail = f"Moved to {following.name}" + (f": {detail}" if detail else "")
    else:
        detail = "Stays in the current phase" + (f": {detail}" if detail else "")
    programme.save(
        update_fields=["awaiting_review", "current_phase", "phase_started_on", "updated_at"]
    )
    _event(programme, ProgrammeEvent.Kind.REVIEWED, by=clinician, detail=detail, changes=changes)
    return programme


@transaction.atomic
def resume_programme(*, programme_id: int, clinician: User, note: str) -> Programme:
    """Take a programme off hold after a clinician has looked at the check-in that stopped it.
    Not while its case is EMERGENCY or URGENT and not cleared."""
    programme = _locked(programme_id)
    if programme.status != Programme.Status.ON_HOLD:
        raise ProgrammeRefused("This programme is not on hold.")
    case = Case.objects.filter(patient=programme.patient, status=Case.Status.OPEN).first()
    case = case or programme.case
    if case.urgency >= Urgency.URGENT:
        raise ProgrammeRefused(
            f"The case is {Urgency(case.urgency).label}: clear it (lower its urgency with a "
            "reason) before the programme resumes."
        )
    if not note.strip():
        raise ProgrammeRefused("Say why the programme can resume.")
    status_before = programme.get_status_display()
    programme.status = Programme.Status.ACTIVE
    _reschedule(programme, timezone.now())
    programme.save(update_fields=["status", "next_reminder_at", "updated_at"])
    _event(
        programme,
        ProgrammeEvent.Kind.RESUMED,
        by=clinician,
        detail=note.strip(),
        changes={"status": (status_before, programme.get_status_display())},
    )
    return programme


@transaction.atomic
def stop_programme(*, programme_id: int, clinician: User, reason: str) -> Programme:
    programme = _locked(programme_id)
    if not programme.is_live:
        raise ProgrammeRefused("This programme has already ended.")
    if not reason.strip():
        raise ProgrammeRefused("Say why the programme stops.")
    _end(programme, Programme.Status.STOPPED, by=clinician, detail=reason.strip())
    return programme


def _end(
    programme: Programme,
    status: str,
    *,
    by: User | None = None,
    detail: str = "",
    now: datetime | None = None,
) -> None:
    now = now or timezone.now()
    status_before = programme.get_status_display()
    programme.status = status
    programme.ended_at = now
    programme.next_reminder_at = None
    programme.save(update_fields=["status", "ended_at", "next_reminder_at", "updated_at"])
    _cancel_unsent(programme, Message.Kind.PROGRAMME_REMINDER, Message.Kind.CHECK_IN)
    kind = (
        ProgrammeEvent.Kind.COMPLETED
        if status == Programme.Status.COMPLETED
        else ProgrammeEvent.Kind.STOPPED
    )
    _event(
        programme,
        kind,
        by=by,
        detail=detail,
        at=now,
        changes={"status": (status_before, programme.get_status_display())},
    )


def _event(
    programme: Programme,
    kind: str,
    *,
    by: User | None = None,
    by_patient: bool = False,
    detail: str = "",
    at: datetime | None = None,
    changes: Mapping[str, tuple[Any, Any]] | None = None,
) -> None:
    """A line of the programme's history, and the same change in the audit (who, the fields'
    old and new values where the event has them, and what happened)."""
    ProgrammeEvent.objects.create(
        programme=programme,
        kind=kind,
        by=by,
        by_patient=by_patient,
        detail=detail,
        at=at or timezone.now(),
    )
    label = ProgrammeEvent.Kind(kind).label
    audit.record_change(
        by=by,
        by_patient=by_patient,
        record=f"programme {programme.pk}",
        patient=programme.patient_id,
        action=AuditEvent.Action.CREATE
        if kind in (ProgrammeEvent.Kind.PRESCRIBED, ProgrammeEvent.Kind.SESSION_LOGGED)
        else AuditEvent.Action.CHANGE,
        changes={**(changes or {}), "event": (None, f"{label}: {detail}" if detail else label)},
    )


# --- Emails (the patient's are built in programmes/emails.py) --------------------------------


def _ask_prescriber(programme: Programme) -> None:
    clinician = programme.prescribed_by
    if not clinician.email:
        return
    queue_emails(
        [
            Email(
                key=f"prg{programme.pk}.review.p{programme.current_phase}",
                kind=Message.Kind.PROGRAMME_REVIEW,
                to=Recipient(
                    email=clinician.email, name=clinician.get_full_name(), user_id=clinician.pk
                ),
                template="programme_review",
                context={
                    "clinic_name": settings.CLINIC_NAME,
                    "recipient_name": clinician.get_full_name() or clinician.get_username(),
                    "case_url": settings.SITE_URL
                    + reverse("triage:case_detail", args=[programme.case_id]),
                },
                patient_id=programme.patient_id,
                case_id=programme.case_id,
            )
        ]
    )
