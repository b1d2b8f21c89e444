"""English and German (clinic/language.py): a German-speaking patient's emails, pages and
handout come out in German, through the German catalogue and Django's own German locale
(weekday and month names, the decimal comma) and the exercise library's German text; an English
patient's come out as before; staff choose their own language.

The German catalogue (locale/de) is translated on its own; these tests hold whatever it says,
so they read what comes from the language machinery itself: the page's and the email's
`lang`, Django's German names of months and weekdays, the library's German, which this product
writes (programmes/core/library_de.py).
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import asdict
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from clinic import language
from clinic.models import StaffPreferences
from outbox.models import Message
from outbox.services import queue_emails
from patients.models import Language, Patient, PatientDetailChange
from programmes import emails, handout, links, prescribing
from programmes.core import library
from programmes.core.library_de import GERMAN
from programmes.models import Exercise, Programme, ProgrammeTemplate, format_kg
from selfintake import links as selfintake_links
from tests.patients.helpers import make_intake, patient_details
from tests.selfintake.helpers import patient_with_email, start_path
from tests.support.clock import Clock

pytestmark = pytest.mark.django_db

TEMPLATE = "upper-back-kettlebell-foundations"


@pytest.fixture(autouse=True)
def _on_the_test_clock(clock: Clock) -> Clock:
    return clock  # 25 October 2026: "October" in English, "Oktober" in German


def _programme(receptionist: User, clinician: User, spoken: str) -> Programme:
    intake = make_intake(
        entered_by=receptionist,
        details=patient_details(
            given_name="Greta" if spoken == "de" else "Ada",
            email="patient@example.org",
            email_consent=True,
            preferred_language=spoken,
        ),
    )
    return prescribing.prescribe_programme(
        case_id=intake.assessment.case_id,
        clinician=clinician,
        template_id=ProgrammeTemplate.objects.get(slug=TEMPLATE).pk,
        start_date=timezone.localdate(),
    )


@pytest.fixture
def german(receptionist: User, clinician: User) -> Programme:
    return _programme(receptionist, clinician, Language.GERMAN)


@pytest.fixture
def english(receptionist: User, clinician: User) -> Programme:
    return _programme(receptionist, clinician, Language.ENGLISH)


def _exercises(programme: Programme) -> list[Exercise]:
    phase = programme.phases.get(position=programme.current_phase)
    return [item.exercise for item in phase.exercises.select_related("exercise")]


def _programme_email(programme: Programme) -> Message:
    return Message.objects.get(patient=programme.patient, kind=Message.Kind.PROGRAMME)


# --- Which language -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("spoken", "shown"),
    [("de", "de"), ("en", "en-gb"), ("pl", "en-gb"), ("other", "en-gb")],
)
def test_a_patient_reads_their_language_when_the_clinic_has_it_else_english(
    spoken: str, shown: str
) -> None:
    assert language.for_patient(Patient(preferred_language=spoken)) == shown


def test_the_html_lang_is_a_language_tag() -> None:
    assert (language.html_lang("en-gb"), language.html_lang("de")) == ("en-GB", "de")


# --- Emails -----------------------------------------------------------------------------------


def test_a_german_patients_programme_email_is_written_in_german(german: Programme) -> None:
    message = _programme_email(german)
    assert '<html lang="de">' in message.body_html
    # Django's own German: the month the programme starts, its training days.
    assert "Oktober 2026" in message.body_text
    assert "October" not in message.body_text
    assert "Montag" in message.body_text or "Dienstag" in message.body_text
    for exercise in _exercises(german):
        assert GERMAN[exercise.slug].name in message.body_text
        assert exercise.name not in message.body_text


def test_an_english_patients_programme_email_is_as_it_was(english: Programme) -> None:
    message = _programme_email(english)
    assert '<html lang="en-GB">' in message.body_html
    assert "October 2026" in message.body_text
    for exercise in _exercises(english):
        assert exercise.name in message.body_text
        assert GERMAN[exercise.slug].name not in message.body_text


def test_every_patient_email_is_built_in_the_patients_language(
    german: Programme, english: Programme
) -> None:
    check_in = german.check_ins.order_by("week").last()
    assert check_in is not None
    built = [
        emails.programme_email(german),
        emails.reminder_email(german, timezone.now()),
        emails.check_in_email(check_in),
        emails.link_email(german, f"prg{german.pk}.link.test"),
    ]
    assert {email.language for email in built} == {"de"}
    assert emails.programme_email(english).language == "en-gb"
    # Queued from a German page, an email that names no language is in English.
    with translation.override("de"):
        (message,) = queue_emails([emails.link_email(english, f"prg{english.pk}.link.test")])
    assert '<html lang="en-GB">' in message.body_html
    (message,) = queue_emails([emails.check_in_email(check_in)])
    assert '<html lang="de">' in message.body_html


def test_the_dose_follows_the_language() -> None:
    assert format_kg(Decimal("2.5")) == "2.5 kg"
    with translation.override("de"):
        assert format_kg(Decimal("2.5")) == "2,5 kg"
        assert "Montag" in emails.training_days_text([0, 2])
        assert "Mittwoch" in emails.training_days_text([0, 2])


# --- The patient's pages and handout ----------------------------------------------------------


def test_a_german_patients_page_is_in_german_with_a_switch_to_english(
    german: Programme,
) -> None:
    client = Client()
    path = links.page_url(german, absolute=False)
    page = client.get(path)
    html = page.content.decode()
    assert page.status_code == 200
    assert '<html lang="de">' in html
    assert page["Content-Language"] == "de"
    for exercise in _exercises(german):
        assert GERMAN[exercise.slug].name in html
    assert GERMAN[_exercises(german)[0].slug].setup in html
    assert 'name="language" value="en-gb" lang="en-gb"' in html
    assert f'action="{reverse("patient_language")}"' in html

    switched = client.post(reverse("patient_language"), {"language": "en-gb", "next": path})
    assert switched.status_code == 303 and switched["Location"] == path
    assert switched.cookies[language.PATIENT_COOKIE].value == "en-gb"
    html = client.get(path).content.decode()
    assert '<html lang="en-GB">' in html
    assert _exercises(german)[0].setup in html
    assert 'name="language" value="de" lang="de"' in html


def test_an_english_patients_page_is_as_it_was(english: Programme) -> None:
    html = Client().get(links.page_url(english, absolute=False)).content.decode()
    assert '<html lang="en-GB">' in html
    first = _exercises(english)[0]
    assert first.setup in html and GERMAN[first.slug].setup not in html


@pytest.mark.parametrize(
    "back", ["/triage/", "https://elsewhere.example/p/x/", "//elsewhere.example/p/x/", ""]
)
def test_the_switch_goes_back_only_to_a_patient_page(back: str) -> None:
    answer = Client().post(reverse("patient_language"), {"language": "de", "next": back})
    assert answer.status_code == 400


def test_the_switch_refuses_a_language_the_clinic_does_not_have() -> None:
    answer = Client().post(reverse("patient_language"), {"language": "pl", "next": "/p/x/"})
    assert answer.status_code == 400


def test_a_german_patients_check_in_and_unsubscribe_pages_are_in_german(
    german: Programme,
) -> None:
    client = Client()
    page = client.get(reverse("programmes:check_in", args=[links.page_token(german), 0]))
    assert page.status_code == 200 and '<html lang="de">' in page.content.decode()
    token = links.unsubscribe_url(german).rsplit("/p/u/", 1)[1].strip("/")
    page = client.get(reverse("programmes:unsubscribe", args=[token]))
    assert '<html lang="de">' in page.content.decode()


def _pdf_text(pdf: bytes) -> str:
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
    return " ".join(text.stdout.decode().split())


def test_a_german_patients_handout_is_in_german(german: Programme) -> None:
    text = _pdf_text(handout.render_pdf(german))
    first = _exercises(german)[0]
    assert GERMAN[first.slug].name in text
    assert " ".join(GERMAN[first.slug].setup.split()[:6]) in text
    assert "Oktober" in text
    # The patient's page prints it in the page's language: English once switched.
    english_text = _pdf_text(handout.render_pdf(german, "en-gb"))
    assert first.name in english_text and "October" in english_text


# --- Self-intake ------------------------------------------------------------------------------


def test_reception_sends_the_self_intake_link_in_german(reception_client: Client) -> None:
    patient = patient_with_email(preferred_language="en")
    path = reverse("selfintake:invite", args=[patient.pk])
    page = reception_client.get(path).content.decode()
    assert 'name="language" value="de"' in page
    reception_client.post(path, {"language": "de"})
    patient.refresh_from_db()
    assert patient.preferred_language == "de"
    change = PatientDetailChange.objects.get(patient=patient, field="preferred_language")
    assert (change.old_value, change.new_value, change.via) == (
        "en",
        "de",
        PatientDetailChange.Via.INVITATION,
    )
    message = Message.objects.get(patient=patient, kind=Message.Kind.SELF_INTAKE)
    assert '<html lang="de">' in message.body_html
    assert "Oktober" in message.body_text or "November" in message.body_text
    invitation = patient.self_intake_invitations.get()
    start = Client().get(start_path(selfintake_links.token(invitation)))
    assert start.status_code == 200 and '<html lang="de">' in start.content.decode()


def test_an_english_self_intake_link_is_as_it_was(reception_client: Client) -> None:
    patient = patient_with_email(preferred_language="pl")
    reception_client.post(reverse("selfintake:invite", args=[patient.pk]), {"language": "en-gb"})
    patient.refresh_from_db()
    assert patient.preferred_language == "pl"  # still noted for the visit; emails in English
    assert not PatientDetailChange.objects.filter(patient=patient).exists()
    message = Message.objects.get(patient=patient, kind=Message.Kind.SELF_INTAKE)
    assert '<html lang="en-GB">' in message.body_html
    invitation = patient.self_intake_invitations.get()
    start = Client().get(start_path(selfintake_links.token(invitation)))
    assert '<html lang="en-GB">' in start.content.decode()


# --- Staff ------------------------------------------------------------------------------------


def test_a_member_of_staff_chooses_their_language(receptionist: User) -> None:
    client = Client()
    client.force_login(receptionist)
    assert '<html lang="en-GB">' in client.get(reverse("staff_language")).content.decode()
    answer = client.post(reverse("staff_language"), {"language": "de"}, follow=True)
    assert '<html lang="de">' in answer.content.decode()
    assert StaffPreferences.objects.get(user=receptionist).language == "de"
    assert '<html lang="de">' in client.get(reverse("patients:intake_new")).content.decode()

    # Chosen once, it holds at the next sign-in, on another browser.
    elsewhere = Client()
    elsewhere.force_login(receptionist)
    assert '<html lang="de">' in elsewhere.get(reverse("patients:intake_new")).content.decode()

    client.post(reverse("staff_language"), {"language": ""})
    assert '<html lang="en-GB">' in client.get(reverse("patients:intake_new")).content.decode()


def test_without_a_choice_the_staff_page_follows_the_browser(receptionist: User) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9")
    client.force_login(receptionist)
    assert '<html lang="de">' in client.get(reverse("patients:intake_new")).content.decode()
    client = Client(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    client.force_login(receptionist)
    assert '<html lang="en-GB">' in client.get(reverse("patients:intake_new")).content.decode()


# --- The exercise library ---------------------------------------------------------------------


def test_every_seeded_exercise_has_its_german_text() -> None:
    assert set(GERMAN) == {spec.slug for spec in library.EXERCISES}
    for slug, text in GERMAN.items():
        for field, value in asdict(text).items():
            assert value.strip(), (slug, field)
    seeded = Exercise.objects.filter(slug__in=list(GERMAN))
    assert seeded.count() == len(GERMAN)
    for exercise in seeded:
        german = exercise.text_in("de")
        for field in ("name", "equipment", "setup", "movement", "good_form", "stop_if"):
            value = getattr(exercise, f"{field}_de")
            assert value.strip() and value == getattr(GERMAN[exercise.slug], field)
            assert getattr(german, field) == value
        assert exercise.progression_de == GERMAN[exercise.slug].progression


def test_the_migrations_german_snapshot_is_the_library_as_it_was_written() -> None:
    snapshot = Path(settings.BASE_DIR, "programmes/migrations/0008_seed_exercise_german.json")
    rows = json.loads(snapshot.read_text(encoding="utf-8"))
    assert set(rows) == set(GERMAN)
    for slug, row in rows.items():
        assert row == {field: getattr(GERMAN[slug], field) for field in row}


def test_an_empty_german_text_shows_the_english() -> None:
    exercise = Exercise.objects.get(slug="band-row")
    exercise.setup_de = ""
    assert exercise.text_in("de").setup == exercise.setup
    assert exercise.text_in("de").movement == exercise.movement_de
    assert exercise.text_in("en-gb").movement == exercise.movement
    with translation.override("de"):
        assert exercise.text.name == exercise.name_de


def test_the_admin_edits_both_languages(admin_client_: Client) -> None:
    client = admin_client_
    exercise = Exercise.objects.get(slug="band-row")
    page = client.get(reverse("admin:programmes_exercise_change", args=[exercise.pk]))
    html = page.content.decode()
    for field in ("setup", "setup_de", "movement_de", "good_form_de", "stop_if_de", "name_de"):
        assert f'name="{field}"' in html
