"""Email through the outbox on the real stack: an EMERGENCY intake reaches the clinician on duty,
a refusing SMTP server is retried until it accepts, a message that never gets through ends dead
and is shown, and an unclaimed case escalates until somebody claims it.

Each test runs a real Celery worker on its own queue and on the test database, real Redis and
PostgreSQL, and an aiosmtpd sink on a free loopback port.
"""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from clinic.roles import Role
from outbox.models import Message
from outbox.services import counts_by_status, dispatch_due_messages
from tests.integration.outbox_stack import (
    PROJECT_ROOT,
    OutboxStack,
    outbox_stack_fixture,  # noqa: F401 - the outbox_stack fixture
    queue_alerts,
    staff,
    submit_emergency,
)
from tests.support.smtp_sink import Received, SmtpSink
from triage.models import Case
from triage.services import claim_case, escalate_unclaimed_cases

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),  # the worker must see the committed rows
]

# Words that would tell a reader of the subject line something about the patient's health.
HEALTH_WORDS = ("EMERGENCY", "Emergency", "URGENT", "urgent", "bladder", "bowel", "999", "pain")


def case_url(case: Case) -> str:
    return f"{settings.SITE_URL}/triage/cases/{case.pk}/"


def sent(stack: OutboxStack, count: int, **filters: object) -> list[Message]:
    """Wait until `count` messages matching `filters` are recorded as sent."""
    return stack.wait_until(
        lambda: (
            rows
            if len(rows := list(Message.objects.filter(status=Message.Status.SENT, **filters)))
            == count
            else None
        ),
        f"{count} message(s) {filters or ''} to be sent",
    )


def assert_no_health_details(received: Received, *, patient_words: tuple[str, ...]) -> None:
    for word in HEALTH_WORDS + patient_words:
        assert word not in received.subject, f"{word!r} in the subject {received.subject!r}"
    for body in (received.body("plain"), received.body("html")):
        for word in (*patient_words, "bladder", "bowel"):
            assert word not in body, f"{word!r} in the body"


def test_an_emergency_intake_emails_the_clinician_on_duty_a_link_and_no_health_details(
    outbox_stack: OutboxStack,
):
    on_duty = staff("olu", Role.CLINICIAN, email="olu@clinic.example", on_duty=True)
    staff("ffion", Role.CLINICIAN, email="ffion@clinic.example")  # not on the rota today
    receptionist = staff("rita", Role.RECEPTION)

    with SmtpSink() as sink:
        outbox_stack.start_worker(sink)
        intake = submit_emergency(entered_by=receptionist, given_name="Maria", family_name="Okafor")
        [message] = sent(outbox_stack, 1)

    case = intake.assessment.case
    assert intake.assessment.urgency_key == "EMERGENCY"
    assert Message.objects.count() == 1  # nothing for the clinician off duty, now or later
    assert (message.to_email, message.recipient, message.case) == (on_duty.email, on_duty, case)
    assert message.sent_at is not None
    assert message.attempts == 1
    [received] = sink.received
    assert received.to == (on_duty.email,)
    assert received.message_id == message.message_id
    assert received.subject == f"{settings.CLINIC_NAME}: case {case.pk} needs a clinician"
    assert case_url(case) in received.body("plain")
    assert f'href="{case_url(case)}"' in received.body("html")
    assert_no_health_details(
        received, patient_words=("Maria", "Okafor", "maria.okafor", "1968", "Female")
    )


def test_a_server_that_refuses_three_times_then_accepts_gets_the_message_once(
    outbox_stack: OutboxStack,
):
    with SmtpSink(refuse_first=3) as sink:
        outbox_stack.start_worker(sink, OUTBOX_MAX_RETRY_SECONDS="1")
        [queued] = queue_alerts("retry.refused-three-times")
        [message] = sent(outbox_stack, 1)

    assert sink.refused == 3
    assert [r.message_id for r in sink.received] == [queued.message_id]
    assert message.attempts == 4
    assert message.last_error == ""


