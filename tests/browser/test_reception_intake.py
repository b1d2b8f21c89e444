"""A receptionist enters a whole intake in Chromium, makes a mistake, fixes it, and sees the
EMERGENCY outcome with the instruction to call 999 / send the patient to A&E."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from patients.models import Intake
from tests.patients.helpers import PASSWORD, make_user
from tests.psychosocial.helpers import make_tool
from triage.models import Urgency
from triage.rules import QUESTIONS

YES, NO = 0, 1  # the order of the radio buttons: id_<name>_0 is Yes, id_<name>_1 is No
LEFT_UNANSWERED = "chest_pain"


def _answer(page: Page, name: str, choice: int) -> None:
    page.check(f"#id_{name}_{choice}")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_receptionist_enters_an_emergency_intake_and_is_told_to_send_the_patient_to_ae(
    live_server, page: Page
) -> None:
    make_user(role="reception", username="rita", first_name="Rita", last_name="Reed")
    make_tool()  # the clinic's questionnaire (made up: tests/psychosocial/helpers.py)
    failures: list[str] = []
    page.on(
        "response",
        lambda r: failures.append(f"{r.status} {r.url}") if r.status >= 400 else None,
    )
    page.on("pageerror", lambda error: failures.append(f"script error: {error}"))

    # Given a receptionist signs in, she lands on a new intake.
    page.goto(f"{live_server.url}/")
    page.fill("#id_username", "rita")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    expect(page.get_by_role("heading", name="New intake")).to_be_visible()

    # She fills in the patient...
    page.fill("#id_given_name", "Ellen")
    page.fill("#id_family_name", "Ward")
    page.fill("#id_date_of_birth", "1961-09-14")
    page.check("#id_sex_0")
    page.fill("#id_phone", "01632 960 123")
    page.fill("#id_nhs_number", "943 476 5919")
    _answer(page, "email_consent", NO)
    # ...and every question, with a new bladder change, but one question forgotten.
    page.check("#id_pain_region_4")  # lower back
    page.fill("#id_duration_days", "3")
    page.check("#id_pain_score_now_7")
    for question in QUESTIONS:
        if question.kind is bool and question.name != LEFT_UNANSWERED:
            _answer(page, question.name, NO)
    _answer(page, "bladder_or_bowel_change", YES)
    _answer(page, "previous_similar_episodes", YES)
    # The clinic's questionnaire: its items, no category to choose (it is worked out).
    expect(page.locator("#section-wellbeing")).to_contain_text("Made-up screen (test-1)")
    expect(page.locator("#id_psychosocial_risk_category")).to_have_count(0)
    page.check("#id_psychosocial_item_1_1")  # yes
    page.check("#id_psychosocial_item_2_0")  # no
    page.check("#id_psychosocial_item_3_1")  # yes
    page.check("#id_psychosocial_item_4_2")  # a lot

    # The injury question asks how it happened only after a yes.
    mechanism = page.locator("#div_id_trauma_mechanism")
    expect(mechanism).to_be_hidden()
    _answer(page, "recent_significant_trauma", YES)
    expect(mechanism).to_be_visible()
    _answer(page, "recent_significant_trauma", NO)
    expect(mechanism).to_be_hidden()

    page.click("#intake-form button[type=submit]")

    # Then the form comes back: the problem is listed at the top and beside the question...
    summary = page.locator("#error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("There is a problem")
    expect(summary.get_by_role("link")).to_contain_text("New or unexplained chest pain")
    expect(page.locator(f"#div_id_{LEFT_UNANSWERED}")).to_contain_text("Answer yes or no")
    # ...nothing is saved, and everything already answered is still there.
    assert Intake.objects.count() == 0
    expect(page.locator("#id_given_name")).to_have_value("Ellen")
    expect(page.locator("#id_nhs_number")).to_have_value("943 476 5919")
    expect(page.locator("#id_bladder_or_bowel_change_0")).to_be_checked()
    expect(page.locator("#id_pain_score_now_7")).to_be_checked()
    expect(page.locator("#id_psychosocial_item_4_2")).to_be_checked()

    # When she follows the link to the question and answers it...
    summary.get_by_role("link").click()
    _answer(page, LEFT_UNANSWERED, NO)
    page.click("#intake-form button[type=submit]")

    # ...then the outcome cannot be missed: call 999 / A&E, with the reason.
    alert = page.get_by_role("alert")
    expect(alert).to_be_visible()
    expect(alert).to_contain_text(
        "Call 999 / send the patient to A&E now — do not book an appointment, "
        "do not let them drive themselves"
    )
    expect(alert).to_contain_text("bladder/bowel change")
    expect(page.get_by_role("heading", name="Triage outcome for Ellen Ward")).to_be_visible()

    intake = Intake.objects.get()
    assert intake.assessment.urgency == Urgency.EMERGENCY
    assert intake.answers["chest_pain"] is False
    assert intake.answers["trauma_mechanism"] == "none"
    assert intake.answers["psychosocial_risk_category"] == "high"  # total 3, subscale 2
    assert intake.psychosocial_screen["items"][3]["answer"] == "A lot"
    assert page.url.endswith(f"/patients/intakes/{intake.pk}/outcome/")
    assert failures == []
