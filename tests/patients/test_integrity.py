"""Intake integrity through the reception page: every submission kept, under the right patient.

Each test reproduces a defect found by trying the form as a hostile new user would, and says
what the page does now.
"""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import resolve, reverse
from django.utils import timezone

from patients.models import Intake, Patient, PatientDetailChange
from tests.patients.helpers import (
    OTHER_VALID_NHS_NUMBER,
    VALID_NHS_NUMBER,
    intake_post,
)
from tests.support.two_factor import sign_in
from triage.models import Case, Urgency

URL = reverse("patients:intake_new")
EMERGENCY_SIGNS = {"chest_pain": "yes", "sweating_or_nausea_with_pain": "yes"}

pytestmark = pytest.mark.django_db


def _outcome_intake(response) -> Intake:
    assert response.status_code == 302, response.content.decode()[:3000]
    match = resolve(response["Location"])
    assert match.view_name == "patients:intake_outcome"
    return Intake.objects.get(pk=match.kwargs["pk"])


def _hidden(html: str, name: str) -> str:
    """The value of the hidden input `name` ("" when it has none)."""
    tag = re.search(rf'<input type="hidden" name="{name}"[^>]*>', html)
    assert tag, f"no hidden {name} on the page"
    value = re.search(r'value="([^"]*)"', tag.group(0))
    return value.group(1) if value else ""


def _nothing_saved() -> bool:
    return not (Patient.objects.exists() or Intake.objects.exists() or Case.objects.exists())


# --- The submission token ---------------------------------------------------------------


def test_the_same_token_with_the_same_answers_gives_the_first_intake(
    reception_client: Client,
) -> None:
    post = intake_post()
    first = _outcome_intake(reception_client.post(URL, post))
    again = _outcome_intake(reception_client.post(URL, post))
    assert again == first
    assert Intake.objects.count() == 1


def test_a_token_reused_with_new_answers_is_a_new_intake_never_the_old_outcome(
    reception_client: Client,
) -> None:
    """A receptionist goes back, adds chest pain and sweating, and submits again."""
    post = intake_post()
    first = _outcome_intake(reception_client.post(URL, post))
    second = _outcome_intake(reception_client.post(URL, post | EMERGENCY_SIGNS))

    assert second != first
    assert second.assessment.urgency == Urgency.EMERGENCY
    assert second.patient_id == first.patient_id
    assert Case.objects.get().urgency == Urgency.EMERGENCY


def test_the_nil_token_never_shows_another_patients_outcome(reception_client: Client) -> None:
    nil = str(uuid.UUID(int=0))
    ann = _outcome_intake(reception_client.post(URL, intake_post(submission_token=nil)))
    bob = _outcome_intake(
        reception_client.post(
            URL,
            intake_post(
                submission_token=nil, given_name="Bob", family_name="Baker", email="b@example.com"
            ),
        )
    )
    assert bob != ann
    assert bob.patient.given_name == "Bob"
    page = reception_client.get(reverse("patients:intake_outcome", args=[bob.pk])).content.decode()
    assert "Bob Baker" in page and "Grace Hopper" not in page


def test_another_users_token_makes_their_own_intake(
    reception_client: Client, other_reception: User
) -> None:
    post = intake_post()
    mine = _outcome_intake(reception_client.post(URL, post))
    other = Client()
    sign_in(other, other_reception)
    theirs = _outcome_intake(other.post(URL, post))
    assert theirs != mine
    assert theirs.entered_by == other_reception
    assert other.get(reverse("patients:intake_outcome", args=[theirs.pk])).status_code == 200


@pytest.mark.parametrize("token", ["not-a-uuid", "", "{}", "\x00", "1" * 500])
def test_a_malformed_token_is_replaced_so_the_form_can_be_sent(
    reception_client: Client, token: str
) -> None:
    refused = reception_client.post(URL, intake_post(submission_token=token, pain_region=None))
    assert refused.status_code == 200
    fresh = _hidden(refused.content.decode(), "submission_token")
    uuid.UUID(fresh)  # a real token now, not the malformed one echoed back

    intake = _outcome_intake(reception_client.post(URL, intake_post(submission_token=fresh)))
    assert intake.submission_token == uuid.UUID(fresh)