def test_a_message_that_never_gets_through_ends_dead_and_outbox_status_shows_it(
    outbox_stack: OutboxStack,
):
    with SmtpSink(refuse_all=True) as sink:
        outbox_stack.start_worker(sink, OUTBOX_MAX_ATTEMPTS="3", OUTBOX_MAX_RETRY_SECONDS="1")
        [queued] = queue_alerts("dead.refused-always")
        dead = outbox_stack.wait_until(
            lambda: Message.objects.filter(pk=queued.pk, status=Message.Status.DEAD).first(),
            "the message to be dead",
        )

    assert dead.attempts == 3
    assert sink.refused == 3
    assert sink.received == []
    assert dead.sent_at is None
    assert "SMTPDataError" in dead.last_error
    assert "451" in dead.last_error
    assert "Try again later" in dead.last_error
    assert counts_by_status()["dead"] == 1
    # Staff see it: `manage.py outbox status` counts it and names it with the refusal.
    status = subprocess.run(
        [sys.executable, "manage.py", "outbox", "status"],
        cwd=PROJECT_ROOT,
        env=outbox_stack.env(None),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    assert re.search(r"^Dead\s+1$", status, re.MULTILINE), status
    [line] = [line for line in status.splitlines() if line.startswith(f"{dead.pk} ")]
    assert line.split()[1:3] == ["dead", dead.to_email]
    assert "SMTPDataError" in line and "451" in line and "Try again later" in line


def test_an_unclaimed_case_escalates_to_every_clinician_and_the_clinic_lead(
    outbox_stack: OutboxStack,
):
    on_duty = staff("olu", Role.CLINICIAN, email="olu@clinic.example", on_duty=True)
    off_duty = staff("ffion", Role.CLINICIAN, email="ffion@clinic.example")
    lead = staff("lena", Role.LEAD, email="lena@clinic.example")
    receptionist = staff("rita", Role.RECEPTION, email="rita@clinic.example")

    with SmtpSink() as sink:
        outbox_stack.start_worker(sink)
        case = submit_emergency(entered_by=receptionist).assessment.case
        [alert] = sent(outbox_stack, 1, kind=Message.Kind.CLINICIAN_ALERT)
        # The clock moves past the alert deadline with nobody having claimed the case.
        Case.objects.filter(pk=case.pk).update(escalate_at=timezone.now() - timedelta(seconds=1))

        assert escalate_unclaimed_cases() == 1
        escalations = sent(outbox_stack, 3, kind=Message.Kind.ESCALATION)

    assert alert.to_email == on_duty.email
    assert sorted(m.to_email for m in escalations) == sorted(
        [on_duty.email, off_duty.email, lead.email]
    )
    by_id = {r.message_id: r for r in sink.received}
    assert len(sink.received) == len(by_id) == 4  # the alert and three escalations, each once
    for message in escalations:
        received = by_id[message.message_id]
        assert received.to == (message.to_email,)
        assert received.subject == f"{settings.CLINIC_NAME}: case {case.pk} is still unclaimed"
        assert case_url(case) in received.body("plain")
        assert_no_health_details(received, patient_words=("Maria", "Okafor", "1968"))
    case.refresh_from_db()
    assert case.escalation_level == 1
    assert case.escalate_at is not None and case.escalate_at > timezone.now()


def test_claiming_a_case_stops_its_escalation_and_cancels_the_escalation_not_yet_sent(
    outbox_stack: OutboxStack,
):
    on_duty = staff("olu", Role.CLINICIAN, email="olu@clinic.example", on_duty=True)
    staff("ffion", Role.CLINICIAN, email="ffion@clinic.example")
    staff("lena", Role.LEAD, email="lena@clinic.example")
    receptionist = staff("rita", Role.RECEPTION)

    with SmtpSink() as sink:
        worker = outbox_stack.start_worker(sink)
        case = submit_emergency(entered_by=receptionist).assessment.case
        [alert] = sent(outbox_stack, 1, kind=Message.Kind.CLINICIAN_ALERT)

        # Given an escalation queued while no worker is free to send it,
        worker.stop()
        Case.objects.filter(pk=case.pk).update(escalate_at=timezone.now() - timedelta(seconds=1))
        assert escalate_unclaimed_cases() == 1
        unsent = Message.objects.filter(kind=Message.Kind.ESCALATION)
        assert list(unsent.values_list("status", flat=True)) == [Message.Status.PENDING] * 3

        # when the clinician on duty claims the case,
        claim_case(case_id=case.pk, clinician=on_duty)

        # then the escalation is cancelled, and the case never escalates again.
        assert set(unsent.values_list("status", flat=True)) == {Message.Status.CANCELLED}
        Case.objects.filter(pk=case.pk).update(escalate_at=timezone.now() - timedelta(seconds=1))
        assert escalate_unclaimed_cases() == 0
        assert Message.objects.count() == 4

        # A worker takes the queued escalation's task, in order, before a later message: when
        # that message has arrived, the escalation has had its chance to go, and did not.
        outbox_stack.start_worker(sink)
        [later] = queue_alerts("after-the-claim")
        sent(outbox_stack, 1, pk=later.pk)
        assert dispatch_due_messages() == 0  # and nothing is left for the dispatcher

    assert sorted(r.message_id for r in sink.received) == sorted(
        [alert.message_id, later.message_id]
    )
    assert set(unsent.values_list("status", "attempts", "sent_at")) == {
        (Message.Status.CANCELLED, 0, None)
    }
