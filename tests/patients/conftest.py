from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from tests.patients.helpers import intake_post, make_user
from tests.support.two_factor import sign_in


@pytest.fixture
def reception(db: None) -> User:
    return make_user(role="reception", username="rita", first_name="Rita", last_name="Reed")


@pytest.fixture
def other_reception(db: None) -> User:
    return make_user(role="reception", username="rob")


@pytest.fixture
def clinician(db: None) -> User:
    return make_user(role="clinician", username="carl", first_name="Carl", last_name="Cole")


@pytest.fixture
def reception_client(client: Client, reception: User) -> Client:
    sign_in(client, reception)
    return client


@pytest.fixture
def clinician_client(client: Client, clinician: User) -> Client:
    sign_in(client, clinician)
    return client


@pytest.fixture
def valid_post() -> dict[str, str]:
    """A complete reception intake POST with no red flags."""
    return intake_post()
