"""The retention rule: a message sent more than OUTBOX_RETENTION_DAYS ago loses its bodies,
attachment and headers, and keeps who it went to, what kind and when. Run on the test's clock
from fixed instants; the beat entry, the task and the command all call the one service."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse

from outbox import services, tasks
from outbox.models import Message
from tests.outbox.helpers import BODY, make_dead, make_message, make_sent
from tests.patients.helpers import make_user
from tests.support.clock import ACROSS_THE_WEEK, Clock
from tests.support.two_factor import sign_in

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7 a referral letter"
HEADERS = {"List-Unsubscribe": "<https://clinic.example/p/u/secret/>"}


def sent_days_ago(clock: Clock, days: float, **fields: object) -> Message:
    return make_sent(
        sent_at=clock.now - timedelta(days=days),
        created_at=clock.now - timedelta(days=days),
        kind=Message.Kind.REFERRAL_LETTER,
        attachment=PDF,
        attachment_name="referral-R1.pdf",
        attachment_type="application/pdf",
        headers=HEADERS,
        **fields,
    )


def blanked(message: Message) -> bool:
    message.refresh_from_db()
    return (
        message.body_text == ""
        and message.body_html == ""
        and message.attachment is None
        and message.headers == {}
        and message.content_removed_at is not None
    )


@pytest.mark.parametrize("clock", ACROSS_THE_WEEK, indirect=True)
def test_old_sent_messages_lose_their_content_and_keep_who_what_and_when(clock: Clock) -> None:
    days = settings.OUTBOX_RETENTION_DAYS
    old = sent_days_ago(clock, days + 1, to_email="gp@example.nhs.uk", to_name="Dr Gee")
    just_over = sent_days_ago(clock, days, to_email="x@example.org")  # the cutoff itself
    Message.objects.filter(pk=just_over.pk).update(
        sent_at=clock.now - timedelta(days=days, seconds=1)
    )
    at_the_cutoff = sent_days_ago(clock, days)
    recent = sent_days_ago(clock, days - 1)
    waiting = make_message(created_at=clock.now - timedelta(days=days + 5))
    dead = make_dead(created_at=clock.now - timedelta(days=days + 5))

    assert services.remove_old_content() == 2

    assert blanked(old) and blanked(just_over)
    assert old.content_removed_at == clock.now
    kept = (old.to_email, old.to_name, old.kind, old.status, old.attachment_name)
    assert kept == (
        "gp@example.nhs.uk",
        "Dr Gee",
        Message.Kind.REFERRAL_LETTER,
        Message.Status.SENT,
        "referral-R1.pdf",
    )
    assert old.sent_at == clock.now - timedelta(days=days + 1)
    assert old.subject  # subjects carry no health detail
    for untouched in (at_the_cutoff, recent, waiting, dead):
        untouched.refresh_from_db()
        assert untouched.body_text == BODY and untouched.content_removed_at is None
    recent.refresh_from_db()
    assert recent.attachment is not None and bytes(recent.attachment) == PDF
    assert recent.headers == HEADERS


def test_running_it_again_changes_nothing_and_a_message_ages_into_it(clock: Clock) -> None:
    days = settings.OUTBOX_RETENTION_DAYS
    old = sent_days_ago(clock, days + 3)
    younger = sent_days_ago(clock, days - 2)
    assert services.remove_old_content() == 1
    first = Message.objects.get(pk=old.pk).content_removed_at

    clock.advance(timedelta(hours=1))
    assert services.remove_old_content() == 0
    assert Message.objects.get(pk=old.pk).content_removed_at == first
    assert not blanked(younger)

    clock.advance(timedelta(days=2))
    assert services.remove_old_content() == 1
    assert blanked(younger)
    assert services.remove_old_content() == 0


def test_cancelled_messages_go_the_same_way(clock: Clock) -> None:
    days = settings.OUTBOX_RETENTION_DAYS
    cancelled = make_message(status=Message.Status.CANCELLED, headers=HEADERS)
    clock.advance(timedelta(days=days + 1))

    assert services.remove_old_content() == 1
    assert blanked(cancelled)


@override_settings(OUTBOX_RETENTION_DAYS=7)
def test_the_number_of_days_is_a_setting_and_batches_cover_every_row(clock: Clock) -> None:
    rows = [sent_days_ago(clock, 8) for _ in range(5)]
    kept = sent_days_ago(clock, 6)

    assert services.remove_old_content(batch=2) == 5

    assert all(blanked(row) for row in rows)
    assert not blanked(kept)


def test_the_beat_entry_the_task_and_the_command_run_the_rule(clock: Clock) -> None:
    entry = settings.CELERY_BEAT_SCHEDULE["outbox-remove-old-content"]
    assert entry["task"] == tasks.remove_old_content.name == "outbox.remove_old_content"
    days = settings.OUTBOX_RETENTION_DAYS
    by_task = sent_days_ago(clock, days + 1)

    tasks.remove_old_content.apply()
    assert blanked(by_task)

    again = sent_days_ago(clock, days + 4)
    out = StringIO()
    call_command("outbox", "expire", stdout=out)
    assert blanked(again)
    assert out.getvalue().startswith(f"1 message(s) older than {days} days")


def test_the_admin_says_the_body_was_removed(client: Client, clock: Clock) -> None:
    old = sent_days_ago(clock, settings.OUTBOX_RETENTION_DAYS + 1)
    services.remove_old_content()
    sign_in(client, make_user(role=None, is_staff=True, is_superuser=True))

    page = client.get(reverse("admin:outbox_message_change", args=[old.pk]))

    assert page.status_code == 200
    assert "Removed under the retention rule" in page.content.decode()
