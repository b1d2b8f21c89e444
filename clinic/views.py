from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from clinic.roles import Role, has_role


def home(request: HttpRequest) -> HttpResponse:
    """Send each role to where its work starts."""
    if has_role(request.user, Role.CLINICIAN):
        return redirect("triage:queue")
    if has_role(request.user, Role.RECEPTION):
        return redirect("patients:intake_new")
    if request.user.is_staff:
        return redirect("admin:index")
    return render(request, "clinic/no_role.html", status=403)
