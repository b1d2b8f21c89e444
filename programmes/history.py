"""What every programme action shares: the refusal it raises, the row lock it takes, and the line
of history (with the same change in the audit) it writes."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.utils import timezone

from audit import services as audit
from audit.models import AuditEvent
from programmes.models import Programme, ProgrammeEvent


class ProgrammeRefused(Exception):
    """A prescription or change the clinic cannot make as asked; the message says why."""


def lock_programme(programme_id: int) -> Programme:
    return Programme.objects.select_for_update().select_related("patient").get(pk=programme_id)


def record_event(
    programme: Programme,
    kind: str,
    *,
    by: User | None = None,
    by_patient: bool = False,
    detail: str = "",
    at: datetime | None = None,
    changes: Mapping[str, tuple[Any, Any]] | None = None,
) -> None:
    """A line of the programme's history, and the same change in the audit (who, the fields'
    old and new values where the event has them, and what happened)."""
    ProgrammeEvent.objects.create(
        programme=programme,
        kind=kind,
        by=by,
        by_patient=by_patient,
        detail=detail,
        at=at or timezone.now(),
    )
    label = ProgrammeEvent.Kind(kind).label
    audit.record_change(
        by=by,
        by_patient=by_patient,
        record=f"programme {programme.pk}",
        patient=programme.patient_id,
        action=AuditEvent.Action.CREATE
        if kind in (ProgrammeEvent.Kind.PRESCRIBED, ProgrammeEvent.Kind.SESSION_LOGGED)
        else AuditEvent.Action.CHANGE,
        changes={**(changes or {}), "event": (None, f"{label}: {detail}" if detail else label)},
    )
