"""django-axes, as the clinic uses it: who a sign-in comes from, and the page a locked-out one gets.

Axes counts failed sign-ins per username and per address (clinic/settings.py). Behind a reverse
proxy every request comes from the proxy's address, which would lock the whole clinic out at once:
with TRUSTED_PROXY_COUNT proxies in front, the client is the address the outermost of them saw,
that many entries from the right of X-Forwarded-For (entries further left are the client's say).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def client_address(request: HttpRequest) -> str | None:
    """AXES_CLIENT_IP_CALLABLE."""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies > 0:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR")


def username(request: HttpRequest, credentials: Any = None) -> str:
    """AXES_USERNAME_CALLABLE: the username tried, cut to what axes's records hold (255), so that
    a hostile one is counted, not a server error (no real username is longer than 150)."""
    field = "username"  # the sign-in page's and the admin's
    value = (credentials or {}).get(field) if credentials else request.POST.get(field)
    return str(value or "")[:255]


def locked_out(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: the sign-in page's and the admin's answer to a locked-out sign-in."""
    context = {
        "cooloff_minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
        "failure_limit": settings.AXES_FAILURE_LIMIT,
    }
    return render(request, "registration/locked_out.html", context, status=429)  # Too Many Requests
