"""The case page's messages panel (registered in OutboxConfig.ready(), triage/panels.py): what
was sent to whom about the case, and when; the bodies stay in the outbox."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.http import HttpRequest

from outbox.models import Message
from triage.models import Case
from triage.panels import TimelineEntry


def case_context(request: HttpRequest, case: Case, state: object) -> dict[str, Any]:
    """One query: the case's messages, oldest first, without their bodies."""
    messages = Message.objects.for_case(case.pk).defer("body_text", "body_html", "attachment")
    return {"case_messages": list(messages)}


def timeline(context: Mapping[str, Any]) -> list[TimelineEntry]:
    return [
        TimelineEntry(
            at=message.created_at,
            kind="message",
            title=f"{message.get_kind_display()} email ({message.get_status_display()})",
            who=f"To {message.to_name or message.to_email}",
            detail=message.subject,
            anchor=f"timeline-message-{message.pk}",
        )
        for message in context["case_messages"]
    ]
