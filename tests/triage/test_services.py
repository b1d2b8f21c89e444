"""Submitting an intake: stored as given, triaged, queued, all or nothing; never downgraded."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from django.contrib.auth.models import User
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from patients.models import Intake, Patient
from patients.services import (
    Confirmation,
    DetailsChoice,
    DetailsDiffer,
    PatientDetails,
    submit_intake,
)
from tests.rules.answers import answers
from triage.models import Assessment, Case, Urgency

pytestmark = pytest.mark.django_db


def details(**changes) -> PatientDetails:
    values = {
        "given_name": "Maria",
        "family_name": "Okafor",
        "date_of_birth": date(1968, 4, 2),
        "sex": "F",
        "email": "maria@example.org",
        "nhs_number": "9434765919",
    }
    return PatientDetails(**(values | changes))


def submit(
    user: User,
    *,
    who: PatientDetails | None = None,
    token: uuid.UUID | None = None,
    **answer_changes,
) -> Intake:
    return submit_intake(
        details=who or details(),
        answers=answers(**answer_changes),
        entered_by=user,
        submission_token=token,
    )


def test_an_intake_is_stored_as_given_triaged_and_queued(receptionist):
    intake = submit(receptionist, bladder_or_bowel_change=True)

    # As given, but for the age: that is the filed patient's, from their date of birth.
    age = intake.patient.age_on(timezone.localdate(intake.created_at))
    assert intake.answers == answers(bladder_or_bowel_change=True).as_mapping() | {"age": age}
    assert intake.contract_version == "intake/1"
    assert intake.entered_by == receptionist
    assessment = intake.assessment
    assert assessment.urgency == Urgency.EMERGENCY
    assert assessment.ruleset == "2026.1"
    assert [r["id"] for r in assessment.rules] == ["SPHINCTER_OR_SADDLE_SYMPTOMS"]
    assert assessment.rules[0]["source"] and assessment.rules[0]["reason"]
    case = Case.objects.get()
    assert case.status == Case.Status.OPEN
    assert case.urgency == Urgency.EMERGENCY
    assert case.latest_assessment == assessment
    assert case.due_at - case.opened_at == timedelta(minutes=15)


@pytest.mark.parametrize(
    ("changes", "urgency", "sla"),
    [
        ({"chest_pain": True}, Urgency.URGENT, timedelta(hours=4)),
        ({"unexplained_weight_loss": True}, Urgency.SOON, timedelta(days=7)),
        ({"numbness_or_tingling_arms": True}, Urgency.ROUTINE, timedelta(days=28)),
        ({}, Urgency.SELF_CARE, timedelta(days=2)),
    ],
)
def test_each_urgency_gets_its_deadline(receptionist, changes, urgency, sla):
    submit(receptionist, **changes)
    case = Case.objects.get()
    assert (case.urgency, case.due_at - case.opened_at) == (urgency, sla)


def test_a_new_intake_joins_the_open_case_and_raises_it(receptionist):
    submit(receptionist, numbness_or_tingling_arms=True)
    first_deadline = Case.objects.get().due_at

    submit(receptionist, severe_headache=True)

    case = Case.objects.get()
    assert case.urgency == Urgency.EMERGENCY
    assert case.due_at < first_deadline
    assert case.assessments.count() == 2


def test_a_milder_new_intake_never_lowers_the_open_case(receptionist):
    submit(receptionist, chest_pain=True)
    case = Case.objects.get()

    submit(receptionist)  # no flags this time

    case.refresh_from_db()
    assert case.urgency == Urgency.URGENT
    assert case.due_at - case.opened_at == timedelta(hours=4)
    assert case.latest_assessment.urgency == Urgency.SELF_CARE  # recorded as it was


def test_the_same_submission_twice_makes_one_intake(receptionist):
    token = uuid.uuid4()
    first = submit(receptionist, token=token, chest_pain=True)
    again = submit(receptionist, token=token, chest_pain=True)

    assert again.pk == first.pk
    assert (Intake.objects.count(), Assessment.objects.count(), Case.objects.count()) == (1, 1, 1)


def test_nothing_is_saved_half_way(receptionist, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("triage failed")

    monkeypatch.setattr("triage.services.assess_intake", broken)
    with pytest.raises(RuntimeError):
        submit(receptionist)
    assert (Patient.objects.count(), Intake.objects.count(), Case.objects.count()) == (0, 0, 0)


def test_an_assessment_is_never_edited(receptionist):
    assessment = submit(receptionist, chest_pain=True).assessment
    assessment.urgency = Urgency.ROUTINE
    with pytest.raises(ValueError, match="never edited"):
        assessment.save()


@pytest.mark.postgres
def test_the_database_refuses_to_edit_or_delete_an_assessment(receptionist):
    if connection.vendor != "postgresql":
        pytest.fail("this test needs PostgreSQL (the trigger is PostgreSQL's)")
    assessment = submit(receptionist, chest_pain=True).assessment
    with pytest.raises(DatabaseError, match="never edited"), transaction.atomic():
        Assessment.objects.filter(pk=assessment.pk).update(urgency=Urgency.ROUTINE)
    with pytest.raises(DatabaseError, match="never edited"), transaction.atomic():
        Assessment.objects.filter(pk=assessment.pk)._raw_delete(connection.alias)


def test_a_returning_patient_is_found_by_nhs_number(receptionist):
    submit(receptionist)
    submit(receptionist, who=details(given_name="MARIA", email=""))

    patient = Patient.objects.get()
    assert patient.email == "maria@example.org"  # a blank typed email keeps the record's
    assert patient.intakes.count() == 2


def test_new_contact_details_change_the_record_only_once_confirmed(receptionist):
    submit(receptionist)
    new = details(email="new@example.org")
    with pytest.raises(DetailsDiffer) as asked:
        submit(receptionist, who=new)
    assert Patient.objects.get().email == "maria@example.org"

    submit_intake(
        details=new,
        answers=answers(),
        entered_by=receptionist,
        confirmation=Confirmation(details_key=asked.value.key, details=DetailsChoice.UPDATE),
    )
    patient = Patient.objects.get()
    assert patient.email == "new@example.org"
    change = patient.detail_changes.get()
    assert (change.field, change.old_value, change.new_value, change.changed_by) == (
        "email",
        "maria@example.org",
        "new@example.org",
        receptionist,
    )


def test_a_returning_patient_is_found_by_name_and_birthday(receptionist):
    submit(receptionist, who=details(nhs_number=""))
    submit(receptionist, who=details(given_name="MARIA", family_name="okafor", nhs_number=""))
    assert Patient.objects.count() == 1


def test_same_name_and_birthday_with_another_nhs_number_is_somebody_else(receptionist):
    submit(receptionist)
    submit(receptionist, who=details(nhs_number="4010232137"))
    assert Patient.objects.count() == 2


def test_an_nhs_number_given_later_is_added_to_the_record_once_confirmed(receptionist):
    first = submit(receptionist, who=details(nhs_number=""))
    with pytest.raises(DetailsDiffer) as asked:
        submit(receptionist, who=details())
    assert [d.field for d in asked.value.differences] == ["nhs_number"]
    again = submit_intake(
        details=details(),
        answers=answers(),
        entered_by=receptionist,
        confirmation=Confirmation(details_key=asked.value.key, details=DetailsChoice.UPDATE),
    )
    assert again.patient_id == first.patient_id
    assert Patient.objects.get().nhs_number == "9434765919"


def test_the_queue_is_ordered_by_urgency_then_waiting_time(receptionist):
    now = timezone.now()
    for n, changes in enumerate(
        [{}, {"chest_pain": True}, {"severe_headache": True}, {"chest_pain": True}]
    ):
        submit(receptionist, who=details(nhs_number="", given_name=f"P{n}"), **changes)
        Case.objects.filter(patient__given_name=f"P{n}").update(
            opened_at=now - timedelta(minutes=10 * n)
        )

    order = [c.patient.given_name for c in Case.objects.for_queue()]
    assert order == ["P2", "P3", "P1", "P0"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("nhs_number", ["9434765919", ""], ids=["with-nhs-number", "without"])
def test_two_clicks_racing_each_other_make_one_intake(nhs_number):
    """Two requests with the same form token at the same moment (a double click that the browser
    sent twice): the database's unique token lets one through and the other gets the same intake."""
    from concurrent.futures import ThreadPoolExecutor
    from threading import Barrier

    from django.db import connections

    user = User.objects.create_user("racer", password="x")
    token = uuid.uuid4()
    start = Barrier(2)

    def click() -> int:
        try:
            start.wait(timeout=10)
            return submit(user, who=details(nhs_number=nhs_number), token=token, chest_pain=True).pk
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(lambda _: click(), range(2)))

    assert results[0] == results[1]
    assert (Patient.objects.count(), Intake.objects.count(), Case.objects.count()) == (1, 1, 1)
