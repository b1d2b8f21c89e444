"""An alert that cannot be delivered is not left in the outbox: the case shows it, the queue
marks the case, and the next clinician on the rota or the fallback list is tried."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from outbox.models import Message
from tests.patients.helpers import make_intake, make_user
from tests.support.clock import Clock
from tests.support.factories import ClinicianFactory
from tests.support.two_factor import sign_in
from triage.models import Case, CaseActivity
from triage.services import claim_case, mark_undelivered_alerts

pytestmark = pytest.mark.django_db


def clinician(name: str, *, on_duty: bool = False, fallback: int | None = None) -> User:
    return ClinicianFactory(
        first_name=name.title(),
        last_name="Staff",
        email=f"{name}@c.example",
        on_duty=on_duty,
        fallback=fallback,
    )


@pytest.fixture
def team() -> dict[str, User]:
    return {
        "olu": clinician("olu", on_duty=True),
        "ffion": clinician("ffion", fallback=1),
        "gus": clinician("gus"),
    }


def emergency() -> Case:
    reception = make_user(role="reception")
    return make_intake(entered_by=reception, bladder_or_bowel_change=True).assessment.case


def alerts(case: Case) -> list[Message]:
    return list(Message.objects.filter(case=case, kind=Message.Kind.CLINICIAN_ALERT).order_by("pk"))


def refuse(message: Message, status: str = Message.Status.DEAD) -> None:
    Message.objects.filter(pk=message.pk).update(
        status=status, attempts=8, last_error="SMTPDataError: (451, b'Try again later')"
    )


def test_a_dead_alert_is_marked_on_its_case_and_the_fallback_clinician_is_alerted(
    clock: Clock, team: dict[str, User]
):
    case = emergency()
    [first] = alerts(case)
    assert first.recipient == team["olu"]
    refuse(first)

    assert mark_undelivered_alerts() == 1

    [marked] = CaseActivity.objects.filter(case=case, kind=CaseActivity.Kind.UNDELIVERED)
    assert marked.message_id == first.pk
    assert marked.at == clock.now
    assert marked.note == ("To Olu Staff: Dead after 8 attempt(s). Alerted instead: Ffion Staff.")
    [_, instead] = alerts(case)
    assert instead.recipient == team["ffion"]
    assert instead.key == f"alert.c{case.pk}.next.u{team['ffion'].pk}"
    assert instead.status == Message.Status.PENDING


def test_marking_twice_marks_once_and_alerts_once(clock: Clock, team: dict[str, User]):
    case = emergency()
    refuse(alerts(case)[0])
    assert mark_undelivered_alerts() == 1
    assert mark_undelivered_alerts() == 0
    assert CaseActivity.objects.filter(kind=CaseActivity.Kind.UNDELIVERED).count() == 1
    assert len(alerts(case)) == 2


def test_each_undelivered_alert_tries_the_next_clinician_not_yet_tried_then_the_last_resort(
    clock: Clock, team: dict[str, User], settings
):
    settings.ALERT_LAST_RESORT_EMAIL = "duty-phone@c.example"
    case = emergency()
    tried = []
    for _ in range(4):
        message = alerts(case)[-1]
        tried.append(message.to_email)
        refuse(message)
        mark_undelivered_alerts()

    assert tried == ["olu@c.example", "ffion@c.example", "gus@c.example", "duty-phone@c.example"]
    last = CaseActivity.objects.filter(kind=CaseActivity.Kind.UNDELIVERED).order_by("pk").last()
    assert last is not None
    assert last.note.endswith("Nobody is left to try: phone the duty clinician.")
    assert len(alerts(case)) == 4


def test_a_failing_alert_counts_as_undelivered_only_past_the_deadline(
    clock: Clock, team: dict[str, User]
):
    case = emergency()
    refuse(alerts(case)[0], status=Message.Status.FAILED)
    clock.advance(timedelta(minutes=1, seconds=59))
    assert mark_undelivered_alerts() == 0
    clock.advance(timedelta(seconds=2))  # ALERT_UNDELIVERED_MINUTES: 2
    assert mark_undelivered_alerts() == 1
    assert alerts(case)[-1].recipient == team["ffion"]


def test_a_claimed_case_is_marked_but_nobody_else_is_alerted(clock: Clock, team: dict[str, User]):
    case = emergency()
    claim_case(case_id=case.pk, clinician=team["gus"])
    refuse(alerts(case)[0])
    assert mark_undelivered_alerts() == 1
    assert len(alerts(case)) == 1
    marked = CaseActivity.objects.get(kind=CaseActivity.Kind.UNDELIVERED)
    assert "Alerted instead" not in marked.note


def test_the_queue_marks_the_case_and_the_case_page_shows_it(clock: Clock, team: dict[str, User]):
    case = emergency()
    other = emergency()
    refuse(alerts(case)[0])
    mark_undelivered_alerts()
    client = sign_in(Client(), team["gus"])

    queue = client.get(reverse("triage:queue"))
    rows = {row.case.pk: row for row in queue.context["rows"]}
    assert rows[case.pk].alert_undelivered is True
    assert rows[other.pk].alert_undelivered is False
    assert queue.content.decode().count('class="alert-undelivered">Alert not delivered<') == 1

    page = client.get(reverse("triage:case_detail", args=[case.pk])).content.decode()
    assert "An alert about this case could not be delivered." in page
    assert "Nobody may have been told: claim it or phone the duty clinician." in page
    assert "To Olu Staff: Dead after 8 attempt(s). Alerted instead: Ffion Staff." in page
    assert 'data-kind="undelivered"' in page  # on the timeline too
