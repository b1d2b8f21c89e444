"""A German-speaking patient on a 375-px phone in Chromium: their programme page, opened from the
link in their email, is in German (the exercise library's German text), fits the screen and
passes axe-core; the language switch in the header turns it into English and back; their
self-intake link opens in German too."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from outbox.models import Message
from patients.models import Language
from programmes.core.library_de import GERMAN
from programmes.links import page_url
from programmes.models import Programme
from selfintake import links as selfintake_links
from tests.patients.helpers import make_intake, make_user, patient_details
from tests.programmes.helpers import prescribe
from tests.selfintake.helpers import invite, patient_with_email, start_path

PHONE = {"width": 375, "height": 812}

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("clock"),
]


def phone_page(chromium: Browser) -> Page:
    context = chromium.new_context(
        viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, locale="de-DE"
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    return page


def fits_the_screen(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def german_programme() -> Programme:
    intake = make_intake(
        entered_by=make_user(role="reception"),
        details=patient_details(
            given_name="Greta",
            email="greta@example.org",
            email_consent=True,
            preferred_language=Language.GERMAN,
        ),
        duration_days=42,
        pain_score_now=5,
    )
    return prescribe(intake=intake, start=timezone.localdate())


def test_a_german_patients_programme_page_on_a_phone_and_its_language_switch(
    live_server, chromium: Browser
) -> None:
    programme = german_programme()
    message = Message.objects.get(kind=Message.Kind.PROGRAMME, patient=programme.patient)
    assert '<html lang="de">' in message.body_html
    first = programme.phases.get(position=1).exercises.select_related("exercise").first()
    assert first is not None
    german = GERMAN[first.exercise.slug]

    page = phone_page(chromium)
    page.goto(live_server.url + page_url(programme, absolute=False))
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.get_by_text(german.name).first).to_be_visible()
    assert fits_the_screen(page)
    details = page.locator("details", has_text=german.setup).first
    details.locator("summary").click()
    expect(details.get_by_text(german.setup)).to_be_visible()

    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en-GB")
    expect(page.get_by_text(first.exercise.name).first).to_be_visible()
    assert fits_the_screen(page)

    page.get_by_role("button", name="Deutsch").click()
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.get_by_text(german.name).first).to_be_visible()


def test_a_german_patients_self_intake_opens_in_german_on_a_phone(
    live_server, chromium: Browser
) -> None:
    reception: User = make_user(role="reception")
    patient = patient_with_email(given_name="Greta", preferred_language=Language.GERMAN)
    invitation, _token = invite(patient, reception)
    message = Message.objects.get(kind=Message.Kind.SELF_INTAKE, patient=patient)
    assert '<html lang="de">' in message.body_html

    page = phone_page(chromium)
    page.goto(live_server.url + start_path(selfintake_links.token(invitation)))
    expect(page.locator("html")).to_have_attribute("lang", "de")
    expect(page.get_by_role("button", name="English")).to_be_visible()
    assert fits_the_screen(page)
