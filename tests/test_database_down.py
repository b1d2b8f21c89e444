"""PostgreSQL refusing connections: reception still gets the rules' advice, every page its own 503.

The database goes away for real here: the test's connection is closed and pointed at a port
where nothing listens, so every query the request makes is refused by the operating system, as
when the server is stopped (tests/integration/test_intake_database_down.py stops a real one). It
comes back by pointing the connection home again. Requests run through the whole stack with the
handler Django uses in production (the test client raises nothing).
"""

from __future__ import annotations

import re
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from html import unescape
from typing import Any
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.db import connections
from django.test import Client
from django.urls import reverse

from clinic import desk_pass
from clinic.demo import PATIENTS
from clinic.roles import Role
from outbox.models import Message
from patients.models import Intake
from tests.support.clock import Clock
from tests.test_submit_queries import CSRF_INPUT, FORM_ENCODED, form_data
from triage.models import Case, DutySlot
from triage.outcomes import URGENCY_KEYS, patient_instruction

pytestmark = [pytest.mark.postgres]

DEMO = {p.key: p for p in PATIENTS}
EMERGENCY = DEMO["interscapular-pain-sweating-breathless"]
SELF_CARE = DEMO["desk-worker-mechanical-neck-pain"]
URGENT = DEMO["prednisolone-minor-fall-thoracic-pain"]


def _dead_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # closed again at once: nothing listens there


@contextmanager
def database_down() -> Iterator[None]:
    connection = connections["default"]
    saved = dict(connection.settings_dict)
    connection.close()
    connection.settings_dict.update({"HOST": "127.0.0.1", "PORT": str(_dead_port())})
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)


