"""Referrals from draft to completed: rows, statuses, the letter, the outbox and the reminder."""

from __future__ import annotations

import subprocess
from datetime import datetime, time, timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from outbox.models import Message
from outbox.services import send_messages
from referrals import services
from referrals.models import Destination, Referral, expected_by
from tests.referrals.factories import make_case, make_destination
from triage.models import Urgency

pytestmark = pytest.mark.django_db


def draft(case, destination, clinician, **kwargs) -> Referral:
    return services.draft_referral(
        case_id=case.pk, destination_id=destination.pk, clinician=clinician, **kwargs
    )


def test_the_migration_seeds_every_kind_of_destination_with_placeholder_contacts():
    seeded = Destination.objects.filter(email__endswith="@example.org")
    assert set(seeded.values_list("kind", flat=True)) == set(Destination.Kind.values)


def test_a_draft_letter_is_written_from_the_patient_the_answers_and_the_fired_rules(clinician):
    case = make_case(unexplained_weight_loss=True, history_of_cancer=True)

    referral = draft(case, make_destination(), clinician)

    assert referral.status == Referral.Status.DRAFT
    assert referral.urgency == case.urgency
    assert referral.referred_by == clinician
    assert "Maria Okafor" in referral.letter
    fired = [rule for rule in case.latest_assessment.rules if rule["urgency"]]
    assert fired
    for rule in fired:  # weak flags are findings in the prose (tests/referrals/test_letters.py)
        assert rule["reason"] in referral.letter
    assert "Carl Cole" in referral.letter
    assert referral.sent_at is None and referral.expected_by is None


def test_a_self_care_case_is_referred_as_routine(clinician):
    case = make_case()
    assert case.urgency == Urgency.SELF_CARE

    assert draft(case, make_destination(), clinician).urgency == Urgency.ROUTINE


def test_a_case_has_one_live_referral_per_destination(clinician):
    case = make_case(chest_pain=True)
    destination = make_destination()
    first = draft(case, destination, clinician)

    with pytest.raises(services.ReferralError, match="already has a live referral"):
        draft(case, destination, clinician)
    assert draft(case, make_destination(), clinician)  # another destination is fine

    services.cancel_referral(referral_id=first.pk)
    again = draft(case, destination, clinician)
    assert again.status == Referral.Status.DRAFT


def test_the_database_refuses_a_second_live_referral_to_the_same_destination(clinician):
    case = make_case()
    destination = make_destination()
    first = draft(case, destination, clinician)

    with pytest.raises(IntegrityError), transaction.atomic():
        Referral.objects.create(
            case=case,
            destination=destination,
            referred_by=clinician,
            urgency=first.urgency,
            letter="x",
            status=Referral.Status.ACKNOWLEDGED,
        )


@pytest.mark.parametrize(
    ("urgency", "days"),
    [(Urgency.EMERGENCY, 0), (Urgency.URGENT, 1), (Urgency.SOON, 7), (Urgency.ROUTINE, 28)],
)
def test_expected_by_is_the_end_of_the_clinic_day_the_urgency_allows(urgency, days):
    sent = datetime(2026, 3, 2, 9, 30, tzinfo=timezone.get_current_timezone())

    due = expected_by(urgency, sent)

    assert timezone.localtime(due).date() == sent.date() + timedelta(days=days)
    assert timezone.localtime(due).time() == time(23, 59)


def test_sending_stores_the_pdf_and_queues_the_letter_and_the_reminder(clinician):
    case = make_case(unexplained_weight_loss=True)
    destination = make_destination(name="Riverside MRI", email="mri@example.org")
    referral = draft(case, destination, clinician, urgency=Urgency.SOON)

    referral = services.send_referral(referral_id=referral.pk)

    referral.refresh_from_db()
    assert referral.status == Referral.Status.SENT
    assert bytes(referral.letter_pdf).startswith(b"%PDF")
    assert referral.expected_by == expected_by(Urgency.SOON, referral.sent_at)
    letter = Message.objects.get(key=f"refletter.r{referral.pk}")
    assert letter.kind == Message.Kind.REFERRAL_LETTER
    assert letter.to_email == "mri@example.org"
    assert letter.subject == f"Referral from {settings.CLINIC_NAME}, ref R-{referral.pk}"
    assert "attached" in letter.body_text
    for health_detail in ("Maria", "Okafor", "weight"):
        assert health_detail not in letter.subject
        assert health_detail not in letter.body_text
    assert bytes(letter.attachment) == bytes(referral.letter_pdf)
    assert letter.attachment_name == f"referral-R-{referral.pk}.pdf"
    assert letter.attachment_type == "application/pdf"
    assert letter.case_id == case.pk
    reminder = Message.objects.get(key=f"refrem.r{referral.pk}")
    assert reminder.kind == Message.Kind.REFERRAL_REMINDER
    assert reminder.to_email == "carl@example.org"
    assert reminder.due_at == referral.expected_by
    assert reminder.status == Message.Status.PENDING
    assert "Okafor" not in reminder.subject + reminder.body_text


