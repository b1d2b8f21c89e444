"""The clinical safety officer tries the changed rule set on the demo history in Chromium (the
trial run by a real Celery worker while the page shows its progress), reads the lowered cases,
signs it off and chooses it, then reads the hazard log; every page passes axe-core."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from clinic.roles import Role
from governance import active
from governance.demo import seed_history
from governance.models import ActiveRuleSet, SignOff
from tests.integration.outbox_stack import (
    OutboxStack,
    outbox_stack_fixture,  # noqa: F401 - the outbox_stack fixture
)
from tests.patients.helpers import PASSWORD, make_user
from tests.support.two_factor import sign_in_page

pytestmark = [pytest.mark.browser, pytest.mark.redis, pytest.mark.django_db(transaction=True)]


def test_the_officer_tries_signs_off_and_chooses_a_rule_set(
    live_server, chromium: Browser, outbox_stack: OutboxStack
) -> None:
    clinician = make_user(role=Role.CLINICIAN, username="doc")
    seed_history(count=120, clinician=clinician)
    officer = make_user(role=Role.SAFETY_OFFICER, username="sofia", first_name="Sofia")
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(20_000)
    outbox_stack.start_worker(None)  # type: ignore[arg-type]  # runs the trial; no mail here
    try:
        sign_in_page(page, live_server.url, officer, PASSWORD)
        page.goto(f"{live_server.url}/governance/")
        page.get_by_label("Rule-set version to try").select_option("2026.2-rc1")
        page.get_by_role("button", name="Run the trial").click()
        # The run's page follows the worker (htmx into a live region) until the report is kept.
        page.get_by_role("link", name="Read the report of trial").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("2026.2-rc1")
        lowered = page.locator("tr.trial-lowered-case")
        expect(lowered.first).to_contain_text("Lowered")
        page.get_by_role("button", name="Sign off 2026.2-rc1").click()
        expect(page.locator("#error-summary")).to_contain_text("Say why you sign this rule set off")
        page.get_by_label("Why you sign this rule set off").fill("Read every lowered case")
        page.get_by_label("I have read every case this trial lowers", exact=False).check()
        page.get_by_role("button", name="Sign off 2026.2-rc1").click()
        expect(page.locator(".sign-off")).to_contain_text("Read every lowered case")
        page.get_by_role("link", name="Clinical governance").first.click()
        page.get_by_label("Why the clinic changes its rule set").fill("Trial read and signed")
        page.get_by_role("button", name="Triage new intakes with this rule set").click()
        expect(page.locator("#active-version")).to_contain_text("2026.2-rc1")
        page.get_by_role("link", name="The hazard log").click()
        expect(
            page.get_by_role("heading", name="H2: Under-triage by a rule change")
        ).to_be_visible()
    finally:
        context.close()
        active.forget()
    assert SignOff.objects.get().version == ActiveRuleSet.objects.get().version == "2026.2-rc1"
