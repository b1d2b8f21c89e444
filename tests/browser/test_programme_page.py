"""The patient's programme page on a phone-sized screen in Chromium: opened from the link in the
programme email, it fits the screen; the patient logs a session and answers their starting
questionnaire, and a check-in with a new red flag tells them what to do now."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from outbox.models import Message
from programmes import screen
from programmes.links import page_url
from programmes.models import Programme
from programmes.ndi import SECTIONS
from tests.programmes.helpers import prescribe
from triage.outcomes import patient_instruction

PHONE = {"width": 375, "height": 812}

# On the test's clock (the live server runs in this process): the programme starts "today",
# whatever the hour the run reaches it.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("clock"),
]


def phone_page(chromium: Browser) -> Page:
    context = chromium.new_context(
        viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, locale="en-GB"
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    return page


def fits_the_screen(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def open_programme(page: Page, live_server_url: str, programme: Programme) -> None:
    link = page_url(programme, absolute=False)
    message = Message.objects.get(kind=Message.Kind.PROGRAMME, patient=programme.patient)
    assert link.split("/p/")[0] + "/p/" in message.body_text  # the email carries the page link
    page.goto(live_server_url + link)


def answer_screen(page: Page, **yes: bool) -> None:
    for question in screen.SCREEN_QUESTIONS:
        value = "yes" if yes.get(question.field) else "no"
        page.check(f"input[name='{question.field}'][value='{value}']")


def test_the_programme_page_fits_a_phone_and_takes_a_session_and_the_start_questionnaire(
    live_server, chromium: Browser
) -> None:
    programme = prescribe(start=timezone.localdate())
    page = phone_page(chromium)
    open_programme(page, live_server.url, programme)

    expect(page.get_by_role("heading", level=1)).to_contain_text("Hello Ada")
    expect(page.locator("body")).to_contain_text(programme.name)
    first = programme.phases.get(position=1).exercises.select_related("exercise").first()
    assert first is not None
    expect(page.get_by_text(first.exercise.name).first).to_be_visible()
    assert fits_the_screen(page)

    # Log a session: every exercise ticked by default, how it felt.
    page.check("input[name='felt'][value='right']")
    page.get_by_role("button", name="Save this session").click()
    expect(page.get_by_role("status").first).to_be_visible()
    assert programme.sessions.count() == 1

    # The starting questionnaire: pain, the NDI, the screen.
    page.get_by_role("link", name="starting questionnaire", exact=False).first.click()
    assert fits_the_screen(page)
    page.check("input[name='pain'][value='4']")
    for section in SECTIONS:
        page.check(f"input[name='ndi_{section.key}'][value='1']")
    answer_screen(page)
    page.get_by_role("button", name="Send", exact=False).click()
    expect(page.locator("body")).to_contain_text("What happens next")
    check_in = programme.check_ins.get(week=0)
    assert (check_in.pain, check_in.ndi_points) == (4, 10)


def test_a_check_in_with_a_new_red_flag_says_what_to_do_now(live_server, chromium: Browser) -> None:
    programme = prescribe(start=timezone.localdate())
    page = phone_page(chromium)
    open_programme(page, live_server.url, programme)
    page.get_by_role("link", name="starting questionnaire", exact=False).first.click()

    page.check("input[name='pain'][value='5']")
    for section in SECTIONS:
        page.check(f"input[name='ndi_{section.key}'][value='2']")
    answer_screen(page, bladder_or_bowel_change=True)
    page.get_by_role("button", name="Send", exact=False).click()

    emergency = patient_instruction("EMERGENCY", sla=settings.TRIAGE_SLA["EMERGENCY"])
    expect(page.get_by_role("heading", name=str(emergency.heading))).to_be_visible()
    expect(page.locator("body")).to_contain_text(str(emergency.now))
    assert fits_the_screen(page)
    programme.refresh_from_db()
    assert programme.status == Programme.Status.ON_HOLD


def test_unsubscribing_from_the_page_first_says_what_it_stops(
    live_server, chromium: Browser
) -> None:
    programme = prescribe(start=timezone.localdate())
    page = phone_page(chromium)
    open_programme(page, live_server.url, programme)

    page.get_by_role("link", name="Unsubscribe from emails").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Stop the clinic's emails?")
    expect(page.locator("main")).to_contain_text("red flags")
    assert fits_the_screen(page)
    programme.refresh_from_db()
    assert programme.unsubscribed_at is None  # opening the page changed nothing

    page.get_by_role("button", name="Unsubscribe: stop reminders and check-ins").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("You are unsubscribed")
    programme.refresh_from_db()
    assert programme.unsubscribed_at is not None
