"""A clinic that is told, on the real stack: a real beat and worker on the test's own queue and
database, real Redis and PostgreSQL, an aiosmtpd sink.

- Beat stopped: the staff pages' banner appears within two intervals of the escalation check and
  goes when beat is back.
- SMTP refusing every alert: the case is marked and the next clinician is tried.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from clinic.roles import Role
from health.models import Heartbeat
from health.services import ESCALATIONS, problems
from outbox.models import Message
from tests.integration.outbox_stack import (
    OutboxStack,
    outbox_stack_fixture,  # noqa: F401 - the outbox_stack fixture
    staff,
    submit_emergency,
)
from tests.support.smtp_sink import SmtpSink
from triage.models import CaseActivity, FallbackClinician

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),  # the worker must see the committed rows
]

INTERVAL = 1  # seconds: every beat entry, in beat and as the banner reads the schedule
FAST_BEAT = {
    "OUTBOX_DISPATCH_SECONDS": str(INTERVAL),
    "ESCALATION_CHECK_SECONDS": str(INTERVAL),
    "PROGRAMME_MAIL_CHECK_SECONDS": str(INTERVAL),
}
BANNER = 'data-problem="escalations"'


@pytest.fixture
def fast_schedule(settings) -> Iterator[None]:  # type: ignore[no-untyped-def]
    schedule = copy.deepcopy(settings.CELERY_BEAT_SCHEDULE)
    for entry in schedule.values():
        entry["schedule"] = float(INTERVAL)
    settings.CELERY_BEAT_SCHEDULE = schedule
    yield


def staff_page(user: User) -> str:
    client = Client()
    client.force_login(user)  # reception: no second factor
    return client.get(reverse("patients:intake_new")).content.decode()


@pytest.mark.usefixtures("fast_schedule")
def test_beat_stopped_shows_the_banner_within_two_intervals_and_it_goes_when_beat_is_back(
    outbox_stack: OutboxStack,
):
    receptionist = staff("rita", Role.RECEPTION)
    with SmtpSink() as sink:
        outbox_stack.start_worker(sink)
        beat = outbox_stack.start_beat(**FAST_BEAT)
        outbox_stack.wait_until(
            lambda: (
                Heartbeat.objects.filter(name=ESCALATIONS, last_finished__isnull=False).exists()
                and not problems()
            ),
            "the escalation check to run on the worker, beat handing it out",
        )
        assert BANNER not in staff_page(receptionist)
        assert Heartbeat.objects.filter(name="beat").exists()
        assert Heartbeat.objects.filter(name__startswith="worker:").exists()

        beat.stop()
        # Two intervals of silence, then the banner; a few seconds' grace for the page.
        html = outbox_stack.wait_until(
            lambda: page if BANNER in (page := staff_page(receptionist)) else None,
            "the banner to say escalations have stopped",
            timeout=2 * INTERVAL + 5,
        )
        assert "Escalations have not run for" in html
        assert "watch the queue yourself and call the duty clinician for any emergency" in html

        outbox_stack.start_beat(**FAST_BEAT)
        outbox_stack.wait_until(
            lambda: BANNER not in staff_page(receptionist),
            "the banner to go once beat is back",
            timeout=30,
        )


@pytest.mark.usefixtures("fast_schedule")
def test_smtp_refusing_every_alert_marks_the_case_and_tries_the_next_clinician(
    outbox_stack: OutboxStack,
):
    olu = staff("olu", Role.CLINICIAN, email="olu@clinic.example", on_duty=True)
    ffion = staff("ffion", Role.CLINICIAN, email="ffion@clinic.example")
    FallbackClinician.objects.create(clinician=ffion, position=1)
    receptionist = staff("rita", Role.RECEPTION)

    with SmtpSink(refuse_all=True) as sink:
        outbox_stack.start_worker(sink, OUTBOX_MAX_ATTEMPTS="2", OUTBOX_MAX_RETRY_SECONDS="1")
        outbox_stack.start_beat(**FAST_BEAT)
        case = submit_emergency(entered_by=receptionist).assessment.case

        marked = outbox_stack.wait_until(
            lambda: CaseActivity.objects.filter(
                case=case, kind=CaseActivity.Kind.UNDELIVERED
            ).first(),
            "the case to be marked with the alert that could not be delivered",
        )
        instead = outbox_stack.wait_until(
            lambda: Message.objects.filter(case=case, recipient=ffion, attempts__gte=1).first(),
            "the next clinician's alert to be tried",
        )
        html = staff_page(receptionist)

    first = Message.objects.get(case=case, recipient=olu)
    assert first.status == Message.Status.DEAD
    assert marked.message_id == first.pk
    assert "Alerted instead: Ffion Staff." in marked.note
    assert instead.kind == Message.Kind.CLINICIAN_ALERT
    assert sink.received == [] and sink.refused >= 3  # olu twice, then ffion
    assert 'data-problem="alerts"' in html
