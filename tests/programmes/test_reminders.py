"""Reminders and check-ins become outbox rows when they fall due, once each; pausing,
unsubscribing and a hold stop them at once, up to the moment of sending.

The tests run on the test's clock; those whose answer turns on the hour, the weekday or a clock
change run from fixed instants across the week and either side of the clock changes."""

from __future__ import annotations

import threading
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from outbox.models import Message
from programmes import reminders
from programmes.core import schedule
from programmes.history import ProgrammeRefused
from programmes.models import CheckIn, Programme, ProgrammeEvent
from tests.programmes.helpers import prescribe
from tests.support.clock import ACROSS_THE_WEEK, ACROSS_THE_WEEK_AND_NEW_YORK, Clock

pytestmark = pytest.mark.django_db

REMINDER = Message.Kind.PROGRAMME_REMINDER


def queued_reminders(programme: Programme) -> list[Message]:
    return list(
        Message.objects.filter(kind=REMINDER, key__startswith=f"prg{programme.pk}.").order_by(
            "due_at", "id"
        )
    )


def training_moments(programme: Programme, *, after: datetime, until: datetime) -> list[datetime]:
    """Every reminder the programme's days and time give after `after` up to `until`, worked
    out day by day in the patient's zone."""
    tz = programme.tz
    first, last = after.astimezone(tz).date(), until.astimezone(tz).date()
    days = (first + timedelta(days=n) for n in range((last - first).days + 1))
    moments = (
        schedule.local_moment(day, programme.reminder_time, tz)
        for day in days
        if day.weekday() in programme.training_days
        and programme.start_date <= day < programme.end_date
    )
    return [moment for moment in moments if after < moment <= until]


def next_training_moment(programme: Programme, *, after: datetime) -> datetime:
    return training_moments(programme, after=after, until=after + timedelta(weeks=2))[0]


@pytest.mark.parametrize("clock", ACROSS_THE_WEEK, indirect=True)
def test_prescribing_schedules_the_first_reminder_and_the_check_ins(clock: Clock) -> None:
    programme = prescribe()
    assert programme.next_reminder_at is not None
    local = programme.next_reminder_at.astimezone(programme.tz)
    assert local.weekday() in programme.training_days
    assert local.time() == programme.reminder_time
    assert local.date() >= programme.start_date
    assert programme.next_reminder_at == next_training_moment(programme, after=clock.now)
    weeks = list(programme.check_ins.values_list("week", "asks_ndi"))
    assert weeks == [(0, True), (1, False), (2, False), (4, False), (6, True)]
    # The starting questionnaire comes with the programme email, not an email of its own.
    assert programme.check_ins.get(week=0).sent_at is not None


@pytest.mark.parametrize("clock", ACROSS_THE_WEEK, indirect=True)
def test_a_due_reminder_is_queued_once_however_often_the_beat_runs(clock: Clock) -> None:
    programme = prescribe()
    due = programme.next_reminder_at
    assert due is not None

    assert reminders.queue_due_programme_emails(now=due - timedelta(minutes=1)) == 0
    assert reminders.queue_due_programme_emails(now=due + timedelta(seconds=30)) == 1
    assert reminders.queue_due_programme_emails(now=due + timedelta(seconds=40)) == 0

    [message] = queued_reminders(programme)
    assert message.to_email == "ada@example.org"
    assert message.headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    programme.refresh_from_db()
    assert programme.next_reminder_at is not None and programme.next_reminder_at > due


def test_six_weeks_of_beats_send_each_reminder_and_each_check_in_once() -> None:
    programme = prescribe()
    now = timezone.now()
    for _ in range(2):  # every beat twice: a second run changes nothing
        moment = now
        while moment < now + timedelta(weeks=7):
            reminders.queue_due_programme_emails(now=moment)
            reminders.queue_due_programme_emails(now=moment)
            moment += timedelta(hours=6)
    sent_days = [m.key.rsplit(".", 1)[1] for m in queued_reminders(programme)]
    assert len(sent_days) == len(set(sent_days)) == len(programme.training_days) * 6
    check_ins = Message.objects.filter(kind=Message.Kind.CHECK_IN).order_by("key")
    assert [m.key for m in check_ins] == [f"prg{programme.pk}.ci.w{week}" for week in (1, 2, 4, 6)]
    assert CheckIn.objects.filter(programme=programme, sent_at__isnull=True).count() == 0


