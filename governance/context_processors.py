"""What every staff page says about the rule set: nothing when a signed-off one triages; that the
demo's is unsigned; or, in production with none signed off, that intakes cannot be triaged.

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
        return {"ruleset_not_signed_off": str(found)}
    if not found.signed_off and settings.DEBUG:
        return {"ruleset_unsigned_demo": found.version}
    return {}
