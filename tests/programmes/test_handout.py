"""The printed programme: a real PDF (read back with pdftotext) with every exercise's dose in each
phase, the week plan, the safety net and the clinic's details; printed by clinicians from the case
page (and the prescribe page) as a recorded read of the patient's record, downloaded by the
patient from their page; and a patient with no email is prescribed one."""

from __future__ import annotations

import subprocess
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from outbox.models import Message
from programmes import emails, links
from programmes.models import Programme, ProgrammeTemplate
from tests.programmes.helpers import KETTLEBELL, self_care_intake
from tests.programmes.media_helpers import use_media_folder, with_media
from tests.support.two_factor import sign_in

pytestmark = pytest.mark.django_db

EN_DASH = "\N{EN DASH}"  # between the weeks of a phase, as the handout prints them


def pdf_text(pdf: bytes) -> str:
    """The PDF's words, each run of white space as one space (lines wrap where the page ends)."""
    assert pdf.startswith(b"%PDF-")
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    return " ".join(text.split())


def flat(text: str) -> str:
    return " ".join(text.split())


def images_in(pdf: bytes, folder: Path) -> int:
    path = folder / "handout.pdf"
    path.write_bytes(pdf)
    listing = subprocess.run(
        ["pdfimages", "-list", str(path)], capture_output=True, check=True
    ).stdout.decode()
    return len(listing.splitlines()) - 2  # two lines of heading


def assert_is_the_handout(text: str, programme: Programme) -> None:
    plan = emails.week_plan(programme, emails.programme_plan(programme))
    for step in plan:
        assert step.phase.name in text
        assert f"{step.starts:%a} {step.starts.day} {step.starts:%b}" in text
        for item in step.phase.exercises.all():
            days = item.days_per_week
            # pdftotext may close up the spaces around the multiplication sign.
            row = f"Weeks {step.first_week}-{step.last_week} {item.dose} {days} days a week"
            assert row.replace(" ", "") in text.replace(" ", "").replace(EN_DASH, "-"), row
            assert flat(item.exercise.movement) in text
    for line in programme.safety_net.splitlines():
        assert flat(line) in text, line
    assert settings.CLINIC_NAME in text
    assert settings.CLINIC_PHONE in text
    for line in settings.CLINIC_ADDRESS.split("|"):
        assert line in text


def test_the_clinician_prints_the_handout_from_the_case_page_and_the_read_is_recorded(
    clinician: User, clinician_client: Client, programme: Programme
) -> None:
    case_page = clinician_client.get(reverse("triage:case_detail", args=[programme.case_id]))
    url = reverse("programmes:programme_handout", args=[programme.pk])
    assert f'href="{url}"' in case_page.content.decode()

    response = clinician_client.get(url)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    text = pdf_text(response.content)
    assert "Your home-exercise programme" in text
    assert programme.patient.full_name in text
    assert_is_the_handout(text, programme)
    # Each exercise's instructions once, however many phases have it.
    row = programme.phases.get(position=1).exercises.select_related("exercise").first()
    assert row is not None
    assert text.count(flat(row.exercise.good_form)) == 1
    assert AuditEvent.objects.filter(
        actor=clinician,
        actor_kind=AuditEvent.ActorKind.STAFF,
        action=AuditEvent.Action.VIEW,
        patient=programme.patient,
        record=f"programme {programme.pk} handout",
        page="programmes:programme_handout",
    ).exists()


def test_the_handout_shows_an_exercise_s_uploaded_picture(
    clinician_client: Client, programme: Programme, settings: Any, tmp_path: Path
) -> None:
    use_media_folder(settings, tmp_path)
    url = reverse("programmes:programme_handout", args=[programme.pk])
    without = clinician_client.get(url).content
    item = programme.phases.get(position=1).exercises.select_related("exercise").first()
    assert item is not None
    with_media(item.exercise)

    with_picture = clinician_client.get(url).content

    assert images_in(without, tmp_path) == 0
    assert images_in(with_picture, tmp_path) == 1
    assert "a video of this exercise" in pdf_text(with_picture)


def test_only_clinicians_print_a_handout(receptionist: User, programme: Programme) -> None:
    url = reverse("programmes:programme_handout", args=[programme.pk])
    assert Client().get(url).status_code == 302  # to the sign-in page
    reception = Client()
    sign_in(reception, receptionist)
    assert reception.get(url).status_code == 403
    assert not AuditEvent.objects.filter(record__endswith="handout").exists()


def test_the_patient_downloads_their_handout_from_their_page(
    client: Client, programme: Programme, page_path: str
) -> None:
    token = links.page_token(programme)
    url = reverse("programmes:patient_handout", args=[token])
    assert f'href="{url}"' in client.get(page_path).content.decode()

    response = client.get(url)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "no-store"
    assert_is_the_handout(pdf_text(response.content), programme)
    assert AuditEvent.objects.filter(
        actor_kind=AuditEvent.ActorKind.PATIENT, record=f"programme {programme.pk} handout"
    ).exists()
    assert client.get(url.replace(token, token[:-2])).status_code == 404


def test_a_patient_without_email_is_prescribed_on_the_page_and_given_the_handout(
    clinician_client: Client,
) -> None:
    # Given a SELF_CARE case whose patient gave no email address
    intake = self_care_intake()
    intake.patient.email, intake.patient.email_consent = "", False
    intake.patient.save()
    case = intake.assessment.case
    template = ProgrammeTemplate.objects.get(slug=KETTLEBELL)
    prescribe = reverse("programmes:prescribe", args=[case.pk])
    start = (timezone.localdate() + timedelta(days=1)).isoformat()
    step_two = clinician_client.get(prescribe, {"template": template.pk, "start": start})
    assert "Prescribe, then print the handout" in step_two.content.decode()
    formset = step_two.context["formset"]
    data = {"template": template.pk, "start": start, "note": ""} | {
        f"{form.prefix}-{name}": value
        for form in formset.forms
        for name, value in form.initial.items()
        if value is not None
    }
    data |= {
        "ex-TOTAL_FORMS": formset.total_form_count(),
        "ex-INITIAL_FORMS": formset.initial_form_count(),
    }

    # When the clinician prescribes
    response = clinician_client.post(prescribe, data, follow=True)

    # Then the programme exists, no email is queued, and the case page offers the handout
    programme = Programme.objects.get(case=case)
    assert not Message.objects.filter(patient=programme.patient).exists()
    html = response.content.decode()
    assert "print the handout for them" in html
    assert "programme-on-paper" in html
    url = reverse("programmes:programme_handout", args=[programme.pk])
    assert f'href="{url}"' in html
    assert_is_the_handout(pdf_text(clinician_client.get(url).content), programme)
    # And the prescribe page, opened again, prints the live programme too.
    assert f'href="{url}"' in clinician_client.get(prescribe).content.decode()
