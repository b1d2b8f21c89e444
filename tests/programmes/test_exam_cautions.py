"""Programme cautions from the examination: a positive upper limb neurodynamic test, shoulder
impingement test or cervical arterial screen on the case's latest examination is flagged at
prescribing exactly as an intake answer's caution is (one block per exercise, in words, with its
source; one choice for all; kept only with a note), and a case never examined has none."""

from __future__ import annotations

import html
import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from examination.services import record_examination
from programmes import prescribing
from programmes.core import caution
from programmes.history import ProgrammeRefused
from programmes.models import Exercise, ProgrammeExercise, ProgrammeTemplate
from tests.examination.helpers import findings
from tests.programmes.helpers import self_care_intake
from tests.programmes.test_clinician_pages import _step_two
from tests.rules.exam_findings import ortho
from tests.support.two_factor import sign_in
from triage.models import Case, Urgency
from triage.services import claim_case

pytestmark = pytest.mark.django_db

STRETCHING = "neck-and-shoulder-stretching"
RETURN_TO_LIFTING = "return-to-lifting"
TENSIONING = {"upper-trapezius-stretch", "levator-scapulae-stretch"}
OVERHEAD = {"turkish-get-up", "kettlebell-overhead-press", "kettlebell-halo"}
NEURODYNAMIC = "exam.upper_limb_neurodynamic_test_positive"
IMPINGEMENT = "exam.shoulder_impingement_test_positive"


def examined_case(clinician: User, *tests: dict[str, Any]) -> Case:
    """A SELF_CARE case its clinician has claimed and examined, with these tests' results."""
    case = self_care_intake().assessment.case
    claim_case(case_id=case.pk, clinician=clinician)
    record_examination(
        case_id=case.pk,
        clinician=clinician,
        findings=findings({"orthopaedic_tests": list(tests)}),
        submission_token=uuid.uuid4(),
    )
    case.refresh_from_db()
    assert case.urgency == Urgency.SELF_CARE  # these tests are no red flags
    return case


def test_the_migration_tags_the_neck_stretches_that_tension_the_arms_nerves() -> None:
    tagged = Exercise.objects.filter(caution_tags__contains=["neural_tension"])
    assert set(tagged.values_list("slug", flat=True)) == TENSIONING
    assert all("Coppieters" in exercise.source for exercise in tagged)


def test_a_positive_neurodynamic_test_is_flagged_on_the_prescribing_page(
    clinician: User,
) -> None:
    case = examined_case(clinician, ortho("ulnt1_median", side="left"))

    step_two = _step_two(sign_in(Client(), clinician), case, slug=STRETCHING)

    groups = step_two.context["clash_groups"]
    assert {group.exercise.slug for group in groups} == TENSIONING
    assert all(
        [(str(c.tag), str(c.field)) for c in group.clashes]
        == [
            (
                "a stretch that tensions the arm's nerves",
                "a positive upper limb neurodynamic test on examination",
            )
        ]
        for group in groups
    )
    page = html.unescape(step_two.content.decode())
    assert "Positive upper limb neurodynamic test on examination" in page
    assert "Source: Coppieters MW, Butler DS." in page
    assert NEURODYNAMIC not in page and "neural_tension" not in page
    assert 'name="clash_choice"' in page


def test_a_positive_impingement_test_flags_loaded_overhead_work(clinician: User) -> None:
    case = examined_case(clinician, ortho("hawkins_kennedy", side="right"))
    step_two = _step_two(sign_in(Client(), clinician), case, slug=RETURN_TO_LIFTING)
    groups = step_two.context["clash_groups"]
    assert {group.exercise.slug for group in groups} == OVERHEAD
    assert all(
        [str(c.field) for c in group.clashes]
        == ["a positive shoulder impingement test on examination"]
        for group in groups
    )
    assert "Hawkins RJ, Kennedy JC" in html.unescape(step_two.content.decode())


def test_a_negative_test_or_a_case_never_examined_flags_nothing(clinician: User) -> None:
    negative = examined_case(clinician, ortho("ulnt1_median", "negative", side="left"))
    never = self_care_intake().assessment.case
    client = sign_in(Client(), clinician)
    for case in (negative, never):
        assert _step_two(client, case, slug=STRETCHING).context["clash_groups"] == []


def test_the_service_keeps_an_exam_clash_only_with_a_note(clinician: User) -> None:
    case = examined_case(clinician, ortho("ulnt2b_radial", side="right"))
    template = ProgrammeTemplate.objects.get(slug=STRETCHING)
    tomorrow = timezone.localdate() + timedelta(days=1)

    with pytest.raises(ProgrammeRefused, match="clash with the patient's answers or examination"):
        prescribing.prescribe_programme(
            case_id=case.pk, clinician=clinician, template_id=template.pk, start_date=tomorrow
        )

    plan = prescribing.plan_from_template(template)
    for phase in plan:
        for item in phase.exercises:
            if item.exercise.slug in TENSIONING:
                item.clash_note = "Sliders only, short of symptoms"
    programme = prescribing.prescribe_programme(
        case_id=case.pk,
        clinician=clinician,
        template_id=template.pk,
        start_date=tomorrow,
        plan=plan,
    )
    kept = ProgrammeExercise.objects.filter(
        phase__programme=programme, exercise__slug__in=TENSIONING
    )
    assert kept.count() == 6
    assert all(row.clashes == [f"neural_tension:{NEURODYNAMIC}"] for row in kept)
    # The programme keeps the intake's answers it was prescribed from, not the findings.
    assert not any(key.startswith("exam.") for key in programme.intake_answers)


def test_the_cautions_read_the_latest_examination(clinician: User) -> None:
    case = examined_case(clinician, ortho("neer", side="left"))
    latest = prescribing.assessment_to_prescribe_from(case)
    assert prescribing.caution_answers(case, latest)[IMPINGEMENT] is True
    first = case.examinations.get()
    record_examination(
        case_id=case.pk,
        clinician=clinician,
        findings=findings({"orthopaedic_tests": [ortho("neer", "negative", side="left")]}),
        corrects_id=first.pk,
        correction_reason="Neer's was negative; the pain was the neck's",
    )
    facts = prescribing.caution_answers(case, latest)
    assert facts[IMPINGEMENT] is False
    assert set(caution.EXAM_FACTS) <= set(facts)
