"""The patient's sessions and check-ins, and what follows from them: a check-in with new red flags or
clearly worse pain re-enters triage and puts the programme on hold; otherwise the load or the
phase moves on as the template says (`programmes.core.progression`). A clinician's review, resume
and stop are here too."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from outbox.models import Message
from outbox.services import Email, Recipient, queue_emails
from patients.models import Intake
from programmes import ndi, screen
from programmes.core import progression, schedule
from programmes.history import ProgrammeRefused, lock_programme, record_event
from programmes.models import (
    CheckIn,
    Programme,
    ProgrammeEvent,
    ProgrammeExercise,
    ProgrammePhase,
    SessionExercise,
    SessionLog,
)
from programmes.reminders import cancel_unsent, reschedule
from triage.models import Case, Urgency

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

log = logging.getLogger(__name__)


class CheckInClosed(Exception):
    """The check-in is already answered, not yet open, or its programme has ended."""


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
    programme = lock_programme(programme_id)
    if not programme.is_live:
        raise ProgrammeRefused(_("This programme has ended; sessions can no longer be logged."))
    today = programme.local_today()
    if performed_on > today:
        raise ProgrammeRefused(_("A session cannot be logged for a day still to come."))
    if performed_on < programme.start_date:
        raise ProgrammeRefused(
            _("That day is before the programme started, on %(start)s.")
            % {"start": date_format(programme.start_date, _("j F Y"))}
        )
    if felt not in SessionLog.Felt.values:
        raise ProgrammeRefused(_("Say how the session felt."))
    current = {
        item.pk: item
        for item in ProgrammeExercise.objects.filter(
            phase__programme=programme, phase__position=programme.current_phase
        )
    }
    if not any(item.done for item in exercises):
        raise ProgrammeRefused(_("Tick at least one exercise you did."))
    for item in exercises:
        if item.exercise_id not in current:
            raise ProgrammeRefused(_("That exercise is not in your current phase."))
        if item.load_kg is not None and not Decimal(0) <= item.load_kg <= Decimal(100):
            raise ProgrammeRefused(_("Give the load in kilograms, between 0 and 100."))
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
    record_event(
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
    entered_by: User | None = None,
    entered_how: str = CheckIn.EnteredHow.PATIENT,
) -> CheckInResult:
    """The patient's check-in. Any red flag, or pain worse by 2 points or more than at the start,
    sends the patient back to triage as a new intake: the case reopens (or the open one is
    raised), the clinicians on duty are alerted for an EMERGENCY or URGENT result, and the
    programme is on hold until a clinician looks. Otherwise the check-in may move the programme
    on, as its template says.

    `entered_by`: the member of staff who asked the patient the questions and entered the
    answers on their behalf (a patient without email, or one who rang), and `entered_how`, by
    phone or at a visit. Everything else is as if the patient had answered on their page; the
    check-in, its history line and the intake it may go back to triage as say who entered it."""
    now = now or timezone.now()
    if (entered_by is None) != (entered_how == CheckIn.EnteredHow.PATIENT) or (
        entered_how not in CheckIn.EnteredHow.values
    ):
        raise ProgrammeRefused(_("Say how the patient gave these answers: by phone or at a visit."))
    programme = lock_programme(programme_id)
    check_in = programme.check_ins.select_for_update().filter(week=week).first()
    if check_in is None:
        raise CheckInClosed(_("There is no such check-in."))
    if check_in.completed_at is not None:
        raise CheckInClosed(_("This check-in is already answered. Thank you."))
    if not programme.is_live:
        raise CheckInClosed(_("This programme has ended."))
    if check_in.due_at > now + settings.PROGRAMME_CHECK_IN_EARLY:
        raise CheckInClosed(_("This check-in is not open yet."))
    if not 0 <= pain <= 10:
        raise ProgrammeRefused(_("Pain must be 0 to 10."))
    if check_in.asks_ndi and ndi_answers is None:
        raise ProgrammeRefused(_("Please answer the neck questionnaire."))
    previous = _latest_answers(programme)
    baseline = baseline_pain(programme)
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
    check_in.entered_by = entered_by
    check_in.entered_how = entered_how
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
            entered_by=entered_by,
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
    detail = f"{_record_title(check_in)}: pain {pain}/10" + (
        f", NDI {score.points:g}/50" if score else ""
    )
    if entered_by is not None:
        detail += str(ENTERED_FOR_THE_PATIENT[entered_how])
    record_event(
        programme,
        ProgrammeEvent.Kind.CHECK_IN,
        by=entered_by,
        by_patient=entered_by is None,
        detail=detail,
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


def baseline_pain(programme: Programme) -> int:
    """Pain at the start: the lower of the intake's and the starting questionnaire's, so that a
    rise is caught against either. Reads the programme's check-ins as prefetched, if they are."""
    start = next((c for c in programme.check_ins.all() if c.week == 0 and c.pain is not None), None)
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
    entered_by: User | None = None,
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
        entered_by=entered_by,  # None: the patient's own answers, through their page
    )
    subject = _record_title(check_in)
    note = f"{subject}: " + "; ".join(reasons)
    assess_intake(intake=intake, reopen=programme.case, subject=subject, reasons=reasons)
    status_before = programme.get_status_display()
    programme.status = Programme.Status.ON_HOLD
    programme.next_reminder_at = None
    programme.save(update_fields=["status", "next_reminder_at", "updated_at"])
    cancel_unsent(programme, Message.Kind.PROGRAMME_REMINDER, Message.Kind.CHECK_IN)
    record_event(
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
        record_event(
            programme,
            ProgrammeEvent.Kind.PROGRESSED,
            detail=f"Moved to {following.name}",
            changes={"phase": (current.name, following.name)},
        )
    elif decision.action in ("add_load", "reduce_load"):
        changed = _step_loads(current, up=decision.action == "add_load")
        if changed:
            record_event(programme, ProgrammeEvent.Kind.PROGRESSED, detail="; ".join(changed))
    elif decision.action == "ask_clinician":
        programme.awaiting_review = True
        programme.save(update_fields=["awaiting_review", "updated_at"])
        record_event(
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
    programme = lock_programme(programme_id)
    if not programme.awaiting_review:
        raise ProgrammeRefused(_("Nothing is waiting for review on this programme."))
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
            raise ProgrammeRefused(
                _("This is the programme's last phase; there is none to move to.")
            )
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
    record_event(
        programme, ProgrammeEvent.Kind.REVIEWED, by=clinician, detail=detail, changes=changes
    )
    return programme


@transaction.atomic
def resume_programme(*, programme_id: int, clinician: User, note: str) -> Programme:
    """Take a programme off hold after a clinician has looked at the check-in that stopped it.
    Not while its case is EMERGENCY or URGENT and not cleared."""
    programme = lock_programme(programme_id)
    if programme.status != Programme.Status.ON_HOLD:
        raise ProgrammeRefused(_("This programme is not on hold."))
    case = Case.objects.filter(patient=programme.patient, status=Case.Status.OPEN).first()
    case = case or programme.case
    if case.urgency >= Urgency.URGENT:
        raise ProgrammeRefused(
            _(
                "The case is %(urgency)s: clear it (lower its urgency with a reason) before the "
                "programme resumes."
            )
            % {"urgency": Urgency(case.urgency).label}
        )
    if not note.strip():
        raise ProgrammeRefused(_("Say why the programme can resume."))
    status_before = programme.get_status_display()
    programme.status = Programme.Status.ACTIVE
    reschedule(programme, timezone.now())
    programme.save(update_fields=["status", "next_reminder_at", "updated_at"])
    record_event(
        programme,
        ProgrammeEvent.Kind.RESUMED,
        by=clinician,
        detail=note.strip(),
        changes={"status": (status_before, programme.get_status_display())},
    )
    return programme


@transaction.atomic
def stop_programme(*, programme_id: int, clinician: User, reason: str) -> Programme:
    programme = lock_programme(programme_id)
    if not programme.is_live:
        raise ProgrammeRefused(_("This programme has already ended."))
    if not reason.strip():
        raise ProgrammeRefused(_("Say why the programme stops."))
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
    cancel_unsent(programme, Message.Kind.PROGRAMME_REMINDER, Message.Kind.CHECK_IN)
    kind = (
        ProgrammeEvent.Kind.COMPLETED
        if status == Programme.Status.COMPLETED
        else ProgrammeEvent.Kind.STOPPED
    )
    record_event(
        programme,
        kind,
        by=by,
        detail=detail,
        at=now,
        changes={"status": (status_before, programme.get_status_display())},
    )


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


# Whole phrases, one for each way staff enter a check-in (not the choice's label lower-cased).
ENTERED_FOR_THE_PATIENT: dict[str, StrOrPromise] = {
    CheckIn.EnteredHow.PHONE: gettext_lazy(", entered for the patient (by phone)"),
    CheckIn.EnteredHow.VISIT: gettext_lazy(", entered for the patient (at a visit)"),
}


def _record_title(check_in: CheckIn) -> str:
    """The check-in's name in the clinic's records, which are kept in the clinic's language
    whichever language the patient answered in (as the rest of the note is)."""
    with translation.override(settings.LANGUAGE_CODE):
        return check_in.title
