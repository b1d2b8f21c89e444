"""Two clinicians, Carl (the root conftest's `clinician`) and Dana, for the tests of working a
case. The receptionist comes from the root conftest."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from tests.support.factories import ClinicianFactory
from tests.support.two_factor import sign_in


@pytest.fixture
def carl(clinician: User) -> User:
    return clinician


@pytest.fixture
def carl_client(clinician_client: Client) -> Client:
    return clinician_client


@pytest.fixture
def dana(db: None) -> User:
    return ClinicianFactory(first_name="Dana", last_name="Dee", email="dana@example.org")


@pytest.fixture
def dana_client(dana: User) -> Client:
    return sign_in(Client(), dana)
