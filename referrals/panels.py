"""The case page's referrals panel (registered in ReferralsConfig.ready(), triage/panels.py):
the case's referrals and, on its timeline, each one's steps."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.contrib.auth.models import User
from django.http import HttpRequest

from referrals.models import Referral
from triage.models import Case
from triage.panels import TimelineEntry


def case_context(request: HttpRequest, case: Case, state: object) -> dict[str, Any]:
    """One query: the case's referrals, newest first, with their destinations."""
    return {"referrals": list(Referral.objects.for_case(case.pk).with_letter_status())}


def timeline(context: Mapping[str, Any]) -> list[TimelineEntry]:
    """Each referral's steps: drafted, sent, acknowledged, completed or cancelled."""
    entries = []
    for referral in context["referrals"]:
        steps = [
            (referral.created_at, "drafted"),
            (referral.sent_at, "sent" if referral.status != Referral.Status.PRINTED else "printed"),
            (referral.acknowledged_at, "acknowledged"),
            (referral.completed_at, "completed"),
            (referral.cancelled_at, "cancelled"),
        ]
        for at, step in steps:
            if at is not None:
                entries.append(
                    TimelineEntry(
                        at=at,
                        kind="referral",
                        title=f"Referral {referral.reference} to {referral.destination.name} {step}",
                        who=_name(referral.referred_by),
                    )
                )
    return entries


def _name(user: User | None) -> str:
    if user is None:
        return "—"
    return user.get_full_name() or user.get_username()
