"""A patient's check-in sent while PostgreSQL refuses connections: red-flag advice, answers kept.

The database goes away for real (tests/test_database_down.py: the connection pointed at a port
where nothing listens), so these tests run outside a wrapping transaction and seed the exercise
library themselves.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from programmes import links, prescribing, screen
from programmes.models import CheckIn, Programme, ProgrammeTemplate
from programmes.seed import seed_library
from tests.patients.helpers import make_intake, make_user, patient_details
from tests.programmes.conftest import PATIENT_EMAIL, TEMPLATE_SLUG
from tests.programmes.test_patient_pages import check_in_path, check_in_post
from tests.test_database_down import checked_value, database_down, page_text

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

FLAG = "progressive_limb_weakness"


@pytest.fixture
def programme(clock: Any) -> Programme:
    seed_library()
    receptionist = make_user(role="reception", first_name="Rita", last_name="Reed")
    clinician = make_user(role="clinician", first_name="Carl", last_name="Cole", email="c@x.org")
    intake = make_intake(
        entered_by=receptionist,
        details=patient_details(given_name="Ada", email=PATIENT_EMAIL, email_consent=True),
    )
    return prescribing.prescribe_programme(
        case_id=intake.assessment.case.pk,
        clinician=clinician,
        template_id=ProgrammeTemplate.objects.get(slug=TEMPLATE_SLUG).pk,
        start_date=timezone.localdate(),
    )


def _csrf(client: Client, path: str) -> str:
    page = client.get(path)
    assert page.status_code == 200
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)  # type: ignore[union-attr]


def test_a_red_flag_reported_while_the_database_is_down_gets_the_advice_and_the_answers_stay(
    programme: Programme,
):
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    path = check_in_path(programme, 0)
    data = check_in_post(programme.check_ins.get(week=0), pain="7", **{FLAG: "yes"})
    data["csrfmiddlewaretoken"] = _csrf(client, path)

    with database_down():
        response = client.post(path, data)

    assert response.status_code == 503
    text = page_text(response)
    assert "Your answers have not been sent" in text
    assert "Do not wait for the clinic" in text
    question = next(q for q in screen.SCREEN_QUESTIONS if q.field == FLAG).question
    assert str(question) in text
    assert "Call 999 or go to A&E at once if any of these start" in text
    assert "01632 960000" in text
    assert checked_value(response, "pain") == "7"
    assert checked_value(response, FLAG) == "yes"
    assert "Carl" not in text and "Ada" not in text  # nothing stored is shown

    # Back again: the same answers are sent, and re-enter triage as usual.
    sent = client.post(path, data)
    assert sent.status_code == 302
    check_in = programme.check_ins.get(week=0)
    assert check_in.outcome == CheckIn.Outcome.TRIAGE


def test_no_red_flag_while_down_says_only_that_nothing_was_sent(programme: Programme):
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    path = check_in_path(programme, 0)
    data = check_in_post(programme.check_ins.get(week=0))
    data["csrfmiddlewaretoken"] = _csrf(client, path)
    with database_down():
        response = client.post(path, data)
    text = page_text(response)
    assert response.status_code == 503
    assert "Your answers have not been sent" in text
    assert "Do not wait for the clinic" not in text


def test_a_patient_page_while_down_is_the_patients_own_unavailable_page(programme: Programme):
    client = Client(raise_request_exception=False)
    path = reverse("programmes:patient_page", args=[links.page_token(programme)])
    with database_down():
        response = client.get(path)
    text = page_text(response)
    assert response.status_code == 503
    assert "This page cannot open right now" in text
    assert "Call 999" in text
    assert "Queue" not in text and "Sign out" not in text  # no staff page


def test_a_forged_link_while_down_is_refused_as_always(programme: Programme):
    """Its signature is checked before anything reads the database: the usual 404."""
    client = Client(raise_request_exception=False)
    path = reverse("programmes:check_in", args=["forged-token", 0])
    data = check_in_post(programme.check_ins.get(week=0), **{FLAG: "yes"})
    with database_down():
        response = client.post(path, data)
    assert response.status_code == 404
    assert "Do not wait for the clinic" not in page_text(response)
