"""Staff roles and the permission checks every view uses.

A role is a Django group. Reception enters intakes, finds patients and sees the outcome of the
intakes they entered; clinicians work the queue and every case; admins use the Django admin.
A signed-in user whose role does not allow a page gets 403 and nothing of the page.
"""

from collections.abc import Callable
from enum import StrEnum
from functools import wraps
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse


class Role(StrEnum):
    RECEPTION = "reception"
    CLINICIAN = "clinician"
    LEAD = "clinic lead"  # also told when a case escalates
    # Tries rule-set versions on past intakes, signs them off and chooses the clinic's (governance/).
    SAFETY_OFFICER = "clinical safety officer"


def roles_of(user: AbstractBaseUser | AnonymousUser) -> frozenset[str]:
    if not user.is_authenticated:
        return frozenset()
    cached: frozenset[str] | None = getattr(user, "_clinic_roles", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))  # type: ignore[attr-defined]
        user._clinic_roles = cached  # type: ignore[union-attr,attr-defined]
    return cached


def has_role(user: AbstractBaseUser | AnonymousUser, *roles: Role) -> bool:
    return bool(roles_of(user) & {str(r) for r in roles})


def role_required(
    *roles: Role,
) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Refuse with 403 unless the signed-in user holds one of `roles`.

    Anonymous users never get here: LoginRequiredMiddleware sends them to the login page first.
    """

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not has_role(request.user, *roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def roles_context(request: HttpRequest) -> dict[str, bool]:
    user = getattr(request, "user", None)
    if user is None:
        return {}
    return {
        "is_reception": has_role(user, Role.RECEPTION),
        "is_clinician": has_role(user, Role.CLINICIAN),
        "is_safety_officer": has_role(user, Role.SAFETY_OFFICER),
        "is_lead": has_role(user, Role.LEAD) or bool(getattr(user, "is_superuser", False)),
    }