@pytest.mark.parametrize("clock", ACROSS_THE_WEEK, indirect=True)
def test_a_reminder_long_overdue_after_an_outage_is_skipped_not_sent_on_the_wrong_day(
    clock: Clock,
) -> None:
    programme = prescribe()
    due = programme.next_reminder_at
    assert due is not None
    reminders.queue_due_programme_emails(now=due + timedelta(hours=7))
    assert queued_reminders(programme) == []
    programme.refresh_from_db()
    assert programme.next_reminder_at is not None and programme.next_reminder_at > due


@pytest.mark.parametrize("clock", ACROSS_THE_WEEK_AND_NEW_YORK, indirect=True)
def test_reminders_on_the_chosen_days_fall_due_at_the_chosen_time_in_the_patients_zone(
    clock: Clock,
) -> None:
    # Given a programme starting today whose patient chose Tuesdays and Saturdays at 07:30 in
    # New York
    programme = reminders.choose_schedule(
        programme_id=prescribe(start=timezone.localdate()).pk,
        training_days=[1, 5],
        reminder_time=time(7, 30),
        time_zone="America/New_York",
    )
    expected = training_moments(programme, after=clock.now, until=clock.now + timedelta(weeks=2))
    assert len(expected) >= 3

    # When beat runs just before and at each of the next two weeks' reminders
    for n, due in enumerate(expected):
        reminders.queue_due_programme_emails(now=due - timedelta(seconds=1))
        assert len(queued_reminders(programme)) == n, f"reminder {n + 1} came before {due}"
        reminders.queue_due_programme_emails(now=due)
        assert len(queued_reminders(programme)) == n + 1, f"reminder {n + 1} did not come at {due}"

    # Then each became a row on its own day, at once, and the next is the one after them
    assert [m.key for m in queued_reminders(programme)] == [
        f"prg{programme.pk}.rem.{due.astimezone(programme.tz):%Y%m%d}" for due in expected
    ]
    programme.refresh_from_db()
    assert programme.next_reminder_at == next_training_moment(programme, after=expected[-1])


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_reminder_passed_over_while_its_email_is_being_sent_goes_at_the_next_beat() -> None:
    # Given a reminder due, and the worker sending the programme's welcome email: the send-time
    # check holds the programme's row until the send is recorded
    programme = prescribe()
    due = programme.next_reminder_at
    assert due is not None
    welcome = Message.objects.get(
        kind=Message.Kind.PROGRAMME, key__startswith=f"prg{programme.pk}."
    )
    holding, sent = threading.Event(), threading.Event()

    def send_welcome() -> None:
        try:
            with transaction.atomic():
                assert reminders.still_wanted(welcome)
                holding.set()
                sent.wait(timeout=10)
        finally:
            connections.close_all()

    sender = threading.Thread(target=send_welcome)
    sender.start()
    try:
        assert holding.wait(timeout=10)

        # When beat runs at the reminder's moment: it passes over the row it cannot lock
        reminders.queue_due_programme_emails(now=due)
        assert queued_reminders(programme) == []
    finally:
        sent.set()
        sender.join(timeout=10)

    # Then the reminder is still due, not moved on or dropped, and the next run queues it
    programme.refresh_from_db()
    assert programme.next_reminder_at == due
    reminders.queue_due_programme_emails(now=due + timedelta(minutes=1))
    [reminder] = queued_reminders(programme)
    assert reminder.key == f"prg{programme.pk}.rem.{due.astimezone(programme.tz):%Y%m%d}"


def test_pausing_stops_reminders_and_cancels_the_one_waiting() -> None:
    programme = prescribe()
    due = programme.next_reminder_at
    assert due is not None
    reminders.queue_due_programme_emails(now=due)
    [waiting] = queued_reminders(programme)

    reminders.pause_reminders(programme_id=programme.pk)

    waiting.refresh_from_db()
    assert waiting.status == Message.Status.CANCELLED
    assert reminders.queue_due_programme_emails(now=due + timedelta(days=8)) >= 0
    assert len(queued_reminders(programme)) == 1
    reminders.resume_reminders(programme_id=programme.pk)
    programme.refresh_from_db()
    assert programme.next_reminder_at is not None


def test_unsubscribing_stops_reminders_and_check_ins_and_is_recorded() -> None:
    programme = prescribe()
    due = programme.next_reminder_at
    assert due is not None
    reminders.queue_due_programme_emails(now=due)

    reminders.unsubscribe(programme_id=programme.pk)

    programme.refresh_from_db()
    assert programme.unsubscribed_at is not None and programme.next_reminder_at is None
    assert {m.status for m in queued_reminders(programme)} == {Message.Status.CANCELLED}
    reminders.queue_due_programme_emails(now=due + timedelta(weeks=7))
    assert not Message.objects.filter(kind=Message.Kind.CHECK_IN).exists()
    assert programme.events.filter(kind=ProgrammeEvent.Kind.UNSUBSCRIBED, by_patient=True).exists()


