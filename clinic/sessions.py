"""Sessions end after SESSION_IDLE_MINUTES without activity, and after SESSION_ABSOLUTE_HOURS in all.

The session holds when it started and when its user last did something. Every request by a
signed-in user is checked against both limits before any view runs; one past either is signed
out and sent to the sign-in page with a message saying why (htmx requests get `HX-Redirect`, so
the whole page goes there rather than a partial being swapped for the sign-in form).

The queue's automatic refresh is not activity: a clinician who walks away from an open queue is
signed out like anybody else. It is an htmx request triggered by the polling element itself
(`HX-Trigger: queue`, templates/triage/partials/queue_table.html); a click on a filter or a page
link inside it is triggered by that link or form, and counts. Times come from
`django.utils.timezone.now`, so tests move them with the test's clock.

Signing in starts the session's clock (`start_session`, on `user_logged_in`). Activity is written
to the session at most every ACTIVITY_RESOLUTION, so that a page and the form posted from it
within seconds cost no extra session write (the intake submit's query count stays what it was);
"Stay signed in" always writes it. A session may so end up to ACTIVITY_RESOLUTION early, and the
pages tell the warning the time the server itself counts.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import ngettext

SESSION_STARTED = "clinic_session_started"
LAST_ACTIVITY = "clinic_last_activity"
# The ids of elements whose htmx polling is not the user doing anything.
AUTO_REFRESH_TRIGGERS = frozenset({"queue"})
ACTIVITY_RESOLUTION = timedelta(seconds=30)


def idle_limit() -> timedelta:
    return timedelta(minutes=settings.SESSION_IDLE_MINUTES)


def absolute_limit() -> timedelta:
    return timedelta(hours=settings.SESSION_ABSOLUTE_HOURS)


# The headers htmx sends, read here rather than through django-htmx's middleware (which runs later).
def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def is_auto_refresh(request: HttpRequest) -> bool:
    return _is_htmx(request) and request.headers.get("HX-Trigger") in AUTO_REFRESH_TRIGGERS


def _moment(session: Any, key: str) -> datetime | None:
    value = session.get(key)
    if not isinstance(value, int | float):
        return None
    return datetime.fromtimestamp(value, tz=UTC)


def _why_it_ended(request: HttpRequest, now: datetime) -> str | None:
    started = _moment(request.session, SESSION_STARTED)
    last = _moment(request.session, LAST_ACTIVITY)
    if started is None or last is None:
        return None
    if now - started >= absolute_limit():
        hours = settings.SESSION_ABSOLUTE_HOURS
        return ngettext(
            "You were signed out because a session lasts at most %(hours)d hour. "
            "Sign in again to carry on.",
            "You were signed out because a session lasts at most %(hours)d hours. "
            "Sign in again to carry on.",
            hours,
        ) % {"hours": hours}
    if now - last >= idle_limit():
        minutes = settings.SESSION_IDLE_MINUTES
        return ngettext(
            "You were signed out after %(minutes)d minute without activity. "
            "Sign in again to carry on.",
            "You were signed out after %(minutes)d minutes without activity. "
            "Sign in again to carry on.",
            minutes,
        ) % {"minutes": minutes}
    return None


def _signed_out(request: HttpRequest) -> HttpResponse:
    if _is_htmx(request):
        # Back to the page the user was on, not to the partial htmx asked for.
        current = urlsplit(request.headers.get("HX-Current-URL", ""))
        same_site = current.netloc in ("", request.get_host())
        page = current.path if current.path and same_site else reverse(settings.LOGIN_REDIRECT_URL)
        if current.query and same_site:
            page = f"{page}?{current.query}"
        response = HttpResponse(status=204)
        response["HX-Redirect"] = redirect_to_login(page).url
        return response
    next_page = request.get_full_path() if request.method == "GET" else None
    return redirect_to_login(next_page or reverse(settings.LOGIN_REDIRECT_URL))


class SessionTimeoutMiddleware:
    """After the authentication and message middleware: it signs out and leaves a message."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = timezone.now()
            reason = _why_it_ended(request, now)
            if reason is not None:
                logout(request)
                messages.info(request, reason)
                return _signed_out(request)
            last = _moment(request.session, LAST_ACTIVITY)
            if last is None:  # a session from before these limits: it starts now
                request.session[SESSION_STARTED] = now.timestamp()
                record_activity(request, now=now)
            elif not is_auto_refresh(request) and now - last >= ACTIVITY_RESOLUTION:
                record_activity(request, now=now)
        return self.get_response(request)


def record_activity(request: HttpRequest, *, now: datetime | None = None) -> None:
    request.session[LAST_ACTIVITY] = (now or timezone.now()).timestamp()


def start_session(sender: Any, request: HttpRequest | None, **kwargs: Any) -> None:
    """On `user_logged_in` (clinic/apps.py): a new sign-in starts both limits afresh."""
    session = getattr(request, "session", None)
    if session is not None:
        now = timezone.now()
        session[SESSION_STARTED] = now.timestamp()
        session[LAST_ACTIVITY] = now.timestamp()


def session_context(request: HttpRequest) -> dict[str, int]:
    """What the page's warning (static/clinic/session.js) needs: seconds left before each limit."""
    user = getattr(request, "user", None)
    session = getattr(request, "session", None)
    if user is None or session is None or not user.is_authenticated:
        return {}
    now = timezone.now()
    started = _moment(session, SESSION_STARTED) or now
    last = _moment(session, LAST_ACTIVITY) or now
    return {
        "session_idle_seconds": int(idle_limit().total_seconds()),
        "session_idle_left_seconds": max(0, int((last + idle_limit() - now).total_seconds())),
        "session_remaining_seconds": max(
            0, int((started + absolute_limit() - now).total_seconds())
        ),
    }
