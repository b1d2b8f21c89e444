"""Two-factor authentication in Chromium: a clinician's first sign-in sets up an authenticator
(QR code or typed key, a code, ten backup codes shown once), and the next one asks for a code, a
backup code doing when the phone is not to hand."""

from __future__ import annotations

import re

import pytest
from django_otp.plugins.otp_static.models import StaticToken
from playwright.sync_api import Page, expect

from clinic.two_factor.services import backup_code_digest
from tests.patients.helpers import PASSWORD, make_user
from tests.support.two_factor import code_for_secret


def _password(page: Page, url: str, username: str) -> None:
    page.goto(f"{url}/triage/queue/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_clinician_sets_up_two_factor_then_signs_in_with_a_backup_code(
    live_server, page: Page
) -> None:
    user = make_user(role="clinician", username="cara", first_name="Cara", last_name="Hale")
    url = live_server.url

    # Given a clinician with no authenticator yet signs in with her password...
    _password(page, url, "cara")

    # ...she is asked to set one up, with a QR code drawn on the page and the key to type...
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/set-up/\?next=%2Ftriage%2Fqueue%2F"))
    expect(page.get_by_role("heading", name="Set up two-factor authentication")).to_be_visible()
    expect(page.locator(".two-factor-setup svg")).to_be_visible()
    expect(page.get_by_role("link", name="Queue")).to_have_count(0)  # nothing else to open
    secret = page.locator("#secret").inner_text()

    # ...and the code her app shows for the key turns it on, with ten backup codes shown once.
    page.fill("#id_code", code_for_secret(secret))
    page.get_by_role("button", name="Turn on two-factor authentication").click()
    expect(page.get_by_role("heading", name="Your backup codes")).to_be_visible()
    codes = page.locator(".backup-codes li").all_inner_texts()
    assert len(codes) == 10
    page.get_by_role("link", name="I have kept them: continue").click()
    expect(page).to_have_url(f"{url}/triage/queue/")

    # When she signs out and in again, the password alone opens nothing...
    page.get_by_role("button", name="Sign out").click()
    _password(page, url, "cara")
    expect(page).to_have_url(re.compile(r"/accounts/two-factor/code/"))
    expect(page.get_by_role("heading", name="Enter your code")).to_be_visible()

    # ...a wrong code is refused with a summary that takes the focus and links to the field...
    page.fill("#id_code", "000000")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("#error-summary")).to_be_focused()
    expect(page.locator("#error-summary a[href='#id_code']")).to_contain_text("not right")
    expect(page.get_by_role("link", name="Queue")).to_have_count(0)

    # ...and a backup code (its own device, so the authenticator's wait does not apply), typed
    # in capitals, lets her in once.
    page.fill("#id_code", codes[0].upper())
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(f"{url}/triage/queue/")
    expect(page.get_by_text("You signed in with a backup code. You have 9 left.")).to_be_visible()
    assert not StaticToken.objects.filter(
        device__user=user, token=backup_code_digest(codes[0])
    ).exists()