def test_the_send_time_check_refuses_a_reminder_once_the_patient_has_unsubscribed() -> None:
    programme = prescribe()
    due = programme.next_reminder_at
    assert due is not None
    reminders.queue_due_programme_emails(now=due)
    [message] = queued_reminders(programme)
    welcome = Message.objects.get(kind=Message.Kind.PROGRAMME)
    assert reminders.still_wanted(message) and reminders.still_wanted(welcome)

    Programme.objects.filter(pk=programme.pk).update(reminders_paused=True)
    assert not reminders.still_wanted(message)
    assert reminders.still_wanted(welcome)  # pausing reminders keeps the programme itself

    Programme.objects.filter(pk=programme.pk).update(unsubscribed_at=timezone.now())
    assert not reminders.still_wanted(welcome)


@pytest.mark.parametrize("clock", ACROSS_THE_WEEK_AND_NEW_YORK, indirect=True)
def test_changing_training_days_and_time_moves_the_next_reminder_at_once(clock: Clock) -> None:
    programme = prescribe()
    reminders.choose_schedule(
        programme_id=programme.pk,
        training_days=[5, 6],
        reminder_time=time(7, 15),
        time_zone="America/New_York",
    )
    programme.refresh_from_db()
    assert programme.next_reminder_at is not None
    local = programme.next_reminder_at.astimezone(programme.tz)
    assert (local.weekday() in (5, 6), local.time()) == (True, time(7, 15))
    assert programme.next_reminder_at == next_training_moment(programme, after=clock.now)
    week_one = programme.check_ins.get(week=1)
    assert week_one.due_at == datetime.combine(
        programme.start_date + timedelta(weeks=1), time(7, 15), tzinfo=ZoneInfo("America/New_York")
    )


def test_a_bad_time_zone_or_no_training_day_is_refused() -> None:
    programme = prescribe()
    with pytest.raises(ProgrammeRefused, match="time zone"):
        reminders.choose_schedule(
            programme_id=programme.pk,
            training_days=[1],
            reminder_time=time(8),
            time_zone="Mars/Olympus",
        )
    with pytest.raises(ProgrammeRefused, match="training day"):
        reminders.choose_schedule(
            programme_id=programme.pk,
            training_days=[],
            reminder_time=time(8),
            time_zone="Europe/London",
        )


def test_new_link_requests_send_at_most_one_an_hour() -> None:
    programme = prescribe()
    now = datetime(2026, 12, 1, 10, 5, tzinfo=timezone.get_current_timezone())
    assert reminders.send_new_link(programme_id=programme.pk, now=now)
    assert not reminders.send_new_link(programme_id=programme.pk, now=now + timedelta(minutes=20))
    assert reminders.send_new_link(programme_id=programme.pk, now=now + timedelta(hours=1))
    assert Message.objects.filter(kind=Message.Kind.PROGRAMME_LINK).count() == 2


def test_a_check_in_answered_before_its_email_went_is_not_emailed() -> None:
    programme = prescribe(start=timezone.localdate())
    due = programme.check_ins.get(week=1).due_at
    reminders.queue_due_programme_emails(now=due)
    message = Message.objects.get(kind=Message.Kind.CHECK_IN)
    assert reminders.still_wanted(message)

    CheckIn.objects.filter(programme=programme, week=1).update(completed_at=due)

    assert not reminders.still_wanted(message)


def _beat_queries(programmes: list[Programme], due: datetime) -> int:
    """The queries of one beat run with every one of `programmes` due at `due`."""
    Programme.objects.filter(pk__in=[p.pk for p in programmes]).update(next_reminder_at=due)
    with CaptureQueriesContext(connection) as captured:
        queued = reminders.queue_due_programme_emails(now=due + timedelta(seconds=30))
    assert queued == len(programmes)
    return len(captured)


def test_the_reminder_beats_queries_stay_flat_as_programmes_grow(clock: Clock) -> None:
    """Each programme's end (the sum of its phases' weeks) was one query a programme."""
    few = [prescribe() for _ in range(2)]
    due = few[0].next_reminder_at
    assert due is not None
    with_two = _beat_queries(few, due)

    many = [prescribe() for _ in range(6)]  # others: the first two's reminder was sent
    with_six = _beat_queries(many, due + timedelta(hours=1))
    assert with_six == with_two
