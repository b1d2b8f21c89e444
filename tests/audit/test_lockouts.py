"""A lockout is an audit row, and so is an admin unlocking it (deleting the attempt).

Not on the test's clock: django-axes counts failures against its own reading of the time, and
a lockout here lasts the 15 minutes of the setting, far longer than the test."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt, AccessLog
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from audit.models import AuditEvent
from tests.patients.helpers import PASSWORD, make_user
from tests.support.two_factor import authenticator, sign_in

pytestmark = pytest.mark.django_db

Action = AuditEvent.Action


def _as(user: User) -> Client:
    """`user` signed in, with the second factor their role needs (tests/support/two_factor.py)."""
    return sign_in(Client(), user)


def test_a_lockout_is_recorded_and_an_admin_unlocking_it_too() -> None:
    make_user(role="clinician", username="doc")
    boss = User.objects.create_superuser("boss", "boss@example.org", PASSWORD)
    client = Client()
    for _ in range(6):
        client.post(reverse("login"), {"username": "doc", "password": "not-the-password-1"})

    lockouts = list(AuditEvent.objects.filter(action=Action.LOCKOUT))
    assert lockouts and {e.actor_name for e in lockouts} == {"doc"}
    assert lockouts[0].ip_address == "127.0.0.1"
    attempt = AccessAttempt.objects.get(username="doc")

    _as(boss).post(reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"})

    (unlocked,) = AuditEvent.objects.filter(record__startswith=f"access attempt {attempt.pk}")
    assert (unlocked.actor, unlocked.action) == (boss, Action.DELETE)
    changes = {name: (c["old"], c["new"]) for name, c in unlocked.details["changes"].items()}
    assert changes["username"] == ("doc", None)
    assert changes["failures_since_start"][0] >= 5
    assert "post_data" not in changes and "not-the-password-1" not in str(unlocked.details)
    assert not AccessAttempt.objects.exists()


def test_deleting_a_sign_in_from_axes_log_is_recorded() -> None:
    make_user(role="reception", username="desk")
    Client().post(reverse("login"), {"username": "desk", "password": PASSWORD})
    boss = User.objects.create_superuser("boss", "boss@example.org", PASSWORD)
    (entry,) = AccessLog.objects.filter(username="desk")

    _as(boss).post(reverse("admin:axes_accesslog_delete", args=[entry.pk]), {"post": "yes"})

    (deleted,) = AuditEvent.objects.filter(record__startswith=f"access log {entry.pk}")
    assert (deleted.actor, deleted.action) == (boss, Action.DELETE)
    assert deleted.details["changes"]["username"] == {"old": "desk", "new": None}
    assert not AccessLog.objects.filter(pk=entry.pk).exists()


def test_an_authenticator_deleted_in_the_admin_is_recorded_without_its_key() -> None:
    doctor = make_user(role="clinician", username="doc")
    device = authenticator(doctor)
    boss = User.objects.create_superuser("boss", "boss@example.org", PASSWORD)

    _as(boss).post(reverse("admin:otp_totp_totpdevice_delete", args=[device.pk]), {"post": "yes"})

    (deleted,) = AuditEvent.objects.filter(record__startswith=f"TOTP device {device.pk}")
    assert (deleted.actor, deleted.action) == (boss, Action.DELETE)
    changes = deleted.details["changes"]
    assert changes["user"] == {"old": "doc", "new": None}
    assert changes["confirmed"] == {"old": True, "new": None}
    assert "key" not in changes and device.key not in str(deleted.details)
