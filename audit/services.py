"""Recording who saw and who changed a patient's record: one call, made where it happens.

A view that shows a patient's data calls `record_view` (or `record_search`) itself, never a
middleware guessing from URLs; a change calls `record_change` in the transaction of the change.
Each call is one INSERT.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.http import HttpRequest
from django.utils import timezone

from audit.models import AuditEvent

Kind = AuditEvent.ActorKind


def _page(request: HttpRequest | None) -> str:
    match = getattr(request, "resolver_match", None)
    return (match.view_name or "")[:100] if match else ""


def _ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def _staff(request: HttpRequest | None) -> User | None:
    user = getattr(request, "user", None)
    if user is None or isinstance(user, AnonymousUser) or not user.is_authenticated:
        return None
    return user


def _patient_id(patient: Any) -> int | None:
    return getattr(patient, "pk", patient)


def record_view(
    *,
    request: HttpRequest,
    record: str,
    patient: Any = None,
    by_patient: bool = False,
    action: str = AuditEvent.Action.VIEW,
) -> None:
    """`request`'s user (or the patient, by their link) saw `record` of `patient`."""
    staff = None if by_patient else _staff(request)
    AuditEvent.objects.create(
        at=timezone.now(),
        actor=staff,
        actor_kind=Kind.PATIENT if by_patient else Kind.STAFF if staff else Kind.SYSTEM,
        action=action,
        patient_id=_patient_id(patient),
        record=record[:100],
        page=_page(request),
        ip_address=_ip(request),
    )


def record_search(*, request: HttpRequest, query: str, patients: Iterable[Any]) -> None:
    """A search, its query and every patient it showed: a row each (one INSERT)."""
    now, staff, page, ip = timezone.now(), _staff(request), _page(request), _ip(request)
    ids = list(dict.fromkeys(_patient_id(p) for p in patients)) or [None]
    AuditEvent.objects.bulk_create(
        AuditEvent(
            at=now,
            actor=staff,
            actor_kind=Kind.STAFF if staff else Kind.SYSTEM,
            action=AuditEvent.Action.SEARCH,
            patient_id=patient_id,
            record="search",
            page=page,
            details={"query": query[:200]},
            ip_address=ip,
        )
        for patient_id in ids
    )


def record_change(
    *,
    by: User | None,
    record: str,
    patient: Any = None,
    changes: Mapping[str, tuple[Any, Any]] | None = None,
    action: str = AuditEvent.Action.CHANGE,
    request: HttpRequest | None = None,
    by_patient: bool = False,
) -> None:
    """`by` changed (or created) `record`; `changes` maps each field to (old, new)."""
    AuditEvent.objects.create(
        at=timezone.now(),
        actor=None if by_patient else by,
        actor_kind=Kind.PATIENT if by_patient else Kind.STAFF if by else Kind.SYSTEM,
        action=action,
        patient_id=_patient_id(patient),
        record=record[:100],
        page=_page(request),
        details={
            "changes": {
                name: {"old": _plain(old), "new": _plain(new)}
                for name, (old, new) in (changes or {}).items()
            }
        }
        if changes
        else {},
        ip_address=_ip(request),
    )


def record_sign_in(*, request: HttpRequest | None, user: Any, action: str, name: str = "") -> None:
    AuditEvent.objects.create(
        at=timezone.now(),
        actor=user if getattr(user, "pk", None) else None,
        actor_kind=Kind.STAFF,
        actor_name=(name or getattr(user, "username", "") or "")[:150],
        action=action,
        page=_page(request),
        ip_address=_ip(request),
    )


def _plain(value: Any) -> Any:
    """A value as JSON keeps it: dates as ISO text, decimals and the rest as text."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return str(value)
