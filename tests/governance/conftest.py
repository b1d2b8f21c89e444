"""Governance tests read the clinic's choice for real: each starts and ends with the process's
copy dropped (tests/conftest.py primes it with the demo's unsigned rule set for everyone else)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import timezone

from clinic.roles import Role
from governance import active
from patients.models import Intake
from tests.patients.helpers import make_intake, patient_details
from tests.support.factories import StaffFactory
from tests.support.two_factor import sign_in


@pytest.fixture(autouse=True)
def _read_the_choice_for_real() -> Iterator[None]:
    active.forget()
    yield
    active.forget()


@pytest.fixture
def officer(db: None) -> User:
    return StaffFactory(
        username="sofia", first_name="Sofia", last_name="Safety", roles=(Role.SAFETY_OFFICER,)
    )


@pytest.fixture
def officer_client(officer: User) -> Client:
    return sign_in(Client(), officer)


def born_years_ago(years: int) -> date:
    today = timezone.localdate()
    return (
        today.replace(year=today.year - years, day=1)
        if today.month > 1
        else date(today.year - years - 1, 12, 1)
    )


def intake_aged(years: int, *, entered_by: User, **answers: object) -> Intake:
    return make_intake(
        entered_by=entered_by,
        details=patient_details(date_of_birth=born_years_ago(years)),
        **answers,
    )
