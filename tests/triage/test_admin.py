"""The admin for assessments and cases: to look at, never to change."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.patients.helpers import make_intake, make_user, patient_details
from tests.support.two_factor import sign_in
from triage.models import Assessment, Case

pytestmark = pytest.mark.django_db


@pytest.fixture
def assessment(db: None) -> Assessment:
    intake = make_intake(
        entered_by=make_user(role="reception"),
        details=patient_details(given_name="Ivy", family_name="Ives"),
        chest_pain=True,
    )
    return intake.assessment


def test_assessment_list_is_searchable_by_patient(
    admin_client_: Client, assessment: Assessment
) -> None:
    make_intake(
        entered_by=make_user(role="reception"),
        details=patient_details(given_name="Tom", family_name="Tull"),
    )
    url = reverse("admin:triage_assessment_changelist")

    html = admin_client_.get(url, {"q": "Ives"}).content.decode()

    assert "Ivy Ives" in html
    assert "Tull" not in html


def test_assessment_can_be_viewed_but_not_changed_added_or_deleted(
    admin_client_: Client, assessment: Assessment
) -> None:
    change = reverse("admin:triage_assessment_change", args=[assessment.pk])
    delete = reverse("admin:triage_assessment_delete", args=[assessment.pk])

    page = admin_client_.get(change)

    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert admin_client_.post(change, {"ruleset": "tampered"}).status_code == 403
    assert admin_client_.get(delete).status_code == 403
    assert admin_client_.get(reverse("admin:triage_assessment_add")).status_code == 403
    assessment.refresh_from_db()
    assert assessment.ruleset != "tampered"


def test_case_list_shows_cases_and_a_case_is_read_only(
    admin_client_: Client, assessment: Assessment
) -> None:
    case = assessment.case
    listing = admin_client_.get(reverse("admin:triage_case_changelist"), {"q": "Ives"})
    page = admin_client_.get(reverse("admin:triage_case_change", args=[case.pk]))

    assert listing.status_code == 200
    assert "Ives" in listing.content.decode()
    assert 'name="_save"' not in page.content.decode()
    delete = reverse("admin:triage_case_delete", args=[case.pk])
    assert admin_client_.get(delete).status_code == 403
    assert Case.objects.filter(pk=case.pk).exists()


def test_staff_without_admin_permissions_cannot_open_the_triage_admin(client: Client) -> None:
    sign_in(client, make_user(role="clinician", is_staff=True))
    assert client.get(reverse("admin:triage_assessment_changelist")).status_code == 403


def test_assessment_list_makes_a_fixed_number_of_queries(
    admin_client_: Client, django_assert_max_num_queries
) -> None:
    staff = make_user(role="reception")
    for _ in range(10):
        make_intake(entered_by=staff, chest_pain=True)
    with django_assert_max_num_queries(10):
        admin_client_.get(reverse("admin:triage_assessment_changelist"))
