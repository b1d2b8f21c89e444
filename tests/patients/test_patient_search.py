"""Finding a returning patient by name or NHS number."""

from __future__ import annotations

from datetime import date

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from patients.models import Patient
from tests.patients.helpers import VALID_NHS_NUMBER, make_user

URL = reverse("patients:patient_search")

pytestmark = pytest.mark.django_db


def _patient(**fields: object) -> Patient:
    defaults: dict[str, object] = {
        "given_name": "Sarah",
        "family_name": "Jones",
        "date_of_birth": date(1980, 5, 17),
        "sex": "F",
    }
    return Patient.objects.create(**(defaults | fields))


def test_anonymous_user_is_sent_to_login(client: Client) -> None:
    response = client.get(URL, {"q": "Jones"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_staff_without_a_role_are_refused(client: Client) -> None:
    client.force_login(make_user(role=None))
    assert client.get(URL).status_code == 403


def test_search_page_starts_empty(reception_client: Client) -> None:
    _patient()
    response = reception_client.get(URL)
    assert response.status_code == 200
    assert response.context["patients"] == []
    assert "JONES, Sarah" not in response.content.decode()


def test_reception_finds_a_patient_by_part_of_their_name(reception_client: Client) -> None:
    sarah = _patient(nhs_number=VALID_NHS_NUMBER)
    _patient(given_name="Tom", family_name="Brown")

    response = reception_client.get(URL, {"q": "sarah jon"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "JONES, Sarah" in html
    assert "17 May 1980" in html
    assert "943 476 5919" in html
    assert "Brown" not in html
    assert f"{reverse('patients:intake_new')}?patient={sarah.pk}" in html


def test_clinician_finds_a_patient_by_nhs_number_typed_with_spaces(
    clinician_client: Client,
) -> None:
    _patient(nhs_number=VALID_NHS_NUMBER)
    _patient(given_name="Sam", family_name="Jones", nhs_number="")

    response = clinician_client.get(URL, {"q": "943 476 5919"})

    assert [p.given_name for p in response.context["patients"]] == ["Sarah"]


def test_no_match_says_so_and_offers_a_new_intake(reception_client: Client) -> None:
    html = reception_client.get(URL, {"q": "Nobody"}).content.decode()
    assert "No patient matches “Nobody”" in html
    assert reverse("patients:intake_new") in html


def test_search_shows_at_most_a_page_and_says_there_are_more(
    reception_client: Client, reception: User
) -> None:
    Patient.objects.bulk_create(
        Patient(given_name=f"Pat{n}", family_name="Many", date_of_birth=date(1970, 1, 1), sex="X")
        for n in range(55)
    )
    response = reception_client.get(URL, {"q": "Many"})
    assert len(response.context["patients"]) == 50
    assert response.context["more"] is True
    assert "Showing the first 50" in response.content.decode()


def test_search_makes_a_fixed_number_of_queries(
    reception_client: Client, django_assert_max_num_queries
) -> None:
    # Session and user, then (PostgreSQL) the names looked up and the page read.
    _patient(given_name="Sarah0")
    with CaptureQueriesContext(connection) as one:
        reception_client.get(URL, {"q": "Jones"})
    for n in range(1, 20):
        _patient(given_name=f"Sarah{n}")
    with django_assert_max_num_queries(len(one)):
        reception_client.get(URL, {"q": "Jones"})
    assert len(one) <= 5
