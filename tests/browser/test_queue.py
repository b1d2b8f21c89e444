"""The clinician queue in Chromium at a laptop's 1366 by 768: fifteen rows on the screen, the tab's
title counting the emergencies, a new emergency told to screen readers once, and keyboard focus
kept across the every-4-seconds refresh."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Browser, Page, expect

from patients.models import Intake
from programmes.seed import seed_library
from tests.patients.helpers import PASSWORD, make_intake, make_user, patient_details
from tests.programmes.helpers import self_care_intake
from tests.support.two_factor import sign_in_page

LAPTOP = {"width": 1366, "height": 768}
REFRESH_TIMEOUT = 15_000  # ms: three refreshes of 4 s, with the response

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Counts the refreshes of #queue the page has settled, and every sentence written in the
# assertive live region, from before the first refresh.
WATCH = """
() => {
  window.__refreshes = 0;
  document.body.addEventListener("htmx:afterSettle", (event) => {
    if (event.detail.elt && event.detail.elt.id === "queue") window.__refreshes += 1;
  });
  window.__announced = [];
  const region = document.getElementById("queue-announcer");
  new MutationObserver(() => {
    const text = region.textContent.trim();
    if (text) window.__announced.push(text);
  }).observe(region, {childList: true, characterData: true, subtree: true});
}
"""


@pytest.fixture
def clinician(db: None) -> User:
    return make_user(role="clinician", username="cara", first_name="Cara", last_name="Hale")


@pytest.fixture
def reception(db: None) -> User:
    return make_user(role="reception", username="rita")


@pytest.fixture
def laptop(chromium: Browser, live_server: Any, clinician: User) -> Iterator[Page]:
    """The clinician, signed in, on a 1366 by 768 screen."""
    context = chromium.new_context(viewport=LAPTOP, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(10_000)
    sign_in_page(page, live_server.url, clinician, PASSWORD)
    yield page
    context.close()


def _queue(page: Page, live_server: Any) -> None:
    page.goto(f"{live_server.url}/triage/queue/")
    expect(page.locator("#queue")).to_be_visible()
    page.evaluate(WATCH)


def _wait_for_refreshes(page: Page, count: int) -> None:
    """Until the page has settled `count` more refreshes of the queue than it had."""
    target = page.evaluate("window.__refreshes") + count
    page.wait_for_function(
        "(target) => window.__refreshes >= target", arg=target, timeout=REFRESH_TIMEOUT
    )


def _emergency(reception: User, name: str) -> Intake:
    given, family = name.split()
    return make_intake(
        entered_by=reception,
        details=patient_details(given_name=given, family_name=family),
        bladder_or_bowel_change=True,
    )


def test_fifteen_rows_fit_on_a_1366_by_768_screen(
    live_server: Any, laptop: Page, reception: User
) -> None:
    # Given 16 cases, an undelivered-alert mark and a suggested programme among them...
    seed_library()
    _emergency(reception, "Ed Emergency")
    for n in range(13):
        make_intake(
            entered_by=reception,
            details=patient_details(given_name="Routine", family_name=f"Patient{n}"),
            chest_pain=n % 2 == 0,
            unexplained_weight_loss=n % 3 == 0,
        )
    self_care_intake(entered_by=reception)
    back = self_care_intake(entered_by=reception, pain_score_now=7, duration_days=100)
    Intake.objects.filter(pk=back.pk).update(source=Intake.Source.CHECK_IN)

    # When the clinician opens the queue...
    _queue(laptop, live_server)

    # Then the first fifteen rows are all within the screen, without scrolling.
    rows = laptop.locator("#queue tbody tr")
    expect(rows).to_have_count(16)
    assert laptop.evaluate("window.scrollY") == 0
    for n in range(15):
        box = rows.nth(n).bounding_box()
        assert box is not None
        assert box["y"] + box["height"] <= LAPTOP["height"], f"row {n + 1} is below the screen"
    expect(laptop.locator("#queue tbody tr").first).to_contain_text("Ed Emergency")
    # Nor does a row need scrolling sideways: every column is on the screen.
    wrapper = laptop.locator("#queue .table-responsive")
    assert wrapper.evaluate("(element) => element.scrollWidth <= element.clientWidth")


def test_the_title_counts_the_emergencies_and_follows_each_refresh(
    live_server: Any, laptop: Page, reception: User
) -> None:
    _emergency(reception, "Ed Emergency")
    _queue(laptop, live_server)
    expect(laptop).to_have_title("(1 emergency) Queue · Clinic triage")

    _emergency(reception, "Em Emergency")

    expect(laptop).to_have_title("(2 emergencies) Queue · Clinic triage", timeout=REFRESH_TIMEOUT)


def test_a_new_emergency_is_told_to_screen_readers_once(
    live_server: Any, laptop: Page, reception: User
) -> None:
    # Given the queue open with an emergency already in it...
    _emergency(reception, "Ed Emergency")
    _queue(laptop, live_server)
    region = laptop.locator("#queue-announcer")
    expect(region).to_have_attribute("aria-live", "assertive")
    _wait_for_refreshes(laptop, 1)
    assert laptop.evaluate("window.__announced") == []  # the one already shown is not news

    # When another emergency comes in...
    _emergency(reception, "Em Emergency")

    # Then the live region says so, once, however many refreshes follow.
    expect(region).to_have_text(
        "New emergency in the queue: 2 emergencies waiting.", timeout=REFRESH_TIMEOUT
    )
    _wait_for_refreshes(laptop, 2)
    assert laptop.evaluate("window.__announced") == [
        "New emergency in the queue: 2 emergencies waiting."
    ]
    expect(laptop).to_have_title("(2 emergencies) Queue · Clinic triage")


def test_keyboard_focus_stays_on_the_same_row_across_a_refresh(
    live_server: Any, laptop: Page, reception: User
) -> None:
    seed_library()
    _emergency(reception, "Ed Emergency")
    self_care = self_care_intake(entered_by=reception).assessment.case
    _queue(laptop, live_server)

    # A clinician tabs to the second row's patient link...
    link = laptop.locator(f"#case-{self_care.pk}-open")
    link.focus()
    expect(link).to_be_focused()
    # ...and a refresh, bringing a new case above it, replaces the table under it.
    _emergency(reception, "Em Emergency")
    _wait_for_refreshes(laptop, 1)
    expect(laptop.locator("#queue tbody tr")).to_have_count(3)
    expect(laptop.locator(f"#case-{self_care.pk}-open")).to_be_focused()

    # The same holds for a row's button.
    approve = laptop.locator(f"#case-{self_care.pk}-approve")
    approve.focus()
    _wait_for_refreshes(laptop, 1)
    expect(laptop.locator(f"#case-{self_care.pk}-approve")).to_be_focused()
    assert laptop.evaluate("document.activeElement.id") == f"case-{self_care.pk}-approve"


def test_a_failed_refresh_says_so_in_the_words_the_page_gave_it(
    live_server: Any, laptop: Page, reception: User
) -> None:
    _emergency(reception, "Ed Emergency")
    _queue(laptop, live_server)
    stamp = laptop.locator("#queue-updated")
    expect(stamp).to_have_text(re.compile(r"^Updated \d\d:\d\d:\d\d$"))
    failed = stamp.get_attribute("data-failed-text") or ""
    assert re.fullmatch(r"Could not refresh; last updated \d\d:\d\d:\d\d", failed)

    # The server answers the next refreshes with an error: the last table stays, and says so.
    laptop.route("**/triage/queue/**", lambda route: route.fulfill(status=500, body="down"))

    expect(stamp).to_have_text(failed, timeout=REFRESH_TIMEOUT)
    expect(stamp).to_have_class(re.compile("text-danger"))
    expect(laptop.locator("#queue tbody tr")).to_have_count(1)
