"""Sign-ins, sign-outs and failed sign-ins, from Django's own auth signals (the one place the
audit listens instead of being called: the login views are Django's)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from audit.models import AuditEvent
from audit.services import record_sign_in


@receiver(user_logged_in, dispatch_uid="audit.login")
def _logged_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    record_sign_in(request=request, user=user, action=AuditEvent.Action.LOGIN)


@receiver(user_logged_out, dispatch_uid="audit.logout")
def _logged_out(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    if user is not None:
        record_sign_in(request=request, user=user, action=AuditEvent.Action.LOGOUT)


@receiver(user_login_failed, dispatch_uid="audit.login_failed")
def _login_failed(
    sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any
) -> None:
    record_sign_in(
        request=request,
        user=None,
        action=AuditEvent.Action.LOGIN_FAILED,
        name=str(credentials.get("username", "")),
    )