def test_a_malformed_token_on_a_complete_intake_still_saves_it(reception_client: Client) -> None:
    _outcome_intake(reception_client.post(URL, intake_post(submission_token="garbage")))
    assert Intake.objects.count() == 1


# --- The right patient ------------------------------------------------------------------


@pytest.fixture
def ann(reception_client: Client) -> Patient:
    """Ann, born 1980, on file with her NHS number and contact details."""
    _outcome_intake(
        reception_client.post(
            URL,
            intake_post(
                given_name="Ann",
                family_name="Archer",
                date_of_birth="1980-05-06",
                nhs_number=VALID_NHS_NUMBER,
                email="ann@example.com",
                phone="01632 960111",
            ),
        )
    )
    return Patient.objects.get()


def _zed(**overrides: str) -> dict[str, str]:
    """Zed Stranger, born 2001, typed with Ann's NHS number."""
    zed = {
        "given_name": "Zed",
        "family_name": "Stranger",
        "date_of_birth": "2001-02-03",
        "nhs_number": VALID_NHS_NUMBER,
        "email": "zed@example.com",
        "phone": "07700 900999",
        "pain_score_now": "7",
    }
    return intake_post(**(zed | overrides))


def test_an_nhs_number_on_file_for_someone_else_stops_with_both_records_side_by_side(
    reception_client: Client, ann: Patient
) -> None:
    response = reception_client.post(URL, _zed())

    assert response.status_code == 200
    html = response.content.decode()
    assert "This NHS number is on file for another name or date of birth" in html
    for shown in ("Ann", "Archer", "6 May 1980", "Zed", "Stranger", "3 February 2001"):
        assert shown in html
    form = response.context["form"]
    assert form["given_name"].value() == "Zed" and form["pain_score_now"].value() == "7"
    assert Intake.objects.count() == 1  # Ann's first, nothing more
    ann.refresh_from_db()
    assert (ann.email, ann.phone) == ("ann@example.com", "01632 960111")


def _answer(client: Client, post: dict[str, str], **choice: str) -> object:
    """Submit, then answer the question the page asked, with every other answer as it was."""
    asked = client.post(URL, post).content.decode()
    keys = {name: _hidden(asked, name) for name in ("identity_key", "details_key")}
    return client.post(URL, post | keys | choice)


def test_same_patient_with_a_typo_files_under_the_record_and_its_birthday(
    reception_client: Client, ann: Patient
) -> None:
    response = _answer(
        reception_client,
        _zed(email="ann@example.com", phone="01632 960111"),
        identity_choice="keep_record",
    )
    intake = _outcome_intake(response)
    assert intake.patient == ann
    ann.refresh_from_db()
    assert (ann.given_name, ann.date_of_birth) == ("Ann", date(1980, 5, 6))
    # Ann's age on the day of the intake, not Zed's
    assert intake.answers["age"] == ann.age_on(timezone.localdate(intake.created_at))


def test_same_patient_whose_record_was_wrong_is_corrected_and_the_change_recorded(
    reception_client: Client, ann: Patient, reception: User
) -> None:
    intake = _outcome_intake(
        _answer(
            reception_client,
            intake_post(
                given_name="Anne",
                family_name="Archer",
                date_of_birth="1980-05-06",
                nhs_number=VALID_NHS_NUMBER,
                email="ann@example.com",
                phone="",
            ),
            identity_choice="correct_record",
        )
    )
    ann.refresh_from_db()
    assert intake.patient == ann and ann.given_name == "Anne"
    change = PatientDetailChange.objects.get()
    assert (change.field, change.old_value, change.new_value) == ("given_name", "Ann", "Anne")
    assert (change.changed_by, change.intake) == (reception, intake)


def test_a_different_patient_is_registered_without_the_nhs_number_and_reception_told(
    reception_client: Client, ann: Patient
) -> None:
    response = _answer(reception_client, _zed(), identity_choice="different_patient")
    intake = _outcome_intake(response)

    zed = intake.patient
    assert zed != ann
    assert (zed.given_name, zed.nhs_number, zed.email) == ("Zed", "", "zed@example.com")
    ann.refresh_from_db()
    assert (ann.email, ann.phone, ann.nhs_number) == (
        "ann@example.com",
        "01632 960111",
        VALID_NHS_NUMBER,
    )
    outcome = reception_client.get(response["Location"]).content.decode()
    assert "was not recorded for this patient" in outcome
    assert intake.answers["age"] == zed.age_on(timezone.localdate(intake.created_at))


