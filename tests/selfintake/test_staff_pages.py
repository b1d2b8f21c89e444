"""Reception's and clinicians' side of self-intake, through the test client as each role: sending
a link from a patient's search row (or saying why none can go), the list of links with the
patients who asked for a new one, the queue's "From" column and the case page showing that the
patient entered it, and going through the answers with the patient, recorded once, audited."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from outbox.models import Message
from selfintake import services
from selfintake.models import AnswersCheck, Invitation
from tests.patients.helpers import make_intake
from tests.selfintake.helpers import invite, patient_with_email, self_intake
from tests.support.factories import PatientFactory

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

LIST = reverse("selfintake:list")


def invite_path(patient_id: int) -> str:
    return reverse("selfintake:invite", args=[patient_id])


def intake_path(intake_id: int) -> str:
    return reverse("selfintake:intake", args=[intake_id])


def test_the_patient_search_offers_a_self_intake_link(reception_client: Client) -> None:
    patient = patient_with_email(family_name="Searchable")

    html = reception_client.get(reverse("patients:patient_search"), {"q": "Searchable"}).content

    assert f'href="{invite_path(patient.pk)}"'.encode() in html


def test_reception_sends_a_link_from_the_patients_page_and_it_is_audited(
    reception_client: Client, receptionist: User
) -> None:
    patient = patient_with_email()

    page = reception_client.get(invite_path(patient.pk))
    assert page.status_code == 200
    assert b"ada@example.org" in page.content and b"Send the link" in page.content
    response = reception_client.post(invite_path(patient.pk), follow=True)

    assert b"Link sent to ada@example.org" in response.content
    invitation = Invitation.objects.get()
    assert invitation.sent_by == receptionist
    assert (
        Message.objects.filter(kind=Message.Kind.SELF_INTAKE, to_email="ada@example.org").count()
        == 1
    )
    assert AuditEvent.objects.filter(
        actor=receptionist, action=AuditEvent.Action.VIEW, patient=patient
    ).exists()
    # Sending again is a new link; the page says the last one stops working.
    assert b"the last one stops working" in response.content
    reception_client.post(invite_path(patient.pk))
    assert Invitation.objects.filter(retired_at__isnull=True).count() == 1
    assert Invitation.objects.count() == 2


def test_a_clinician_may_send_one_too(clinician_client: Client, clinician: User) -> None:
    patient = patient_with_email()
    clinician_client.post(invite_path(patient.pk))
    assert Invitation.objects.get().sent_by == clinician


@pytest.mark.parametrize(
    ("fields", "why"),
    [
        ({"email": ""}, b"the patient has no email address on record"),
        ({"email_consent": False}, b"the patient has not agreed to email"),
    ],
)
def test_a_patient_without_an_address_gets_no_link_and_the_page_says_why(
    reception_client: Client, fields: dict[str, object], why: bytes
) -> None:
    patient = patient_with_email(**fields)

    page = reception_client.get(invite_path(patient.pk))
    assert why in page.content and b"Send the link" not in page.content
    response = reception_client.post(invite_path(patient.pk), follow=True)

    assert why in response.content
    assert not Invitation.objects.exists() and not Message.objects.exists()


@pytest.mark.parametrize("who", ["lead_client", "client"])
def test_other_roles_and_strangers_get_none_of_the_staff_pages(
    request: pytest.FixtureRequest, who: str, receptionist: User
) -> None:
    client: Client = request.getfixturevalue(who)
    patient = patient_with_email()
    _invitation, intake = self_intake(receptionist)
    for path in (LIST, invite_path(patient.pk), intake_path(intake.pk)):
        response = client.get(path)
        assert response.status_code in (302, 403), path
        assert b"Ada" not in response.content
    response = client.post(reverse("selfintake:checked", args=[intake.pk]))
    assert response.status_code in (302, 403)
    assert not AnswersCheck.objects.exists()


def test_the_list_shows_who_asked_for_a_new_link_what_to_check_and_what_waits(
    reception_client: Client, receptionist: User
) -> None:
    asking, _link = invite(
        patient_with_email(given_name="Asha", email="a@example.org"), receptionist
    )
    Invitation.objects.filter(pk=asking.pk).update(expires_at=timezone.now())
    services.request_new_link(invitation_id=asking.pk, request=None)  # type: ignore[arg-type]
    _done, intake = self_intake(receptionist, patient=patient_with_email(given_name="Dev"))
    invite(patient_with_email(given_name="Wren", email="w@example.org"), receptionist)

    response = reception_client.get(LIST)

    html = response.content.decode()
    asked = html.split('id="asked-for-a-new-link"')[1].split("</section>")[0]
    to_check = html.split('id="to-check"')[1].split("</section>")[0]
    waiting = html.split('id="waiting"')[1].split("</section>")[0]
    assert "Asha" in asked and invite_path(asking.patient_id) in asked
    assert "Dev" in to_check and intake_path(intake.pk) in to_check
    assert "Wren" in waiting
    assert "Asha" not in waiting and "Dev" not in waiting
    # Once a new link has gone, nobody is waiting for one.
    reception_client.post(invite_path(asking.patient_id))
    assert "Asha" not in reception_client.get(LIST).content.decode().split('id="to-check"')[0]


def test_the_list_costs_the_same_queries_however_many_links(
    reception_client: Client, receptionist: User
) -> None:
    for n in range(2):
        self_intake(receptionist, patient=patient_with_email(email=f"p{n}@example.org"))
    with CaptureQueriesContext(connection) as few:
        reception_client.get(LIST)
    for n in range(2, 8):
        self_intake(receptionist, patient=patient_with_email(email=f"p{n}@example.org"))
        invite(patient_with_email(email=f"w{n}@example.org"), receptionist)
    with CaptureQueriesContext(connection) as many:
        reception_client.get(LIST)
    assert len(many) == len(few)


def test_the_queue_and_the_case_page_say_the_patient_entered_it(
    clinician_client: Client, receptionist: User
) -> None:
    _invitation, intake = self_intake(receptionist, hand_clumsiness="yes")
    case = intake.assessment.case

    queue = clinician_client.get(reverse("triage:queue")).content.decode()
    assert '<td class="case-source">Patient</td>' in queue

    page = clinician_client.get(reverse("triage:case_detail", args=[case.pk])).content.decode()
    panel = page.split('id="self-intake"')[1].split("</section>")[0]
    assert "entered the intake of" in panel and "Not yet checked with the patient" in panel
    assert intake_path(intake.pk) in panel
    assert "entered by the patient (Patient (self-intake))" in " ".join(page.split())


def test_reception_goes_through_the_answers_and_records_the_check_once(
    reception_client: Client, receptionist: User, clinician_client: Client
) -> None:
    _invitation, intake = self_intake(receptionist, saddle_anaesthesia="yes")

    page = reception_client.get(intake_path(intake.pk))

    assert page.status_code == 200
    html = page.content.decode()
    # Reception's own wording, to read out with the patient, and the patient's answers.
    assert "Numbness around the back passage, genitals or inner thighs?" in html
    assert f"{reverse('patients:intake_new')}?patient={intake.patient_id}" in html
    assert AuditEvent.objects.filter(
        actor=receptionist, action=AuditEvent.Action.VIEW, record=f"intake {intake.pk}"
    ).exists()

    response = reception_client.post(reverse("selfintake:checked", args=[intake.pk]), follow=True)

    assert b"Checked with the patient by Rita Reed" in response.content
    check = AnswersCheck.objects.get()
    assert check.checked_by == receptionist
    assert AuditEvent.objects.filter(
        actor=receptionist, action=AuditEvent.Action.CHANGE, record=f"intake {intake.pk}"
    ).exists()
    case_page = clinician_client.get(
        reverse("triage:case_detail", args=[intake.assessment.case_id])
    ).content.decode()
    assert "Checked with the patient by Rita Reed" in case_page

    again = clinician_client.post(reverse("selfintake:checked", args=[intake.pk]), follow=True)
    assert b"already checked, by Rita Reed" in again.content
    assert AnswersCheck.objects.count() == 1


def test_a_reception_intake_has_no_self_intake_page(
    reception_client: Client, receptionist: User
) -> None:
    intake = make_intake(entered_by=receptionist)
    assert reception_client.get(intake_path(intake.pk)).status_code == 404
    assert reception_client.post(reverse("selfintake:checked", args=[intake.pk])).status_code == 404


def test_no_such_patient_is_not_found(reception_client: Client) -> None:
    PatientFactory()
    assert reception_client.get(invite_path(999999)).status_code == 404
