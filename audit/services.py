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

from django.conf import settings
from django.contrib.auth.models import AnonymousUser, User
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from audit.models import AuditEvent, SettingsRecord

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


def record_of(obj: Any) -> str:
    """The kind of record, its id and how it reads, as "duty slot 4: Monday 09:00-17:00"."""
    label = f"{obj._meta.verbose_name} {obj.pk}"
    text = str(obj)
    return f"{label}: {text}" if text and text != label else label


def username(user: Any) -> str | None:
    """A member of staff as a change records them: their username (unique), or None."""
    return user.get_username() if user is not None else None


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


def record_list_view(
    *,
    request: HttpRequest,
    record: str,
    patients: Iterable[Any],
    action: str = AuditEvent.Action.VIEW,
) -> None:
    """A page or export listing several patients' records (a report's rows): a row for every
    patient it showed, or one without a patient when it showed none (one INSERT)."""
    now, staff, page, ip = timezone.now(), _staff(request), _page(request), _ip(request)
    ids = list(dict.fromkeys(_patient_id(p) for p in patients)) or [None]
    AuditEvent.objects.bulk_create(
        AuditEvent(
            at=now,
            actor=staff,
            actor_kind=Kind.STAFF if staff else Kind.SYSTEM,
            action=action,
            patient_id=patient_id,
            record=record[:100],
            page=page,
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


def record_lockout(*, request: HttpRequest | None, username: str, ip_address: str | None) -> None:
    """A sign-in refused because the username or the address is locked out (django-axes)."""
    AuditEvent.objects.create(
        at=timezone.now(),
        actor=None,
        actor_kind=Kind.STAFF,
        actor_name=(username or "")[:150],
        action=AuditEvent.Action.LOCKOUT,
        page=_page(request),
        ip_address=ip_address or _ip(request),
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


RULESET_SETTINGS = "rule-set settings"


def ruleset_settings() -> dict[str, Any]:
    """The rule-set settings in force: the rule set the clinic chose (governance/active.py; empty
    when none may triage) and its clinic policy, the exam rule set (triage/rules/exam_rules.py),
    each urgency's deadline and the alert deadlines (clinic/settings.py)."""
    from governance.active import NotSignedOff, active
    from triage.rules.exam_rules import EXAM_RULESET_VERSION

    found = active()
    return {
        "rule set": "" if isinstance(found, NotSignedOff) else found.version,
        "exam rule set": EXAM_RULESET_VERSION,
        "medium psychosocial risk is routine": settings.TRIAGE_MEDIUM_PSYCHOSOCIAL_RISK_IS_ROUTINE,
        **{f"{key} seen within": str(due) for key, due in settings.TRIAGE_SLA.items()},
        **{
            f"{key} alert escalates after": str(due) for key, due in settings.ALERT_DEADLINE.items()
        },
    }


@transaction.atomic
def record_ruleset_settings() -> bool:
    """Compare the rule-set settings in force with those the last deploy found; a difference is
    a change by the system (the deploy), old and new. The first deploy sets the baseline only.
    True when a change was recorded."""
    now = {name: _plain(value) for name, value in ruleset_settings().items()}
    baseline = SettingsRecord.objects.select_for_update().filter(key=RULESET_SETTINGS).first()
    if baseline is None:
        SettingsRecord.objects.create(key=RULESET_SETTINGS, value=now, recorded_at=timezone.now())
        return False
    before = dict(baseline.value)
    changed = {
        name: (before.get(name), now.get(name))
        for name in dict.fromkeys([*before, *now])
        if before.get(name) != now.get(name)
    }
    if not changed:
        return False
    record_change(by=None, record=RULESET_SETTINGS, changes=changed)
    baseline.value, baseline.recorded_at = now, timezone.now()
    baseline.save(update_fields=["value", "recorded_at"])
    return True


def _plain(value: Any) -> Any:
    """A value as JSON keeps it: dates as ISO text, a list or set as its items joined, decimals
    and the rest as text."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple | set | frozenset):
        items = [str(_plain(item)) for item in value]
        return ", ".join(items if isinstance(value, list | tuple) else sorted(items))
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return str(value)


def record_api_call(
    *,
    request: HttpRequest,
    by: User,
    client: str,
    action: str,
    record: str,
    resources: Mapping[Any, list[str]],
) -> None:
    """An integration's call through the FHIR API (interop/): who (the client's account and its
    name), which patients, and which resources of each; a row per patient (one INSERT).
    `resources` maps each patient id (None for a call about no patient) to its resources."""
    now, page, ip = timezone.now(), _page(request), _ip(request)
    rows = [
        AuditEvent(
            at=now,
            actor=by,
            actor_kind=Kind.SYSTEM,
            actor_name=f"API client {client}"[:150],
            action=action,
            patient_id=patient_id,
            record=record[:100],
            page=page,
            details={"client": client, "resources": names},
            ip_address=ip,
        )
        for patient_id, names in (resources.items() or {None: []}.items())
    ]
    if len(rows) == 1:
        rows[0].save(force_insert=True)  # one INSERT, without bulk_create's transaction
    else:
        AuditEvent.objects.bulk_create(rows)
