"""The staff pages' banner in Chromium: a clinician with the queue open sees it appear when the
escalation check stops, and go when it is back, without reloading; axe-core checks the page
with the banner showing (tests/browser/conftest.py)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext, expect

from health import services
from health.models import Heartbeat
from health.services import DISPATCHER, ESCALATIONS, PROGRAMME_MAIL
from tests.browser.axe import check_now
from tests.browser.test_dashboard import _sign_in, contexts  # noqa: F401 - the contexts fixture
from tests.patients.helpers import make_user

WITHIN_MS = 6_000  # the queue refreshes every 4 s


def all_running() -> None:
    for name in (ESCALATIONS, DISPATCHER, PROGRAMME_MAIL):
        services.beat_finished(name=name, duration=timedelta(milliseconds=30))
    services.beat_handed_out()
    services.worker_took_work(hostname="worker@clinic")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_clinician_watching_the_queue_sees_the_banner_come_and_go_without_a_reload(
    live_server,
    chromium: Browser,
    contexts: list[BrowserContext],  # noqa: F811 - the fixture imported above
) -> None:
    make_user(role="clinician", username="cara", first_name="Cara", last_name="Hale")
    all_running()
    page = _sign_in(contexts, chromium, live_server.url, "cara")
    page.goto(f"{live_server.url}/triage/queue/")
    banner = page.locator("#health-banner")
    expect(page.locator("#queue")).to_be_visible()
    expect(banner.get_by_role("alert")).to_have_count(0)
    page.evaluate("window.__notReloaded = true")

    # The escalation check stops: its last run was seven minutes ago.
    Heartbeat.objects.filter(name=ESCALATIONS).update(
        last_finished=timezone.now() - timedelta(minutes=7)
    )
    alert = banner.get_by_role("alert")
    expect(alert).to_contain_text(
        "Escalations have not run for 7 minutes: watch the queue yourself and call the duty "
        "clinician for any emergency.",
        timeout=WITHIN_MS,
    )
    expect(alert).to_have_count(1)
    check_now(page, chromium.watch)  # axe-core, with the banner showing  # type: ignore[attr-defined]

    # It runs again: the banner goes at the next refresh.
    all_running()
    expect(banner.get_by_role("alert")).to_have_count(0, timeout=WITHIN_MS)
    assert page.evaluate("window.__notReloaded") is True
