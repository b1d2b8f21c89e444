"""Shared fixtures for the programme tests: the test's clock, a clinician, a SELF_CARE case from
a realistic intake (a patient with an email address who agreed to email), and a programme
prescribed from it with the `upper-back-kettlebell-foundations` template, starting today.

A programme is made of dates and times (its start, reminders, check-ins, links), so every test
here runs on the test's clock (`tests/support/clock.py`): from its fixed default instant, or
from the instants a test is parametrised with."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from programmes import links, prescribing
from programmes.models import Programme, ProgrammeTemplate
from tests.patients.helpers import make_intake, patient_details
from tests.support.clock import Clock
from triage.models import Case, Urgency

TEMPLATE_SLUG = "upper-back-kettlebell-foundations"
PATIENT_EMAIL = "ada.lovelace@example.org"


@pytest.fixture(autouse=True)
def _on_the_test_clock(clock: Clock) -> Clock:
    return clock


@pytest.fixture
def self_care_case(receptionist: User) -> Case:
    """A SELF_CARE case from ten days of ordinary neck pain (pain 4/10), patient Ada, who gave
    an email address and agreed to email."""
    intake = make_intake(
        entered_by=receptionist,
        details=patient_details(given_name="Ada", email=PATIENT_EMAIL, email_consent=True),
    )
    case = intake.assessment.case
    assert case.urgency == Urgency.SELF_CARE
    return case


@pytest.fixture
def programme_template(db: None) -> ProgrammeTemplate:
    return ProgrammeTemplate.objects.get(slug=TEMPLATE_SLUG)


@pytest.fixture
def programme(
    self_care_case: Case, clinician: User, programme_template: ProgrammeTemplate
) -> Programme:
    """The template as it stands, prescribed today and starting today (so the starting
    questionnaire is open)."""
    return prescribing.prescribe_programme(
        case_id=self_care_case.pk,
        clinician=clinician,
        template_id=programme_template.pk,
        start_date=timezone.localdate(),
    )


@pytest.fixture
def page_path(programme: Programme) -> str:
    """The path of a fresh, valid link to the patient's page."""
    return links.page_url(programme, absolute=False)
