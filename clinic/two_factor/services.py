"""Who needs a second factor, and every change to one: set up, verified, new backup codes, reset.

Each write is one keyword-only service, audited through `audit.services` in its transaction.
"""

from __future__ import annotations

from base64 import b32encode
from dataclasses import dataclass
from typing import Any

import segno
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit import services as audit
from audit.models import AuditEvent
from clinic.roles import roles_of

# Set at sign-in: whether this user had a second factor then (a member of staff whose role does
# not require one, but who set one up, is asked for it all the same).
SESSION_HAS_DEVICE = "clinic_two_factor_has_device"
# The backup codes just made, shown once on the next page and then gone from the session.
SESSION_NEW_CODES = "clinic_two_factor_new_codes"
ADMIN = "admin"  # in TWO_FACTOR_REQUIRED_ROLES: staff and superusers
AUTHENTICATOR_NAME = "Authenticator app"
BACKUP_CODES_NAME = "Backup codes"
TOTP_DIGITS = 6


def required_for(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Whether `user`'s role requires a second factor (TWO_FACTOR_REQUIRED_ROLES). No query: the
    roles come with the user (clinic/auth.py)."""
    if not user.is_authenticated:
        return False
    required = settings.TWO_FACTOR_REQUIRED_ROLES
    is_admin = bool(getattr(user, "is_staff", False) or getattr(user, "is_superuser", False))
    return (ADMIN in required and is_admin) or bool(roles_of(user) & required)


def needed(request: HttpRequest) -> bool:
    """Whether the signed-in user must give a second factor before anything else."""
    user = request.user
    if not user.is_authenticated:
        return False
    return required_for(user) or bool(request.session.get(SESSION_HAS_DEVICE))


def is_verified(request: HttpRequest) -> bool:
    verified = getattr(request.user, "is_verified", None)
    return bool(verified and verified())


def has_second_factor(user: Any) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def remember_second_factor_at_sign_in(
    sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any
) -> None:
    """user_logged_in: note whether a member of staff whose role does not require a second factor
    has one (one query, at sign-in only), so that the middleware asks for it."""
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_HAS_DEVICE] = required_for(user) or has_second_factor(user)


def authenticator_to_set_up(*, user: User) -> TOTPDevice:
    """The unconfirmed authenticator `user` is setting up: the same secret until they confirm it,
    so that reloading the page does not change the QR code they scanned."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(
            user=user, name=AUTHENTICATOR_NAME, confirmed=False, digits=TOTP_DIGITS
        )
    return device


@dataclass(frozen=True)
class Verification:
    device: TOTPDevice | StaticDevice | None
    wait_until: Any = None  # when throttled: the moment another code is tried

    @property
    def ok(self) -> bool:
        return self.device is not None


