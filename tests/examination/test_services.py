"""Recording an examination, and triage reading it: a new assessment of the case with the rules
that fired, the case raised and its deadlines brought forward as an intake's would be, and the
clinicians on duty alerted when it rises to URGENT or EMERGENCY. Never lowered; only the holder
examines; a double submit makes one examination; a correction is a new one. On the real
database, from the test's clock."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone

from audit.models import AuditEvent
from examination.models import Examination, OrthopaedicTest
from examination.services import record_examination
from outbox.models import Message
from tests.examination.helpers import findings, make_case
from tests.rules.exam_findings import ortho
from tests.support.clock import Clock
from triage.models import Assessment, Case, Urgency
from triage.rules.exam import ExamContractError, Findings
from triage.rules.exam_rules import evaluate_examination
from triage.services import (
    CaseAlreadyClaimed,
    CaseNotOpen,
    ExaminationRefused,
    claim_case,
    discharge_case,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]

HOFFMANN_AND_GAIT_ATAXIA = {
    "upper_motor_neurone.hoffmann.right": "positive",
    "upper_motor_neurone.tandem_gait": "abnormal",
}
SHUNT = {
    "pain_region": "neck",
    "recent_significant_trauma": True,
    "trauma_mechanism": "simple_rear_end_collision",
    "duration_days": 2,
}
CLEARED = {
    "canadian_c_spine.ambulatory_at_any_time": "present",
    "canadian_c_spine.sitting_position": "present",
}


def claimed(clinician: User, **answers: Any) -> Case:
    case = make_case(**answers)
    claim_case(case_id=case.pk, clinician=clinician)
    case.refresh_from_db()
    return case


def record(
    case: Case, clinician: User, changes: dict[str, Any] | None = None, **more: Any
) -> Examination:
    return record_examination(
        case_id=case.pk, clinician=clinician, findings=findings(changes), **more
    )


def alerts(case: Case) -> int:
    return Message.objects.filter(case=case, kind=Message.Kind.CLINICIAN_ALERT).count()


def test_an_examination_is_stored_as_given_and_assessed(clinician: User) -> None:
    case = claimed(clinician, numbness_or_tingling_arms=True)

    examination = record(case, clinician, {"orthopaedic_tests": [ortho("spurling", side="left")]})

    examination.refresh_from_db()
    assert examination.findings == findings({"orthopaedic_tests": [ortho("spurling", side="left")]})
    assert examination.examiner == clinician
    assert examination.examined_at == timezone.now()
    assert examination.contract_version == "exam/1"
    assert set(examination.test_library) == {"spurling"}
    assessment = examination.assessment
    assert (assessment.case, assessment.intake) == (case, None)
    assert assessment.ruleset == "exam-2026.1"
    assert assessment.contract_version == "exam/1"
    assert assessment.rules == []
    assert assessment.urgency == Urgency.SELF_CARE
    assert assessment.imaging["decision"] == "none"


def test_hoffmanns_sign_and_gait_ataxia_raise_the_case_and_alert(
    clinician: User, clock: Clock
) -> None:
    case = claimed(clinician, numbness_or_tingling_arms=True)
    assert case.urgency == Urgency.ROUTINE
    before = alerts(case)
    clock.advance(timedelta(minutes=20))

    examination = record(case, clinician, HOFFMANN_AND_GAIT_ATAXIA)

    case.refresh_from_db()
    assessment = examination.assessment
    assert case.urgency == Urgency.URGENT
    assert case.due_at == clock.now + timedelta(hours=4)
    assert [rule["id"] for rule in assessment.rules] == ["EXAM_MYELOPATHY_SIGNS"]
    assert assessment.rules[0]["findings"] == [
        "upper_motor_neurone.hoffmann.right",
        "upper_motor_neurone.tandem_gait",
    ]
    assert assessment.imaging["decision"] == "mri"
    assert alerts(case) == before + 1
    # The examiner holds the case: no escalation clock starts.
    assert case.escalate_at is None
    # Who examined and what it did, in the patient's access report.
    event = AuditEvent.objects.get(record=f"case {case.pk}, examination {examination.pk}")
    assert (event.actor, event.patient_id, event.action) == (clinician, case.patient_id, "create")
    assert event.details["changes"]["urgency"] == {"old": "Routine", "new": "Urgent"}


def test_signs_with_a_progressing_weakness_make_an_emergency(clinician: User, clock: Clock) -> None:
    case = claimed(clinician)
    clock.advance(timedelta(hours=1))

    record(
        case,
        clinician,
        {
            "upper_motor_neurone.hoffmann.left": "positive",
            "neurological.myotomes.C8.left": 4,
            "neurological.motor_deficit": "progressing",
        },
    )

    case.refresh_from_db()
    assert case.urgency == Urgency.EMERGENCY
    assert case.due_at == clock.now + timedelta(minutes=15)
    assert alerts(case) == 1


def test_an_examination_never_lowers_the_case(clinician: User) -> None:
    case = claimed(clinician, **SHUNT)
    assert case.urgency == Urgency.URGENT  # LOW_RISK_TRAUMA_ACUTE: a clinician must examine
    due = case.due_at

    examination = record(case, clinician, CLEARED)

    case.refresh_from_db()
    assert examination.assessment.urgency == Urgency.SELF_CARE
    assert [r["id"] for r in examination.assessment.rules] == ["EXAM_CCR_CLEARED"]
    assert examination.assessment.imaging["id"] == "IMAGING_NONE_CCR"
    assert (case.urgency, case.due_at) == (Urgency.URGENT, due)


def test_no_second_alert_when_the_case_was_already_as_urgent(clinician: User) -> None:
    case = claimed(clinician, **SHUNT)
    before = alerts(case)

    examination = record(
        case,
        clinician,
        {**CLEARED, "range_of_movement.cervical.rotation_left": {"degrees": 30, "pain": True}},
    )

    assert examination.assessment.urgency == Urgency.URGENT
    assert examination.assessment.imaging["decision"] == "xray"
    assert alerts(case) == before


def test_only_the_clinician_holding_an_open_case_examines_it(clinician: User) -> None:
    other = User.objects.create_user("dana", email="dana@example.org")
    unclaimed = make_case()
    with pytest.raises(ExaminationRefused, match="Claim this case"):
        record(unclaimed, clinician)
    held = claimed(other)
    with pytest.raises(CaseAlreadyClaimed):
        record(held, clinician)
    closed = claimed(clinician)
    discharge_case(case_id=closed.pk, clinician=clinician, advice="Keep moving")
    with pytest.raises(CaseNotOpen):
        record(closed, clinician)
    assert not Examination.objects.exists()
    assert not Assessment.objects.of_examinations().exists()


def test_findings_out_of_contract_are_refused_and_nothing_is_saved(clinician: User) -> None:
    case = claimed(clinician)
    with pytest.raises(ExamContractError) as refused:
        record(case, clinician, {"neurological.myotomes.C5.left": 7})
    assert [p.path for p in refused.value.problems] == ["neurological.myotomes.C5.left"]
    with pytest.raises(ExamContractError):
        record(case, clinician, {"orthopaedic_tests": [ortho("no_such_test")]})
    OrthopaedicTest.objects.filter(code="neer").update(active=False)
    with pytest.raises(ExamContractError):
        record(case, clinician, {"orthopaedic_tests": [ortho("neer", side="left")]})
    assert not Examination.objects.exists()


def test_a_double_submit_makes_one_examination(clinician: User) -> None:
    case = claimed(clinician)
    token = uuid.uuid4()

    first = record(case, clinician, HOFFMANN_AND_GAIT_ATAXIA, submission_token=token)
    again = record(case, clinician, HOFFMANN_AND_GAIT_ATAXIA, submission_token=token)

    assert again == first
    assert Examination.objects.count() == 1
    assert Assessment.objects.of_examinations().count() == 1
    assert alerts(case) == 1


def test_the_same_token_with_other_findings_is_a_new_examination(clinician: User) -> None:
    case = claimed(clinician)
    token = uuid.uuid4()
    first = record(case, clinician, submission_token=token)
    second = record(case, clinician, {"plan": "Another plan"}, submission_token=token)
    assert second != first
    assert second.submission_token != token


def test_a_correction_is_a_new_examination_naming_the_one_it_corrects(clinician: User) -> None:
    case = claimed(clinician)
    wrong = record(case, clinician, {"upper_motor_neurone.hoffmann.left": "positive"})
    case.refresh_from_db()
    assert case.urgency == Urgency.URGENT

    right = record(
        case, clinician, corrects_id=wrong.pk, correction_reason="Hoffmann's was the right side"
    )

    assert right.corrects == wrong
    assert list(case.examinations.current()) == [right]
    case.refresh_from_db()
    assert case.urgency == Urgency.URGENT  # a correction never lowers the case either
    with pytest.raises(ExaminationRefused, match="corrected already"):
        record(case, clinician, corrects_id=wrong.pk, correction_reason="again")
    with pytest.raises(ExaminationRefused, match="Say what"):
        record(case, clinician, corrects_id=right.pk, correction_reason="  ")
    elsewhere = claimed(clinician)
    with pytest.raises(ExaminationRefused, match="not one of this case"):
        record(elsewhere, clinician, corrects_id=right.pk, correction_reason="wrong case")


def test_the_rules_read_the_library_as_it_was_when_the_examination_was_recorded(
    clinician: User,
) -> None:
    case = claimed(clinician)
    examination = record(case, clinician, {"orthopaedic_tests": [ortho("lhermitte")]})
    assert examination.assessment.urgency == Urgency.URGENT

    OrthopaedicTest.objects.filter(code="lhermitte").update(red_flag=False, red_flag_urgency=None)

    stored = Examination.objects.get(pk=examination.pk)
    answers = case.latest_intake_assessment
    assert answers is not None and answers.intake is not None
    from triage.rules import Answers

    again = evaluate_examination(
        Findings.from_mapping(stored.findings, tests=stored.library),
        Answers.from_mapping(answers.intake.answers),
    )
    assert again.urgency == Urgency.URGENT
    assert [r.id for r in again.fired] == ["EXAM_RED_FLAG_TEST"]


def test_an_examinations_assessment_is_never_edited(clinician: User) -> None:
    case = claimed(clinician)
    assessment = record(case, clinician).assessment
    with pytest.raises(ValueError, match="never edited"):
        assessment.save()
    if connection.vendor == "postgresql":
        with pytest.raises(DatabaseError, match="never edited"), transaction.atomic():
            Assessment.objects.filter(pk=assessment.pk).update(urgency=Urgency.EMERGENCY)


def test_an_assessment_is_of_an_intake_or_of_an_examination(clinician: User) -> None:
    case = claimed(clinician)
    examination = record(case, clinician)
    intake = case.latest_intake_assessment
    assert intake is not None
    with pytest.raises(IntegrityError), transaction.atomic():
        Assessment.objects.create(case=case, urgency=1, rules=[], ruleset="x")
    with pytest.raises(IntegrityError), transaction.atomic():
        Assessment.objects.create(
            case=case,
            urgency=1,
            rules=[],
            ruleset="x",
            intake=make_case().latest_intake_assessment.intake,  # type: ignore[union-attr]
            examination=examination,
        )


def test_the_case_pages_read_the_intake_after_an_examination(
    clinician: User, clinician_client: Any
) -> None:
    from django.urls import reverse

    case = claimed(clinician, numbness_or_tingling_arms=True)
    record(case, clinician, HOFFMANN_AND_GAIT_ATAXIA)

    assert case.latest_assessment is not None and case.latest_assessment.intake is None
    assert case.latest_intake_assessment is not None
    page = clinician_client.get(reverse("triage:case_detail", args=[case.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "UNILATERAL_ARM_NEURO_SYMPTOMS" in text  # the intake's rules, beside its answers
    assert "Examination by" in text
    queue = clinician_client.get(reverse("triage:queue"))
    assert queue.status_code == 200
    assert "Upper motor neurone signs" in queue.content.decode()
