"""The clinic lead reads who changed the rota and staff accounts in Chromium: from the audit page
to the changes that are no patient's, each as field: old → new; every page passes axe-core."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from audit import services as audit
from audit.models import AuditEvent
from clinic.roles import Role
from tests.patients.helpers import PASSWORD, make_user
from tests.support.two_factor import sign_in_page

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("clock"),
]


def test_the_lead_reads_the_changes_to_the_rota_and_staff_accounts(
    live_server, chromium: Browser
) -> None:
    admin = make_user(role=None, username="root", first_name="Ada", last_name="Admin")
    audit.record_change(
        by=admin,
        record="duty slot 3: Monday 09:00-17:00",
        action=AuditEvent.Action.CREATE,
        changes={"clinician": (None, "doc"), "weekday": (None, "Monday")},
    )
    audit.record_change(
        by=admin,
        record="user 7: doc",
        changes={"is_staff": (False, True), "groups": ("clinician", "clinic lead, clinician")},
    )
    lead = make_user(role=Role.LEAD, username="lena", first_name="Lena", last_name="Lead")
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        sign_in_page(page, live_server.url, lead, PASSWORD)

        page.goto(f"{live_server.url}/audit/")
        page.get_by_role("link", name="Who changed staff accounts and roles", exact=False).click()
        expect(page.get_by_role("heading", level=1)).to_contain_text("staff accounts")
        table = page.get_by_role("table")
        expect(table).to_contain_text("weekday: — → Monday")
        expect(table).to_contain_text("is_staff: no → yes")
        expect(table).to_contain_text("groups: clinician → clinic lead, clinician")
        expect(table).to_contain_text("Ada Admin")
    finally:
        context.close()
