"""The staff menu bar keeps everything inside the window on a desk screen, whatever the language
and however many roles: a member of staff with every role, reading German (the longer words), at
1366 and 1024 pixels wide. Before the bar spanned the window and took the account's pages into a
menu, German pushed "Sign out" past the right edge, where it stood white on the page's
background (axe-core's colour contrast)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import Browser, expect

from clinic.models import StaffPreferences
from clinic.roles import Role
from tests.patients.helpers import PASSWORD
from tests.support.factories import StaffFactory
from tests.support.two_factor import sign_in_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OUTSIDE = """() => [...document.querySelectorAll('nav.clinic-nav *')]
  .filter(e => e.offsetParent !== null && e.getBoundingClientRect().right > window.innerWidth + 1)
  .map(e => e.tagName + ' ' + (e.textContent || '').trim().slice(0, 30))"""


@pytest.mark.parametrize("width", [1366, 1024])
def test_every_roles_german_menu_fits_the_window(live_server, chromium: Browser, width) -> None:  # type: ignore[no-untyped-def]
    everyone = StaffFactory(
        username="alle",
        first_name="Maximiliane",
        last_name="Schwarzenberg-Hohenlohe",
        roles=tuple(Role),
        is_staff=True,
    )
    context = chromium.new_context(viewport={"width": width, "height": 768}, locale="en-GB")
    page = context.new_page()
    try:
        sign_in_page(page, live_server.url, everyone, PASSWORD)  # the sign-in helper reads English
        page.goto(live_server.url + reverse("staff_language"))
        page.get_by_label("Language").select_option("de")
        page.locator("main button[type=submit]").click()
        page.wait_for_load_state()
        assert StaffPreferences.objects.get(user=everyone).language == "de"
        for name in ("triage:queue", "outcomes:dashboard", "governance:index"):
            page.goto(live_server.url + reverse(name))
            assert page.evaluate(OUTSIDE) == [], name
            expect(page.get_by_role("button", name="Abmelden")).to_be_in_viewport()
        # The account's own pages are one menu away, by keyboard too.
        page.get_by_role("button", name="Maximiliane Schwarzenberg-Hohenlohe (Ihr Konto)").click()
        for link in ("Sprache", "Passwort ändern", "Zwei-Faktor"):
            expect(page.get_by_role("link", name=link, exact=False)).to_be_visible()
        page.get_by_role("link", name="Sprache").click()
        page.wait_for_url(f"**{reverse('staff_language')}")
    finally:
        context.close()
