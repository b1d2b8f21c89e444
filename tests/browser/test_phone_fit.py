"""Every page a receptionist, a clinician and a patient use fits a 375-pixel phone: nothing makes
the page itself scroll sideways (a wide table scrolls inside its own box), and axe-core finds no
serious violation (the `chromium` fixture checks every page)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Browser, Page

from programmes.links import page_url
from referrals import services as referrals
from tests.browser.test_programme_page import PHONE, phone_page
from tests.patients.helpers import PASSWORD, make_intake, make_user, patient_details
from tests.programmes.helpers import prescribe
from tests.referrals.factories import make_destination
from tests.support.two_factor import sign_in_page

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("clock"),
]


def _too_wide(page: Page, url: str) -> str | None:
    page.goto(url)
    width = page.evaluate("document.documentElement.scrollWidth")
    if width <= PHONE["width"]:
        return None
    wide = page.evaluate(
        """() => [...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
        .sort((a, b) => b.getBoundingClientRect().right - a.getBoundingClientRect().right)
        .slice(0, 6).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))"""
    )
    return f"{url}: {width}px wide ({'; '.join(wide)})"


def test_reception_and_clinician_pages_fit_a_phone(live_server, chromium: Browser) -> None:
    reception = make_user(role="reception", username="rita")
    clinician = make_user(role="clinician", username="cara", email="cara@example.org")
    intake = make_intake(
        entered_by=reception,
        details=patient_details(
            given_name="Bartholomew-Alexander", family_name="Featherstonehaugh-Montgomery"
        ),
        chest_pain=True,
        numbness_or_tingling_arms=True,
    )
    case = intake.assessment.case
    referral = referrals.draft_referral(
        case_id=case.pk, destination_id=make_destination().pk, clinician=clinician
    )
    referrals.send_referral(referral_id=referral.pk, by=clinician)
    base = live_server.url

    desk = phone_page(chromium)
    sign_in_page(desk, base, reception, PASSWORD)
    problems = [
        _too_wide(desk, base + reverse("patients:intake_new")),
        _too_wide(desk, base + reverse("patients:patient_search") + "?q=Featherstonehaugh"),
    ]
    desk.context.close()

    doctor = phone_page(chromium)
    sign_in_page(doctor, base, clinician, PASSWORD)
    problems += [
        _too_wide(doctor, base + reverse("triage:queue")),
        _too_wide(doctor, base + reverse("triage:case_detail", args=[case.pk])),
        _too_wide(doctor, base + reverse("referrals:worklist")),
        _too_wide(doctor, base + reverse("referrals:referral_edit", args=[referral.pk])),
        _too_wide(doctor, base + reverse("triage:overrides")),
    ]
    doctor.context.close()
    assert [p for p in problems if p] == []


def test_the_patients_pages_fit_a_phone(live_server, chromium: Browser) -> None:
    programme = prescribe(start=timezone.localdate())
    link = page_url(programme, absolute=False)
    page = phone_page(chromium)
    problems = [
        _too_wide(page, live_server.url + link),
        _too_wide(page, live_server.url + link + "check-in/0/"),
    ]
    page.context.close()
    assert [p for p in problems if p] == []