def test_new_contact_details_wait_for_reception_and_are_recorded(
    reception_client: Client, ann: Patient, reception: User
) -> None:
    returning = intake_post(
        given_name="Ann",
        family_name="Archer",
        date_of_birth="1980-05-06",
        nhs_number=VALID_NHS_NUMBER,
        email="ann.new@example.com",
        phone="01632 960111",
    )
    asked = reception_client.post(URL, returning)
    html = asked.content.decode()
    assert "This patient&#x27;s details differ from their record" in html or (
        "details differ from their record" in html
    )
    assert "ann@example.com" in html and "ann.new@example.com" in html
    assert Intake.objects.count() == 1

    _outcome_intake(_answer(reception_client, returning, details_choice="update"))
    ann.refresh_from_db()
    assert ann.email == "ann.new@example.com"
    change = PatientDetailChange.objects.get()
    assert (change.field, change.old_value, change.new_value, change.changed_by) == (
        "email",
        "ann@example.com",
        "ann.new@example.com",
        reception,
    )


def test_keeping_the_details_on_file_changes_nothing(
    reception_client: Client, ann: Patient
) -> None:
    returning = intake_post(
        given_name="Ann",
        family_name="Archer",
        date_of_birth="1980-05-06",
        nhs_number=VALID_NHS_NUMBER,
        email="typo@example.com",
    )
    intake = _outcome_intake(_answer(reception_client, returning, details_choice="keep"))
    ann.refresh_from_db()
    assert intake.patient == ann and ann.email == "ann@example.com"
    assert not PatientDetailChange.objects.exists()


def test_a_confirmation_about_a_record_that_changed_meanwhile_is_asked_again(
    reception_client: Client, ann: Patient
) -> None:
    post = _zed()
    keys = {
        "identity_key": _hidden(reception_client.post(URL, post).content.decode(), "identity_key")
    }
    Patient.objects.filter(pk=ann.pk).update(given_name="Annabel", updated_at=timezone.now())

    again = reception_client.post(URL, post | keys | {"identity_choice": "keep_record"})
    assert again.status_code == 200
    assert "Annabel" in again.content.decode()
    assert Intake.objects.count() == 1


def test_an_intake_after_a_confirmed_identity_also_asks_about_contact_details(
    reception_client: Client, ann: Patient
) -> None:
    """Both questions, one after the other; the first answer travels on with the second."""
    post = _zed()  # other name, birthday, email and phone
    first = reception_client.post(URL, post).content.decode()
    step = post | {"identity_key": _hidden(first, "identity_key"), "identity_choice": "keep_record"}
    second = reception_client.post(URL, step)
    html = second.content.decode()
    assert "details differ from their record" in html
    assert _hidden(html, "identity_choice") == "keep_record"
    final = step | {"details_key": _hidden(html, "details_key"), "details_choice": "keep"}
    intake = _outcome_intake(reception_client.post(URL, final))
    assert intake.patient == ann


# --- Every input gets a clear answer ----------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "\u0669\u0664\u0663\u0664\u0667\u0666\u0665\u0669\u0661\u0669",  # Arabic-Indic
        "\uff19\uff14\uff13\uff14\uff17\uff16\uff15\uff19\uff11\uff19",  # full width
        "943 476 5919",
        "943-476-5919",
        "943\u2013476\u20135919",  # en dashes
        "94347659\u00b9\u2079",  # superscript digits: NFKC reads them as digits
    ],
    ids=["arabic-indic", "full-width", "spaces", "dashes", "en-dashes", "superscript"],
)
def test_nhs_numbers_in_any_digits_are_stored_as_ascii_and_make_one_patient(
    reception_client: Client, typed: str
) -> None:
    _outcome_intake(reception_client.post(URL, intake_post(nhs_number=VALID_NHS_NUMBER)))
    _outcome_intake(reception_client.post(URL, intake_post(nhs_number=typed)))
    assert Patient.objects.get().nhs_number == VALID_NHS_NUMBER
    assert Intake.objects.count() == 2


