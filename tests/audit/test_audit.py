"""The audit: every look at a patient's record and every change, with who and when; the clinic
lead reads it per patient and per member of staff; nobody edits it."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from programmes import links
from referrals import services as referral_services
from tests.patients.helpers import PASSWORD, intake_post, make_intake, make_user, patient_details
from tests.programmes.helpers import prescribe
from tests.referrals.factories import make_destination
from tests.support.two_factor import sign_in

pytestmark = pytest.mark.django_db

Action = AuditEvent.Action


@pytest.fixture
def desk() -> User:
    return make_user(role="reception", username="desk", first_name="Rita", last_name="Reed")


@pytest.fixture
def doctor() -> User:
    return make_user(role="clinician", username="doc", first_name="Carl", last_name="Cole")


def _as(user: User) -> Client:
    client = Client()
    sign_in(client, user)
    return client


def _events(**filters) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(**filters).order_by("pk"))


def test_opening_a_case_records_who_saw_which_patient(desk: User, doctor: User) -> None:
    case = make_intake(entered_by=desk).assessment.case
    assert _as(doctor).get(reverse("triage:case_detail", args=[case.pk])).status_code == 200

    (event,) = _events(action=Action.VIEW, actor=doctor)
    assert (event.patient_id, event.record, event.page) == (
        case.patient_id,
        f"case {case.pk}",
        "triage:case_detail",
    )
    assert event.actor_kind == AuditEvent.ActorKind.STAFF


def test_an_intake_entered_and_its_outcome_seen_are_in_the_access_report(
    desk: User, lead: User
) -> None:
    client = _as(desk)
    response = client.post(reverse("patients:intake_new"), intake_post())
    client.get(response["Location"])

    (seen,) = _events(actor=desk, action=Action.VIEW)
    assert seen.page == "patients:intake_outcome" and seen.patient_id is not None
    url = reverse("audit:patient_access", args=[seen.patient_id])
    rows = list(
        csv.DictReader(
            io.StringIO(b"".join(_as(lead).get(url, {"format": "csv"}).streaming_content).decode())
        )
    )
    # Newest first: the outcome seen, then the intake entered (read from the intake row itself).
    rows = [row for row in rows if row["who"] != "lead"]  # the export itself is recorded too
    assert [(row["action"], row["who"]) for row in rows] == [
        ("Viewed", "desk"),
        ("Created", "desk"),
    ]
    assert rows[1]["record"].startswith("intake ")
    page = _as(lead).get(reverse("audit:staff_activity", args=[desk.pk])).content.decode()
    assert "Created" in page


def test_a_patient_search_records_the_query_and_every_patient_it_showed(desk: User) -> None:
    for given in ("Ann", "Bea"):
        make_intake(entered_by=desk, details=patient_details(given_name=given, family_name="Zorn"))
    make_intake(entered_by=desk, details=patient_details(given_name="Cy", family_name="Other"))

    _as(desk).get(reverse("patients:patient_search"), {"q": "Zorn"})

    found = _events(action=Action.SEARCH)
    assert sorted(e.patient.given_name for e in found) == ["Ann", "Bea"]
    assert {e.details["query"] for e in found} == {"Zorn"}


def test_a_search_in_the_queue_is_recorded_but_its_automatic_refresh_is_not(
    desk: User, doctor: User
) -> None:
    make_intake(entered_by=desk, details=patient_details(family_name="Quill"))
    client = _as(doctor)
    url = reverse("triage:queue")

    client.get(url, {"q": "Quill"})
    client.get(url, {"q": "Quill"}, HTTP_HX_REQUEST="true", HTTP_HX_TRIGGER="queue")
    client.get(url)  # the queue with no search shows rows, but is nobody's record opened

    (event,) = _events(action=Action.SEARCH)
    assert event.details == {"query": "Quill"} and event.patient is not None


def test_the_patient_seeing_their_own_programme_page_is_recorded_as_the_patient(
    doctor: User,
) -> None:
    programme = prescribe(by=doctor)
    page = Client().get(reverse("programmes:patient_page", args=[links.page_token(programme)]))
    assert page.status_code == 200

    (event,) = _events(actor_kind=AuditEvent.ActorKind.PATIENT, action=Action.VIEW)
    assert event.patient_id == programme.patient_id and event.actor is None
    assert links.page_token(programme) not in str(event.page) + event.record


def test_a_referral_letter_opened_is_recorded(desk: User, doctor: User) -> None:
    case = make_intake(entered_by=desk).assessment.case
    referral = referral_services.draft_referral(
        case_id=case.pk, destination_id=make_destination().pk, clinician=doctor
    )
    _as(doctor).get(reverse("referrals:referral_letter", args=[referral.pk]))
    assert [e.record for e in _events(action=Action.VIEW, actor=doctor)] == [
        f"referral letter {referral.pk}"
    ]


def test_sign_ins_sign_outs_and_failed_sign_ins_are_recorded(desk: User) -> None:
    client = Client()
    client.post(reverse("login"), {"username": "desk", "password": "wrong-password-here"})
    client.post(reverse("login"), {"username": "nobody", "password": "wrong-password-here"})
    client.post(reverse("login"), {"username": "desk", "password": PASSWORD})
    client.post(reverse("logout"))

    actions = [(e.action, e.actor_name) for e in _events()]
    assert actions == [
        (Action.LOGIN_FAILED, "desk"),
        (Action.LOGIN_FAILED, "nobody"),
        (Action.LOGIN, "desk"),
        (Action.LOGOUT, "desk"),
    ]


def test_a_confirmed_change_of_details_is_recorded_with_old_and_new(desk: User) -> None:
    client = _as(desk)
    url = reverse("patients:intake_new")
    client.post(url, intake_post(email="old@example.com"))
    asked = client.post(url, intake_post(email="new@example.com")).context["form"]
    client.post(
        url,
        intake_post(email="new@example.com")
        | {"details_key": asked.data["details_key"], "details_choice": "update"},
    )

    (change,) = _events(action=Action.CHANGE)
    assert change.actor == desk
    assert change.details["changes"]["email"] == {
        "old": "old@example.com",
        "new": "new@example.com",
    }


def test_the_lead_reads_a_patients_access_report_filtered_and_as_csv(
    desk: User, doctor: User, lead: User
) -> None:
    case = make_intake(entered_by=desk).assessment.case
    _as(doctor).get(reverse("triage:case_detail", args=[case.pk]))
    AuditEvent.objects.create(
        at=timezone.now() - timedelta(days=40),
        actor=doctor,
        actor_kind=AuditEvent.ActorKind.STAFF,
        action=Action.VIEW,
        patient=case.patient,
        record="case long ago",
    )
    client = _as(lead)
    url = reverse("audit:patient_access", args=[case.patient_id])

    page = client.get(url).content.decode()
    assert "Carl Cole" in page and f"case {case.pk}" in page and "case long ago" in page

    since = (timezone.localdate() - timedelta(days=7)).isoformat()
    recent = client.get(url, {"start": since}).content.decode()
    assert f"case {case.pk}" in recent and "case long ago" not in recent

    exported = client.get(url, {"start": since, "format": "csv"})
    assert exported["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(exported.streaming_content).decode())))
    assert {row["record"] for row in rows} >= {f"case {case.pk}"}
    assert "case long ago" not in {row["record"] for row in rows}
    # Reading the report is itself recorded.
    assert _events(actor=lead, action=Action.EXPORT)


def test_the_lead_reads_what_a_member_of_staff_opened(desk: User, doctor: User, lead: User) -> None:
    case = make_intake(entered_by=desk).assessment.case
    _as(doctor).get(reverse("triage:case_detail", args=[case.pk]))
    page = _as(lead).get(reverse("audit:staff_activity", args=[doctor.pk])).content.decode()
    assert f"case {case.pk}" in page


@pytest.mark.parametrize("role", ["reception", "clinician"])
def test_only_the_lead_or_an_admin_reads_the_audit(desk: User, role: str) -> None:
    patient = make_intake(entered_by=desk).patient
    other = make_user(role=role)
    for url in (
        reverse("audit:index"),
        reverse("audit:patient_access", args=[patient.pk]),
        reverse("audit:staff_activity", args=[desk.pk]),
    ):
        assert _as(other).get(url).status_code == 403
    admin = User.objects.create_superuser("root-admin", "a@example.com", PASSWORD)
    assert _as(admin).get(reverse("audit:patient_access", args=[patient.pk])).status_code == 200


def test_the_lead_finds_the_patient_from_the_audit_page(desk: User, lead: User) -> None:
    patient = make_intake(entered_by=desk, details=patient_details(family_name="Yarrow")).patient
    page = _as(lead).get(reverse("audit:index"), {"q": "Yarrow"}).content.decode()
    assert reverse("audit:patient_access", args=[patient.pk]) in page


@pytest.mark.postgres
def test_the_database_refuses_to_edit_or_delete_an_audit_row(desk: User) -> None:
    if connection.vendor != "postgresql":
        pytest.fail("this test needs PostgreSQL (the trigger is PostgreSQL's)")
    case = make_intake(entered_by=desk).assessment.case
    _as(make_user(role="clinician")).get(reverse("triage:case_detail", args=[case.pk]))
    event = AuditEvent.objects.first()
    assert event is not None
    with pytest.raises(DatabaseError, match="never edited"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(record="nothing to see")
    with pytest.raises(DatabaseError, match="never edited"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk)._raw_delete(connection.alias)


@pytest.mark.parametrize("end", ["9999-12-31", "0001-01-01"])
def test_a_period_at_the_ends_of_the_calendar_is_no_server_error(
    desk: User, lead: User, end: str
) -> None:
    patient = make_intake(entered_by=desk).patient
    url = reverse("audit:patient_access", args=[patient.pk])
    assert _as(lead).get(url, {"start": "0001-01-01", "end": end}).status_code == 200
