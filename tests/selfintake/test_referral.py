"""The public self-referral on PostgreSQL, through the test client as a member of the public
with no login: off unless the clinic chooses it, the same answer whoever asks, throttled per
address and per client in the database, the emailed confirmation that a GET never confirms, a
new record that is never an existing patient's, and on through the ordinary self-intake to a
triaged intake whose EMERGENCY alerts the clinicians on duty."""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta
from typing import Any
from urllib.parse import quote

import pytest
from django.conf import LazySettings
from django.test import Client
from django.urls import reverse

from audit.models import AuditEvent
from outbox.models import Message
from patients.models import Intake, Patient
from selfintake import links, referral, services
from selfintake.forms import CONTRACT_STEPS
from selfintake.models import Invitation, SelfReferral
from selfintake.tasks import purge_expired
from tests.selfintake.helpers import (
    answer_every_step,
    answers_path,
    done_path,
    fill_draft,
    invite,
    patient_with_email,
    self_intake,
    step_path,
)
from tests.support.clock import Clock
from tests.support.error_summary import summary_links
from tests.support.factories import ClinicianFactory, PatientFactory
from tests.test_database_down import kept_value, page_text
from triage.models import Urgency

pytestmark = [pytest.mark.postgres, pytest.mark.django_db, pytest.mark.usefixtures("clock")]

FORM = "/p/self-referral/"
SENT = "/p/self-referral/sent/"
BORN = date(1971, 6, 2)


@pytest.fixture(autouse=True)
def enabled(settings: LazySettings) -> None:
    settings.SELF_REFERRAL_ENABLED = True


def details(**fields: str) -> dict[str, str]:
    return {
        "given_name": "Grace",
        "family_name": "Hopper",
        "day": str(BORN.day),
        "month": str(BORN.month),
        "year": str(BORN.year),
        "sex": "F",
        "email": "grace@example.org",
        "phone": "",
        "email_consent": "on",
        "website": "",
    } | fields


def ask(client: Client, remote: str = "198.51.100.7", **fields: str) -> Any:
    return client.post(FORM, details(**fields), REMOTE_ADDR=remote)


def confirmation_link(to: str = "grace@example.org") -> str:
    message = Message.objects.filter(to_email=to, key__startswith="selfreferral.").latest("pk")
    found = re.search(r"/p/r/([^/\s]+)/", message.body_text)
    assert found, message.body_text
    return found.group(1)


def confirm_path(link: str) -> str:
    return reverse("selfintake:referral_confirm", args=[link])


# --- Off unless the clinic chooses it ----------------------------------------------------------


def test_while_it_is_off_every_page_is_a_404_and_nothing_is_kept(
    client: Client, settings: LazySettings
) -> None:
    ask(client)
    link = confirmation_link()
    settings.SELF_REFERRAL_ENABLED = False

    assert client.get(FORM).status_code == 404
    assert ask(client, email="other@example.org").status_code == 404
    assert client.get(SENT).status_code == 404
    assert client.get(confirm_path(link)).status_code == 404
    assert client.post(confirm_path(link)).status_code == 404
    assert SelfReferral.objects.count() == 1 and not Patient.objects.exists()


def test_it_is_off_by_default() -> None:
    from clinic import settings as clinic_settings

    assert clinic_settings.SELF_REFERRAL_ENABLED is False


# --- The form ----------------------------------------------------------------------------------


def test_the_form_is_public_and_asks_what_the_intake_needs(client: Client) -> None:
    response = client.get(FORM)

    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    html = response.content.decode()
    for name in (
        "given_name",
        "family_name",
        "day",
        "month",
        "year",
        "sex",
        "email",
        "phone",
        "email_consent",
    ):
        assert f'name="{name}"' in html, name
    assert 'name="submission_token"' in html and 'name="website"' in html


def test_a_request_emails_a_confirmation_with_no_health_detail_and_is_audited(
    client: Client,
) -> None:
    response = ask(client)

    assert response.status_code == 302 and response["Location"] == SENT
    item = SelfReferral.objects.get()
    assert (item.given_name, item.date_of_birth, item.email_key) == (
        "Grace",
        BORN,
        "grace@example.org",
    )
    assert item.patient is None and item.confirmed_at is None
    assert not Patient.objects.exists() and not Intake.objects.exists()
    message = Message.objects.get()
    assert message.key == f"selfreferral.{item.pk}" and message.to_email == "grace@example.org"
    assert "Confirm your email address" in message.subject
    for word in ("pain", "back", "neck", "triage", "urgent"):
        assert word not in message.subject.lower()
    assert referral.confirm_url(item) in message.body_text
    event = AuditEvent.objects.get(record=item.record)
    assert (event.actor_kind, event.action) == ("patient", "create")