@pytest.mark.parametrize(
    "typed", ["943476591", "943476591x", "9434765918", "☃", "9434765919\u0301"]
)
def test_an_nhs_number_that_is_not_ten_digits_is_refused_with_the_field_named(
    reception_client: Client, typed: str
) -> None:
    response = reception_client.post(URL, intake_post(nhs_number=typed))
    assert response.status_code == 200
    assert "nhs_number" in response.context["form"].errors
    assert _nothing_saved()


@pytest.mark.parametrize("patient", ["\u00b2", "-1", "1e3", "99999999999999999999999", "\x00"])
def test_a_bad_patient_id_is_not_found_not_a_server_error(
    reception_client: Client, patient: str
) -> None:
    assert reception_client.get(URL, {"patient": patient}).status_code == 404


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("Zed\u202eregnartS", "text-direction"),
        ("\u200b\u200b", "invisible"),
        ("Ann\x07", "control character"),
        ("Ann\nLee", "control character"),
    ],
)
def test_names_that_would_hide_or_reverse_text_are_refused(
    reception_client: Client, name: str, why: str
) -> None:
    response = reception_client.post(URL, intake_post(family_name=name))
    assert response.status_code == 200
    assert why in str(response.context["form"].errors["family_name"])
    assert _nothing_saved()


def test_a_question_answered_twice_both_ways_is_refused(reception_client: Client) -> None:
    post = intake_post()
    body = "&".join(
        f"{k}={v}" for k, v in post.items() if k not in ("chest_pain", "email", "phone")
    )
    body += "&chest_pain=yes&chest_pain=no&email=grace%40example.com&phone="
    response = reception_client.post(URL, body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 200
    assert "more than once" in str(response.context["form"].errors["chest_pain"])
    assert _nothing_saved()


def test_a_question_answered_twice_the_same_way_is_read_once(reception_client: Client) -> None:
    post = intake_post()
    body = "&".join(f"{k}={v}" for k, v in post.items() if k not in ("email",))
    body += "&email=grace%40example.com&chest_pain=no"
    response = reception_client.post(URL, body, content_type="application/x-www-form-urlencoded")
    _outcome_intake(response)


def test_a_pain_longer_than_the_patients_life_is_refused(reception_client: Client) -> None:
    born = timezone.localdate() - timedelta(days=800)  # about two years old
    response = reception_client.post(
        URL, intake_post(date_of_birth=born.isoformat(), duration_days="2000")
    )
    assert response.status_code == 200
    assert "longer than the patient has been alive" in str(
        response.context["form"].errors["duration_days"]
    )
    assert _nothing_saved()


def test_a_day_first_date_of_birth_is_shown_back_as_the_date_box_reads_it(
    reception_client: Client,
) -> None:
    response = reception_client.post(URL, intake_post(date_of_birth="31/01/1970", pain_region=None))
    assert 'value="1970-01-31"' in response.content.decode()


def test_a_second_nhs_number_on_file_is_not_merged(reception_client: Client) -> None:
    _outcome_intake(reception_client.post(URL, intake_post(nhs_number=VALID_NHS_NUMBER)))
    _outcome_intake(reception_client.post(URL, intake_post(nhs_number=OTHER_VALID_NHS_NUMBER)))
    assert Patient.objects.count() == 2


def test_an_admin_correction_is_recorded(client: Client, ann: Patient) -> None:
    boss = User.objects.create_superuser("boss", "boss@example.com", "x-long-pw-1")
    sign_in(client, boss)
    url = reverse("admin:patients_patient_change", args=[ann.pk])
    page = client.get(url)
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None}
    data |= {
        "given_name": "Ann",
        "family_name": "Archer",
        "date_of_birth": "1980-05-06",
        "sex": ann.sex,
        "email": "ann@new.example.com",
        "phone": ann.phone,
        "nhs_number": ann.nhs_number,
        "preferred_language": ann.preferred_language,
        "email_consent": "on" if ann.email_consent else "",
    }
    assert client.post(url, data).status_code == 302
    change = PatientDetailChange.objects.get()
    assert (change.field, change.new_value, change.changed_by, change.via) == (
        "email",
        "ann@new.example.com",
        boss,
        "admin",
    )
