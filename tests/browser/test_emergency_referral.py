"""An emergency referred to A&E, watched in the queue in Chromium at 1366x768: the clinician
claims it, refers it, prints the letter for the patient, and the case leaves the waiting queue for
the referrals worklist, where it is followed until the hospital has seen the patient."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, expect

from referrals.models import Destination, Referral
from tests.patients.helpers import PASSWORD, make_intake, make_user, patient_details
from tests.support.two_factor import sign_in_page
from triage.models import Case, CaseDecision, Urgency


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_emergency_referred_to_a_and_e_moves_from_the_queue_to_the_worklist(
    live_server, chromium: Browser
) -> None:
    cara = make_user(role="clinician", username="cara", first_name="Cara", last_name="Hale")
    Destination.objects.get_or_create(
        kind=Destination.Kind.AE,
        name="Riverside A&E",
        defaults={"email": "", "phone": "01632 960 999"},
    )
    intake = make_intake(
        entered_by=make_user(role="reception"),
        details=patient_details(given_name="Nora", family_name="Quennell"),
        saddle_anaesthesia=True,
    )
    # and another patient waiting, who stays
    make_intake(
        entered_by=make_user(role="reception"),
        details=patient_details(given_name="Sam", family_name="Oduya"),
        duration_days=30,
    )
    case = Case.objects.get(pk=intake.assessment.case_id)
    assert case.urgency == Urgency.EMERGENCY

    context = chromium.new_context(viewport={"width": 1366, "height": 768}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        sign_in_page(page, live_server.url, cara, PASSWORD)
        page.goto(f"{live_server.url}/triage/queue/")
        queue = page.locator("#queue")
        expect(queue).to_contain_text("Nora Quennell")
        expect(queue).to_contain_text("Sam Oduya")

        page.get_by_role("link", name=re.compile("Nora Quennell")).first.click()
        page.get_by_role("button", name="Claim this case").click()
        expect(page.locator("#case-claim")).to_contain_text("Claimed by Cara Hale (you)")
        page.get_by_role("link", name="Refer", exact=True).click()
        page.get_by_label("Destination").select_option(label="Riverside A&E")
        page.get_by_role("button", name="Write the letter").click()
        page.get_by_role("button", name="Mark printed and handed to the patient").click()

        page.get_by_role("link", name="Queue", exact=True).first.click()
        queue = page.locator("#queue")
        expect(queue).to_contain_text("Sam Oduya")
        expect(queue).not_to_contain_text("Nora Quennell")

        page.get_by_role("link", name="Referrals", exact=True).first.click()
        awaiting = page.locator("section.worklist-awaiting")
        expect(awaiting).to_contain_text("Nora Quennell")
        expect(awaiting).to_contain_text("Riverside A&E")
        awaiting.get_by_role("button", name="Acknowledged").click()
        expect(page.locator("section.worklist-acknowledged")).to_contain_text("Nora Quennell")
    finally:
        context.close()

    case.refresh_from_db()
    assert case.status == Case.Status.CLOSED and case.decided_at is not None
    assert case.decisions.get().kind == CaseDecision.Kind.REFERRED
    assert Referral.objects.get(case=case).status == Referral.Status.ACKNOWLEDGED
