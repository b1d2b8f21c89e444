"""System checks: the demo's shown codes never run without DEBUG; production asks a second
factor of the roles the issue names."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

from clinic.roles import Role
from clinic.two_factor.services import ADMIN

PRODUCTION_MINIMUM = frozenset(
    {str(Role.CLINICIAN), str(Role.LEAD), str(Role.SAFETY_OFFICER), ADMIN}
)


@register(Tags.security)
def demo_codes_only_with_debug(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    if settings.TWO_FACTOR_DEMO_CODES and not settings.DEBUG:
        return [
            Error(
                "TWO_FACTOR_DEMO_CODES is on with DEBUG off: the sign-in page would show codes.",
                hint="Unset TWO_FACTOR_DEMO_CODES; it is for the local demo (make run) only.",
                id="clinic.E201",
            )
        ]
    return []


@register(Tags.security)
def known_roles_only(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    known = {str(role) for role in Role} | {ADMIN}
    unknown = sorted(set(settings.TWO_FACTOR_REQUIRED_ROLES) - known)
    if unknown:
        return [
            Error(
                f"TWO_FACTOR_REQUIRED_ROLES names roles that do not exist: {', '.join(unknown)}.",
                hint=f"Use some of: {', '.join(sorted(known))}.",
                id="clinic.E202",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def second_factor_for_clinical_roles(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    missing = sorted(PRODUCTION_MINIMUM - set(settings.TWO_FACTOR_REQUIRED_ROLES))
    if missing:
        return [
            Warning(
                f"Two-factor authentication is not required for: {', '.join(missing)}.",
                hint="Clinicians, the clinic lead, the clinical safety officer and admins see patient "
                "records: keep them in "
                "TWO_FACTOR_REQUIRED_ROLES.",
                id="clinic.W203",
            )
        ]
    return []
