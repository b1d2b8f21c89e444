"""Prescribing a home-exercise programme from a triaged case: the template's plan as the clinician
adjusts it, the caution clashes that need their choice, what blocks a prescription, and the
one-step approval of triage's suggestion. Prescribing copies the template's phases and doses into
the patient's programme, queues the programme email, and schedules the check-ins as rows."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clinic import language
from examination.models import Examination
from outbox.services import queue_emails
from programmes.core import caution, schedule
from programmes.core.suggest import Suggestion, suggest_template
from programmes.emails import programme_emails
from programmes.history import ProgrammeRefused, record_event
from programmes.models import (
    CheckIn,
    Exercise,
    Programme,
    ProgrammeEvent,
    ProgrammeExercise,
    ProgrammePhase,
    ProgrammeTemplate,
    WrittenForPatients,
)
from programmes.reminders import reschedule
from triage.models import Assessment, Case, CaseDecision, Urgency
from triage.outcomes import safety_net_for
from triage.services import CaseActionRefused, lock_for_decision, record_decision

log = logging.getLogger(__name__)

StrOrPromise = str | Promise


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
class PlannedPhase(WrittenForPatients):
    position: int
    name: str
    weeks: int
    goal: str
    advance: str
    exercises: list[PlannedExercise] = field(default_factory=list)
    # The template's German, copied with the English (empty: the patient reads the English).
    name_de: str = ""
    goal_de: str = ""

    PATIENT_TEXT_FIELDS = ("name", "goal")


@dataclass(frozen=True, slots=True)
class ClashWarning:
    phase: int
    exercise: Exercise
    found: tuple[caution.ClashFound, ...]


# What a caution tag and an intake answer mean, in the words a clinician reads on the prescribing
# page (the tags and fields of programmes.core.caution; a test holds the two lists together).
CAUTION_TAG_WORDS: dict[str, StrOrPromise] = {
    "overhead_load": gettext_lazy("load held overhead"),
    "ballistic": gettext_lazy("fast, swinging (ballistic) load"),
    "loaded_spinal_flexion": gettext_lazy("loaded bending of the spine"),
    "end_range_neck": gettext_lazy("neck movement to the end of its range"),
    "neural_tension": gettext_lazy("a stretch that tensions the arm's nerves"),
}
CLASH_FIELD_WORDS: dict[str, StrOrPromise] = {
    "osteoporosis": gettext_lazy("osteoporosis or a fragility fracture"),
    "long_term_steroids": gettext_lazy("long-term steroid use"),
    "dizziness_or_drop_attacks": gettext_lazy("dizziness or drop attacks"),
    "inflammatory_arthritis_history": gettext_lazy("inflammatory arthritis"),
    "electric_shock_on_neck_flexion": gettext_lazy("an electric-shock feeling on bending the neck"),
    "exam.shoulder_impingement_test_positive": gettext_lazy(
        "a positive shoulder impingement test on examination"
    ),
    "exam.cervical_arterial_screen_positive": gettext_lazy(
        "a positive cervical arterial screen on examination"
    ),
    "exam.lhermitte_sign_positive": gettext_lazy("Lhermitte's sign on examination"),
    "exam.upper_limb_neurodynamic_test_positive": gettext_lazy(
        "a positive upper limb neurodynamic test on examination"
    ),
}


@dataclass(frozen=True, slots=True)
class ClashInWords:
    tag: StrOrPromise
    field: StrOrPromise
    reason: str
    source: str


@dataclass(frozen=True, slots=True)
class ExerciseClashes:
    """One exercise that clashes with the patient's answers: every clash it has, and the phases
    it is in."""

    exercise: Exercise
    phases: tuple[PlannedPhase, ...]
    clashes: tuple[ClashInWords, ...]


def clashes_by_exercise(
    warnings: Sequence[ClashWarning], plan: Sequence[PlannedPhase]
) -> list[ExerciseClashes]:
    """The clash warnings grouped by exercise, in the plan's order: one entry per exercise with
    all its clashes in words, however many phases it is in."""
    phases = {phase.position: phase for phase in plan}
    grouped: dict[int, ExerciseClashes] = {}
    for warning in warnings:
        pk = warning.exercise.pk
        found = grouped.get(pk)
        if found is None:
            grouped[pk] = ExerciseClashes(
                exercise=warning.exercise,
                phases=(phases[warning.phase],),
                clashes=tuple(
                    ClashInWords(
                        tag=CAUTION_TAG_WORDS.get(clash.tag, clash.tag),
                        field=CLASH_FIELD_WORDS.get(clash.field, clash.field),
                        reason=clash.reason,
                        source=clash.source,
                    )
                    for clash in warning.found
                ),
            )
        elif phases[warning.phase] not in found.phases:
            grouped[pk] = replace(found, phases=(*found.phases, phases[warning.phase]))
    return list(grouped.values())


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
            name_de=phase.name_de,
            goal_de=phase.goal_de,
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


def caution_answers(case: Case, assessment: Assessment | None) -> dict[str, Any]:
    """What the caution clashes read for this case: the intake's answers the programme is
    prescribed from (`assessment`, as `assessment_to_prescribe_from` gives it) and, once the
    case has been examined, the facts of its latest examination (`exam.<fact>`, from
    `caution.exam_facts`): a positive impingement test, arterial screen or neurodynamic test
    is flagged at prescribing as an intake's answer is."""
    answers: dict[str, Any] = (
        dict(assessment.intake.answers)
        if assessment is not None and assessment.intake is not None
        else {}
    )
    examination = Examination.objects.latest_of(case.pk)
    if examination is not None:
        answers |= caution.exam_facts(examination.findings)
    return answers


