"""An emailed referral letter the outbox could not deliver is never shown as simply "sent": the
worklist puts it first, the referral and the case page say so, and the clinician can retry it
or print it for the patient instead. The letter is held for real here: a plain SMTP server (the
test sink) and no ALLOW_PLAIN_SMTP_FOR_LETTERS, so the outbox refuses to send health data in
the clear and marks it dead, exactly as a misconfigured clinic would see it."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from audit.models import AuditEvent
from outbox.models import Message
from outbox.services import send_messages
from referrals import services
from referrals.models import Referral
from tests.referrals.factories import make_case, make_destination
from tests.support.smtp_sink import SmtpSink

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]


@pytest.fixture
def sink():
    with SmtpSink() as server:
        yield server


def plain_smtp(sink: SmtpSink, *, allow: bool = False) -> override_settings:
    return override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=sink.port,
        EMAIL_USE_TLS=False,
        EMAIL_USE_SSL=False,
        EMAIL_TIMEOUT=5,
        ALLOW_PLAIN_SMTP_FOR_LETTERS=allow,
    )


def sent_referral(clinician) -> Referral:
    referral = services.draft_referral(
        case_id=make_case(unexplained_weight_loss=True).pk,
        destination_id=make_destination(name="Riverside MRI", email="mri@example.org").pk,
        clinician=clinician,
    )
    return services.send_referral(referral_id=referral.pk, by=clinician)


def held(referral: Referral, sink: SmtpSink) -> Message:
    letter = Message.objects.get(key=referral.letter_key)
    with plain_smtp(sink):
        send_messages(ids=[letter.pk])
    letter.refresh_from_db()
    assert letter.status == Message.Status.DEAD
    return letter


def sections(client: Client) -> dict[str, list[int]]:
    response = client.get(reverse("referrals:worklist"))
    assert response.status_code == 200
    return {s.slug: [r.pk for r in s.referrals] for s in response.context["sections"]}


def test_a_letter_still_queued_is_being_sent_and_one_given_up_is_not_delivered(
    clinician, sink
) -> None:
    referral = sent_referral(clinician)
    assert referral.letter_delivery == "sending"
    assert Referral.objects.with_letter_status().get().letter_status == Message.Status.PENDING

    held(referral, sink)

    referral = Referral.objects.get(pk=referral.pk)
    assert referral.status == Referral.Status.SENT  # the clinician did send it
    assert referral.letter_delivery == "undelivered"
    assert str(referral.letter_delivery_label) == "Letter NOT delivered"
    assert list(Referral.objects.undelivered()) == [referral]


def test_a_delivered_letter_is_simply_sent(clinician, sink) -> None:
    referral = sent_referral(clinician)
    with plain_smtp(sink, allow=True):
        send_messages(ids=[Message.objects.get(key=referral.letter_key).pk])
    assert len(sink.wait_for(1)) == 1
    referral = Referral.objects.get(pk=referral.pk)
    assert referral.letter_delivery == ""
    assert list(Referral.objects.undelivered()) == []


def test_the_worklist_puts_an_undelivered_letter_first_and_not_among_those_awaiting(
    clinician, clinician_client, sink
) -> None:
    waiting = sent_referral(clinician)
    lost = sent_referral(clinician)
    held(lost, sink)

    lists = sections(clinician_client)
    assert next(iter(lists)) == "undelivered"
    assert lists["undelivered"] == [lost.pk]
    assert lists["awaiting"] == [waiting.pk]
    page = clinician_client.get(reverse("referrals:worklist")).content.decode()
    assert "Letter not delivered: print it, retry it or phone" in page
    assert "Retry the letter" in page and "Print it instead" in page


def test_the_referral_and_the_case_page_say_the_letter_was_not_delivered(
    clinician, clinician_client, sink
) -> None:
    referral = sent_referral(clinician)
    held(referral, sink)

    for url in (
        reverse("referrals:referral_edit", args=[referral.pk]),
        reverse("triage:case_detail", args=[referral.case_id]),
    ):
        page = clinician_client.get(url).content.decode()
        assert "Letter NOT delivered" in page, url


def test_retrying_puts_the_dead_letter_back_in_the_queue_once_and_audits_it(
    clinician, clinician_client, sink
) -> None:
    referral = sent_referral(clinician)
    letter = held(referral, sink)

    response = clinician_client.post(
        reverse("referrals:referral_action", args=[referral.pk, "retry"])
    )
    assert response.status_code == 302
    letter.refresh_from_db()
    assert letter.status == Message.Status.PENDING
    assert Referral.objects.get(pk=referral.pk).letter_delivery == "sending"
    assert AuditEvent.objects.filter(
        record=f"referral {referral.pk}", actor=clinician, details__icontains="sent again"
    ).exists()
    with plain_smtp(sink, allow=True):
        send_messages(ids=[letter.pk])
    assert len(sink.wait_for(1)) == 1
    # a letter that is not dead has nothing to retry: refused with a message, nothing changes
    response = clinician_client.post(
        reverse("referrals:referral_action", args=[referral.pk, "retry"]), follow=True
    )
    assert "nothing to retry" in response.content.decode()
    assert Message.objects.filter(key=referral.letter_key).count() == 1


def test_printing_instead_hands_it_to_the_patient_and_cancels_the_dead_letter(
    clinician, clinician_client, sink
) -> None:
    referral = sent_referral(clinician)
    letter = held(referral, sink)
    expected = Referral.objects.get(pk=referral.pk).expected_by

    clinician_client.post(reverse("referrals:referral_action", args=[referral.pk, "print"]))

    referral = Referral.objects.get(pk=referral.pk)
    assert referral.status == Referral.Status.PRINTED
    assert referral.expected_by == expected  # the chase comes no later
    letter.refresh_from_db()
    assert letter.status == Message.Status.CANCELLED
    assert list(Referral.objects.undelivered()) == []


def test_a_letter_on_its_way_cannot_be_printed_instead(clinician) -> None:
    referral = sent_referral(clinician)
    with pytest.raises(services.ReferralError, match="not known to have failed"):
        services.mark_printed(referral_id=referral.pk, by=clinician)
    assert Referral.objects.get(pk=referral.pk).status == Referral.Status.SENT
