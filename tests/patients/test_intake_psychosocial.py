"""The intake's psychosocial section: the clinic's questionnaire asked and scored, never a category
chosen by hand; with no questionnaire configured, "not assessed" and why. Through the test client
as reception, and the clinician's case page."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from patients.models import Intake
from psychosocial.models import Tool
from tests.patients.helpers import intake_post
from tests.patients.test_intake_new import _checked
from tests.psychosocial.helpers import ITEM_WORDING, item_post, make_tool
from tests.support.two_factor import sign_in
from triage.models import Urgency

URL = reverse("patients:intake_new")
NOT_CONFIGURED = "no licensed questionnaire is configured for this clinic"

pytestmark = pytest.mark.django_db


def _filed(response) -> Intake:
    assert response.status_code == 302, response.context["form"].errors
    return Intake.objects.get()


# --- No questionnaire configured --------------------------------------------------------------


def test_without_a_questionnaire_the_section_says_why_and_asks_nothing(
    reception_client: Client,
) -> None:
    html = reception_client.get(URL).content.decode()

    assert NOT_CONFIGURED in html
    assert "psychosocial_risk_category" not in html
    assert "psychosocial_item_" not in html


def test_without_a_questionnaire_the_intake_is_stored_as_not_assessed(
    reception_client: Client,
) -> None:
    intake = _filed(reception_client.post(URL, intake_post()))

    assert intake.answers["psychosocial_risk_category"] == "not_assessed"
    assert intake.psychosocial_screen is None


def test_an_inactive_questionnaire_is_not_asked(reception_client: Client) -> None:
    make_tool(active=False)

    html = reception_client.get(URL).content.decode()
    assert NOT_CONFIGURED in html
    assert ITEM_WORDING[1] not in html


@pytest.mark.parametrize("category", ["high", "low", "not_assessed", ""])
def test_a_category_sent_with_the_form_is_refused_not_taken(
    reception_client: Client, category: str
) -> None:
    response = reception_client.post(URL, intake_post(psychosocial_risk_category=category))

    assert response.status_code == 200
    form = response.context["form"]
    assert "no longer chosen by hand" in str(form.non_field_errors())
    summary = response.content.decode().split('id="error-summary"', 1)[1].split("</ul>", 1)[0]
    assert "There is a problem" in summary and "no longer chosen by hand" in summary
    assert not Intake.objects.exists()
    # Sent again as the page now stands (the category is nowhere on it), it is filed.
    assert "psychosocial_risk_category" not in response.content.decode()
    _filed(reception_client.post(URL, intake_post()))


# --- A questionnaire configured ---------------------------------------------------------------


def test_the_active_questionnaires_items_are_asked_in_the_psychosocial_section(
    reception_client: Client,
) -> None:
    make_tool()
    html = reception_client.get(URL).content.decode()

    assert NOT_CONFIGURED not in html
    assert "Made-up screen (test-1)" in html
    section = html[html.index('id="section-wellbeing"') :]
    for position, wording in ITEM_WORDING.items():
        assert wording in section
        assert f'id="div_id_psychosocial_item_{position}"' in section
    assert 'value="3"' in section[section.index("div_id_psychosocial_item_4") :]  # "A lot"
    assert "A little" in section


def test_each_unanswered_item_is_named_beside_it_and_in_the_summary(
    reception_client: Client,
) -> None:
    make_tool()
    data = intake_post() | item_post("yes", "no")  # items 3 and 4 left unanswered

    response = reception_client.post(URL, data)

    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"psychosocial_item_3", "psychosocial_item_4"}
    html = response.content.decode()
    summary = html.split('id="error-summary"', 1)[1].split("</ul>", 1)[0]
    assert 'href="#id_psychosocial_item_3' in summary
    assert 'href="#id_psychosocial_item_4' in summary
    item_3 = html[html.index('id="div_id_psychosocial_item_3"') :]
    item_3 = item_3[: item_3.index('id="div_id_psychosocial_item_4"')]
    assert f"Choose an answer: “{ITEM_WORDING[3]}”" in item_3
    # The items already answered are kept.
    assert _checked(html, "psychosocial_item_1", "yes")
    assert _checked(html, "psychosocial_item_2", "no")
    assert not _checked(html, "psychosocial_item_3", "yes")
    assert not Intake.objects.exists()


@pytest.mark.parametrize(
    ("answers", "category", "total", "subscale"),
    [
        (("no", "no", "no", "1"), "low", 0, 0),
        (("yes", "no", "no", "2"), "low", 1, 0),
        (("yes", "yes", "no", "1"), "medium", 2, 0),
        (("yes", "no", "yes", "2"), "medium", 2, 1),
        (("no", "no", "yes", "3"), "high", 2, 2),
        (("yes", "yes", "yes", "3"), "high", 4, 2),
    ],
)
def test_the_category_is_computed_and_stored_with_the_item_answers(
    reception_client: Client,
    answers: tuple[str, ...],
    category: str,
    total: int,
    subscale: int,
) -> None:
    make_tool()

    intake = _filed(reception_client.post(URL, intake_post() | item_post(*answers)))

    assert intake.answers["psychosocial_risk_category"] == category
    screen = intake.psychosocial_screen
    assert (screen["tool"], screen["version"]) == ("Made-up screen", "test-1")
    assert (screen["category"], screen["total"], screen["subscale"]) == (category, total, subscale)
    assert [i["wording"] for i in screen["items"]] == list(ITEM_WORDING.values())
    assert [i["value"] for i in screen["items"]] == list(answers)
    # The answers keep to the contract's keys: the questionnaire is stored beside them.
    assert not [key for key in intake.answers if key.startswith("psychosocial_item")]


def test_a_high_category_from_the_questionnaire_makes_the_case_clinician_led(
    reception_client: Client,
) -> None:
    make_tool()

    intake = _filed(reception_client.post(URL, intake_post() | item_post("no", "no", "yes", "3")))

    assert intake.assessment.urgency == Urgency.ROUTINE  # red-flags.md section 5: high → ROUTINE
    assert [r["id"] for r in intake.assessment.rules] == ["HIGH_PSYCHOSOCIAL_RISK"]


def test_a_category_sent_beside_the_items_is_refused_too(reception_client: Client) -> None:
    make_tool()
    data = intake_post(psychosocial_risk_category="low") | item_post("no", "no", "yes", "3")

    response = reception_client.post(URL, data)

    assert response.status_code == 200
    assert "no longer chosen by hand" in str(response.context["form"].non_field_errors())
    assert not Intake.objects.exists()


def test_a_tool_edited_later_leaves_the_stored_answers_as_they_were(
    reception_client: Client,
) -> None:
    tool = make_tool()
    intake = _filed(reception_client.post(URL, intake_post() | item_post("no", "no", "yes", "3")))
    tool.items.filter(position=3).update(wording="Reworded")
    Tool.objects.filter(pk=tool.pk).update(version="test-2")

    intake.refresh_from_db()
    assert intake.psychosocial_screen["version"] == "test-1"
    assert intake.psychosocial_screen["items"][2]["wording"] == ITEM_WORDING[3]


# --- The clinician's case page ----------------------------------------------------------------


def test_the_case_page_shows_the_item_answers_and_the_computed_category(
    reception_client: Client, clinician: User
) -> None:
    make_tool()
    intake = _filed(reception_client.post(URL, intake_post() | item_post("yes", "no", "yes", "3")))

    page = sign_in(Client(), clinician).get(
        reverse("triage:case_detail", args=[intake.assessment.case_id])
    )

    html = page.content.decode()
    screen = html[html.index('id="psychosocial-screen"') :]
    assert "Made-up screen (test-1)" in screen
    assert "<strong>High risk</strong>" in screen
    assert "total score 3" in screen and "worry subscale 2" in screen
    for wording in ITEM_WORDING.values():
        assert wording in screen
    assert "A lot" in screen


def test_the_case_page_says_when_no_questionnaire_was_configured(
    reception_client: Client, clinician: User
) -> None:
    intake = _filed(reception_client.post(URL, intake_post()))

    page = sign_in(Client(), clinician).get(
        reverse("triage:case_detail", args=[intake.assessment.case_id])
    )

    assert "no licensed questionnaire was configured" in page.content.decode()
