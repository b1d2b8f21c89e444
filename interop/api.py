"""How a FHIR API call is answered: the bearer token, the scope, FHIR JSON and OperationOutcomes.

The API reads no session: a call carries `Authorization: Bearer <token>` (RFC 6750). No token or
an unknown one is 401, a revoked one 401 (`invalid_token`), a client without the scope a call
needs 403 (`insufficient_scope`); each answered with an OperationOutcome.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.views.decorators.csrf import csrf_exempt

from interop import services
from interop.models import ApiClient

logger = logging.getLogger(__name__)

FHIR_JSON = "application/fhir+json; charset=utf-8"
ACCEPTED_BODIES = ("application/fhir+json", "application/json")
# What a caller may ask for, by `_format` (FHIR's short names and the media types) or Accept: JSON
# is all this server writes.
JSON_FORMATS = frozenset(
    {"json", "application/json", "application/fhir+json", "application/json+fhir"}
)
ACCEPTS_JSON = JSON_FORMATS | {"*/*", "application/*"}

View = Callable[..., HttpResponse]


def respond(resource: dict[str, Any], status: int = 200, **headers: str) -> HttpResponse:
    response = HttpResponse(
        json.dumps(resource, ensure_ascii=False, separators=(",", ":")),
        status=status,
        content_type=FHIR_JSON,
    )
    # Patient data: never kept by a cache on the way.
    response["Cache-Control"] = "no-store"
    # The API speaks the clinic's language whatever the caller's Accept-Language (in_api_language).
    response["Content-Language"] = settings.LANGUAGE_CODE
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def outcome(
    status: int,
    issues: Sequence[tuple[str, ...]] | None = None,
    *,
    code: str = "invalid",
    text: str = "",
    **headers: str,
) -> HttpResponse:
    """An OperationOutcome: one issue per (location, FHIRPath expression, text[, issue code]), or
    one of `text`; an issue without its own code has `code`."""
    listed = []
    for location, expression, message, *own in issues or [("", "", text)]:
        listed.append(
            {
                "severity": "error",
                "code": own[0] if own else code,
                "diagnostics": message,
                "details": {"text": message},
                **({"location": [location], "expression": [expression]} if location else {}),
            }
        )
    return respond({"resourceType": "OperationOutcome", "issue": listed}, status, **headers)


def not_acceptable(request: HttpRequest) -> HttpResponse | None:
    """406 when the caller asks only for what this server does not write (XML, Turtle, HTML):
    FHIR's `_format`, or an Accept header none of whose types is JSON; None otherwise."""
    asked = request.GET.get("_format")
    if asked is not None and asked.split(";")[0].strip().lower() not in JSON_FORMATS:
        return outcome(406, code="not-supported", text="Only JSON is written here: _format=json.")
    accept = request.headers.get("Accept", "")
    types = [t.split(";")[0].strip().lower() for t in accept.split(",") if t.strip()]
    if types and not any(t in ACCEPTS_JSON for t in types):
        return outcome(
            406,
            code="not-supported",
            text="Only JSON is written here: accept application/fhir+json.",
        )
    return None


def _bearer(request: HttpRequest) -> str:
    header = request.headers.get("Authorization", "")
    scheme, _space, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def in_api_language(view: View) -> View:
    """`view` answered in the clinic's language (settings.LANGUAGE_CODE) whatever the caller's
    Accept-Language: a resource's displays and labels are the same for every caller, as its
    stored data is (the German a patient reads travels as its translation extension)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        with translation.override(settings.LANGUAGE_CODE):
            return view(request, *args, **kwargs)

    return wrapped


def fhir_view(*, scope: str | None, methods: tuple[str, ...] = ("GET",)) -> Callable[[View], View]:
    """A view of the API: token checked, scope checked (None: any client), the client passed in."""

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method not in methods:
                return outcome(
                    405,
                    code="not-supported",
                    text=f"{request.method} is not supported here.",
                    Allow=", ".join(methods),
                )
            refused = not_acceptable(request)
            if refused is not None:
                return refused
            token = _bearer(request)
            client = services.client_for_token(token) if token else None
            if client is None:
                return outcome(
                    401,
                    code="login",
                    text="A bearer token is needed (Authorization: Bearer <token>).",
                    WWW_Authenticate='Bearer realm="fhir"'
                    + (', error="invalid_token"' if token else ""),
                )
            if client.is_revoked:
                logger.warning("FHIR call with the revoked token of API client %s", client.pk)
                return outcome(
                    401,
                    code="expired",
                    text="This token has been revoked.",
                    WWW_Authenticate='Bearer realm="fhir", error="invalid_token"',
                )
            if scope is not None and scope not in client.scopes:
                return refused_scope(client, scope)
            return view(request, client, *args, **kwargs)

        return login_not_required(csrf_exempt(in_api_language(wrapped)))

    return decorate


def refused_scope(client: ApiClient, scope: str) -> HttpResponse:
    """403: `client` lacks `scope` (RFC 6750's insufficient_scope)."""
    logger.warning("FHIR call by API client %s without scope %s", client.pk, scope)
    return outcome(
        403,
        code="forbidden",
        text=f"This client does not hold the scope {scope}.",
        WWW_Authenticate=f'Bearer realm="fhir", error="insufficient_scope", scope="{scope}"',
    )


def public_view(view: View) -> View:
    """Open to any caller: the CapabilityStatement and the OpenAPI description."""
    return login_not_required(in_api_language(view))


__all__ = ["ApiClient", "fhir_view", "outcome", "public_view", "respond"]
