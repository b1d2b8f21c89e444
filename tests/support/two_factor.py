"""Signing staff in for a test, the second factor included, the way production asks for it.

Two-factor authentication stays on in tests. `sign_in(client, user)` is the one way a test is a
signed-in member of staff: `force_login`, then, for a role that requires a second factor
(clinic/two_factor/), a real authenticator whose verification is kept in the session exactly as
the code page keeps it (`django_otp`'s session key, read back by its middleware). A role that
does not require one (reception) is signed in with the password alone, as it is in production.

`authenticator(user)` gives a user a confirmed authenticator with a known key, and
`code(device)` its code at the test's clock (tests/support/clock.py moves django-otp's clock).
"""

from __future__ import annotations

from base64 import b32decode
from typing import Any

from django.contrib.auth.models import User
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp import models as totp_models
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic.two_factor.services import required_for

KEY = "3132333435363738393031323334353637383930"  # RFC 6238's test secret, hex


def authenticator(user: User, *, key: str = KEY) -> TOTPDevice:
    """`user`'s confirmed authenticator (one made here if they have none)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Test phone", key=key, confirmed=True)
    return device


def code(device: TOTPDevice, *, steps_later: int = 0) -> str:
    """The code `device` shows now (by django-otp's clock), or `steps_later` time steps on."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = totp_models.time.time() + steps_later * device.step
    return f"{totp.token():0{device.digits}d}"


def code_for_secret(secret: str, *, steps_later: int = 0) -> str:
    """The code an authenticator app shows for `secret` as the set-up page gives it (base32, in
    groups), by django-otp's clock: what a person types after adding the key by hand."""
    key = b32decode("".join(secret.split()).upper() + "=" * (-len("".join(secret.split())) % 8))
    totp = TOTP(key, 30, 0, 6, 0)
    totp.time = totp_models.time.time() + steps_later * 30
    return f"{totp.token():06d}"


def mark_verified(client: Client, device: TOTPDevice) -> None:
    """The session as the code page leaves it after a right code from `device`."""
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def sign_in(client: Client, user: User) -> Client:
    """`user` signed in on `client`, with their second factor if their role requires one."""
    client.force_login(user)
    if required_for(user):
        mark_verified(client, authenticator(user))
    return client


def sign_in_page(page: Any, base_url: str, user: User, password: str) -> None:
    """`user` signs in through the sign-in page in the browser `page`, as staff do: the password,
    then the code their authenticator shows if their role requires a second factor."""
    device = authenticator(user) if required_for(user) else None
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", user.get_username())
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(lambda address: "/accounts/login/" not in address)
    if device is not None:
        page.fill("#id_code", code(device))
        page.get_by_role("button", name="Continue").click()
        page.wait_for_url(lambda address: "/accounts/two-factor/" not in address)