def test_a_refused_form_names_each_error_beside_its_question_and_keeps_what_was_typed(
    client: Client,
) -> None:
    response = ask(client, given_name="", day="31", month="2", sex="", email="not-an-address")

    assert response.status_code == 400
    anchors = dict(summary_links(response.content.decode()))
    assert set(anchors) == {"id_given_name", "id_day", "id_sex_0", "id_email"}
    assert kept_value(response, "family_name") == "Hopper"
    assert kept_value(response, "email") == "not-an-address"
    assert kept_value(response, "year") == str(BORN.year)
    assert not SelfReferral.objects.exists() and not Message.objects.exists()


def test_the_agreement_to_be_emailed_is_needed(client: Client) -> None:
    data = details()
    del data["email_consent"]
    response = client.post(FORM, data)

    assert response.status_code == 400
    assert dict(summary_links(response.content.decode())) == {
        "id_email_consent": "Agree to be emailed: the clinic can only send your link by email"
    }


def test_a_date_of_birth_in_the_future_is_refused(client: Client) -> None:
    response = ask(client, year="2100")
    assert response.status_code == 400 and "must be in the past" in page_text(response)


def test_a_double_submit_makes_one_request_and_one_email(client: Client) -> None:
    token = "6b0c8a64-6f5e-4d1f-9d3b-0c6c1f0e2a11"
    first = ask(client, submission_token=token)
    second = ask(client, submission_token=token)

    assert first["Location"] == second["Location"] == SENT
    assert SelfReferral.objects.count() == 1 and Message.objects.count() == 1


def test_the_honeypot_gets_the_same_answer_and_nothing_is_kept(client: Client) -> None:
    response = ask(client, website="https://spam.example")

    assert response.status_code == 302 and response["Location"] == SENT
    assert not SelfReferral.objects.exists() and not Message.objects.exists()


# --- No enumeration ----------------------------------------------------------------------------


def test_the_answer_is_the_same_whether_or_not_the_clinic_knows_the_person(
    client: Client,
) -> None:
    PatientFactory(
        given_name="Grace",
        family_name="Hopper",
        date_of_birth=BORN,
        email="known@example.org",
        phone="07700 900123",
    )
    known = ask(client, email="known@example.org")
    unknown = ask(client, email="unknown@example.org")

    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert page_text(client.get(SENT)) == page_text(Client().get(SENT))
    bodies = {
        m.to_email: m.body_text.replace(m.to_email, "")
        for m in Message.objects.filter(key__startswith="selfreferral.")
    }
    # The same words to both (but their own link): nothing of the record on file.
    assert re.sub(r"/p/r/\S+", "", bodies["known@example.org"]) == re.sub(
        r"/p/r/\S+", "", bodies["unknown@example.org"]
    )
    assert "07700" not in bodies["known@example.org"]


# --- Throttling --------------------------------------------------------------------------------


def test_at_most_three_emails_go_to_one_address_a_day_with_a_clear_message(
    client: Client, clock: Clock
) -> None:
    for n in range(3):
        assert ask(client, remote=f"198.51.100.{n}").status_code == 302
        clock.advance(timedelta(minutes=5))

    refused = ask(client, remote="198.51.100.99", email="GRACE@example.org ", family_name="H")

    assert refused.status_code == 429
    text = page_text(refused)
    assert "Too many confirmation emails" in text and "Nothing was sent" in text
    assert kept_value(refused, "family_name") == "H"
    assert SelfReferral.objects.count() == 3 and Message.objects.count() == 3
    assert AuditEvent.objects.filter(action="lockout", actor_kind="patient").count() == 1

    # The count is the database's: a day after the first, one more goes.
    clock.advance(timedelta(hours=24) - timedelta(minutes=14))
    assert ask(client, remote="198.51.100.99").status_code == 302
    assert Message.objects.count() == 4


def test_one_client_asking_for_many_addresses_is_throttled_too(
    client: Client, settings: LazySettings
) -> None:
    settings.SELF_REFERRAL_PER_CLIENT = 2
    assert ask(client, email="a@example.org").status_code == 302
    assert ask(client, email="b@example.org").status_code == 302

    assert ask(client, email="c@example.org").status_code == 429
    assert ask(client, remote="192.0.2.1", email="c@example.org").status_code == 302
    # The client's address is kept only as a keyed hash.
    assert not SelfReferral.objects.filter(client_key__contains="198.51").exists()


# --- The confirmation link ----------------------------------------------------------------------


def test_opening_the_link_confirms_nothing(client: Client) -> None:
    ask(client)
    link = confirmation_link()

    response = Client().get(confirm_path(link))

    assert response.status_code == 200
    assert (
        "Confirm and start" in page_text(response) and 'method="post"' in response.content.decode()
    )
    assert not Patient.objects.exists() and not Invitation.objects.exists()
    assert SelfReferral.objects.get().confirmed_at is None