class Desk:
    """Reception's browser: signed in, the intake form opened while the database was up."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self.url = reverse("patients:intake_new")
        self.csrf = ""

    def open(self) -> Any:
        page = self.client.get(self.url)
        assert page.status_code in (200, 503), page.status_code
        self.csrf = CSRF_INPUT.search(page.content.decode()).group(1)  # type: ignore[union-attr]
        return page

    def post(self, data: dict[str, str]) -> Any:
        body = urlencode({**data, "csrfmiddlewaretoken": self.csrf})
        return self.client.post(self.url, body, content_type=FORM_ENCODED)


def _staff(username: str, role: Role) -> User:
    user = User.objects.create_user(username, email=f"{username}@clinic.example")
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    return user


@pytest.fixture
def on_duty(transactional_db) -> User:
    clinician = _staff("on-duty", Role.CLINICIAN)
    for day in range(7):
        DutySlot.objects.create(clinician=clinician, weekday=day, starts="00:00", ends="00:00")
    return clinician


@pytest.fixture
def desk(transactional_db, clock: Clock) -> Desk:
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    client.force_login(_staff("desk", Role.RECEPTION))
    desk = Desk(client)
    desk.open()
    assert desk_pass.COOKIE in client.cookies, "reception holds a desk pass once signed in"
    return desk


def page_text(response: Any) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def kept_value(response: Any, name: str) -> str | None:
    html = response.content.decode()
    field = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)
    if field is None:
        return None
    value = re.search(r'value="([^"]*)"', field.group(0))
    return unescape(value.group(1)) if value else ""


def checked_value(response: Any, name: str) -> str | None:
    html = response.content.decode()
    for field in re.findall(rf'<input[^>]*name="{name}"[^>]*>', html):
        if " checked" in field:
            return re.search(r'value="([^"]*)"', field).group(1)  # type: ignore[union-attr]
    return None


def test_an_emergency_entered_while_the_database_is_down_gets_999_advice_marked_not_saved(
    desk: Desk, on_duty: User, clock: Clock
):
    data = form_data(EMERGENCY, clock.now.date())
    with database_down():
        response = desk.post(data)

    assert response.status_code == 503
    text = page_text(response)
    assert "NOT SAVED: enter it again when the system is back" in text
    assert "no clinician has been alerted" in text
    assert "Phone the duty clinician now" in text
    assert "Call 999" in text  # the same instruction as a saved EMERGENCY outcome
    assert "Emergency (not saved)" in text
    # Every answer is still on the page, the submission token too.
    assert kept_value(response, "given_name") == data["given_name"]
    assert kept_value(response, "date_of_birth") == data["date_of_birth"]
    assert kept_value(response, "submission_token") == data["submission_token"]
    for name in ("chest_pain_or_breathlessness", "pain_region", "recent_significant_trauma"):
        if name in data and data[name] in ("yes", "no"):
            assert checked_value(response, name) == data[name], name

    # Back again: the same submission (same token) makes exactly one intake, one case, alerts.
    saved = desk.post(data)
    assert saved.status_code == 302, page_text(saved)[:500]
    again = desk.post(data)
    assert again.status_code == 302 and again["Location"] == saved["Location"]
    assert Intake.objects.count() == 1
    assert Case.objects.count() == 1
    assert Message.objects.filter(kind=Message.Kind.CLINICIAN_ALERT).count() == 1


def test_self_care_advice_while_down_has_its_own_instruction_and_no_call_to_phone(
    desk: Desk, clock: Clock
):
    with database_down():
        response = desk.post(form_data(SELF_CARE, clock.now.date()))
    text = page_text(response)
    assert response.status_code == 503
    assert "NOT SAVED" in text
    assert "Phone the duty clinician now" not in text
    assert "Emergency (not saved)" not in text
    assert "(not saved)" in text


def test_urgent_advice_while_down_tells_the_patient_what_the_saved_outcome_does_and_nothing_untrue(
    desk: Desk, clock: Clock
):
    with database_down():
        response = desk.post(form_data(URGENT, clock.now.date()))
    assert response.status_code == 503
    text = page_text(response)
    said = patient_instruction("URGENT", sla=settings.TRIAGE_SLA["URGENT"])
    # The words the saved outcome and the patient's own pages use (triage.outcomes), and the
    # call reception makes instead of the alert the system could not send
    for words in said.texts:
        assert words in text
    assert "Phone the duty clinician now" in text


@pytest.mark.parametrize("key", URGENCY_KEYS)
def test_no_instruction_to_the_patient_says_the_clinic_has_their_answers(key: str):
    # Reception's page while the database is down tells the patient the same words as a saved
    # outcome, when nothing has reached the clinic.
    said = patient_instruction(key, sla=settings.TRIAGE_SLA[key])
    for words in said.texts:
        assert not re.search(r"has (got )?your answers|received your answers", words), words


def test_an_incomplete_intake_while_down_names_the_missing_answers_and_keeps_the_rest(
    desk: Desk, clock: Clock
):
    data = form_data(EMERGENCY, clock.now.date())
    del data["pain_score_now"]
    with database_down():
        response = desk.post(data)
    text = page_text(response)
    assert response.status_code == 503
    assert "NOT SAVED" in text
    assert "There is a problem" in text
    assert "Call 999" not in text  # no advice from half an intake
    assert kept_value(response, "family_name") == data["family_name"]


def test_the_form_opens_while_the_database_is_down(desk: Desk):
    with database_down():
        page = desk.open()
    assert page.status_code == 503
    assert "NOT SAVED" in page_text(page)
    assert kept_value(page, "submission_token")
    # The clinic's psychosocial questionnaire is in the database: the page says it is not asked.
    assert "questionnaire cannot be shown while the database is unavailable" in page_text(page)


def test_without_a_desk_pass_the_intake_page_is_the_unavailable_page(desk: Desk, clock: Clock):
    data = form_data(EMERGENCY, clock.now.date())
    desk.client.cookies.pop(desk_pass.COOKIE)
    with database_down():
        response = desk.post(data)
    text = page_text(response)
    assert response.status_code == 503
    assert "The system cannot reach its database" in text
    assert "Call 999" not in text and data["given_name"] not in text


def test_a_desk_pass_from_another_session_opens_nothing(desk: Desk, clock: Clock):
    data = form_data(EMERGENCY, clock.now.date())
    stolen = desk.client.cookies[desk_pass.COOKIE].value
    other = Client(raise_request_exception=False)
    other.force_login(_staff("other-desk", Role.RECEPTION))
    other.cookies[desk_pass.COOKIE] = stolen
    with database_down():
        response = other.post(reverse("patients:intake_new"), data)
    assert response.status_code == 503
    assert "NOT SAVED" not in page_text(response)


def test_a_post_without_its_csrf_token_is_refused_while_down(desk: Desk, clock: Clock):
    data = form_data(EMERGENCY, clock.now.date())
    with database_down():
        response = desk.client.post(desk.url, urlencode(data), content_type=FORM_ENCODED)
    assert response.status_code == 403


def test_the_desk_pass_ends_with_the_sessions_idle_limit(desk: Desk, clock: Clock, settings):
    clock.advance(timedelta(minutes=settings.SESSION_IDLE_MINUTES, seconds=1))
    with database_down():
        response = desk.post(form_data(EMERGENCY, clock.now.date()))
    assert response.status_code == 503
    assert "NOT SAVED" not in page_text(response)


def test_signing_out_removes_the_desk_pass(desk: Desk):
    response = desk.client.post(reverse("logout"), {"csrfmiddlewaretoken": desk.csrf})
    assert response.status_code == 302
    assert desk.client.cookies[desk_pass.COOKIE].value == ""  # deleted


def test_a_clinician_without_a_second_factor_holds_no_desk_pass(transactional_db):
    client = Client()
    client.force_login(_staff("clinician", Role.CLINICIAN))
    client.get(reverse("patients:intake_new"))
    assert desk_pass.COOKIE not in client.cookies or not client.cookies[desk_pass.COOKIE].value


@pytest.mark.parametrize(
    ("role", "url"),
    [
        (Role.RECEPTION, reverse("patients:patient_search")),
        (Role.RECEPTION, reverse("home")),
        (None, reverse("login")),  # signing in (the sign-in page itself needs no database)
    ],
)
def test_every_other_page_answers_the_products_503(transactional_db, role, url):
    client = Client(raise_request_exception=False)
    if role is not None:
        client.force_login(_staff(f"user-{uuid.uuid4().hex[:6]}", role))
        client.get(reverse("home"))
    with database_down():
        if role is None:
            response = client.post(url, {"username": "desk", "password": "x" * 12})
        else:
            response = client.get(url)
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response["Cache-Control"] == "no-store"
    text = page_text(response)
    assert "The system cannot reach its database" in text
    assert "call 999 now" in text
    assert "01632 960000" in text  # the clinic's phone (CLINIC_PHONE)
    assert "Server Error" not in text
