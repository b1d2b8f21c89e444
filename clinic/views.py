from __future__ import annotations

from typing import cast

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from clinic import language, sessions
from clinic.forms import StaffLanguageForm
from clinic.models import StaffPreferences
from clinic.roles import Role, has_role


def home(request: HttpRequest) -> HttpResponse:
    """Send each role to where its work starts."""
    if has_role(request.user, Role.CLINICIAN):
        return redirect("triage:queue")
    if has_role(request.user, Role.RECEPTION):
        return redirect("patients:intake_new")
    if has_role(request.user, Role.LEAD):
        return redirect("audit:index")  # the clinic lead's work: who saw and changed what
    if has_role(request.user, Role.SAFETY_OFFICER):
        return redirect("governance:index")  # rule-set trials, sign-off, the hazard log
    if request.user.is_staff:
        return redirect("admin:index")
    return render(request, "clinic/no_role.html", status=403)


@require_POST
@never_cache
def keep_alive(request: HttpRequest) -> HttpResponse:
    """The warning's "Stay signed in": activity, however recently it was recorded."""
    sessions.record_activity(request)
    return HttpResponse(status=204)


@require_http_methods(["GET", "POST"])
def staff_language(request: HttpRequest) -> HttpResponse:
    """Your language: the member of staff chooses the language of their own pages, from now on
    and at every sign-in (clinic/language.py)."""
    user = cast(User, request.user)  # LoginRequiredMiddleware: signed in
    chosen = language.staff_language(user.pk) or ""
    form = StaffLanguageForm(request.POST or None, initial={"language": chosen})
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["language"]
        StaffPreferences.objects.update_or_create(user=user, defaults={"language": code})
        if code:
            request.session[language.STAFF_SESSION_KEY] = code
        else:
            request.session.pop(language.STAFF_SESSION_KEY, None)
        code = language.supported(code) or language.supported(
            translation.get_language_from_request(request)
        )
        translation.activate(code or settings.LANGUAGE_CODE)
        messages.success(request, gettext("Your pages are in this language from now on."))
        return redirect("staff_language")
    return render(request, "clinic/language.html", {"form": form})


def clinic_phone() -> dict[str, str]:
    """The clinic's phone (CLINIC_PHONE), as shown and as a tel: link's digits."""
    phone = str(settings.CLINIC_PHONE)
    return {"shown": phone, "dial": "".join(c for c in phone if c.isdigit() or c == "+")}


def clinic_details(request: HttpRequest) -> dict[str, object]:
    """The clinic's name, phone and address, for the pages that show them (a context processor:
    it reads settings only, no database)."""
    phone = clinic_phone()
    return {
        "clinic": {
            "name": settings.CLINIC_NAME,
            "phone": phone["shown"],
            "phone_dial": phone["dial"],
            "address_lines": [
                line.strip() for line in settings.CLINIC_ADDRESS.split("|") if line.strip()
            ],
        }
    }
