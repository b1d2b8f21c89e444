"""Sign-in lockout (django-axes) and passwords, through the test client.

Issue 10: 50 wrong passwords in 13 seconds were all answered and the right one then worked. Now
an account, and an address, is locked after AXES_FAILURE_LIMIT failures, on the sign-in page and
the admin's; an admin can unlock it; passwords are at least 12 characters and not common.
"""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt, AccessLog
from django.conf import settings
from django.contrib.auth.models import User
from django.urls import reverse

from tests.patients.helpers import PASSWORD, make_user
from tests.support.two_factor import sign_in

pytestmark = pytest.mark.django_db

LOCKED = 429


def _sign_in(client, username: str, password: str, *, address: str = "127.0.0.1", url=None):
    return client.post(
        url or reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR=address,
    )


def test_fifty_wrong_passwords_then_the_right_one_is_refused_with_the_lockout_page(client):
    make_user(role="reception", username="rita")

    answers = [
        _sign_in(client, "rita", f"wrong-{n}", address=f"10.0.{n}.1").status_code for n in range(50)
    ]
    response = _sign_in(client, "rita", PASSWORD, address="10.9.9.9")

    # The account locks at the limit, from whatever address the guesses came.
    limit = settings.AXES_FAILURE_LIMIT
    assert answers[: limit - 1] == [200] * (limit - 1)
    assert set(answers[limit - 1 :]) == {LOCKED}
    assert response.status_code == LOCKED
    assert "_auth_user_id" not in client.session
    page = response.content.decode()
    assert "Sign-in locked" in page
    assert "try again in 15 minutes" in page
    assert "ask a clinic administrator" in page
    # The attempts are on record (the audit's source for lockouts until it links them).
    assert AccessAttempt.objects.filter(username="rita").exists()


def test_one_address_is_locked_whatever_usernames_it_tries(client):
    make_user(role="reception", username="rita")

    for n in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(client, f"guess{n}", "not-the-password", address="192.0.2.7")

    assert _sign_in(client, "rita", PASSWORD, address="192.0.2.7").status_code == LOCKED
    # From another address the account itself is not locked.
    response = _sign_in(client, "rita", PASSWORD, address="192.0.2.8")
    assert response.status_code == 302
    assert client.session["_auth_user_id"]


def test_the_admin_sign_in_is_locked_too(client):
    make_user(role=None, username="lead", is_staff=True, is_superuser=True)
    admin_login = reverse("admin:login")

    for _ in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(client, "lead", "not-the-password", url=admin_login)
    response = _sign_in(client, "lead", PASSWORD, url=admin_login)

    assert response.status_code == LOCKED
    assert "Sign-in locked" in response.content.decode()
    # And the same account on the staff sign-in page.
    assert _sign_in(client, "lead", PASSWORD, address="198.51.100.1").status_code == LOCKED


def test_an_admin_can_unlock_a_locked_out_account(client):
    make_user(role="reception", username="rita")
    lead = make_user(role=None, username="lead", is_staff=True, is_superuser=True)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _sign_in(client, "rita", "not-the-password")
    assert _sign_in(client, "rita", PASSWORD).status_code == LOCKED

    admin = client.__class__()
    sign_in(admin, lead)
    listing = admin.get(reverse("admin:axes_accessattempt_changelist"))
    assert listing.status_code == 200
    assert "rita" in listing.content.decode()
    attempt = AccessAttempt.objects.get(username="rita")
    unlocked = admin.post(
        reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"}
    )

    assert unlocked.status_code == 302
    assert not AccessAttempt.objects.filter(username="rita").exists()
    response = _sign_in(client, "rita", PASSWORD)
    assert response.status_code == 302
    assert AccessLog.objects.filter(username="rita").exists()  # the sign-in is on record


def test_a_few_wrong_passwords_do_not_lock_and_the_right_one_works(client):
    make_user(role="reception", username="rita")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _sign_in(client, "rita", "not-the-password").status_code == 200

    assert _sign_in(client, "rita", PASSWORD).status_code == 302


@pytest.mark.parametrize(
    ("new_password", "why"),
    [
        pytest.param("short-pass1", "at least 12 characters", id="eleven-characters"),
        pytest.param("password1234", "too common", id="common"),
        pytest.param("739184620573", "entirely numeric", id="numbers-only"),
    ],
)
def test_a_short_or_common_password_is_refused_by_the_change_form(client, new_password, why):
    user = make_user(role="reception", username="rita")
    sign_in(client, user)

    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": new_password, "new_password2": new_password},
    )

    assert response.status_code == 200
    assert why in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_staff_can_change_their_own_password_and_stay_signed_in(client):
    user = make_user(role="reception", username="rita")
    sign_in(client, user)
    page = client.get(reverse("home"), follow=True)
    assert reverse("password_change") in page.content.decode()  # linked from the nav
    new = "violet-harbour-lantern-42"

    form = client.get(reverse("password_change"))
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": new, "new_password2": new},
    )

    assert form.status_code == 200
    assert response.status_code == 302
    assert response["Location"] == reverse("password_change_done")
    assert client.get(response["Location"]).status_code == 200
    user.refresh_from_db()
    assert user.check_password(new)
    assert client.get(reverse("patients:intake_new")).status_code == 200  # still signed in


def test_the_tests_password_passes_the_validators():
    from django.contrib.auth.password_validation import validate_password

    validate_password(PASSWORD, user=User(username="someone-else"))
