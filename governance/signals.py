"""A setting the clinic's rule set depends on changed (in tests, `settings` overrides): the
process's copy is read again."""

from __future__ import annotations

from typing import Any

from django.core.signals import setting_changed
from django.dispatch import receiver

from governance import active

SETTINGS = frozenset(
    {
        "TRIAGE_MEDIUM_PSYCHOSOCIAL_RISK_IS_ROUTINE",
        "TRIAGE_UNSIGNED_RULESET_ALLOWED",
        "GOVERNANCE_ACTIVE_CACHE_SECONDS",
    }
)


@receiver(setting_changed)
def forget_copy(*, setting: str, **kwargs: Any) -> None:
    if setting in SETTINGS:
        active.forget()
