"""The programme's emails as queued in the outbox: what they carry, and what they must not."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.test import Client
from django.utils.html import escape

from outbox.models import Message
from programmes import emails, reminders
from programmes.core.library import EXERCISES, TEMPLATES
from programmes.models import Programme
from tests.programmes.conftest import PATIENT_EMAIL
from tests.programmes.helpers import prescribe, self_care_intake

pytestmark = pytest.mark.django_db

# Words that would tell anyone glancing at a subject line about the patient's health.
HEALTH_WORDS = ("pain", "neck", "back", "spine", "kettlebell", "injury", "triage", "urgent", "flag")


def _page_path(body: str) -> str:
    match = re.search(re.escape(settings.SITE_URL) + r"(/p/[^/\s\"<]+/)", body)
    assert match, "no page link in the email"
    return match.group(1)


def _all_emails(programme: Programme) -> list[Message]:
    assert programme.next_reminder_at is not None
    reminders.queue_due_programme_emails(now=programme.next_reminder_at)
    week_one = programme.check_ins.get(week=1)
    reminders.queue_due_programme_emails(now=week_one.due_at)
    reminders.send_new_link(programme_id=programme.pk)
    return list(Message.objects.filter(key__startswith=f"prg{programme.pk}."))


def test_subjects_carry_no_health_detail(programme: Programme) -> None:
    messages = _all_emails(programme)
    kinds = {message.kind for message in messages}
    assert {
        Message.Kind.PROGRAMME,
        Message.Kind.PROGRAMME_REMINDER,
        Message.Kind.CHECK_IN,
        Message.Kind.PROGRAMME_LINK,
    } <= kinds
    names = [spec.name.lower() for spec in EXERCISES]
    for message in messages:
        assert settings.CLINIC_NAME in message.subject
        # The clinic's own name may say "Spine"; only the rest of the subject is checked.
        subject = message.subject.replace(settings.CLINIC_NAME, "").lower()
        assert not [word for word in HEALTH_WORDS if word in subject], message.subject
        assert not [name for name in names if name in subject], message.subject
        assert programme.patient.given_name.lower() not in subject


def test_the_programme_email_carries_every_exercise_and_the_safety_net(
    programme: Programme,
) -> None:
    message = Message.objects.get(kind=Message.Kind.PROGRAMME)

    assert message.to_email == PATIENT_EMAIL
    items = [
        item
        for phase in programme.phases.prefetch_related("exercises__exercise")
        for item in phase.exercises.all()
    ]
    assert items
    for item in items:
        assert item.exercise.name in message.body_text
        assert escape(item.exercise.name) in message.body_html
        assert item.dose in message.body_text
    for line in programme.safety_net.splitlines():
        assert line in message.body_text
        assert escape(line) in message.body_html
    assert f"works for {settings.PROGRAMME_LINK_MAX_AGE.days} days" in message.body_text
    assert "/p/u/" in message.body_text  # how to unsubscribe


def test_the_programme_email_link_opens_the_page(client: Client, programme: Programme) -> None:
    message = Message.objects.get(kind=Message.Kind.PROGRAMME)

    for body in (message.body_text, message.body_html):
        response = client.get(_page_path(body))
        assert response.status_code == 200
        assert "Hello Ada" in response.content.decode()


def test_the_reminder_lists_today_s_exercises_and_has_one_click_unsubscribe(
    client: Client, programme: Programme
) -> None:
    assert programme.next_reminder_at is not None
    reminders.queue_due_programme_emails(now=programme.next_reminder_at)
    reminder = Message.objects.get(kind=Message.Kind.PROGRAMME_REMINDER)

    current = programme.phases.get(position=programme.current_phase)
    for item in current.exercises.select_related("exercise"):
        assert f"{item.exercise.name}: {item.dose}" in reminder.body_text
    assert reminder.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = reminder.headers["List-Unsubscribe"].strip("<>")
    assert url.startswith(settings.SITE_URL + "/p/u/")
    assert client.get(_page_path(reminder.body_text)).status_code == 200

    response = Client(enforce_csrf_checks=True).post(
        url.removeprefix(settings.SITE_URL),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    programme.refresh_from_db()
    assert programme.unsubscribed_at is not None


def test_the_check_in_email_says_why_and_links_to_the_page(
    client: Client, programme: Programme
) -> None:
    week_one = programme.check_ins.get(week=1)
    reminders.queue_due_programme_emails(now=week_one.due_at)
    message = Message.objects.get(kind=Message.Kind.CHECK_IN)

    assert "week 1 check-in" in message.body_text
    assert "safe and right for you" in message.body_text
    assert message.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert client.get(_page_path(message.body_html)).status_code == 200


def test_the_new_link_email_opens_the_page(client: Client, programme: Programme) -> None:
    reminders.send_new_link(programme_id=programme.pk)
    message = Message.objects.get(kind=Message.Kind.PROGRAMME_LINK)

    assert message.to_email == PATIENT_EMAIL
    assert client.get(_page_path(message.body_text)).status_code == 200


def test_the_review_email_carries_only_the_case_link(programme: Programme) -> None:
    context = {
        "clinic_name": settings.CLINIC_NAME,
        "recipient_name": "Carl Cole",
        "case_url": f"{settings.SITE_URL}/cases/{programme.case_id}/",
    }

    subject = render_to_string("outbox/email/programme_review_subject.txt", context)
    text = render_to_string("outbox/email/programme_review.txt", context)
    html = render_to_string("outbox/email/programme_review.html", context)

    assert "review" in subject.lower()
    for body in (subject, text, html):
        assert programme.patient.given_name not in body
        assert programme.patient.family_name not in body
        assert programme.name not in body
    assert context["case_url"] in text
    assert context["case_url"] in html


# The clinic's details as a deployment sets them, so that the emails are seen to read settings.
CLINIC_PHONE = "020 7946 0999"
CLINIC_ADDRESS = "Unit 4, Weir Yard|Millbrook|MB2 7QT"


@pytest.fixture
def clinic_settings(settings: Any) -> Any:
    settings.CLINIC_PHONE = CLINIC_PHONE
    settings.CLINIC_ADDRESS = CLINIC_ADDRESS
    return settings


def _has_clinic_details(body: str) -> bool:
    return all(
        part in body
        for part in (settings.CLINIC_NAME, CLINIC_PHONE, "Unit 4, Weir Yard, Millbrook, MB2 7QT")
    )


@pytest.mark.parametrize("slug", [spec.slug for spec in TEMPLATES])
def test_the_programme_email_is_short_a_dose_line_each_and_the_instructions_only_on_the_page(
    client: Client, clinic_settings: Any, slug: str
) -> None:
    # Given a programme from each of the library's templates (the largest has 3 phases of 7 or
    # 8 exercises), prescribed to a patient with email
    programme = prescribe(template=slug)

    # When its email is queued
    message = Message.objects.get(kind=Message.Kind.PROGRAMME, patient=programme.patient)

    # Then the plain text is short: the week plan, one line per exercise and phase, the
    # safety net, the clinic and the link; how to do each exercise is on the page, once
    text = message.body_text
    assert len(text) < 4000, len(text)
    plan = emails.week_plan(programme, emails.programme_plan(programme))
    assert "Training days: " in text
    for step in plan:
        assert f"Weeks {step.first_week} to {step.last_week} (" in text
        assert step.phase.name in text
        for item in step.phase.exercises.all():
            days = item.days_per_week
            line = (
                f"- {item.exercise.name}: {item.dose}, {days} day{'s' if days > 1 else ''} a week"
            )
            assert line in text, line
            assert item.exercise.setup not in text
            assert item.exercise.movement not in text
            assert escape(item.exercise.setup) not in message.body_html
    for line in programme.safety_net.splitlines():
        assert line in text
    assert _has_clinic_details(text)
    assert _has_clinic_details(html.unescape(message.body_html))
    assert client.get(_page_path(text)).status_code == 200


def test_every_patient_email_ends_with_the_clinic_s_name_address_and_phone(
    clinic_settings: Any, programme: Programme
) -> None:
    messages = _all_emails(programme)

    assert {message.kind for message in messages} == {
        Message.Kind.PROGRAMME,
        Message.Kind.PROGRAMME_REMINDER,
        Message.Kind.CHECK_IN,
        Message.Kind.PROGRAMME_LINK,
    }
    for message in messages:
        assert _has_clinic_details(message.body_text), message.kind
        assert _has_clinic_details(html.unescape(message.body_html)), message.kind
        assert 'href="tel:02079460999"' in message.body_html, message.kind
        # The subject names the clinic, nothing else of it.
        assert CLINIC_PHONE not in message.subject


def test_a_patient_without_email_is_sent_no_programme_email_reminder_or_check_in() -> None:
    # Given a patient who gave no email address, prescribed a programme
    intake = self_care_intake()
    intake.patient.email = ""
    intake.patient.email_consent = False
    intake.patient.save()
    programme = prescribe(intake=intake)

    # When the reminders and the week-1 check-in fall due
    assert programme.next_reminder_at is not None
    reminders.queue_due_programme_emails(now=programme.next_reminder_at)
    reminders.queue_due_programme_emails(now=programme.check_ins.get(week=1).due_at)

    # Then nothing was queued for them (they have the printed handout)
    assert not Message.objects.filter(key__startswith=f"prg{programme.pk}.").exists()
