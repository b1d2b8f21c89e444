"""Nothing but signing in, the second factor and signing out until a second factor is given.

A signed-in member of staff whose role requires a second factor (TWO_FACTOR_REQUIRED_ROLES), or
who has set one up, and whose session is not yet verified with it, is sent to the code page (or,
with no authenticator yet, to set one up) from every page: the clinic's, the patients' pages and
the Django admin. Listed after django-otp's OTPMiddleware, which tells whether the session is
verified, and after LoginRequiredMiddleware, which deals with those not signed in at all.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from clinic.two_factor import services

# What a signed-in member of staff can reach before the second factor: nothing with patient data.
OPEN_BEFORE_SECOND_FACTOR = frozenset(
    {
        "login",
        "logout",
        "keep_alive",
        "two_factor:verify",
        "two_factor:setup",
        "admin:login",
        "admin:logout",
    }
)


class SecondFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: Any,
        view_kwargs: Any,
    ) -> HttpResponseBase | None:
        if not request.user.is_authenticated or services.is_verified(request):
            return None
        match = request.resolver_match
        if match is not None and match.view_name in OPEN_BEFORE_SECOND_FACTOR:
            return None
        if not services.needed(request):
            return None
        target = f"{reverse('two_factor:verify')}?{urlencode({'next': request.get_full_path()})}"
        if getattr(request, "htmx", False):
            # An htmx request (the queue's refresh) takes the whole page there, not a fragment.
            response = HttpResponse(status=403)
            response["HX-Redirect"] = target
            return response
        return redirect(target)