def test_confirming_makes_a_new_self_referred_record_and_goes_straight_to_the_first_step(
    client: Client,
) -> None:
    ask(client, phone="07700 900456")
    link = confirmation_link()
    browser = Client()

    response = browser.post(confirm_path(link))

    item = SelfReferral.objects.get()
    patient = Patient.objects.get()
    invitation = Invitation.objects.get()
    assert item.patient == patient and item.invitation == invitation
    assert (patient.given_name, patient.date_of_birth, patient.sex, patient.phone) == (
        "Grace",
        BORN,
        "F",
        "07700 900456",
    )
    assert patient.email_consent and patient.self_referral == item
    assert invitation.patient == patient and invitation.sent_by is None
    assert invitation.is_open(invitation.created_at)
    assert not Intake.objects.exists()  # nothing triaged before the answers are sent
    intake_link = links.token(invitation)
    assert response.status_code == 302
    assert response["Location"] == links.start_url(invitation, absolute=False)
    # This browser is let in: the date of birth it typed minutes ago is not asked again.
    first = browser.get(response["Location"])
    assert first.status_code == 302
    assert first["Location"] == step_path(intake_link, CONTRACT_STEPS[0].slug)
    # The self-intake link is emailed too, to carry on later (another browser gives the date).
    carry_on = Message.objects.get(key=f"selfintake.{invitation.pk}")
    assert carry_on.to_email == "grace@example.org" and intake_link in carry_on.body_text
    assert Client().get(response["Location"]).status_code == 200  # the date of birth page
    event = AuditEvent.objects.get(record=item.record, action="change")
    assert event.actor_kind == "patient" and event.patient_id == patient.pk


def test_the_same_name_and_birthday_as_a_patient_on_file_is_never_their_record(
    client: Client, receptionist: Any
) -> None:
    on_file = PatientFactory(
        given_name="Grace",
        family_name="Hopper",
        date_of_birth=BORN,
        sex="F",
        email="grace@example.org",
        email_consent=True,
    )
    ask(client)
    browser = Client()
    response = browser.post(confirm_path(confirmation_link()))

    new = SelfReferral.objects.get().patient
    assert new is not None and new.pk != on_file.pk
    assert Patient.objects.count() == 2
    assert not on_file.self_intake_invitations.exists()
    page = browser.get(browser.get(response["Location"])["Location"])
    assert page.status_code == 200
    # Answered to the end, the intake is the new record's, never the one on file.
    intake_link = links.token(Invitation.objects.get())
    answer_every_step(browser, intake_link)
    browser.post(answers_path(intake_link))
    intake = Intake.objects.get()
    assert intake.patient_id == new.pk and not on_file.intakes.exists()


def test_a_double_click_on_confirm_makes_one_record(client: Client) -> None:
    ask(client)
    link = confirmation_link()
    browser = Client()

    first = browser.post(confirm_path(link))
    second = Client().post(confirm_path(link))  # the first answer dropped, cookie and all

    assert first["Location"] == second["Location"]
    assert Patient.objects.count() == 1 and Invitation.objects.count() == 1


def test_a_used_link_says_so_and_offers_to_start_again(client: Client, clock: Clock) -> None:
    ask(client)
    link = confirmation_link()
    browser = Client()
    browser.post(confirm_path(link))
    clock.advance(timedelta(minutes=5))

    used = Client().get(confirm_path(link))
    assert used.status_code == 410
    assert "already been used" in page_text(used) and 'href="/p/self-referral/"' in (
        used.content.decode()
    )
    assert Client().post(confirm_path(link)).status_code == 410
    # The browser that confirmed it goes back into its questions.
    again = browser.get(confirm_path(link))
    assert again.status_code == 302 and again["Location"].startswith("/p/i/")
    assert Patient.objects.count() == 1


def test_an_expired_link_says_so_offers_to_start_again_and_confirms_nothing(
    client: Client, clock: Clock, settings: LazySettings
) -> None:
    ask(client)
    link = confirmation_link()
    clock.advance(settings.SELF_REFERRAL_LINK_MAX_AGE + timedelta(seconds=1))

    for response in (Client().get(confirm_path(link)), Client().post(confirm_path(link))):
        assert response.status_code == 410
        assert "This link has expired" in page_text(response)
        assert "Start again" in page_text(response)
    assert not Patient.objects.exists()


def test_a_link_not_ours_opens_nothing(client: Client) -> None:
    ask(client)
    link = confirmation_link()

    for bad in (link[:-2] + "xx", "nonsense", links.token(Invitation(pk=1, nonce="n"))):
        response = Client().post(confirm_path(bad))
        assert response.status_code == 404 and "not valid" in page_text(response)
    assert not Patient.objects.exists()


