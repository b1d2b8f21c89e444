"""Sign-ins, sign-outs and failed sign-ins, from Django's own auth signals, and lockouts from
django-axes's (the one place the audit listens instead of being called: the login views are
Django's, the lockout is axes's). After each `migrate` (every deploy), the rule-set settings
are compared with the last deploy's."""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import connections
from django.dispatch import receiver

from audit.models import AuditEvent, SettingsRecord
from audit.services import record_lockout, record_ruleset_settings, record_sign_in


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


@receiver(user_locked_out, dispatch_uid="audit.lockout")
def _locked_out(
    sender: Any, request: Any = None, username: str = "", ip_address: Any = None, **kwargs: Any
) -> None:
    record_lockout(request=request, username=str(username or ""), ip_address=ip_address)


def after_migrate(sender: Any, plan: Any = None, using: str = "default", **kwargs: Any) -> None:
    """post_migrate from `migrate` (which passes its plan, empty when nothing was to do); a
    test's flush sends it too, with no plan, and is no deploy. Not when migrating back to before
    the audit's tables."""
    if plan is None or using != "default":
        return
    tables = connections[using].introspection.table_names()
    if {AuditEvent._meta.db_table, SettingsRecord._meta.db_table} <= set(tables):
        record_ruleset_settings()
