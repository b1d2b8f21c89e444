"""Letters with health data (a referral letter's PDF) leave only over an encrypted SMTP
connection. Against a real SMTP server (aiosmtpd, plain, as the test sink and the demo are): a
letter is held, dead with the reason on /outbox/, never silently sent, unless
ALLOW_PLAIN_SMTP_FOR_LETTERS says a plain relay will do; other mail in the batch still goes."""

from __future__ import annotations

import pytest
from django.core.mail.backends.locmem import EmailBackend as MemoryBackend
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend
from django.test import Client, override_settings
from django.urls import reverse

from outbox import checks
from outbox.models import Message
from outbox.services import (
    Email,
    Recipient,
    letters_may_leave_by,
    queue_emails,
    retry_dead_message,
    send_messages,
)
from tests.patients.helpers import make_user
from tests.support.smtp_sink import SmtpSink
from tests.support.two_factor import sign_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]

PDF = b"%PDF-1.7 a letter about a patient"


def smtp_to(server: SmtpSink, **more: object) -> override_settings:
    return override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=server.port,
        EMAIL_USE_TLS=False,
        EMAIL_USE_SSL=False,
        EMAIL_TIMEOUT=5,
        **more,
    )


@pytest.fixture
def sink():
    with SmtpSink() as server:
        yield server


def queue_letter_and_alert() -> tuple[Message, Message]:
    letter, alert = queue_emails(
        [
            Email(
                key="refletter.r1",
                kind=Message.Kind.REFERRAL_LETTER,
                to=Recipient(email="fracture.clinic@example.nhs.uk", name="Fracture clinic"),
                template="referral_letter",
                context={
                    "clinic_name": "Test Clinic",
                    "reference": "R-0001",
                    "destination_name": "Fracture clinic",
                },
                attachment=PDF,
                attachment_name="referral-R-0001.pdf",
                attachment_type="application/pdf",
            ),
            Email(
                key="alert.c7",
                kind=Message.Kind.CLINICIAN_ALERT,
                to=Recipient(email="ana@clinic.example"),
                template="clinician_alert",
                context={
                    "case_ref": 7,
                    "case_url": "http://clinic.example/triage/cases/7/",
                    "clinic_name": "Test Clinic",
                    "recipient_name": "Ana",
                },
            ),
        ]
    )
    return letter, alert


def test_a_letter_is_held_over_plain_smtp_and_the_rest_of_the_batch_goes(sink: SmtpSink) -> None:
    letter, alert = queue_letter_and_alert()

    with smtp_to(sink):
        assert send_messages(ids=[letter.pk, alert.pk]) == []

    assert [m.to for m in sink.received] == [("ana@clinic.example",)]
    letter.refresh_from_db()
    assert letter.status == Message.Status.DEAD
    assert letter.sent_at is None
    assert letter.last_error.startswith("Held, not sent: a letter with health data")
    assert "smtp+tls://" in letter.last_error
    assert (
        letter.attachment is not None and bytes(letter.attachment) == PDF
    )  # kept, to go once the connection is encrypted
    alert.refresh_from_db()
    assert alert.status == Message.Status.SENT

    # Staff see it on /outbox/, with the reason.
    client = Client()
    sign_in(client, make_user(role="clinician"))
    page = client.get(reverse("outbox:message_list")).content.decode()
    assert f'id="message-{letter.pk}"' in page
    assert "Held, not sent: a letter with health data leaves only over an encrypted" in page

    # Sending again does not send it either (dead is dead until someone retries it).
    with smtp_to(sink):
        send_messages(ids=[letter.pk])
    assert len(sink.received) == 1


def test_a_held_letter_goes_when_retried_over_an_allowed_connection(sink: SmtpSink) -> None:
    letter, _ = queue_letter_and_alert()
    with smtp_to(sink):
        send_messages(ids=[letter.pk])
    letter.refresh_from_db()
    assert letter.status == Message.Status.DEAD

    retry_dead_message(message_id=letter.pk)
    with smtp_to(sink, ALLOW_PLAIN_SMTP_FOR_LETTERS=True):
        assert send_messages(ids=[letter.pk]) == []

    [received] = sink.received
    assert received.to == ("fracture.clinic@example.nhs.uk",)
    [pdf] = [part for part in received.parsed.walk() if part.get_filename()]
    assert pdf.get_filename() == "referral-R-0001.pdf"
    assert pdf.get_payload(decode=True) == PDF
    letter.refresh_from_db()
    assert letter.status == Message.Status.SENT


def test_with_the_setting_a_plain_relay_takes_letters(sink: SmtpSink) -> None:
    letter, alert = queue_letter_and_alert()

    with smtp_to(sink, ALLOW_PLAIN_SMTP_FOR_LETTERS=True):
        assert send_messages(ids=[letter.pk, alert.pk]) == []

    assert len(sink.received) == 2
    assert set(Message.objects.values_list("status", flat=True)) == {Message.Status.SENT}


def test_which_connections_may_carry_a_letter(settings) -> None:
    settings.ALLOW_PLAIN_SMTP_FOR_LETTERS = False
    assert not letters_may_leave_by(SmtpBackend(host="mail.example", use_tls=False))
    assert letters_may_leave_by(SmtpBackend(host="mail.example", use_tls=True))  # STARTTLS
    assert letters_may_leave_by(SmtpBackend(host="mail.example", use_ssl=True))  # TLS
    assert letters_may_leave_by(MemoryBackend())  # nothing leaves the machine
    settings.ALLOW_PLAIN_SMTP_FOR_LETTERS = True
    assert letters_may_leave_by(SmtpBackend(host="mail.example", use_tls=False))


@pytest.mark.parametrize(
    ("tls", "ssl", "allow", "expected"),
    [
        (False, False, False, ["outbox.W002"]),  # letters would be held
        (False, False, True, ["outbox.W001"]),  # letters would leave in the clear
        (True, False, False, []),
        (False, True, False, []),
    ],
)
def test_the_deployment_check_names_plain_smtp(settings, tls, ssl, allow, expected) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_USE_TLS, settings.EMAIL_USE_SSL = tls, ssl
    settings.ALLOW_PLAIN_SMTP_FOR_LETTERS = allow

    assert [w.id for w in checks.letters_leave_encrypted()] == expected


def test_the_file_backend_of_the_embedded_demo_needs_no_check(settings) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    assert checks.letters_leave_encrypted() == []