# --- Through to the triaged intake ----------------------------------------------------------


def test_a_complete_self_referral_is_triaged_on_submit_and_an_emergency_alerts_on_duty(
    client: Client,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    on_duty = ClinicianFactory(email="olu@clinic.example", on_duty=True)
    ask(client, sex="M")
    browser = Client()
    response = browser.post(confirm_path(confirmation_link()))
    invitation = Invitation.objects.get()
    intake_link = links.token(invitation)
    assert browser.get(response["Location"]).status_code == 302

    answer_every_step(browser, intake_link, saddle_anaesthesia="yes")
    assert not Intake.objects.exists()
    with django_capture_on_commit_callbacks(execute=False):
        sent = browser.post(answers_path(intake_link))

    assert sent.status_code == 302 and sent["Location"] == done_path(intake_link)
    intake = Intake.objects.get()
    assert (intake.source, intake.entered_by, intake.patient_id) == (
        "self",
        None,
        SelfReferral.objects.get().patient_id,
    )
    assert intake.answers["sex"] == "M"
    assert intake.assessment.urgency == Urgency.EMERGENCY
    alert = Message.objects.get(kind=Message.Kind.CLINICIAN_ALERT)
    assert alert.to_email == on_duty.email and alert.case_id == intake.assessment.case_id
    done = browser.get(done_path(intake_link))
    assert "999" in page_text(done)


# --- What reception sees ----------------------------------------------------------------------


def test_reception_sees_the_record_is_self_referred_in_the_queue_the_case_and_the_list(
    clinician_client: Client, receptionist_client: Client, receptionist: Any
) -> None:
    item = referral.request_self_referral(
        details=referral.ReferralDetails(
            given_name="Grace",
            family_name="Hopper",
            date_of_birth=BORN,
            sex="F",
            email="grace@example.org",
            phone="",
            email_consent=True,
        ),
        submission_token=uuid.uuid4(),
    )
    invitation = referral.confirm_self_referral(referral_id=item.pk)
    fill_draft(invitation, hand_clumsiness="yes")
    intake = services.submit_self_intake(invitation_id=invitation.pk, questionnaire=None)
    # Another patient's self-intake, invited by reception: not marked.
    self_intake(receptionist, patient_with_email(given_name="Ada", email="ada@example.org"))
    waiting, _link = invite(
        patient_with_email(given_name="Bo", email="bo@example.org"), receptionist
    )

    queue = clinician_client.get(reverse("triage:queue")).content.decode()
    assert queue.count('<td class="case-source">Self-referral</td>') == 1
    assert queue.count('<td class="case-source">Patient</td>') == 1

    page = clinician_client.get(
        reverse("triage:case_detail", args=[intake.assessment.case_id])
    ).content.decode()
    panel = " ".join(page.split('id="self-intake"')[1].split("</section>")[0].split())
    assert "Self-referred" in panel and "grace@example.org" in panel
    assert "matched to no other" in panel

    listing = receptionist_client.get(reverse("selfintake:list")).content.decode()
    marked = re.findall(
        r"([A-Z][a-z]+ [A-Za-z]+)</a> <span class=\"badge[^\"]*self-referred", listing
    )
    assert marked == ["Grace Hopper"], marked
    assert waiting.patient.full_name in listing


def test_requests_never_confirmed_are_deleted_once_they_no_longer_count(
    client: Client, clock: Clock
) -> None:
    ask(client, email="never@example.org")
    ask(client, email="yes@example.org")
    Client().post(confirm_path(confirmation_link("yes@example.org")))
    clock.advance(timedelta(hours=23))
    purge_expired()
    assert SelfReferral.objects.count() == 2  # still counted for the throttle

    clock.advance(timedelta(hours=1, seconds=1))
    purge_expired()
    assert list(SelfReferral.objects.values_list("email", flat=True)) == ["yes@example.org"]


@pytest.mark.parametrize(
    "hostile", ["\x00", "9" * 40, "<script>alert(1)</script>", "ü" * 300, "-1", "' OR 1=1 --"]
)
def test_hostile_input_gets_a_clear_answer_never_a_server_error(
    client: Client, hostile: str
) -> None:
    response = ask(
        client,
        given_name=hostile,
        day=hostile,
        sex=hostile,
        email=hostile,
        phone=hostile,
        submission_token=hostile,
    )
    assert response.status_code == 400
    assert "<script>alert" not in response.content.decode()
    assert not SelfReferral.objects.exists()
    assert Client().get(f"/p/r/{quote(hostile, safe='')}/").status_code == 404
