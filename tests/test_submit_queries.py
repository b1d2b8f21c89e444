"""The number of queries one intake submit runs, pinned: a change that adds one fails here.

Through the test client as reception, with CSRF enforced, the way the page is used. The demo
patients (clinic/demo.py) supply the answers, encoded as the intake form posts them.

What the count is made of, for a new patient (11 on PostgreSQL, 10 on SQLite):
   1  the session                                  (SessionMiddleware)
   2  the user and their roles, in one             (AuthenticationMiddleware, clinic/auth.py)
   3  the clinic's active psychosocial questionnaire (none here; an active one adds two: its
      items and its bands, psychosocial.models.ToolQuerySet.active_with_items)
   4  SAVEPOINT  (submit_intake's transaction: BEGIN outside a test, counted all the same)
   5  the identity locks: NHS number, name and date of birth (PostgreSQL advisory locks; SQLite
      serialises writers by itself)
   6  a returning patient (NHS number, or name and date of birth)?
   7  INSERT patient
   8  INSERT intake  (its unique submission token catches a double submit; the row is also the
      audit's record of who entered it and when)
   9  INSERT case  (a patient registered just now has no open case to look for)
  10  INSERT assessment
  11  RELEASE SAVEPOINT (COMMIT outside a test)
A returning patient with an open case runs as many: no INSERT patient or case, but the open case
is looked up FOR UPDATE and raised (UPDATE case).
"""

import re
import uuid
from datetime import date, time
from typing import Any
from urllib.parse import urlencode

import pytest
from django.contrib.auth.models import Group, User
from django.db import connection
from django.test import Client
from django.urls import resolve, reverse
from django.utils import timezone

from clinic.demo import PATIENTS, DemoPatient
from clinic.roles import Role
from outbox.models import Message
from patients.forms import DERIVED_ANSWERS
from patients.models import Intake
from tests.support.two_factor import sign_in
from triage.models import Case, Urgency

QUERIES_LOCK = 1 if connection.vendor == "postgresql" else 0
QUERIES_NEW_PATIENT = 10 + QUERIES_LOCK
# EMERGENCY and URGENT intakes also alert the clinicians on duty: who is on duty, and one
# insert for every alert message that returns their ids (handed to a worker after commit).
QUERIES_ALERT = 2
QUERIES_RETURNING_PATIENT_WITH_OPEN_CASE = 10 + QUERIES_LOCK
FORM_ENCODED = "application/x-www-form-urlencoded"  # as a browser posts the form
DEMO_PATIENTS = {p.key: p for p in PATIENTS}
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def form_data(patient: DemoPatient, today: date) -> dict[str, str]:
    """The intake form as a browser posts it: yes/no radios, numbers as text."""
    details = patient.details(today)
    answers = patient.complete_answers()
    data = {
        "given_name": details.given_name,
        "family_name": details.family_name,
        "date_of_birth": details.date_of_birth.isoformat(),
        "sex": details.sex,
        "email": details.email,
        "phone": details.phone,
        "nhs_number": details.nhs_number,
        "preferred_language": details.preferred_language,
        "email_consent": "yes" if details.email_consent else "no",
        "submission_token": str(uuid.uuid4()),
    }
    for name, value in answers.items():
        if name in DERIVED_ANSWERS:
            continue
        data[name] = ("yes" if value else "no") if isinstance(value, bool) else str(value)
    if not answers["recent_significant_trauma"]:
        data["trauma_mechanism"] = ""  # asked only after a "yes"
    return data


class IntakePage:
    """The intake form as reception uses it: open the page, then post it (CSRF enforced)."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self.url = reverse("patients:intake_new")

    def open(self) -> str:
        """GET the form; its CSRF token."""
        page = self.client.get(self.url)
        token = CSRF_INPUT.search(page.content.decode())
        assert token, "the intake page has no CSRF token"
        return token.group(1)

    def post(self, data: dict[str, str], csrf_token: str) -> Any:
        body = urlencode({**data, "csrfmiddlewaretoken": csrf_token})
        return self.client.post(self.url, body, content_type=FORM_ENCODED)


@pytest.fixture(autouse=True)
def clinicians_on_duty(db) -> None:
    """Two clinicians on the rota all week, so that urgent intakes write real alerts."""
    from triage.models import DutySlot

    for name in ("on-duty-1", "on-duty-2"):
        clinician = User.objects.create_user(name, email=f"{name}@clinic.example")
        clinician.groups.add(Group.objects.get(name=Role.CLINICIAN))
        for day in range(7):
            DutySlot.objects.create(clinician=clinician, weekday=day, starts=time(0), ends=time(0))


@pytest.fixture
def intake_page(db) -> IntakePage:
    user = User.objects.create_user("desk", password="not-used")
    user.groups.add(Group.objects.get(name=Role.RECEPTION))
    client = Client(enforce_csrf_checks=True)
    sign_in(client, user)
    return IntakePage(client)


def assert_saved_and_redirected(response: Any) -> Intake:
    assert response.status_code == 302, response.content.decode()[:2000]
    match = resolve(response["Location"])
    assert match.view_name == "patients:intake_outcome"
    return Intake.objects.get(pk=match.kwargs["pk"])


@pytest.mark.django_db
@pytest.mark.parametrize(
    "key",
    [
        "interscapular-pain-sweating-breathless",  # EMERGENCY
        "rear-end-collision-two-days-ago",  # an injury: the mechanism is asked
        "teenage-swimmer",
        "desk-worker-mechanical-neck-pain",  # SELF_CARE
    ],
)
def test_new_patients_intake_submit_runs_a_fixed_number_of_queries(
    key, intake_page, django_assert_num_queries
):
    patient = DEMO_PATIENTS[key]
    data = form_data(patient, timezone.localdate())
    csrf_token = intake_page.open()

    alerts = patient.expected >= Urgency.URGENT
    with django_assert_num_queries(QUERIES_NEW_PATIENT + (QUERIES_ALERT if alerts else 0)):
        response = intake_page.post(data, csrf_token)

    intake = assert_saved_and_redirected(response)
    # The form never takes a psychosocial category: without a questionnaire it is not assessed.
    assert intake.answers == patient.complete_answers() | {
        "psychosocial_risk_category": "not_assessed"
    }
    assert intake.assessment.urgency == patient.expected
    assert Message.objects.count() == (2 if alerts else 0)


@pytest.mark.django_db
def test_returning_patients_intake_joins_their_open_case_in_fewer_queries(
    intake_page, django_assert_num_queries
):
    patient = DEMO_PATIENTS["cancer-history-thoracic-night-pain"]
    first = assert_saved_and_redirected(
        intake_page.post(form_data(patient, timezone.localdate()), intake_page.open())
    )
    again = form_data(patient, timezone.localdate())
    csrf_token = intake_page.open()

    with django_assert_num_queries(QUERIES_RETURNING_PATIENT_WITH_OPEN_CASE + QUERIES_ALERT):
        response = intake_page.post(again, csrf_token)

    second = assert_saved_and_redirected(response)
    assert second.patient_id == first.patient_id
    assert Case.objects.get().assessments.count() == 2