def test_the_outbox_sends_the_letter_with_the_pdf_attached(clinician, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    referral = draft(make_case(), make_destination(email="gp@example.org"), clinician)
    services.send_referral(referral_id=referral.pk)
    letter = Message.objects.get(key=f"refletter.r{referral.pk}")

    assert send_messages(ids=[letter.pk]) == []

    (sent,) = mail.outbox
    assert sent.to == [f"{referral.destination.name} <gp@example.org>"]
    assert sent.subject == f"Referral from {settings.CLINIC_NAME}, ref R-{referral.pk}"
    ((name, content, mimetype),) = sent.attachments
    assert name == f"referral-R-{referral.pk}.pdf"
    assert mimetype == "application/pdf"
    assert content.startswith(b"%PDF")


def test_a_destination_without_email_cannot_be_sent_to_but_can_be_printed(clinician):
    referral = draft(make_case(), make_destination(email=""), clinician)

    with pytest.raises(services.ReferralError, match="print"):
        services.send_referral(referral_id=referral.pk)
    services.mark_printed(referral_id=referral.pk)

    referral.refresh_from_db()
    assert referral.status == Referral.Status.PRINTED
    assert bytes(referral.letter_pdf).startswith(b"%PDF")
    assert not Message.objects.filter(key=f"refletter.r{referral.pk}").exists()
    assert Message.objects.get(key=f"refrem.r{referral.pk}").due_at == referral.expected_by


@pytest.mark.parametrize(
    "finish",
    [services.acknowledge_referral, services.complete_referral, services.cancel_referral],
)
def test_an_answered_or_cancelled_referral_cancels_its_reminder(clinician, finish):
    referral = draft(make_case(), make_destination(), clinician)
    services.send_referral(referral_id=referral.pk)

    finish(referral_id=referral.pk)

    reminder = Message.objects.get(key=f"refrem.r{referral.pk}")
    assert reminder.status == Message.Status.CANCELLED


def test_a_referral_moves_from_sent_to_acknowledged_to_completed(clinician):
    referral = draft(make_case(), make_destination(), clinician)
    services.send_referral(referral_id=referral.pk)

    services.acknowledge_referral(referral_id=referral.pk)
    services.complete_referral(referral_id=referral.pk)

    referral.refresh_from_db()
    assert referral.status == Referral.Status.COMPLETED
    assert referral.acknowledged_at and referral.completed_at
    assert not referral.is_overdue(referral.expected_by + timedelta(days=1))


def test_steps_out_of_order_are_refused(clinician):
    referral = draft(make_case(), make_destination(), clinician)

    with pytest.raises(services.ReferralError, match="cannot be acknowledged"):
        services.acknowledge_referral(referral_id=referral.pk)
    services.send_referral(referral_id=referral.pk)
    with pytest.raises(services.ReferralError, match="cannot be sent"):
        services.send_referral(referral_id=referral.pk)
    with pytest.raises(services.ReferralError, match="cannot be edited"):
        services.update_letter(referral_id=referral.pk, letter="changed")
    services.cancel_referral(referral_id=referral.pk)
    with pytest.raises(services.ReferralError, match="cannot be completed"):
        services.complete_referral(referral_id=referral.pk)


def test_the_clinician_edits_a_draft_and_the_edit_is_what_is_sent(clinician):
    referral = draft(make_case(), make_destination(), clinician)

    services.update_letter(
        referral_id=referral.pk,
        letter="Dear colleague,\nPlease see her soon.",
        urgency=Urgency.URGENT,
    )

    referral.refresh_from_db()
    assert referral.letter == "Dear colleague,\nPlease see her soon."
    assert referral.urgency == Urgency.URGENT


def test_a_referral_not_acknowledged_by_its_expected_by_date_is_overdue(clinician):
    referral = draft(make_case(), make_destination(), clinician)
    services.send_referral(referral_id=referral.pk)
    referral.refresh_from_db()
    later = referral.expected_by + timedelta(minutes=1)

    assert not referral.is_overdue(referral.expected_by - timedelta(minutes=1))
    assert referral.is_overdue(later)
    assert list(Referral.objects.overdue(later)) == [referral]
    services.acknowledge_referral(referral_id=referral.pk)
    assert list(Referral.objects.overdue(later)) == []


def test_for_case_lists_a_cases_referrals_newest_first(clinician):
    case = make_case()
    first = draft(case, make_destination(), clinician)
    second = draft(case, make_destination(), clinician)
    draft(make_case(family_name="Other"), make_destination(), clinician)

    assert list(Referral.objects.for_case(case.pk)) == [second, first]


def test_the_pdf_carries_the_patients_name_and_the_letterhead(clinician):
    referral = draft(
        make_case(given_name="Ngozi", family_name="Adeyemi"), make_destination(), clinician
    )
    services.mark_printed(referral_id=referral.pk)
    referral.refresh_from_db()

    text = subprocess.run(
        ["pdftotext", "-", "-"], input=bytes(referral.letter_pdf), capture_output=True, check=True
    ).stdout.decode()

    assert "Ngozi Adeyemi" in text
    assert settings.CLINIC_NAME in text
    assert f"R-{referral.pk}" in text


def test_sending_a_referral_records_the_decision_with_its_safety_net(clinician):
    from triage.models import CaseDecision

    referral = draft(make_case(), make_destination(), clinician)
    services.mark_printed(referral_id=referral.pk)
    decision = CaseDecision.objects.get(case=referral.case)
    assert decision.kind == CaseDecision.Kind.REFERRED
    assert decision.by == clinician
    assert referral.reference in decision.note
    assert "999" in decision.safety_net
