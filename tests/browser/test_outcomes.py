"""The outcome pages in Chromium, each checked by axe-core: the clinic lead chooses a period on
the dashboard, reads its charts' tables and downloads a figure as CSV; the prescribing clinician
finds a flagged programme in their list and on the case page, and marks it reviewed."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from clinic.roles import Role
from outcomes.models import NonResponderFlag
from programmes.models import Programme
from tests.outcomes.history import PERIOD, seed
from tests.patients.helpers import PASSWORD, make_user
from tests.support.two_factor import sign_in_page

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("clock"),
]


def test_the_lead_reads_the_dashboard_for_a_period_and_downloads_a_figure(
    live_server, chromium: Browser
) -> None:
    seed()
    lead = make_user(role=Role.LEAD, username="lena", first_name="Lena", last_name="Lead")
    context = chromium.new_context(
        viewport={"width": 1280, "height": 900}, locale="en-GB", accept_downloads=True
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        sign_in_page(page, live_server.url, lead, PASSWORD)
        page.get_by_role("link", name="Outcomes").click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("Outcomes")
        page.get_by_label("From", exact=True).fill(PERIOD.start.isoformat())
        page.get_by_label("To", exact=True).fill(PERIOD.end.isoformat())
        page.get_by_role("button", name="Show").click()
        expect(page.locator("#period-shown")).to_contain_text("2 Mar 2026")
        expect(page.locator('[data-field="cases_acknowledged"]')).to_have_text("3 (60.0%)")
        expect(page.get_by_role("img", name="Emergencies per week")).to_be_visible()
        with page.expect_download() as download:
            page.locator("#table-deadlines").locator("xpath=following::a[1]").click()
        assert download.value.suggested_filename == "outcomes-deadlines-2026-03-02-2026-03-15.csv"

        page.goto(f"{live_server.url}/outcomes/?start=2026-03-10&end=2026-03-01")
        expect(page.locator("#error-summary")).to_be_visible()
        page.goto(f"{live_server.url}/triage/overrides/?start=2026-03-02&end=2026-03-15")
        expect(page.locator("#overrides-per-week")).to_be_visible()
    finally:
        context.close()


def test_the_prescriber_reviews_a_flagged_programme(live_server, chromium: Browser) -> None:
    history = seed()
    programme = Programme.objects.filter(status=Programme.Status.ACTIVE).order_by("pk").first()
    assert programme is not None
    flag = NonResponderFlag.objects.create(
        programme=programme,
        case=programme.case,
        clinician=history.clinician,
        week=4,
        rule="At least 75% of sessions by week 4",
        sessions_done=9,
        sessions_planned=12,
        baseline_pain=5,
        pain=4,
    )
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        sign_in_page(page, live_server.url, history.clinician, PASSWORD)
        page.get_by_role("link", name="To review").click()
        expect(page.locator("#review-mine")).to_contain_text(programme.patient.full_name)
        page.get_by_role("link", name=programme.patient.full_name).click()
        expect(page.locator(f"#non-responder-{flag.pk}")).to_contain_text("9 of 12")
        page.locator(f"#review-note-{flag.pk}").fill("Referred for a second opinion")
        page.get_by_role("button", name="Mark as reviewed").click()
        expect(page.locator(f"#non-responder-{flag.pk}")).to_contain_text("Reviewed by")
    finally:
        context.close()
