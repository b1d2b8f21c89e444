"""The case page's forms refused: the error summary at the top of the page links to each refused
input (templates/clinic/error_summary.html); before any submit no field is marked invalid."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from tests.patients.helpers import make_intake, patient_details
from tests.support.error_summary import has_summary, invalid_fields, summary_links
from triage.models import Case, Urgency
from triage.services import claim_case

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]


@pytest.fixture
def case(reception: User) -> Case:
    intake = make_intake(entered_by=reception, details=patient_details(given_name="Pat"))
    return intake.assessment.case


def test_the_case_page_marks_no_field_invalid(carl_client: Client, case: Case) -> None:
    html = carl_client.get(reverse("triage:case_detail", args=[case.pk])).content

    assert invalid_fields(html) == []
    assert not has_summary(html)


def test_a_refused_override_links_to_the_note(carl_client: Client, case: Case) -> None:
    response = carl_client.post(
        reverse("triage:case_override", args=[case.pk]),
        {"to_urgency": str(int(Urgency.URGENT)), "reason": " "},
    )

    assert response.status_code == 400
    assert summary_links(response.content) == [("id_reason", "Raising the urgency needs a note")]
    assert invalid_fields(response.content) == ["id_reason"]


def test_a_refused_discharge_links_to_the_advice(carl_client: Client, case: Case) -> None:
    response = carl_client.post(reverse("triage:case_discharge", args=[case.pk]), {"advice": ""})

    assert response.status_code == 400
    assert summary_links(response.content) == [("id_advice", "This field is required.")]


def test_a_discharge_refused_by_the_service_is_in_the_summary_with_the_advice_kept(
    carl_client: Client, dana: User, case: Case
) -> None:
    claim_case(case_id=case.pk, clinician=dana)  # Dana claimed it after Carl opened the page

    response = carl_client.post(
        reverse("triage:case_discharge", args=[case.pk]), {"advice": "Keep moving gently"}
    )

    assert response.status_code == 409
    [(target, text)] = summary_links(response.content)
    assert target == "id_advice"  # a non-field error links to the form's field
    assert text.startswith("Not discharged:")
    assert "Keep moving gently" in response.content.decode()
