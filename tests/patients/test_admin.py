"""The admin for patients and intakes: searchable lists; intakes as submitted, never edited."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.patients.helpers import VALID_NHS_NUMBER, make_intake, make_user, patient_details

pytestmark = pytest.mark.django_db


def test_patient_list_is_searchable_by_name_and_nhs_number(admin_client_: Client) -> None:
    staff = make_user(role="reception")
    make_intake(
        entered_by=staff,
        details=patient_details(given_name="Ivy", family_name="Ives", nhs_number=VALID_NHS_NUMBER),
    )
    make_intake(entered_by=staff, details=patient_details(given_name="Tom", family_name="Tull"))
    url = reverse("admin:patients_patient_changelist")

    by_name = admin_client_.get(url, {"q": "Ives"}).content.decode()
    by_number = admin_client_.get(url, {"q": VALID_NHS_NUMBER}).content.decode()

    assert "Ives" in by_name and "Tull" not in by_name
    assert "Ives" in by_number and "Tull" not in by_number


def test_patients_are_not_added_or_deleted_in_the_admin(admin_client_: Client) -> None:
    patient = make_intake(entered_by=make_user(role="reception")).patient
    assert admin_client_.get(reverse("admin:patients_patient_add")).status_code == 403
    delete = reverse("admin:patients_patient_delete", args=[patient.pk])
    assert admin_client_.get(delete).status_code == 403


def test_patient_contact_details_can_be_corrected_in_the_admin(admin_client_: Client) -> None:
    patient = make_intake(entered_by=make_user(role="reception")).patient
    page = admin_client_.get(reverse("admin:patients_patient_change", args=[patient.pk]))
    assert page.status_code == 200
    assert 'name="_save"' in page.content.decode()


def test_intake_list_shows_intakes_and_an_intake_is_read_only(admin_client_: Client) -> None:
    intake = make_intake(entered_by=make_user(role="reception"))

    listing = admin_client_.get(reverse("admin:patients_intake_changelist"))
    page = admin_client_.get(reverse("admin:patients_intake_change", args=[intake.pk]))

    assert listing.status_code == 200
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert admin_client_.get(reverse("admin:patients_intake_add")).status_code == 403
    delete = reverse("admin:patients_intake_delete", args=[intake.pk])
    assert admin_client_.get(delete).status_code == 403


def test_intake_list_makes_a_fixed_number_of_queries(
    admin_client_: Client, django_assert_max_num_queries
) -> None:
    staff = make_user(role="reception")
    for _ in range(10):
        make_intake(entered_by=staff)
    with django_assert_max_num_queries(10):
        admin_client_.get(reverse("admin:patients_intake_changelist"))
