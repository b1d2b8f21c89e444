"""`manage.py outbox`: status, one dispatcher pass, and retrying a dead message from a shell."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from outbox import services
from outbox.models import Message
from tests.outbox.helpers import BODY, make_dead, make_message, make_sent

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("outbox", *args, stdout=out)
    return out.getvalue()


def test_status_prints_counts_by_status() -> None:
    make_message()
    make_message(status=Message.Status.FAILED, attempts=2, last_error="OSError: down")
    make_dead()
    make_sent()
    make_sent()

    lines = run("status").splitlines()

    counts = {line.rsplit(None, 1)[0].strip(): int(line.rsplit(None, 1)[1]) for line in lines[:7]}
    assert counts == {
        "Waiting": 1,
        "Sending": 0,
        "Sent": 2,
        "Failed for now": 1,
        "Dead": 1,
        "Cancelled": 0,
        "All": 5,
    }


def test_status_lists_failing_and_dead_messages_with_their_details() -> None:
    failing = make_message(
        status=Message.Status.FAILED,
        attempts=3,
        to_email="later@example.org",
        subject="Clinic: case 4 needs a clinician",
        last_error="SMTPServerDisconnected: try again",
        due_at=datetime(2026, 7, 1, 9, 30, tzinfo=UTC),  # 10:30 in London
    )
    dead = make_dead(
        to_email="gone@example.org",
        attempts=8,
        last_error="SMTPRecipientsRefused: 550\nno such mailbox",
    )
    make_message(to_email="waiting@example.org")
    make_sent(to_email="sent@example.org")

    output = run("status")

    assert "Failing and dead messages:" in output
    rows = {line.split()[0]: line for line in output.splitlines() if line[:1].isdigit()}
    assert set(rows) == {str(failing.pk), str(dead.pk)}
    assert "later@example.org" in rows[str(failing.pk)]
    assert "Clinic: case 4 needs a clinician" in rows[str(failing.pk)]
    assert " 3 " in rows[str(failing.pk)]
    assert "2026-07-01 10:30" in rows[str(failing.pk)]
    assert "SMTPServerDisconnected: try again" in rows[str(failing.pk)]
    assert "gone@example.org" in rows[str(dead.pk)]
    assert " 8 " in rows[str(dead.pk)]
    assert "SMTPRecipientsRefused: 550 no such mailbox" in rows[str(dead.pk)]  # on one line
    assert "waiting@example.org" not in output
    assert "sent@example.org" not in output


def test_status_never_prints_a_body() -> None:
    make_dead(body_text=BODY)
    make_message(status=Message.Status.FAILED, body_text=BODY)
    assert "never shown" not in run("status")


def test_status_says_when_nothing_is_failing() -> None:
    make_sent()
    assert "No failing or dead messages." in run("status")


def test_status_limits_the_table_and_says_how_many_more() -> None:
    for _ in range(4):
        make_dead()
    output = run("status", "--limit", "2")
    assert len([line for line in output.splitlines() if line[:1].isdigit()]) == 2
    assert "... and 2 more" in output


def test_dispatch_hands_every_due_message_over_and_says_how_many(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    handed: list[list[int]] = []

    def hand_over(ids: Sequence[int], *, claim: str | None = None, urgent: bool = False) -> None:
        handed.append(list(ids))

    monkeypatch.setattr(services, "hand_over", hand_over)
    due = [make_message(), make_message(status=Message.Status.FAILED, attempts=1)]
    later = make_message(due_at=timezone.now() + timedelta(days=3))
    make_dead()

    output = run("dispatch")

    assert output.strip() == "Handed 2 due message(s) to the workers."
    assert sorted(pk for batch in handed for pk in batch) == sorted(m.pk for m in due)
    assert set(
        Message.objects.filter(pk__in=[m.pk for m in due]).values_list("status", flat=True)
    ) == {Message.Status.SENDING}
    later.refresh_from_db()
    assert later.status == Message.Status.PENDING


def test_dispatch_with_nothing_due_hands_over_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(services, "hand_over", lambda ids, claim=None: pytest.fail("handed over"))
    make_sent()
    assert run("dispatch").strip() == "Handed 0 due message(s) to the workers."


def test_retry_puts_a_dead_message_back_in_the_queue(django_capture_on_commit_callbacks) -> None:
    dead = make_dead(to_email="gone@example.org")

    with django_capture_on_commit_callbacks() as handed_over:
        output = run("retry", str(dead.pk))

    assert output.strip() == f"Message {dead.pk} to gone@example.org is back in the queue."
    dead.refresh_from_db()
    assert dead.status == Message.Status.PENDING
    assert dead.attempts == 0
    assert len(handed_over) == 1


def test_retry_of_a_message_that_is_not_dead_fails_with_a_reason() -> None:
    sent = make_sent()

    with pytest.raises(CommandError, match="is sent, not dead") as failure:
        run("retry", str(sent.pk))

    assert failure.value.returncode == 1  # the exit status from a shell
    sent.refresh_from_db()
    assert sent.status == Message.Status.SENT


def test_retry_of_an_unknown_message_fails_with_a_reason() -> None:
    with pytest.raises(CommandError, match="There is no message 999999") as failure:
        run("retry", "999999")
    assert failure.value.returncode == 1


def test_an_action_is_required() -> None:
    with pytest.raises(CommandError):
        run()
