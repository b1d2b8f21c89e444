"""What every staff page says about the rule set: nothing when a signed-off one triages, and that
the demo's is unsigned. Production with none signed off is a monitoring problem instead, on the
health banner the queue keeps fresh (health.services.ruleset_problem): one red banner, not two.

It reads the process's copy of the clinic's choice (governance/active.py): no query while fresh."""

from __future__ import annotations

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest

from governance import active


def ruleset_banner(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    try:
        found = active.active()
    except DatabaseError:
        return {}
    if isinstance(found, active.NotSignedOff):
        return {}
    if not found.signed_off and settings.DEBUG:
        return {"ruleset_unsigned_demo": found.version}
    return {}
