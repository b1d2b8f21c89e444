"""Two clinicians (Carl and Dana) and a receptionist, for the tests of working a case."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client

from tests.patients.helpers import make_user
from tests.support.two_factor import sign_in


@pytest.fixture
def reception(db: None) -> User:
    return make_user(role="reception")


@pytest.fixture
def carl(db: None) -> User:
    return make_user(
        role="clinician", first_name="Carl", last_name="Cole", email="carl@example.org"
    )


@pytest.fixture
def dana(db: None) -> User:
    return make_user(role="clinician", first_name="Dana", last_name="Dee", email="dana@example.org")


@pytest.fixture
def carl_client(client: Client, carl: User) -> Client:
    sign_in(client, carl)
    return client


@pytest.fixture
def dana_client(dana: User) -> Client:
    client = Client()
    sign_in(client, dana)
    return client


@pytest.fixture
def reception_client(reception: User) -> Client:
    client = Client()
    sign_in(client, reception)
    return client
