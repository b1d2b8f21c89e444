"""The programme's emails as queued in the outbox: what they carry, and what they must not."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.test import Client
from django.utils.html import escape

from outbox.models import Message
from programmes import services
from programmes.library import EXERCISES
from programmes.models import Programme
from tests.programmes.conftest import PATIENT_EMAIL

pytestmark = pytest.mark.django_db

# Words that would tell anyone glancing at a subject line about the patient's health.
HEALTH_WORDS = ("pain", "neck", "back", "spine", "kettlebell", "injury", "triage", "urgent", "flag")


def _page_path(body: str) -> str:
    match = re.search(re.escape(settings.SITE_URL) + r"(/p/[^/\s\"<]+/)", body)
    assert match, "no page link in the email"
    return match.group(1)


def _all_emails(programme: Programme) -> list[Message]:
    assert programme.next_reminder_at is not None
    services.queue_due_programme_emails(now=programme.next_reminder_at)
    week_one = programme.check_ins.get(week=1)
    services.queue_due_programme_emails(now=week_one.due_at)
    services.send_new_link(programme_id=programme.pk)
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
    names = [spec["name"].lower() for spec in EXERCISES]
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
    services.queue_due_programme_emails(now=programme.next_reminder_at)
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
    services.queue_due_programme_emails(now=week_one.due_at)
    message = Message.objects.get(kind=Message.Kind.CHECK_IN)

    assert "week 1 check-in" in message.body_text
    assert "safe and right for you" in message.body_text
    assert message.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert client.get(_page_path(message.body_html)).status_code == 200


def test_the_new_link_email_opens_the_page(client: Client, programme: Programme) -> None:
    services.send_new_link(programme_id=programme.pk)
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
