"""What a page answers when something failed: the product's own pages, never Django's bare error.

Django sends every exception no view handled here (`handler500`, clinic/urls.py), from a view or
from a middleware, with the exception in hand. When it is the database that cannot be reached (it
refused the connection, timed out, or went away mid-request), the answer is 503 with a page that
says what is wrong and what to do; reception's intake page instead still gives the rules' advice
for the answers (`patients/offline.py`). Any other error is a 500 page of the product's own.

Nothing here reads the database: the pages are rendered from an explicit context (no context
processor runs, since each may read it), and who is asking comes from the desk pass
(clinic/desk_pass.py), not the session.
"""

from __future__ import annotations

import sys
from typing import Any

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CsrfViewMiddleware, get_token
from django.template.loader import render_to_string
from django.urls import Resolver404, ResolverMatch, resolve

from clinic import desk_pass
from clinic.desk_pass import DeskPass

# Raised when the server refuses or drops the connection, a connect or statement times out, or a
# connection already broken is used: the database is unavailable, not a bug in the query.
UNAVAILABLE = (OperationalError, InterfaceError)
PATIENT_PATH_PREFIX = "/p/"  # the patients' own pages (programmes/urls.py)


def database_unavailable(error: BaseException | None) -> bool:
    seen: set[int] = set()
    while error is not None and id(error) not in seen:
        if isinstance(error, UNAVAILABLE):
            return True
        seen.add(id(error))
        error = error.__cause__ or error.__context__
    return False


class _NoSession(dict[str, Any]):
    """Stands in for the session, which lives in the database, while the database is down."""

    session_key = None

    def is_empty(self) -> bool:
        return True


def page_context(request: HttpRequest, desk: DeskPass | None) -> dict[str, Any]:
    """What templates/base.html needs, with no database: the desk pass's user and roles."""
    request.session = _NoSession()  # type: ignore[assignment]
    return {
        "request": request,
        "user": desk if desk is not None else _Nobody(),
        "is_reception": desk is not None and "reception" in desk.roles,
        "is_clinician": desk is not None and "clinician" in desk.roles,
        "second_factor_pending": False,
        "messages": [],
        "csrf_token": get_token(request),
        "clinic_name": settings.CLINIC_NAME,
        "clinic_phone": settings.CLINIC_PHONE,
        "it_contact": settings.CLINIC_IT_CONTACT,
    }


def csrf_refusal(request: HttpRequest) -> HttpResponse | None:
    """The CSRF check the middleware may not have reached before the database failed: the
    refusal to answer with, or None when the request passes."""
    check = CsrfViewMiddleware(lambda _request: HttpResponse())
    refusal = check.process_view(request, lambda _request: HttpResponse(), (), {})
    return refusal  # type: ignore[return-value]


class _Nobody:
    is_authenticated = False
    is_staff = False


def _match(request: HttpRequest) -> ResolverMatch | None:
    try:
        return resolve(request.path_info)
    except Resolver404:
        return None


def server_error(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """handler500: the database's own page while it is down, else the product's error page."""
    error = sys.exc_info()[1]
    if not database_unavailable(error):
        html = render_to_string("500.html", {"clinic_phone": settings.CLINIC_PHONE})
        response = HttpResponse(html, status=500)
        response["Cache-Control"] = "no-store"
        return response
    # The pages that still answer without it import this module: imported here, when needed.
    from patients.offline import intake_without_database
    from programmes.offline import check_in_without_database, patient_page_down
    from selfintake.offline import step_without_database

    match = _match(request)
    desk = desk_pass.read(request)
    if match is not None and match.view_name == "programmes:check_in":
        response = check_in_without_database(request, match.kwargs["token"], match.kwargs["week"])
    elif match is not None and match.view_name == "selfintake:step":
        response = step_without_database(request, match.kwargs["link"], match.kwargs["step"])
    elif request.path_info.startswith(PATIENT_PATH_PREFIX):
        response = patient_page_down(request)  # a patient's page: words for the patient
    elif desk is not None and match is not None and match.view_name == "patients:intake_new":
        response = intake_without_database(request, desk)
    else:
        response = database_down_page(request, desk)
    response.database_unavailable = True  # type: ignore[attr-defined]  # read by desk_pass
    response["Retry-After"] = "30"
    response["Cache-Control"] = "no-store"  # answers typed at the desk, and never worth keeping
    return response


def database_down_page(request: HttpRequest, desk: DeskPass | None) -> HttpResponse:
    context = page_context(request, desk) | {
        "can_enter_intakes": desk is not None,
        "is_htmx": request.headers.get("HX-Request") == "true",
    }
    return HttpResponse(render_to_string("503.html", context), status=503)
