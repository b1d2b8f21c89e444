"""A member of the public refers themselves on a 375-pixel phone in Chromium: the clinic's public
page (off by default, on here), a refused first try named in the error summary with nothing
lost, "check your email", the emailed link opening on "Confirm and start", and on into the
self-intake's first step without the date of birth again. axe-core checks every page."""

from __future__ import annotations

import re

import pytest
from django.conf import LazySettings
from playwright.sync_api import Browser, expect

from outbox.models import Message
from patients.models import Patient
from selfintake.models import SelfReferral
from tests.browser.test_programme_page import PHONE, fits_the_screen, phone_page

pytestmark = [
    pytest.mark.browser,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),  # the live server sees committed rows
]

LINK = re.compile(r"https?://\S+/p/r/[^/\s]+/")


def test_a_person_refers_themselves_on_a_phone_and_starts_the_questions(
    live_server, chromium: Browser, settings: LazySettings
) -> None:
    settings.SELF_REFERRAL_ENABLED = True
    page = phone_page(chromium)
    page.goto(f"{live_server.url}/p/self-referral/")

    expect(page.get_by_role("heading", level=1)).to_have_text("Refer yourself to the clinic")
    assert fits_the_screen(page)
    page.get_by_label("First name").fill("Lin")
    page.get_by_label("Last name").fill("Okafor")
    page.get_by_label("Day").fill("9")
    page.get_by_label("Month").fill("11")
    page.get_by_label("Year").fill("1978")
    page.get_by_label("Email address").fill("lin@example")
    page.get_by_role("button", name="Email me the link").click()

    # Refused: the summary is focused and names each problem; what was typed is kept.
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Choose your sex")
    expect(summary).to_contain_text("Enter an email address in the right form")
    expect(summary).to_contain_text("Agree to be emailed")
    expect(page.get_by_label("Last name")).to_have_value("Okafor")
    assert fits_the_screen(page)
    summary.get_by_role("link", name=re.compile("Enter an email address")).click()
    expect(page.get_by_label("Email address")).to_be_focused()
    page.get_by_label("Email address").fill("lin@example.org")
    page.get_by_label("Female").check()
    page.get_by_label("I agree that the clinic may email me about my care").check()
    page.get_by_role("button", name="Email me the link").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    assert not Patient.objects.exists()
    message = Message.objects.get(to_email="lin@example.org")
    assert "Okafor" not in message.subject
    link = LINK.search(message.body_text)
    assert link is not None
    page.goto(link.group(0).replace(settings.SITE_URL, live_server.url))

    # Opening it changes nothing: the button does.
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello Lin")
    assert SelfReferral.objects.get().confirmed_at is None
    assert fits_the_screen(page)
    page.get_by_role("button", name="Confirm and start").click()

    expect(page.get_by_text("Step 1 of 7")).to_be_visible()
    assert fits_the_screen(page)
    patient = Patient.objects.get()
    assert (patient.family_name, patient.self_referral.email) == ("Okafor", "lin@example.org")
    viewport = page.viewport_size
    assert viewport is not None and viewport["width"] == PHONE["width"]

    # The link again, on another phone: used, and it says what to do.
    other = phone_page(chromium)
    other.goto(link.group(0).replace(settings.SITE_URL, live_server.url))
    expect(other.get_by_role("heading", level=1)).to_have_text("This link does not work")
    expect(other.get_by_role("link", name="Start again")).to_be_visible()
    other.context.close()
    page.context.close()
