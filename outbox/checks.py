"""System checks (`manage.py check --deploy`): letters with health data and plain SMTP."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Tags, Warning, register

SMTP_BACKEND = "django.core.mail.backends.smtp.EmailBackend"


def _plain_smtp() -> bool:
    return settings.EMAIL_BACKEND == SMTP_BACKEND and not (
        getattr(settings, "EMAIL_USE_TLS", False) or getattr(settings, "EMAIL_USE_SSL", False)
    )


@register(Tags.security, deploy=True)
def letters_leave_encrypted(app_configs: Any = None, **kwargs: Any) -> list[Warning]:
    if not _plain_smtp():
        return []
    if settings.ALLOW_PLAIN_SMTP_FOR_LETTERS:
        return [
            Warning(
                "Referral letters, with health data, are sent over plain SMTP "
                "(ALLOW_PLAIN_SMTP_FOR_LETTERS is on and EMAIL_URL is smtp://).",
                hint="Use smtp+tls:// or smtps:// in EMAIL_URL and unset "
                "ALLOW_PLAIN_SMTP_FOR_LETTERS, unless the server is a relay on this machine.",
                id="outbox.W001",
            )
        ]
    return [
        Warning(
            "EMAIL_URL is plain SMTP: referral letters will be held (dead, with the reason, on "
            "/outbox/) instead of sent.",
            hint="Use smtp+tls:// (STARTTLS) or smtps:// (TLS) in EMAIL_URL.",
            id="outbox.W002",
        )
    ]
