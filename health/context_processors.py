"""The banner every staff page shows while background work has stopped (templates/base.html)."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject


def health_banner(request: HttpRequest) -> dict[str, object]:
    """Read only when a page draws the banner (a redirect or a JSON answer reads nothing)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def read() -> list[object]:
        from health.services import problems

        return list(problems())

    return {"health_problems": SimpleLazyObject(read)}
