"""Which language a page or an email is in: English (en-gb) or German (de), settings.LANGUAGES.

- Staff pages: the language the member of staff chose (Your language, `StaffPreferences`), kept
  in their session from sign-in (`StaffLanguageMiddleware`); without a choice, the browser's
  (Django's LocaleMiddleware), English when it asks for neither.
- A patient's pages (their programme page, sessions, check-ins, self-intake, unsubscribe): the
  language they switched to on the page (`switch_patient_language`, a cookie on that browser),
  else their preferred language (`Patient.preferred_language`), else English.
- Every email to a patient, and their printed handout: their preferred language (`for_patient`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

if TYPE_CHECKING:
    from patients.models import Patient

# The language a patient switched to on their pages, on this browser (a year: it is a choice of
# words, not a key to anything).
PATIENT_COOKIE = "patient_language"
PATIENT_COOKIE_AGE = 365 * 24 * 60 * 60
# A member of staff's chosen language, read once at sign-in and kept with their session.
STAFF_SESSION_KEY = "staff_language"


def supported(code: str | None) -> str | None:
    """The language of settings.LANGUAGES that `code` names ("en" is en-gb), or None."""
    if not code:
        return None
    try:
        return translation.get_supported_language_variant(code)
    except LookupError:
        return None


def for_patient(patient: Patient) -> str:
    """The language of the patient's emails, handout and pages: their preferred language when
    the clinic has it (English or German), else English."""
    return supported(patient.preferred_language) or settings.LANGUAGE_CODE


def html_lang(code: str | None = None) -> str:
    """The BCP 47 tag of a language for <html lang>: "en-GB", "de"."""
    locale = translation.to_locale(code or translation.get_language() or settings.LANGUAGE_CODE)
    return locale.replace("_", "-")


def use_on_patient_page(request: HttpRequest, patient: Patient | None = None) -> str:
    """Put the rest of this request in the patient page's language (see the module) and say
    which. Without a patient (a link that names nobody) the switched-to or browser's language."""
    language = supported(request.COOKIES.get(PATIENT_COOKIE)) or (
        for_patient(patient) if patient is not None else translation.get_language()
    )
    language = language or settings.LANGUAGE_CODE
    translation.activate(language)
    request.LANGUAGE_CODE = language
    return language


@login_not_required
@require_POST
def switch_patient_language(request: HttpRequest) -> HttpResponse:
    """The language switch on a patient's pages: back to the same page, in the language asked
    for, on this browser from now on. Only to a patient page (under /p/)."""
    language = supported(request.POST.get("language"))
    back = request.POST.get("next", "")
    if (
        language is None
        or language not in dict(settings.LANGUAGES)
        or not back.startswith("/p/")
        or not url_has_allowed_host_and_scheme(
            back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return HttpResponseBadRequest()
    response = HttpResponseRedirect(back, status=303)
    response.set_cookie(
        PATIENT_COOKIE,
        language,
        max_age=PATIENT_COOKIE_AGE,
        path="/p/",
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "same-origin"
    return response


def staff_language(user_id: int) -> str | None:
    from clinic.models import StaffPreferences

    chosen = (
        StaffPreferences.objects.filter(user_id=user_id).values_list("language", flat=True).first()
    )
    return supported(chosen)


def remember_staff_language(
    sender: object, request: HttpRequest | None, user: object, **kwargs: object
) -> None:
    """At sign-in (user_logged_in, clinic/apps.py), the member of staff's chosen language goes
    into their session."""
    if request is None or not hasattr(request, "session"):
        return
    chosen = staff_language(user.pk)  # type: ignore[attr-defined]
    if chosen:
        request.session[STAFF_SESSION_KEY] = chosen
    else:
        request.session.pop(STAFF_SESSION_KEY, None)


class StaffLanguageMiddleware:
    """A signed-in member of staff's pages are in the language they chose (after
    AuthenticationMiddleware; LocaleMiddleware has already picked the browser's)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            chosen = supported(request.session.get(STAFF_SESSION_KEY))
            if chosen:
                translation.activate(chosen)
                request.LANGUAGE_CODE = chosen
        return self.get_response(request)
