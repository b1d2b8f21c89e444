"""Headers every response carries: nothing with patient data is cached, no browser feature a
clinic page never uses is available to it, and a page runs only the scripts and styles this
server sends as files."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase

# Every powerful feature off: no page here uses the camera, microphone, location or payment.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "picture-in-picture",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
)
# Scripts and styles only from our own files (static/): no inline <script>, style="" or
# onclick="", no eval, so markup slipped into a page cannot run. img-src allows data: for
# Bootstrap's own icons (the select arrow, check marks, the menu button), which its CSS draws
# as data: URLs. One policy for every page, the admin's included (Django 5.2's admin needs no
# exception: see the README), so it is a constant: no nonces, no per-view policies.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
# Chromium shows a PDF inside a page of its own that the PDF's policy would govern (its inline
# styles and <embed>, crbug.com/271452): the referral letter goes without one, and is still
# never framed (X-Frame-Options: DENY).
NO_POLICY_CONTENT_TYPES = ("application/pdf",)
PATIENT_PATH_PREFIX = "/p/"


class TrustHeadersMiddleware:
    """`Cache-Control: no-store` on every response to a signed-in member of staff and on every
    patient page (`/p/`), unless the view chose its own Cache-Control; `Permissions-Policy` on
    every response; `Content-Security-Policy` on every response but a PDF.

    Listed before WhiteNoise, so static files get the Permissions-Policy and the
    Content-Security-Policy too (an SVG opened by itself is a document that could run script)
    but keep their own caching (they never reach the authentication middleware, so they have no
    user).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        if not response.headers.get("Content-Type", "").startswith(NO_POLICY_CONTENT_TYPES):
            response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        if "Cache-Control" not in response.headers and _holds_patient_data(request):
            response.headers["Cache-Control"] = "no-store"
        if "no-store" in response.headers.get("Cache-Control", ""):
            response.headers.setdefault("Pragma", "no-cache")  # HTTP/1.0 caches
        return response


def _holds_patient_data(request: HttpRequest) -> bool:
    if request.path_info.startswith(PATIENT_PATH_PREFIX):
        return True
    user = getattr(request, "user", None)  # absent when a middleware answered before auth's
    return bool(user is not None and user.is_authenticated)
