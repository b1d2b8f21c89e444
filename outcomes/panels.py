"""The case page's note of a programme flagged for review (registered in OutcomesConfig.ready(),
triage/panels.py): the flag, why, and whether it has been reviewed; one query."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _

from outcomes.models import NonResponderFlag
from triage.models import Case
from triage.panels import TimelineEntry


def case_context(request: HttpRequest, case: Case, state: Any) -> dict[str, object]:
    flags = list(
        NonResponderFlag.objects.filter(case=case)
        .select_related("programme", "clinician", "reviewed_by")
        .order_by("flagged_at", "pk")
    )
    return {"non_responder_flags": flags}


def _name(user: Any) -> str:
    return str(user.get_full_name() or user.get_username()) if user is not None else ""


def timeline(context: Mapping[str, Any]) -> list[TimelineEntry]:
    entries = []
    for flag in context.get("non_responder_flags", []):
        entries.append(
            TimelineEntry(
                at=flag.flagged_at,
                kind="non-responder",
                title=_("Flagged for review: keeps to the programme, not improving"),
                who=_("The system"),
                detail=flag.rule,
            )
        )
        if flag.reviewed_at is not None:
            entries.append(
                TimelineEntry(
                    at=flag.reviewed_at,
                    kind="non-responder-reviewed",
                    title=_("Programme review done"),
                    who=_name(flag.reviewed_by),
                    detail=flag.review_note,
                )
            )
    return entries
