"""What staff see of a message's text: never a patient's link.

A patient's signed link (`/p/<token>/`, and `/p/u/<token>/` to unsubscribe) opens their programme
page without a login, so a body shown in the admin must not carry one a member of staff could
follow. The row keeps the body as sent (a retry sends exactly what was queued); every page that
shows it shows `for_staff(body)`.
"""

from __future__ import annotations

import re

REDACTED = "…redacted…"

# /p/<token>, /p/u/<token>: everything after /p/ up to the next slash, quote, space or query.
# /p/new-link/ is the one patient path without a token.
_PATIENT_LINK = re.compile(r"/p/(u/)?(?!new-link(?:[/?#\s\"'<>]|$))[^/?#\s\"'<>]+")


def for_staff(text: str) -> str:
    """`text` with every patient link's token replaced: `/p/…redacted…/`, `/p/u/…redacted…/`."""
    if "/p/" not in text:
        return text
    return _PATIENT_LINK.sub(lambda link: f"/p/{link.group(1) or ''}{REDACTED}", text)
