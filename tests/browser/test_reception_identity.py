"""In Chromium: an NHS number already on file for somebody else stops the intake, says so where
the receptionist is looking, and lets her file it as a different patient with nothing retyped."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import Page, expect

from patients.models import Intake, Patient
from tests.patients.helpers import (
    PASSWORD,
    VALID_NHS_NUMBER,
    make_intake,
    make_user,
    patient_details,
)
from triage.rules import QUESTIONS

NO = 1  # id_<name>_1 is the "No" radio


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_nhs_number_on_file_for_someone_else_is_resolved_without_retyping(
    live_server, page: Page
) -> None:
    desk = make_user(role="reception", username="rita")
    ann = make_intake(
        entered_by=desk,
        details=patient_details(
            given_name="Ann",
            family_name="Archer",
            date_of_birth=date(1980, 5, 6),
            nhs_number=VALID_NHS_NUMBER,
        ),
    ).patient
    failures: list[str] = []
    page.on("pageerror", lambda error: failures.append(f"script error: {error}"))

    page.goto(f"{live_server.url}/")
    page.fill("#id_username", "rita")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")

    # Zed Stranger, typed with Ann's NHS number.
    page.fill("#id_given_name", "Zed")
    page.fill("#id_family_name", "Stranger")
    page.fill("#id_date_of_birth", "2001-02-03")
    page.check("#id_sex_2")
    page.fill("#id_nhs_number", "943 476 5919")
    page.check(f"#id_email_consent_{NO}")
    page.check("#id_pain_region_0")
    page.fill("#id_duration_days", "4")
    page.check("#id_pain_score_now_6")
    for question in QUESTIONS:
        if question.kind is bool:
            page.check(f"#id_{question.name}_{NO}")
    page.click("#intake-form button[type=submit]")

    # The question comes first, in focus, with both records side by side; nothing is saved.
    panel = page.locator("#confirm-patient")
    expect(panel).to_be_focused()
    expect(panel).to_contain_text("This NHS number is on file for another name or date of birth")
    expect(panel.locator("td").first).to_contain_text("Ann")
    expect(panel).to_contain_text("Zed")
    assert Intake.objects.count() == 1
    expect(page.locator("#id_given_name")).to_have_value("Zed")
    expect(page.locator("#id_pain_score_now_6")).to_be_checked()

    panel.get_by_label("A different patient: register them without this NHS number").check()
    panel.get_by_role("button", name="Submit and triage").click()

    expect(page.get_by_text("was not recorded for this patient")).to_be_visible()
    zed = Patient.objects.exclude(pk=ann.pk).get()
    assert (zed.given_name, zed.nhs_number) == ("Zed", "")
    assert Intake.objects.filter(patient=zed).count() == 1
    assert failures == []
