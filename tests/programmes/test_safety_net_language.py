"""A programme's safety net is kept as worded when prescribed, in the patient's language; the
patient's page and handout show it in the language they are read in: a German patient who
switches their page to English reads the English safety net, not the German one under English
headings. A safety net worded otherwise (an older wording) is shown as it was kept.

Found by the walk in tests/browser/test_patient_language_walk.py.
"""

from __future__ import annotations

import subprocess

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from patients.models import Language
from programmes import handout, links
from programmes.models import Programme
from tests.browser.test_german_journey import german_catalogue  # noqa: F401 - compiled, read
from tests.patients.helpers import make_intake, patient_details
from tests.programmes.helpers import prescribe
from triage.models import CaseDecision
from triage.outcomes import safety_net_for

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock", "german_catalogue")]


def _worded(language: str) -> str:
    with translation.override(language):
        return safety_net_for(CaseDecision.Kind.PROGRAMME_PRESCRIBED).as_text()


@pytest.fixture
def german(receptionist: User) -> Programme:
    intake = make_intake(
        entered_by=receptionist,
        details=patient_details(
            given_name="Greta",
            email="greta@example.org",
            email_consent=True,
            preferred_language=Language.GERMAN,
        ),
        duration_days=42,
        pain_score_now=5,
    )
    return prescribe(intake=intake)


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0]


def _in_html(text: str) -> str:
    return str(escape(_first_line(text)))


def test_the_safety_net_is_kept_in_german_and_shown_in_the_language_read(
    german: Programme,
) -> None:
    assert german.safety_net == _worded("de") != _worded("en-gb")
    with translation.override("en-gb"):
        assert german.safety_net_shown == _worded("en-gb")
    with translation.override("de"):
        assert german.safety_net_shown == german.safety_net


def test_a_german_patients_page_switched_to_english_shows_the_english_safety_net(
    german: Programme,
) -> None:
    client = Client()
    path = links.page_url(german, absolute=False)
    assert _in_html(_worded("de")) in client.get(path).content.decode()
    client.post(reverse("patient_language"), {"language": "en-gb", "next": path})
    html = client.get(path).content.decode()
    assert _in_html(_worded("en-gb")) in html
    assert _in_html(_worded("de")) not in html


def test_the_handout_printed_in_english_has_the_english_safety_net(german: Programme) -> None:
    pdf = handout.render_pdf(german, "en-gb")
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
    flat = " ".join(text.stdout.decode().split())
    assert " ".join(_first_line(_worded("en-gb")).split()[:6]) in flat
    assert " ".join(_first_line(_worded("de")).split()[:6]) not in flat


def test_a_safety_net_worded_otherwise_is_shown_as_it_was_kept(german: Programme) -> None:
    german.safety_net = "Call 999 for chest pain. (An older wording.)"
    with translation.override("en-gb"):
        assert german.safety_net_shown == german.safety_net
    with translation.override("de"):
        assert german.safety_net_shown == german.safety_net
