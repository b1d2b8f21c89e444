"""The self-intake link, and the mark a browser gets once the patient has confirmed who they are.

A link carries its invitation's id and secret (`Invitation.nonce`), signed with the site's key:
nothing typed or guessed opens one. It works until the invitation expires, once, and not after a
newer link replaced it; all three are read from the database (`invitation_for`). Without the
database only the signature can be checked (`is_genuine`).

Once the patient has given their date of birth, the browser holds a cookie for that one link (its
path is the link's own), signed and stamped: it lasts SELF_INTAKE_IDLE after the last step they
answered, and ends when the browser closes. Nothing of the patient's is shown without it.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponseBase
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

from selfintake.models import Invitation

_LINK_SALT = "selfintake.link"
_CONFIRMED_SALT = "selfintake.confirmed"
COOKIE = "selfintake"


class LinkProblem(Exception):
    """The link cannot open the intake. `invitation` is known when the link is genuine (expired,
    used, replaced): the patient may then ask the clinic for a new one."""

    def __init__(
        self, message: StrOrPromise, invitation: Invitation | None = None, kind: str = ""
    ) -> None:
        super().__init__(message)
        self.invitation = invitation
        self.kind = kind


def token(invitation: Invitation) -> str:
    return signing.Signer(salt=_LINK_SALT).sign_object({"i": invitation.pk, "n": invitation.nonce})


def start_url(invitation: Invitation, *, absolute: bool = True) -> str:
    path = reverse("selfintake:start", args=[token(invitation)])
    return settings.SITE_URL + path if absolute else path


def _unsign(link: str) -> dict[str, object] | None:
    try:
        data = signing.Signer(salt=_LINK_SALT).unsign_object(link)
    except (signing.BadSignature, ValueError, UnicodeError):
        return None
    return data if isinstance(data, dict) else None


def is_genuine(link: str) -> bool:
    """Whether this site made the link (without the database: not whether it still works)."""
    return _unsign(link) is not None


def genuine_invitation(link: str) -> Invitation | None:
    """The invitation a genuine link names, whatever its state; None for any other link."""
    data = _unsign(link)
    pk, nonce = (data or {}).get("i"), (data or {}).get("n")
    if type(pk) is not int or not isinstance(nonce, str) or not 0 < pk < 2**63:
        return None
    return Invitation.objects.select_related("patient").filter(pk=pk, nonce=nonce).first()


def invitation_for(link: str, *, now: datetime | None = None) -> Invitation:
    """The open invitation a link names, or LinkProblem saying why it does not open."""
    now = now or timezone.now()
    invitation = genuine_invitation(link)
    if invitation is None:
        raise LinkProblem(gettext_lazy("This link is not valid. Check that it was copied in full."))
    if invitation.submitted_at is not None:
        raise LinkProblem(
            gettext_lazy("This link has already been used: your answers reached the clinic."),
            invitation,
            "used",
        )
    if invitation.retired_at is not None:
        if invitation.retired_because == Invitation.Retired.TOO_MANY_TRIES:
            message = gettext_lazy(
                "This link no longer works: the date of birth was entered wrongly too many times."
            )
        else:
            message = gettext_lazy("This link no longer works: the clinic has sent a newer one.")
        raise LinkProblem(message, invitation, "retired")
    if invitation.is_expired(now):
        raise LinkProblem(gettext_lazy("This link has expired."), invitation, "expired")
    return invitation


def confirm_on(response: HttpResponseBase, invitation: Invitation, link: str) -> None:
    """Mark this browser as the patient's for this link (after their date of birth, and again
    with every step they answer)."""
    value = signing.TimestampSigner(salt=_CONFIRMED_SALT).sign_object(
        {"i": invitation.pk, "n": invitation.nonce}
    )
    response.set_cookie(
        COOKIE,
        value,
        path=reverse("selfintake:start", args=[link]),
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


def forget_on(response: HttpResponseBase, link: str) -> None:
    response.delete_cookie(COOKIE, path=reverse("selfintake:start", args=[link]))


def is_confirmed(request: HttpRequest, invitation: Invitation) -> bool:
    """Whether this browser gave the patient's date of birth for this link, lately."""
    return cookie_names(request) == (invitation.pk, invitation.nonce)


def cookie_names(request: HttpRequest) -> tuple[int, str] | None:
    """The invitation the browser's cookie was signed for, if it is genuine and recent (this
    needs no database)."""
    value = request.COOKIES.get(COOKIE, "")
    if not value:
        return None
    try:
        data = signing.TimestampSigner(salt=_CONFIRMED_SALT).unsign_object(
            value, max_age=settings.SELF_INTAKE_IDLE
        )
    except (signing.BadSignature, ValueError, UnicodeError):
        return None
    if not isinstance(data, dict):
        return None
    pk, nonce = data.get("i"), data.get("n")
    if type(pk) is not int or not isinstance(nonce, str):
        return None
    return pk, nonce


def link_names(link: str) -> tuple[int, str] | None:
    data = _unsign(link)
    pk, nonce = (data or {}).get("i"), (data or {}).get("n")
    if type(pk) is not int or not isinstance(nonce, str):
        return None
    return pk, nonce
