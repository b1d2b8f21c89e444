"""The banner every staff page shows while the clinic's background work has stopped, and the
heartbeats it reads. On the real database, at fixed instants (the `clock` fixture)."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from health import services, signals
from health.models import Heartbeat
from health.services import DISPATCHER, ESCALATIONS, Snapshot, problems, problems_in
from outbox.models import Message
from tests.outbox.helpers import make_dead, make_message
from tests.patients.helpers import make_intake, make_user
from tests.support.clock import Clock
from tests.support.two_factor import sign_in

pytestmark = pytest.mark.django_db

ESCALATIONS_STOPPED = "Escalations have not run for"
CALL_THE_DUTY_CLINICIAN = "watch the queue yourself and call the duty clinician for any emergency"


def all_running(clock: Clock) -> None:
    """Every beat entry and a worker have just done their work."""
    for name in (ESCALATIONS, DISPATCHER, services.PROGRAMME_MAIL):
        services.beat_finished(name=name, duration=timedelta(milliseconds=40))
    services.beat_handed_out()
    services.worker_took_work(hostname="worker@clinic")


# --- The sentences (no database) ----------------------------------------------------------------


def snap(now, **fields) -> Snapshot:  # type: ignore[no-untyped-def]
    values = {
        "escalations": now,
        "dispatcher": now,
        "worker": now,
        "first_seen": now - timedelta(days=3),
        "failing_alerts": 0,
        "dead_alerts": 0,
        "oldest_due": None,
    } | fields
    return Snapshot(**values)


def test_escalations_silent_for_twice_their_interval_is_said_in_a_clinicians_words(clock: Clock):
    now = clock.now
    # The escalation check runs every 30 seconds: two intervals are a minute.
    assert problems_in(snap(now, escalations=now - timedelta(seconds=60)), now) == []

    [problem] = problems_in(snap(now, escalations=now - timedelta(minutes=6, seconds=10)), now)

    assert problem.code == "escalations"
    assert problem.severity == "danger"
    assert problem.message == (
        "Escalations have not run for 6 minutes: watch the queue yourself and call the duty "
        "clinician for any emergency."
    )


def test_the_dispatcher_silent_for_twice_its_interval_is_a_problem(clock: Clock):
    now = clock.now
    assert problems_in(snap(now, dispatcher=now - timedelta(seconds=119)), now) == []
    [problem] = problems_in(snap(now, dispatcher=now - timedelta(seconds=121)), now)
    assert problem.code == "dispatcher"
    assert "Emails have not been sent out for 2 minutes" in problem.message


def test_a_failing_or_dead_alert_is_a_problem(clock: Clock):
    now = clock.now
    [failing] = problems_in(snap(now, failing_alerts=1), now)
    [dead] = problems_in(snap(now, failing_alerts=1, dead_alerts=2), now)
    assert failing.message.startswith("1 alert to a clinician is not getting through")
    assert dead.message.startswith("3 alerts to clinicians are not getting through")


def test_a_message_waiting_more_than_five_minutes_is_a_warning(clock: Clock):
    now = clock.now
    assert problems_in(snap(now, oldest_due=now - timedelta(minutes=5)), now) == []
    [problem] = problems_in(snap(now, oldest_due=now - timedelta(minutes=7)), now)
    assert (problem.code, problem.severity) == ("waiting", "warning")
    assert "waited 7 minutes" in problem.message


def test_no_worker_taking_work_for_three_minutes_is_a_problem(clock: Clock):
    now = clock.now
    assert problems_in(snap(now, worker=now - timedelta(minutes=3)), now) == []
    [problem] = problems_in(snap(now, worker=now - timedelta(minutes=4)), now)
    assert problem.code == "worker"
    assert "No background work has been done for 4 minutes" in problem.message


def test_a_beat_entry_that_never_ran_counts_from_the_first_heartbeat_of_anything(clock: Clock):
    now = clock.now
    silent = snap(now, escalations=None, dispatcher=None, first_seen=now - timedelta(minutes=5))
    assert {p.code for p in problems_in(silent, now)} == {"escalations", "dispatcher"}
    # A new installation where nothing has run yet: /readyz says so; the pages stay quiet.
    nothing = snap(now, escalations=None, dispatcher=None, worker=None, first_seen=None)
    assert problems_in(nothing, now) == []


# --- From the heartbeats, on the database ------------------------------------------------------


def test_the_banner_reads_everything_in_one_query(clock: Clock):
    all_running(clock)
    make_dead(kind=Message.Kind.CLINICIAN_ALERT)
    with CaptureQueriesContext(connection) as captured:
        problems(clock.now)
    assert len(captured) == 1


def test_beat_stopped_shows_within_two_intervals_and_goes_when_beat_is_back(
    clock: Clock, reception_client: Client
):
    page = reverse("patients:intake_new")
    all_running(clock)
    assert ESCALATIONS_STOPPED not in reception_client.get(page).content.decode()

    # Beat stops: nothing runs for two intervals of the escalation check and a second more.
    clock.advance(timedelta(seconds=61))
    html = reception_client.get(page).content.decode()
    assert 'role="alert" data-problem="escalations"' in html
    assert f"{ESCALATIONS_STOPPED} 1 minute: {CALL_THE_DUTY_CLINICIAN}." in html

    clock.advance(timedelta(minutes=5))
    assert f"{ESCALATIONS_STOPPED} 6 minutes" in reception_client.get(page).content.decode()

    # Beat is back: the next run of the check clears it.
    all_running(clock)
    html = reception_client.get(page).content.decode()
    assert ESCALATIONS_STOPPED not in html
    assert '<div id="health-banner" class="health-banner"></div>' in html


def test_an_escalation_check_that_fails_every_time_counts_as_not_running(clock: Clock):
    all_running(clock)
    for _ in range(3):
        clock.advance(timedelta(seconds=30))
        services.beat_finished(
            name=ESCALATIONS, duration=timedelta(seconds=1), error="OperationalError"
        )
    assert [p.code for p in problems(clock.now)] == ["escalations"]
    beat = Heartbeat.objects.get(name=ESCALATIONS)
    assert (beat.last_error, beat.last_error_at) == ("OperationalError", clock.now)


def test_a_dead_alert_shows_until_its_case_is_claimed(clock: Clock):
    from triage.services import claim_case

    all_running(clock)
    reception = make_user(role="reception")
    clinician = make_user(role="clinician", email="carl@example.org")
    case = make_intake(entered_by=reception, bladder_or_bowel_change=True).assessment.case
    Message.objects.filter(case=case).update(status=Message.Status.DEAD)

    assert [p.code for p in problems(clock.now)] == ["alerts"]
    claim_case(case_id=case.pk, clinician=clinician)
    assert problems(clock.now) == []


def test_a_failing_alert_is_a_problem_and_a_failing_reminder_is_not(clock: Clock):
    all_running(clock)
    make_message(kind=Message.Kind.PROGRAMME_REMINDER, status=Message.Status.FAILED)
    assert problems(clock.now) == []
    make_message(kind=Message.Kind.ESCALATION, status=Message.Status.FAILED)
    assert [p.code for p in problems(clock.now)] == ["alerts"]


def test_the_oldest_due_message_counts_from_when_it_fell_due(clock: Clock):
    all_running(clock)
    make_message(kind=Message.Kind.PROGRAMME_REMINDER, due_at=clock.now - timedelta(minutes=9))
    make_message(kind=Message.Kind.PROGRAMME_REMINDER, due_at=clock.now + timedelta(minutes=30))
    [problem] = problems(clock.now)
    assert problem.code == "waiting"
    assert "waited 9 minutes" in problem.message


def test_the_queue_refresh_carries_the_banner_out_of_band(clock: Clock):
    clinician_client = sign_in(Client(), make_user(role="clinician"))
    all_running(clock)
    clock.advance(timedelta(minutes=3))
    services.beat_finished(name=DISPATCHER, duration=timedelta(seconds=1))
    services.worker_took_work(hostname="worker@clinic")

    refresh = clinician_client.get(
        reverse("triage:queue"), headers={"HX-Request": "true", "HX-Trigger": "queue"}
    ).content.decode()
    full = clinician_client.get(reverse("triage:queue")).content.decode()

    oob = '<div id="health-banner" class="health-banner" hx-swap-oob="innerHTML">'
    assert refresh.lstrip().startswith('<div id="queue"')
    assert oob in refresh
    assert f"{ESCALATIONS_STOPPED} 3 minutes" in refresh
    assert full.count('id="health-banner"') == 1
    assert "hx-swap-oob" not in full
    assert f"{ESCALATIONS_STOPPED} 3 minutes" in full


def test_signed_out_pages_show_no_banner_and_read_no_heartbeat(clock: Clock):
    all_running(clock)
    clock.advance(timedelta(hours=1))
    with CaptureQueriesContext(connection) as captured:
        html = Client().get(reverse("login")).content.decode()
    assert ESCALATIONS_STOPPED not in html
    assert not any("health_heartbeat" in q["sql"] for q in captured)


# --- The heartbeats Celery's signals leave ------------------------------------------------------


def fake_task(name: str, hostname: str = "worker@clinic") -> SimpleNamespace:
    return SimpleNamespace(name=name, request=SimpleNamespace(hostname=hostname))


def test_a_beat_entrys_run_records_its_start_its_end_and_how_long_it_took(clock: Clock):
    task = fake_task("triage.escalate_unclaimed")
    signals.task_prerun(task_id="t1", task=task)
    beat = Heartbeat.objects.get(name=ESCALATIONS)
    assert (beat.last_started, beat.last_finished) == (clock.now, None)

    clock.advance(timedelta(seconds=2))
    signals.task_postrun(task_id="t1", task=task, state="SUCCESS")

    beat.refresh_from_db()
    assert beat.last_finished == clock.now
    assert beat.duration is not None and beat.duration >= timedelta(0)
    assert beat.last_error == ""
    assert Heartbeat.objects.get(name="worker:worker@clinic").last_finished == clock.now


def test_a_failed_run_keeps_the_kind_of_error_and_not_its_message(clock: Clock):
    task = fake_task("outbox.dispatch")
    signals.task_prerun(task_id="t2", task=task)
    signals.task_failure(sender=task, task_id="t2", exception=ValueError("Maria Okafor"))
    signals.task_postrun(task_id="t2", task=task, state="FAILURE")
    beat = Heartbeat.objects.get(name=DISPATCHER)
    assert beat.last_error == "ValueError"
    assert beat.last_finished is None


def test_any_task_a_worker_finishes_is_its_heartbeat(clock: Clock):
    signals._worker_written = 0.0
    signals.task_postrun(task_id="t3", task=fake_task("outbox.send", "w2@host"), state="SUCCESS")
    assert Heartbeat.objects.get(name="worker:w2@host").last_finished == clock.now


def test_timestamps_read_back_from_sqlite_are_taken_as_utc():
    from datetime import UTC, datetime

    from health.services import _as_datetime

    aware = datetime(2026, 10, 25, 21, 45, tzinfo=UTC)
    assert _as_datetime(aware) == aware
    assert _as_datetime(datetime(2026, 10, 25, 21, 45)) == aware  # noqa: DTZ001 - as SQLite gives it
    assert _as_datetime("2026-10-25 21:45:00") == aware
    assert _as_datetime(None) is None


def test_a_fault_in_the_banner_says_so_instead_of_failing_the_page(
    clock: Clock, reception_client: Client, monkeypatch
):
    def broken(snap, now):  # type: ignore[no-untyped-def]
        raise KeyError("outbox-dispatch")

    monkeypatch.setattr(services, "problems_in", broken)
    response = reception_client.get(reverse("patients:intake_new"))
    assert response.status_code == 200
    assert "could not check whether escalations and alerts are running" in response.content.decode()
