"""The reception intake's refused submit: the error summary (templates/clinic/error_summary.html)
with a link to each refused input, and no field marked invalid before the first submit (one
refused intake used to leave "How many days since this episode began?" red on every new form
the process showed: crispy wrote `is-invalid` into the widget every form shared)."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from tests.patients.helpers import intake_post
from tests.support.error_summary import (
    described_by,
    has_summary,
    invalid_fields,
    summary_links,
)
from triage.rules.contract import QUESTIONS_BY_NAME

URL = reverse("patients:intake_new")


def test_a_new_intake_marks_no_field_invalid(reception_client: Client) -> None:
    html = reception_client.get(URL).content

    assert invalid_fields(html) == []
    assert not has_summary(html)


def test_a_refused_intake_leaves_the_next_new_intake_unmarked(reception_client: Client) -> None:
    refused = reception_client.post(
        URL, intake_post(duration_days="", psychosocial_risk_category="")
    )
    assert "id_duration_days" in invalid_fields(refused.content)

    html = reception_client.get(URL).content

    assert invalid_fields(html) == []
    assert "aria-invalid" not in html.decode()


def test_the_summary_links_each_error_to_its_input(reception_client: Client) -> None:
    response = reception_client.post(
        URL, intake_post(duration_days="", chest_pain=None, given_name="", family_name="Ward")
    )

    links = dict(summary_links(response.content))
    assert response.status_code == 200
    chest_pain = QUESTIONS_BY_NAME["chest_pain"].question
    assert links["id_given_name"] == "Enter the patient's given name"
    assert links["id_chest_pain_0"] == f"Answer yes or no: “{chest_pain}”"  # a group: its first
    assert links["id_duration_days"].startswith("Enter a whole number")
    assert list(links) == ["id_given_name", "id_duration_days", "id_chest_pain_0"]  # page order
    # Each message also sits beside its question, named by the input it describes.
    assert "id_duration_days_error" in described_by(response.content, "id_duration_days")
    assert set(invalid_fields(response.content)) >= {"id_given_name", "id_duration_days"}
    assert 'value="Ward"' in response.content.decode()  # nothing typed is lost
