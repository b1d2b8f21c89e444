"""The patient page tests' second receptionist and a valid intake POST; the receptionist (Rita),
the clinician (Carl) and their clients come from the root conftest."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from tests.patients.helpers import intake_post
from tests.support.factories import ReceptionistFactory


@pytest.fixture
def other_reception(db: None) -> User:
    return ReceptionistFactory(username="rob")


@pytest.fixture
def valid_post() -> dict[str, str]:
    """A complete reception intake POST with no red flags."""
    return intake_post()
