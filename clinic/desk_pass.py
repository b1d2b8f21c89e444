"""The desk pass: who this browser's signed-in member of staff is, readable without the database.

When PostgreSQL is down, neither the session nor the user can be loaded, so no page can check a
sign-in; yet reception must still see what the rules say about the patient in front of them
(`patients/offline.py`). The desk pass is what lets that one page know it is talking to a member
of staff who signed in: a cookie signed with SECRET_KEY, holding the user's id, name and roles,
tied to the session cookie it was issued with, and carrying the session's start and its last
activity, so that it ends when the session would (SESSION_IDLE_MINUTES, SESSION_ABSOLUTE_HOURS).

It is issued only to staff who may enter intakes (reception, clinicians), only once they have
given any second factor their role needs, refreshed as they work (the queue's automatic refresh
does not count, as for the session), and deleted as soon as a response goes to the browser
without a signed-in user (signing out, a session that ended). It opens nothing stored: the page it
opens shows the rules' advice for the answers the same request posted, and saves nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponseBase
from django.utils import timezone
from django.utils.functional import empty

from clinic import sessions
from clinic.roles import Role, roles_of
from clinic.two_factor import services as two_factor

COOKIE = "clinic_desk"
SALT = "clinic.desk-pass"
# Who may hold one: those who enter intakes.
HOLDERS = frozenset({str(Role.RECEPTION), str(Role.CLINICIAN)})


@dataclass(frozen=True)
class DeskPass:
    user_id: int
    name: str
    roles: frozenset[str]
    session_started: datetime
    last_activity: datetime

    # Read by the pages as they read a signed-in user.
    is_authenticated = True
    is_staff = False

    @property
    def pk(self) -> int:
        return self.user_id

    def get_full_name(self) -> str:
        return self.name

    def get_username(self) -> str:
        return self.name

    def valid_at(self, now: datetime) -> bool:
        return (
            now - self.last_activity <= sessions.idle_limit()
            and now - self.session_started <= sessions.absolute_limit()
        )


def _session_tag(session_key: str) -> str:
    """A tag of the session cookie the pass goes with (the cookie itself is not repeated)."""
    return hashlib.sha256(f"{SALT}:{session_key}".encode()).hexdigest()[:32]


def _encode(request: HttpRequest) -> str | None:
    user = request.user
    session = request.session
    started, last = session.get(sessions.SESSION_STARTED), session.get(sessions.LAST_ACTIVITY)
    if not session.session_key or not isinstance(started, int | float):
        return None
    payload = {
        "u": user.pk,
        "n": user.get_full_name() or user.get_username(),  # type: ignore[union-attr]
        "r": sorted(roles_of(user) & HOLDERS),
        "s": started,
        "a": last if isinstance(last, int | float) else started,
        "k": _session_tag(session.session_key),
    }
    return signing.dumps(payload, salt=SALT, compress=True)


def read(request: HttpRequest, *, now: datetime | None = None) -> DeskPass | None:
    """The valid desk pass this request carries, or None. Reads no database."""
    value = request.COOKIES.get(COOKIE, "")
    session_key = request.COOKIES.get(settings.SESSION_COOKIE_NAME, "")
    if not value or not session_key:
        return None
    try:
        payload = signing.loads(value, salt=SALT, max_age=sessions.absolute_limit())
        if payload["k"] != _session_tag(session_key):
            return None
        tz = timezone.get_current_timezone()
        desk = DeskPass(
            user_id=int(payload["u"]),
            name=str(payload["n"]),
            roles=frozenset(str(r) for r in payload["r"]) & HOLDERS,
            session_started=datetime.fromtimestamp(float(payload["s"]), tz),
            last_activity=datetime.fromtimestamp(float(payload["a"]), tz),
        )
    except (signing.BadSignature, KeyError, TypeError, ValueError, OverflowError):
        return None
    if not desk.roles or not desk.valid_at(now or timezone.now()):
        return None
    return desk


def _may_hold(request: HttpRequest) -> bool:
    user = request.user
    if not user.is_authenticated or not roles_of(user) & HOLDERS:
        return False
    return two_factor.is_verified(request) or not two_factor.needed(request)


def _due_for_refresh(request: HttpRequest) -> bool:
    """No pass yet, another user's, or the session's activity moved on since it was issued (the
    session records activity at most every ACTIVITY_RESOLUTION, never for the queue's refresh)."""
    value = request.COOKIES.get(COOKIE, "")
    try:
        payload = signing.loads(value, salt=SALT) if value else None
    except signing.BadSignature:
        payload = None
    if not isinstance(payload, dict):
        return True
    last = request.session.get(sessions.LAST_ACTIVITY)
    return payload.get("u") != request.user.pk or payload.get("a") != last


class DeskPassMiddleware:
    """Issues, refreshes and removes the desk pass on the way out. Listed after the session
    limits and the second-factor check, so it sees the user as the response leaves them."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if getattr(response, "database_unavailable", False):
            return response  # the database is down: the pass stays as it is (clinic/unavailable.py)
        has_cookie = COOKIE in request.COOKIES
        user: Any = getattr(request, "user", None)
        # An anonymous request without a pass costs nothing here (the user is not even loaded).
        if user is None or (not has_cookie and not _user_loaded(request)):
            return response
        if _may_hold(request):
            if _due_for_refresh(request) and (value := _encode(request)):
                response.set_cookie(
                    COOKIE,
                    value,
                    max_age=int(sessions.absolute_limit().total_seconds()),
                    secure=settings.SESSION_COOKIE_SECURE,
                    httponly=True,
                    samesite="Strict",
                )
        elif has_cookie:
            response.delete_cookie(COOKIE, samesite="Strict")
        return response


def _user_loaded(request: HttpRequest) -> bool:
    """Whether the request's user was already loaded (a signed-in page), without loading it."""
    user = request.user
    wrapped = getattr(user, "_wrapped", None)
    if wrapped is None:
        return True  # not a lazy object: set by a login or logout in this request
    return wrapped is not empty
