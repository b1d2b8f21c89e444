"""Factory functions for outbox tests: a message in any state, with keyword defaults."""

from __future__ import annotations

import itertools
from typing import Any

from django.utils import timezone

from outbox.models import Message

_numbers = itertools.count(1)

BODY = "Hello, the body of this email is never shown on a staff page or in a command's output."


def make_message(**fields: Any) -> Message:
    """A message row as the services leave it: waiting and due now unless told otherwise."""
    number = next(_numbers)
    now = timezone.now()
    values: dict[str, Any] = {
        "key": f"test.m{number}",
        "kind": Message.Kind.CLINICIAN_ALERT,
        "to_email": f"person{number}@example.org",
        "subject": f"Clinic: case {number} needs a clinician",
        "body_text": BODY,
        "body_html": f"<p>{BODY}</p>",
        "due_at": now,
        "created_at": now,
    }
    return Message.objects.create(**(values | fields))


def make_dead(**fields: Any) -> Message:
    defaults: dict[str, Any] = {
        "status": Message.Status.DEAD,
        "attempts": 8,
        "last_error": "SMTPServerDisconnected: Connection unexpectedly closed",
    }
    return make_message(**(defaults | fields))


def make_sent(**fields: Any) -> Message:
    defaults: dict[str, Any] = {
        "status": Message.Status.SENT,
        "attempts": 1,
        "sent_at": timezone.now(),
    }
    return make_message(**(defaults | fields))
