"""A self-intake step sent while PostgreSQL refuses connections: the answers stay on the screen,
marked as not saved, with the advice not to wait for an emergency among them; only the browser
that gave the date of birth for that link sees even that. The database goes away for real
(tests/test_database_down.py), so these tests run outside a wrapping transaction."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client

from selfintake.forms import CONTRACT_STEPS
from selfintake.models import Draft
from tests.selfintake.helpers import (
    dob_post,
    invite,
    patient_with_email,
    start_path,
    step_path,
    step_post,
)
from tests.support.factories import ReceptionistFactory
from tests.test_database_down import checked_value, database_down, page_text
from triage.outcomes import patient_instruction

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

NERVES = next(s for s in CONTRACT_STEPS if s.slug == "nerves")
JOINTS = next(s for s in CONTRACT_STEPS if s.slug == "joints")


@pytest.fixture
def receptionist_() -> User:
    return ReceptionistFactory()


def opened(receptionist: User) -> tuple[Client, str, str]:
    """A patient's browser on the nerves step, with its form's CSRF token."""
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    _invitation, link = invite(patient_with_email(given_name="Ada"), receptionist)
    page = client.get(start_path(link)).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    response = client.post(start_path(link), dob_post() | {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    return client, link, token


def test_an_emergency_sent_while_the_database_is_down_is_told_to_call_999_and_kept(
    receptionist_: User,
) -> None:
    client, link, token = opened(receptionist_)
    data = step_post(NERVES, saddle_anaesthesia="yes") | {"csrfmiddlewaretoken": token}

    with database_down():
        response = client.post(step_path(link, "nerves"), data)

    assert response.status_code == 503
    text = page_text(response)
    assert "Your answers have not been saved" in text
    assert "Do not wait for the clinic" in text
    emergency = patient_instruction("EMERGENCY", sla=settings.TRIAGE_SLA["EMERGENCY"])
    assert str(emergency.heading) in text and str(emergency.now) in text
    assert "numbness around your bottom" in text
    assert checked_value(response, "saddle_anaesthesia") == "yes"
    assert checked_value(response, "gait_disturbance") == "no"
    assert "Ada" not in text
    assert response["Cache-Control"] == "no-store"

    # Back again: the same answers are saved, and the patient goes on.
    saved = client.post(step_path(link, "nerves"), data)
    assert saved.status_code == 302
    assert Draft.objects.get().answers["saddle_anaesthesia"] == "yes"


def test_an_ordinary_step_sent_while_the_database_is_down_is_only_marked_not_saved(
    receptionist_: User,
) -> None:
    client, link, token = opened(receptionist_)

    with database_down():
        response = client.post(
            step_path(link, "joints"), step_post(JOINTS) | {"csrfmiddlewaretoken": token}
        )

    assert response.status_code == 503
    text = page_text(response)
    assert "Your answers have not been saved" in text
    assert "Do not wait for the clinic" not in text
    assert checked_value(response, "morning_stiffness_over_30_min") == "no"


def test_an_urgent_sign_is_told_to_phone_the_clinic_today(receptionist_: User) -> None:
    client, link, token = opened(receptionist_)
    data = step_post(NERVES, hand_clumsiness="yes") | {"csrfmiddlewaretoken": token}

    with database_down():
        response = client.post(step_path(link, "nerves"), data)

    text = page_text(response)
    assert "Do not wait for the clinic" in text
    assert "phone the clinic today on 01632 960000" in text
    assert "Call 999 or go to A&E at once if any of these start" in text


def test_a_browser_that_did_not_give_the_date_of_birth_sees_no_questions(
    receptionist_: User,
) -> None:
    _client, link, _token = opened(receptionist_)
    stranger = Client(raise_request_exception=False)

    with database_down():
        response = stranger.post(step_path(link, "nerves"), step_post(NERVES))
        forged = stranger.post(step_path("forged:link", "nerves"), step_post(NERVES))

    assert response.status_code == 503
    assert "This page cannot open right now" in page_text(response)
    assert forged.status_code == 404  # not ours: said without the database
    for answer in (response, forged):
        assert not re.search(r'name="saddle_anaesthesia"', answer.content.decode())
