"""The record of care is append-only on PostgreSQL: a case's activities, urgency overrides and
decisions, a programme's events and the changes to a patient's details are only ever added. The
database refuses to change or delete them, however Django asks (a queryset's update or raw
delete, an instance's save or delete), as it does for assessments. The normal flows, which only
add rows, still work; and TRUNCATE, which Django's flush between transactional tests uses, is
not refused."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, models, transaction

from patients.models import PatientDetailChange
from patients.services import correct_patient_details
from programmes.models import Programme, ProgrammeEvent
from programmes.reminders import pause_reminders, resume_reminders
from tests.patients.helpers import make_intake, make_user, patient_details
from tests.programmes.helpers import clinician, prescribe
from triage.models import Case, CaseActivity, CaseDecision, Urgency, UrgencyOverride
from triage.services import claim_case, discharge_case, override_urgency, release_case

pytestmark = [pytest.mark.postgres, pytest.mark.django_db, pytest.mark.usefixtures("clock")]


@pytest.fixture(autouse=True)
def _postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.fail("this test needs PostgreSQL (the triggers are PostgreSQL's)")


def _case() -> Case:
    intake = make_intake(
        entered_by=make_user(role="reception"), details=patient_details(), chest_pain=True
    )
    return Case.objects.get(pk=intake.assessment.case_id)


def _activity() -> models.Model:
    case = _case()
    claim_case(case_id=case.pk, clinician=make_user(role="clinician"))
    return CaseActivity.objects.get(case=case)


def _override() -> models.Model:
    case = _case()
    return override_urgency(
        case_id=case.pk,
        clinician=make_user(role="clinician"),
        to_urgency=Urgency.ROUTINE,
        reason="Chest pain is musculoskeletal, reproduced on palpation",
    )


def _decision() -> models.Model:
    case = _case()
    return discharge_case(
        case_id=case.pk, clinician=make_user(role="clinician"), advice="Rest and paracetamol"
    )


def _event() -> models.Model:
    return ProgrammeEvent.objects.get(programme=prescribe(), kind=ProgrammeEvent.Kind.PRESCRIBED)


def _detail_change() -> models.Model:
    patient = _case().patient
    correct_patient_details(
        patient=patient, changes={"phone": "01632 960999"}, by=make_user(role=None)
    )
    return PatientDetailChange.objects.get(patient=patient)


# For each table: how a row is made through the services, and a text field to try to change.
RECORDS = [
    pytest.param(_activity, "note", "triage_caseactivity", id="case-activity"),
    pytest.param(_override, "reason", "triage_urgencyoverride", id="urgency-override"),
    pytest.param(_decision, "note", "triage_casedecision", id="case-decision"),
    pytest.param(_event, "detail", "programmes_programmeevent", id="programme-event"),
    pytest.param(_detail_change, "new_value", "patients_patientdetailchange", id="detail-change"),
]


def _refused(table: str) -> AbstractContextManager[object]:
    return pytest.raises(DatabaseError, match=f"{table} rows are never edited or deleted")


@pytest.mark.parametrize(("make", "field", "table"), RECORDS)
def test_the_database_refuses_to_change_a_row(
    make: Callable[[], models.Model], field: str, table: str
) -> None:
    row = make()
    before = getattr(row, field)
    model = type(row)

    with _refused(table), transaction.atomic():
        model.objects.filter(pk=row.pk).update(**{field: "rewritten"})
    setattr(row, field, "rewritten")
    with _refused(table), transaction.atomic():
        row.save()

    row.refresh_from_db()
    assert getattr(row, field) == before


@pytest.mark.parametrize(("make", "field", "table"), RECORDS)
def test_the_database_refuses_to_delete_a_row(
    make: Callable[[], models.Model], field: str, table: str
) -> None:
    row = make()
    model = type(row)

    with _refused(table), transaction.atomic():
        model.objects.filter(pk=row.pk)._raw_delete(connection.alias)
    with _refused(table), transaction.atomic():
        model.objects.filter(pk=row.pk).delete()
    with _refused(table), transaction.atomic():
        row.delete()

    assert model.objects.filter(pk=row.pk).exists()


def test_a_programme_cannot_be_deleted_with_its_events() -> None:
    """An event's programme is on_delete=CASCADE; the cascade reaches the events and is refused."""
    programme = prescribe()
    with _refused("programmes_programmeevent"), transaction.atomic():
        programme.delete()
    assert Programme.objects.filter(pk=programme.pk).exists()


def test_working_a_case_still_records_every_step() -> None:
    """Claim, release, override, claim again, discharge: the case changes, the record grows."""
    case = _case()
    carl = make_user(role="clinician")

    claim_case(case_id=case.pk, clinician=carl)
    release_case(case_id=case.pk, clinician=carl)
    override_urgency(
        case_id=case.pk,
        clinician=carl,
        to_urgency=Urgency.ROUTINE,
        reason="Reproduced on palpation",
    )
    claim_case(case_id=case.pk, clinician=carl)
    discharge_case(case_id=case.pk, clinician=carl, advice="Rest and paracetamol")

    case.refresh_from_db()
    assert case.status == Case.Status.CLOSED and case.urgency == Urgency.ROUTINE
    assert list(CaseActivity.objects.filter(case=case).values_list("kind", flat=True)) == [
        "claimed",
        "released",
        "claimed",
    ]
    assert UrgencyOverride.objects.filter(case=case).count() == 1
    assert list(CaseDecision.objects.filter(case=case).values_list("kind", flat=True)) == [
        CaseDecision.Kind.DISCHARGED
    ]


def test_a_programme_still_records_its_events_and_a_patient_their_changes() -> None:
    programme = prescribe(by=clinician())
    pause_reminders(programme_id=programme.pk)
    resume_reminders(programme_id=programme.pk)
    patient = programme.patient
    correct_patient_details(
        patient=patient, changes={"phone": "01632 960999"}, by=make_user(role=None)
    )
    correct_patient_details(
        patient=patient, changes={"phone": "01632 960998"}, by=make_user(role=None)
    )

    kinds = list(ProgrammeEvent.objects.filter(programme=programme).order_by("at", "pk"))
    assert [e.kind for e in kinds] == [
        ProgrammeEvent.Kind.PRESCRIBED,
        ProgrammeEvent.Kind.PAUSED,
        ProgrammeEvent.Kind.RESUMED,
    ]
    patient.refresh_from_db()
    assert patient.phone == "01632 960998"
    assert sorted(
        PatientDetailChange.objects.filter(patient=patient).values_list("new_value", flat=True)
    ) == [
        "01632 960998",
        "01632 960999",
    ]


@pytest.mark.django_db(transaction=True)
def test_a_transactional_test_still_flushes_the_record_of_care() -> None:
    """Django's flush (after every `transaction=True` test) empties the tables with TRUNCATE,
    which the row-level triggers do not refuse. Flushed here once by hand, and again after."""
    for make in (_activity, _override, _decision, _event, _detail_change):
        make()
    tables = (CaseActivity, UrgencyOverride, CaseDecision, ProgrammeEvent, PatientDetailChange)
    assert all(model.objects.exists() for model in tables)

    call_command("flush", interactive=False, verbosity=0)

    assert not any(model.objects.exists() for model in tables)
