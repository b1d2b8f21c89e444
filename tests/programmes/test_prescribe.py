"""Prescribing through the services: what a prescription copies, schedules and queues, and what
stops it (an urgent case not cleared, a caution clash without the clinician's choice)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from outbox.models import Message
from programmes import prescribing
from programmes.history import ProgrammeRefused
from programmes.models import CheckIn, Programme, ProgrammeExercise, ProgrammeTemplate
from tests.patients.helpers import make_intake, patient_details
from tests.programmes.helpers import DESK, KETTLEBELL, self_care_intake
from tests.support.two_factor import sign_in
from triage.models import Case, CaseDecision, Urgency
from triage.services import override_urgency

pytestmark = pytest.mark.django_db

# Rows, reverse flys and single-arm deadlifts load the spine bent forward (library.py).
KETTLEBELL_FLEXION = {
    "kettlebell-one-arm-row",
    "kettlebell-reverse-fly",
    "kettlebell-single-arm-deadlift",
}
ROW = "kettlebell-one-arm-row"


def _template(slug: str = KETTLEBELL) -> ProgrammeTemplate:
    return ProgrammeTemplate.objects.get(slug=slug)


def _tomorrow() -> date:
    return timezone.localdate() + timedelta(days=1)


def test_prescribing_copies_the_template_schedules_check_ins_and_closes_the_case(
    clinician: User,
) -> None:
    case = self_care_intake(duration_days=42).assessment.case
    template = _template()

    programme = prescribing.prescribe_programme(
        case_id=case.pk,
        clinician=clinician,
        template_id=template.pk,
        start_date=_tomorrow(),
        note="Start with the lightest bell.",
    )

    phases = list(programme.phases.order_by("position"))
    template_phases = list(template.phases.order_by("position"))
    assert [(p.name, p.weeks) for p in phases] == [(p.name, p.weeks) for p in template_phases]
    for phase, source in zip(phases, template_phases, strict=True):
        assert [
            (e.exercise_id, e.sets, e.reps, e.hold_seconds, e.load_kg)
            for e in phase.exercises.all()
        ] == [
            (e.exercise_id, e.sets, e.reps, e.hold_seconds, e.load_kg)
            for e in source.exercises.all()
        ]
    assert list(programme.check_ins.values_list("week", flat=True)) == [0, 1, 2, 4, 6]
    assert list(programme.check_ins.filter(asks_ndi=True).values_list("week", flat=True)) == [0, 6]
    case.refresh_from_db()
    assert case.status == Case.Status.CLOSED
    assert case.claimed_by == clinician
    decision = case.decisions.get()
    assert decision.kind == CaseDecision.Kind.PROGRAMME_PRESCRIBED
    assert decision.safety_net
    sent = Message.objects.filter(kind=Message.Kind.PROGRAMME)
    assert sent.count() == 1
    assert sent.get().to_email == case.patient.email
    assert programme.note == "Start with the lightest bell."


def test_the_programme_keeps_its_doses_when_the_template_changes_later(clinician: User) -> None:
    case = self_care_intake().assessment.case
    programme = prescribing.prescribe_programme(
        case_id=case.pk, clinician=clinician, template_id=_template().pk, start_date=_tomorrow()
    )
    _template().phases.get(position=1).exercises.update(sets=9)
    assert not ProgrammeExercise.objects.filter(phase__programme=programme, sets=9).exists()


def test_an_urgent_case_cannot_be_prescribed_until_a_clinician_lowers_it(clinician: User) -> None:
    case = self_care_intake(fever_or_chills=True, unexplained_weight_loss=True).assessment.case
    assert case.urgency >= Urgency.URGENT
    [blocker] = prescribing.prescription_blockers(
        case, prescribing.assessment_to_prescribe_from(case)
    )
    assert "must clear it" in blocker
    with pytest.raises(ProgrammeRefused, match="must clear it"):
        prescribing.prescribe_programme(
            case_id=case.pk,
            clinician=clinician,
            template_id=_template(DESK).pk,
            start_date=_tomorrow(),
        )
    assert not Programme.objects.exists()

    override_urgency(
        case_id=case.pk,
        clinician=clinician,
        to_urgency=Urgency.ROUTINE,
        reason="Seen today: a cold, weight steady on the scales",
    )
    case.refresh_from_db()
    assert prescribing.prescription_blockers(case, case.latest_assessment) == []
    prescribing.prescribe_programme(
        case_id=case.pk, clinician=clinician, template_id=_template(DESK).pk, start_date=_tomorrow()
    )
    assert Programme.objects.filter(case=case).count() == 1


def test_a_patient_without_email_consent_is_prescribed_with_no_email(clinician: User) -> None:
    # The clinic prints the handout for them (tests/programmes/test_handout.py).
    intake = self_care_intake()
    intake.patient.email_consent = False
    intake.patient.save()
    case = intake.assessment.case
    assert prescribing.prescription_blockers(case, case.latest_assessment) == []

    programme = prescribing.prescribe_programme(
        case_id=case.pk, clinician=clinician, template_id=_template().pk, start_date=_tomorrow()
    )

    assert programme.case_id == case.pk
    assert not Message.objects.filter(patient=programme.patient).exists()


@pytest.mark.parametrize(
    "start", [date(9999, 12, 31), None], ids=["end-of-time", "a-year-and-a-day"]
)
def test_a_start_date_too_far_ahead_is_refused_by_the_service_too(
    clinician: User, start: date | None
) -> None:
    """9999-12-31 crashed in check_in_due (OverflowError) when the form was bypassed."""
    case = self_care_intake().assessment.case
    with pytest.raises(ProgrammeRefused, match="days ahead"):
        prescribing.prescribe_programme(
            case_id=case.pk,
            clinician=clinician,
            template_id=_template().pk,
            start_date=start or timezone.localdate() + timedelta(days=366),
        )


def test_a_start_date_in_the_past_is_refused(clinician: User) -> None:
    case = self_care_intake().assessment.case
    with pytest.raises(ProgrammeRefused, match="in the past"):
        prescribing.prescribe_programme(
            case_id=case.pk,
            clinician=clinician,
            template_id=_template().pk,
            start_date=timezone.localdate() - timedelta(days=1),
        )


def test_osteoporosis_flags_the_kettlebell_exercises_that_load_a_bent_spine(
    clinician: User,
) -> None:
    intake = self_care_intake(osteoporosis=True)
    plan = prescribing.plan_from_template(_template())
    warnings = prescribing.clash_warnings(plan, intake.answers)
    assert {w.exercise.slug for w in warnings} == KETTLEBELL_FLEXION
    assert all(
        found.field == "osteoporosis" and found.tag == "loaded_spinal_flexion"
        for w in warnings
        for found in w.found
    )


def test_a_clash_kept_without_a_note_is_refused(clinician: User) -> None:
    case = self_care_intake(osteoporosis=True).assessment.case
    with pytest.raises(ProgrammeRefused, match="clash with the patient's answers"):
        prescribing.prescribe_programme(
            case_id=case.pk, clinician=clinician, template_id=_template().pk, start_date=_tomorrow()
        )
    assert not Programme.objects.exists()


def test_clashes_kept_with_a_note_or_removed_are_prescribed_as_chosen(clinician: User) -> None:
    case = self_care_intake(osteoporosis=True).assessment.case
    plan = prescribing.plan_from_template(_template())
    for phase in plan:
        for item in phase.exercises:
            if item.exercise.slug == ROW:
                item.clash_note = "Supported on a bench: the spine stays neutral"
            elif item.exercise.slug in KETTLEBELL_FLEXION:
                item.keep = False

    programme = prescribing.prescribe_programme(
        case_id=case.pk,
        clinician=clinician,
        template_id=_template().pk,
        start_date=_tomorrow(),
        plan=plan,
    )

    exercises = ProgrammeExercise.objects.filter(phase__programme=programme)
    slugs = set(exercises.values_list("exercise__slug", flat=True))
    assert slugs.isdisjoint(KETTLEBELL_FLEXION - {ROW})
    rows = exercises.filter(exercise__slug=ROW)
    assert rows.count() == 3  # one per phase
    assert all(row.clashes == ["loaded_spinal_flexion:osteoporosis"] for row in rows)
    assert all(row.clash_note.startswith("Supported on a bench") for row in rows)
    assert not exercises.exclude(exercise__slug=ROW).exclude(clashes=[]).exists()


def test_approving_the_suggestion_prescribes_it_from_tomorrow(clinician: User) -> None:
    case = self_care_intake(duration_days=42).assessment.case
    suggestion = prescribing.suggestion_for(case, prescribing.assessment_to_prescribe_from(case))
    assert suggestion is not None and suggestion.template == KETTLEBELL

    programme = prescribing.approve_suggested_programme(case_id=case.pk, clinician=clinician)

    assert programme.template.slug == KETTLEBELL
    assert programme.start_date == _tomorrow()
    assert CheckIn.objects.filter(programme=programme).count() == 5


def test_a_second_live_programme_for_the_patient_is_refused(clinician: User) -> None:
    first = self_care_intake()
    prescribing.prescribe_programme(
        case_id=first.assessment.case_id,
        clinician=clinician,
        template_id=_template().pk,
        start_date=_tomorrow(),
    )
    patient = first.patient
    # The patient comes back with a new intake: a new case, the programme still live.
    again = make_intake(
        entered_by=first.entered_by,
        details=patient_details(
            given_name=patient.given_name,
            family_name=patient.family_name,
            date_of_birth=patient.date_of_birth,
            email=patient.email,
            email_consent=True,
        ),
    )
    assert again.patient == patient and again.assessment.case_id != first.assessment.case_id
    with pytest.raises(ProgrammeRefused, match="already has a live programme"):
        prescribing.prescribe_programme(
            case_id=again.assessment.case_id,
            clinician=clinician,
            template_id=_template(DESK).pk,
            start_date=_tomorrow(),
        )


def test_the_page_lists_every_blocker_and_the_service_refuses_with_the_first(
    client: Client, clinician: User
) -> None:
    # Given a patient with a live programme who comes back with red flags: an urgent case
    first = self_care_intake()
    prescribing.prescribe_programme(
        case_id=first.assessment.case_id,
        clinician=clinician,
        template_id=_template(DESK).pk,
        start_date=_tomorrow(),
    )
    patient = first.patient
    again = make_intake(
        entered_by=first.entered_by,
        details=patient_details(
            given_name=patient.given_name,
            family_name=patient.family_name,
            date_of_birth=patient.date_of_birth,
            email=patient.email,
            email_consent=True,
        ),
        fever_or_chills=True,
        unexplained_weight_loss=True,
    )
    case = again.assessment.case
    assert again.patient == patient and case.urgency >= Urgency.URGENT
    blockers = prescribing.prescription_blockers(case, case.latest_assessment)
    assert ["must clear it" in blockers[0], "already has a live programme" in blockers[1]] == [
        True,
        True,
    ]
    # When the clinician opens the prescribing page, and the service is asked all the same
    sign_in(client, clinician)
    page = client.get(reverse("programmes:prescribe", args=[case.pk])).content.decode()
    with pytest.raises(ProgrammeRefused) as refused:
        prescribing.prescribe_programme(
            case_id=case.pk,
            clinician=clinician,
            template_id=_template(DESK).pk,
            start_date=_tomorrow(),
        )
    # Then the page lists both, in the rule's own words, and the service refuses with the first
    assert all(escape(blocker) in page for blocker in blockers)
    assert str(refused.value) == blockers[0]