def assessment_to_prescribe_from(case: Case) -> Assessment | None:
    """The triage result a programme is prescribed from (its intake's answers): the case's
    latest assessment of an intake."""
    return case.latest_intake_assessment


def takes_a_programme(case: Case, decisions: Sequence[CaseDecision] | None = None) -> bool:
    """Open, or decided by a referral or a programme and so open to a further one. `decisions`:
    the case's, in order, when the caller has them already (the case page)."""
    return case.status == Case.Status.OPEN or case.takes_further_decision(decisions)


def urgency_blocker(case: Case) -> str | None:
    """Why the case as it stands holds a programme back, or None (no query: the case page shows
    it beside its prescribe button). A patient without email (or who has not agreed to it) is
    given the printed handout, so that is no blocker."""
    if case.urgency >= Urgency.URGENT:
        return _(
            "This case is %(urgency)s: a clinician must clear it before a home-exercise "
            "programme goes out. Lower its urgency with a reason first."
        ) % {"urgency": Urgency(case.urgency).label}
    return None


def prescription_blockers(case: Case, assessment: Assessment | None) -> list[str]:
    """Everything that stops a programme for this case now: the prescribing page lists them
    all, and `prescribe_programme` refuses with the first. `assessment` is the case's latest
    (`assessment_to_prescribe_from`)."""
    found = []
    if not takes_a_programme(case):
        found.append(_("This case is closed; reopen it with a new intake first."))
    urgency = urgency_blocker(case)
    if urgency:
        found.append(urgency)
    live = Programme.objects.live().filter(patient=case.patient).first()
    if live is not None:
        found.append(
            _(
                "The patient already has a live programme (%(name)s, %(status)s). Stop it "
                "before prescribing another."
            )
            % {"name": live.name, "status": live.get_status_display()}
        )
    if assessment is None:
        found.append(_("This case has no triage result to prescribe from."))
    return found


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
    assessment = assessment_to_prescribe_from(case)
    blockers = prescription_blockers(case, assessment)
    if blockers or assessment is None:
        raise ProgrammeRefused(blockers[0])
    template = ProgrammeTemplate.objects.get(pk=template_id)
    plan = list(plan) if plan is not None else plan_from_template(template)
    answers: dict[str, Any] = dict(assessment.intake.answers) if assessment.intake else {}
    # The clashes read the examination's findings too; the programme keeps the intake's answers.
    cautions = caution_answers(case, assessment)
    _check_plan(plan, cautions, start_date)

    now = timezone.now()
    tz = ZoneInfo(settings.TIME_ZONE)
    first_days = max((item.days_per_week for item in plan[0].exercises if item.keep), default=3)
    # The safety net is kept as worded, in the patient's language (their page and emails).
    with translation.override(language.for_patient(case.patient)):
        safety_net_text = safety_net_for(CaseDecision.Kind.PROGRAMME_PRESCRIBED).as_text()
    programme = Programme.objects.create(
        case=case,
        patient=case.patient,
        template=template,
        name=template.name,
        name_de=template.name_de,
        prescribed_by=clinician,
        prescribed_at=now,
        start_date=start_date,
        note=note.strip(),
        safety_net=safety_net_text,
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
            name_de=phase.name_de,
            goal_de=phase.goal_de,
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
                    for clash in caution.clashes_for(item.exercise.caution_tags, cautions)
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
    reschedule(programme, now)
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
    record_event(
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
        raise ProgrammeRefused(_("The start date is in the past."))
    if start > latest_start():
        raise ProgrammeRefused(
            _("The start date is more than %(days)s days ahead: choose one by %(latest)s.")
            % {"days": START_AT_MOST_DAYS_AHEAD, "latest": f"{latest_start():%d/%m/%Y}"}
        )
    if not plan or not any(item.keep for item in plan[0].exercises):
        raise ProgrammeRefused(_("The programme's first phase has no exercises."))
    for phase in plan:
        if phase.weeks < 1:
            raise ProgrammeRefused(
                _("Phase %(position)s needs at least one week.") % {"position": phase.position}
            )
        for item in phase.exercises:
            if not item.keep:
                continue
            if item.reps is None and item.hold_seconds is None:
                raise ProgrammeRefused(
                    _("%(exercise)s: give repetitions or a hold time.")
                    % {"exercise": item.exercise.text.name}
                )
            if not 1 <= item.days_per_week <= 7:
                raise ProgrammeRefused(
                    _("%(exercise)s: days a week must be 1 to 7.")
                    % {"exercise": item.exercise.text.name}
                )
            if item.load_kg is not None and item.load_kg < 0:
                raise ProgrammeRefused(
                    _("%(exercise)s: the load cannot be negative.")
                    % {"exercise": item.exercise.text.name}
                )
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
        names = sorted({warning.exercise.text.name for warning in unresolved})
        raise ProgrammeRefused(
            _(
                "Caution: %(exercises)s clash with the patient's answers or examination. Remove "
                "each one, or keep it with a note saying why."
            )
            % {"exercises": ", ".join(names)}
        )


@transaction.atomic
def approve_suggested_programme(*, case_id: int, clinician: User) -> Programme:
    """The queue's one-step approval of triage's suggestion for a SELF_CARE case: the template
    as it stands, starting tomorrow."""
    case = Case.objects.select_related("patient").get(pk=case_id)
    suggestion = suggestion_for(case, assessment_to_prescribe_from(case))
    if suggestion is None:
        raise ProgrammeRefused(_("Triage suggests no programme for this case."))
    template = ProgrammeTemplate.objects.filter(slug=suggestion.template, active=True).first()
    if template is None:
        raise ProgrammeRefused(_("The suggested programme is no longer in the library."))
    return prescribe_programme(
        case_id=case.pk,
        clinician=clinician,
        template_id=template.pk,
        start_date=timezone.localdate() + timedelta(days=1),
    )


def suggestion_for(
    case: Case, assessment: Assessment | None, decisions: Sequence[CaseDecision] | None = None
) -> Suggestion | None:
    """Triage's suggested template for the case, if any (`assessment` as for
    `prescription_blockers`): what the case page, the prescribing page and the approval from the
    queue all offer. `decisions` as for `takes_a_programme`."""
    if assessment is None or assessment.intake is None or not takes_a_programme(case, decisions):
        return None
    return suggest_template(assessment.intake.answers, Urgency(case.urgency).key)