def normalise(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def looks_like_totp(code: str) -> bool:
    return len(code) == TOTP_DIGITS and code.isascii() and code.isdigit()


def backup_code_digest(code: str) -> str:
    """What is stored of a backup code: a keyed hash (HMAC-SHA256 under a key derived from
    SECRET_KEY), 16 hex digits, never the code. A copy of the database alone gives nobody a
    code to type; a rotated SECRET_KEY ends every set of backup codes (new ones are made on
    the two-factor page). django-otp's StaticToken keeps the digest in its `token` field and
    matches it exactly, so throttling and one-time use are django-otp's as before."""
    return salted_hmac(
        "clinic.two_factor.backup_code", normalise(code), algorithm="sha256"
    ).hexdigest()[:16]


def _check(device: TOTPDevice | StaticDevice, code: str) -> Verification:
    allowed, why = device.verify_is_allowed()
    if not allowed:
        return Verification(device=None, wait_until=(why or {}).get("locked_until"))
    if isinstance(device, StaticDevice):
        code = backup_code_digest(code)
    # A TOTP code is accepted once: django-otp refuses a time step at or before the last one.
    return Verification(device=device if device.verify_token(code) else None)


def verify_code(*, user: User, code: str) -> Verification:
    """`code` from `user`'s authenticator (6 digits) or one of their backup codes (used up).
    Wrong codes are throttled per device (1, 2, 4, 8... seconds; django-otp)."""
    code = normalise(code)
    model: type[TOTPDevice] | type[StaticDevice] = (
        TOTPDevice if looks_like_totp(code) else StaticDevice
    )
    result = Verification(device=None)
    with transaction.atomic():
        for device in model.objects.filter(user=user, confirmed=True).select_for_update():
            result = _check(device, code)
            if result.ok:
                return result
    return result


def record_verified(*, request: HttpRequest, device: TOTPDevice | StaticDevice) -> None:
    how = "backup code" if isinstance(device, StaticDevice) else "authenticator app"
    audit.record_change(
        by=device.user,
        record=f"staff {device.user_id}, second factor: {how}",
        action=AuditEvent.Action.LOGIN,
        request=request,
    )


@transaction.atomic
def confirm_authenticator(
    *, user: User, device_id: int, code: str, request: HttpRequest
) -> tuple[TOTPDevice, list[str]] | None:
    """`code` from the authenticator being set up confirms it: it becomes the user's second factor
    (replacing any earlier one) with a fresh set of backup codes, returned to be shown once."""
    device = (
        TOTPDevice.objects.select_for_update()
        .filter(pk=device_id, user=user, confirmed=False)
        .first()
    )
    code = normalise(code)
    if device is None or not looks_like_totp(code) or not _check(device, code).ok:
        return None
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _replace_backup_codes(user=user)
    audit.record_change(
        by=user,
        record=f"staff {user.pk}, two-factor authentication",
        changes={"second factor": ("none", "authenticator app and backup codes")},
        request=request,
    )
    return device, codes


def _replace_backup_codes(*, user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=BACKUP_CODES_NAME, confirmed=True)
    codes: list[str] = []
    while len(codes) < settings.TWO_FACTOR_BACKUP_CODES:
        code = StaticToken.random_token()
        if code not in codes:
            codes.append(code)
    StaticToken.objects.bulk_create(
        StaticToken(device=device, token=backup_code_digest(code)) for code in codes
    )
    return codes


@transaction.atomic
def new_backup_codes(*, user: User, request: HttpRequest) -> list[str]:
    """A fresh set of backup codes; the old ones stop working."""
    codes = _replace_backup_codes(user=user)
    audit.record_change(
        by=user,
        record=f"staff {user.pk}, two-factor authentication",
        changes={"backup codes": ("earlier set", "new set")},
        request=request,
    )
    return codes


@transaction.atomic
def reset_two_factor(*, user: User, by: User, request: HttpRequest | None = None) -> bool:
    """An admin removes `user`'s authenticator and backup codes: a session they verified with
    them is no longer verified, and they set a second factor up again at their next page."""
    removed, _ = TOTPDevice.objects.filter(user=user).delete()
    removed_codes, _ = StaticDevice.objects.filter(user=user).delete()
    if not (removed or removed_codes):
        return False
    audit.record_change(
        by=by,
        record=f"staff {user.pk}, two-factor authentication",
        changes={"second factor": ("authenticator app", "reset by an admin")},
        request=request,
    )
    return True


def remaining_backup_codes(*, user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def secret_for_typing(device: TOTPDevice) -> str:
    """The secret as an authenticator app takes it when typed: base32, in groups of four."""
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def qr_code_svg(device: TOTPDevice, *, title: str) -> str:
    """The authenticator's set-up link as an inline SVG QR code (segno: no image library, no
    request to anywhere)."""
    return str(
        segno.make(device.config_url, error="m").svg_inline(
            scale=5, border=2, title=title, omitsize=False
        )
    )


def demo_code(device: TOTPDevice) -> str | None:
    """The device's current code, for the embedded demo only (TWO_FACTOR_DEMO_CODES, which the
    settings refuse without DEBUG; checked again here)."""
    if not (settings.DEBUG and settings.TWO_FACTOR_DEMO_CODES):
        return None
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = timezone.now().timestamp()
    return f"{totp.token():0{device.digits}d}"
