"""/healthz, /readyz and /metrics: for load balancers, the compose health checks and the
clinic's IT. /healthz is open and says only that the process answers; the others need the
HEALTH_TOKEN (Authorization: Bearer ..., or ?token=) or a request from HEALTH_ALLOWED_ADDRESSES.
None of them says anything about a patient."""

from __future__ import annotations

import hmac
import ipaddress
import json

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from health import checks

PROMETHEUS_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def allowed(request: HttpRequest) -> bool:
    token = settings.HEALTH_TOKEN
    if token:
        header = request.headers.get("Authorization", "")
        given = header.removeprefix("Bearer ").strip() if header.startswith("Bearer ") else ""
        given = given or request.GET.get("token", "")
        if given and hmac.compare_digest(given.encode(), token.encode()):
            return True
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    return any(address in network for network in settings.HEALTH_ALLOWED_NETWORKS)


def _refused() -> HttpResponse:
    return HttpResponse("Forbidden\n", status=403, content_type="text/plain; charset=utf-8")


@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness: the process answers. Nothing is asked of the database or anything else."""
    return HttpResponse("ok\n", content_type="text/plain; charset=utf-8")


@login_not_required
@never_cache
@require_GET
def readyz(request: HttpRequest) -> HttpResponse:
    """Readiness: the database, the broker, beat and the workers doing their work, SMTP."""
    if not allowed(request):
        return _refused()
    results = checks.readiness()
    ok = all(check.ok for check in results)
    body = {
        "status": "ok" if ok else "failing",
        "checks": {check.name: {"ok": check.ok, "detail": check.detail} for check in results},
    }
    return HttpResponse(
        json.dumps(body, indent=2) + "\n",
        status=200 if ok else 503,
        content_type="application/json",
    )


@login_not_required
@never_cache
@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    if not allowed(request):
        return _refused()
    return HttpResponse(checks.metrics(), content_type=PROMETHEUS_TYPE)
