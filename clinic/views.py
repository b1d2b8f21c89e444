from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from clinic import sessions
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
