"""The outbox's send path against a real SMTP server (aiosmtpd), in this process.

Claims, leases, idempotency, one connection per batch, retries and dead letters. Workers and beat
are exercised in tests/integration/; here the services are called directly, on the test's clock,
and the clock is moved by moving rows' due and lease times, never by sleeping.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import override_settings
from django.utils import timezone

from outbox.models import Message
from outbox.services import (
    Email,
    Recipient,
    claim_due_messages,
    queue_email,
    queue_emails,
    retry_dead_message,
    send_messages,
)
from tests.support.clock import Clock
from tests.support.smtp_sink import SmtpSink

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]  # the test's clock
CONTEXT = {
    "case_ref": 7,
    "case_url": "http://clinic.example/triage/cases/7/",
    "clinic_name": "Test Clinic",
    "recipient_name": "Ana",
}


def email(key: str, **changes) -> Email:
    spec = {
        "key": key,
        "kind": Message.Kind.CLINICIAN_ALERT,
        "to": Recipient(email=f"{key}@clinic.example"),
        "template": "clinician_alert",
        "context": CONTEXT,
    }
    return Email(**(spec | changes))


@pytest.fixture
def sink():
    with SmtpSink() as server, smtp_to(server):
        yield server


def smtp_to(server: SmtpSink):
    return override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=server.port,
        EMAIL_USE_TLS=False,
        EMAIL_TIMEOUT=5,
    )


def test_a_message_is_a_row_written_with_its_rendered_bodies():
    message = queue_email(**email("m1").__dict__)
    assert message.status == Message.Status.PENDING
    assert message.subject == "Test Clinic: case 7 needs a clinician"
    assert CONTEXT["case_url"] in message.body_text
    assert CONTEXT["case_url"] in message.body_html
    # The HTML part is a whole document titled with the subject (a mail client's tab, a screen
    # reader's first words).
    assert '<head><meta charset="utf-8"><title>Test Clinic: case 7 needs a clinician</title>' in (
        message.body_html
    )


def test_every_html_email_is_titled_with_its_subject():
    from pathlib import Path

    folder = Path(__file__).resolve().parents[1] / "templates" / "outbox" / "email"
    for template in sorted(folder.glob("*.html")):
        assert "<title>{{ subject }}</title>" in template.read_text(), template.name
        assert (folder / f"{template.stem}_subject.txt").exists(), template.name


def test_the_same_key_twice_is_one_message(django_capture_on_commit_callbacks, clock: Clock):
    with django_capture_on_commit_callbacks() as handed_over:
        first = queue_emails([email("same")])[0]
        clock.advance(timedelta(seconds=1))  # the same event, a second later
        again = queue_emails([email("same", to=Recipient(email="other@clinic.example"))])[0]
    assert again.pk == first.pk
    assert Message.objects.get().to_email == "same@clinic.example"
    assert len(handed_over) == 1, "queued again, but handed over once"


def test_a_key_that_cannot_be_a_message_id_is_refused():
    with pytest.raises(ValueError, match="outbox key"):
        queue_emails([email("has space")])


def test_a_message_due_later_is_not_handed_to_a_worker(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as handed_over:
        queue_emails([email("later", due_at=timezone.now() + timedelta(days=7))])
    assert handed_over == []


def test_the_dispatcher_claims_what_is_due_and_what_a_dead_worker_left():
    queue_emails([email("due"), email("later", due_at=timezone.now() + timedelta(hours=1))])
    now = timezone.now()
    _claim, ids = claim_due_messages(now=now)
    assert Message.objects.filter(pk__in=ids).get().key == "due"
    assert claim_due_messages(now=now)[1] == [], "claimed rows are leased, not claimed twice"

    lease_over = now + timedelta(minutes=3)  # the worker holding it died
    assert claim_due_messages(now=lease_over)[1] == ids
    both = set(Message.objects.values_list("pk", flat=True))
    assert set(claim_due_messages(now=now + timedelta(hours=2))[1]) == both


def test_messages_go_out_once_over_one_connection_with_their_message_id(sink):
    messages = queue_emails([email(f"batch{n}") for n in range(5)])
    ids = [m.pk for m in messages]

    assert send_messages(ids=ids) == []
    assert send_messages(ids=ids) == [], "sending again is a no-op for rows already sent"

    received = sink.wait_for(5, timeout=5)
    assert sorted(r.message_id for r in received) == sorted(m.message_id for m in messages)
    assert len(received) == 5
    assert set(Message.objects.values_list("status", flat=True)) == {Message.Status.SENT}
    assert all(m.sent_at for m in Message.objects.all())


def test_a_row_held_by_a_live_claim_is_left_to_it(sink):
    message = queue_emails([email("held")])[0]
    claim, _ = claim_due_messages()
    assert send_messages(ids=[message.pk], claim="someone-else") == []
    assert sink.received == []
    assert send_messages(ids=[message.pk], claim=claim) == []
    assert len(sink.wait_for(1, timeout=5)) == 1


def test_a_refused_message_fails_for_now_with_backoff_then_goes(settings):
    with SmtpSink(refuse_first=1) as server, smtp_to(server):
        message = queue_emails([email("retry")])[0]
        assert send_messages(ids=[message.pk]) == [message.pk]
        message.refresh_from_db()
        assert (message.status, message.attempts) == (Message.Status.FAILED, 1)
        assert "451" in message.last_error
        assert message.due_at > timezone.now()

        assert send_messages(ids=[message.pk]) == []
        message.refresh_from_db()
        assert (message.status, message.attempts) == (Message.Status.SENT, 2)
        assert len(server.wait_for(1, timeout=5)) == 1


def test_a_message_that_never_gets_through_ends_dead_and_can_be_retried(settings):
    settings.OUTBOX_MAX_ATTEMPTS = 3
    with SmtpSink(refuse_all=True) as server, smtp_to(server):
        message = queue_emails([email("doomed")])[0]
        for _ in range(3):
            send_messages(ids=[message.pk])
        message.refresh_from_db()
        assert (message.status, message.attempts) == (Message.Status.DEAD, 3)
        assert send_messages(ids=[message.pk]) == [], "dead is dead"
        assert server.received == []

    retried = retry_dead_message(message_id=message.pk)
    assert (retried.status, retried.attempts) == (Message.Status.PENDING, 0)
    with pytest.raises(ValueError, match="only a dead message"):
        retry_dead_message(message_id=message.pk)


def test_one_refusal_does_not_stop_the_rest_of_the_batch():
    with SmtpSink(refuse_first=1) as server, smtp_to(server):
        messages = queue_emails([email(f"b{n}") for n in range(3)])
        failed = send_messages(ids=[m.pk for m in messages])
        assert failed == [messages[0].pk]
        assert len(server.wait_for(2, timeout=5)) == 2


def test_a_permanent_refusal_is_dead_at_once():
    import smtplib

    from outbox.services import is_permanent

    assert is_permanent(smtplib.SMTPRecipientsRefused({"x@example.org": (550, b"No such mailbox")}))
    assert is_permanent(smtplib.SMTPDataError(554, b"Rejected"))
    assert not is_permanent(smtplib.SMTPDataError(451, b"Try again later"))
    assert not is_permanent(smtplib.SMTPServerDisconnected("gone"))
    assert not is_permanent(ConnectionRefusedError())


def test_a_slow_batch_keeps_its_lease_and_leaves_rows_another_worker_took(sink, settings):
    from outbox.services import _renew_lease

    messages = queue_emails([email(f"slow{n}") for n in range(3)])
    ids = [m.pk for m in messages]
    claim, _ = claim_due_messages()
    Message.objects.filter(pk=ids[2]).update(lease_token="another-worker")

    assert _renew_lease(ids, claim) == set(ids[:2])
    assert Message.objects.get(pk=ids[0]).lease_until > timezone.now() + timedelta(seconds=60)


def test_alerts_are_claimed_apart_from_other_mail():
    alert = queue_emails([email("alert")])[0]
    assert claim_due_messages(urgent=False)[1] == []
    assert claim_due_messages(urgent=True)[1] == [alert.pk]
