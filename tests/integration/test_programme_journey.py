"""A home-exercise programme's life on the real stack: prescribed by a clinician, emailed, used by
the patient through the link, reminded on the days they chose, checked in on, and sent back to
triage by a red flag; reminders stop when the patient unsubscribes; six weeks of clock send each
check-in once.

Each test runs a real Celery worker and beat on its own queue and the test database, real Redis
and PostgreSQL, and an aiosmtpd sink. The worker and beat run on the real clock; the test moves
its own (`programme_stack.clock`), from a fixed instant of its own, and at each moment does what
beat would do then (`programme_stack.beat_work`). The worker leaves a row due in its future to
the dispatcher's claim, so every wait for an email does beat's work too. Nothing sleeps for a
time; the waits are for deliveries.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from clinic.roles import Role
from outbox.models import Message
from patients.models import Intake
from programmes import screen
from programmes.core import schedule
from programmes.models import CheckIn, Programme, ProgrammeTemplate, SessionLog
from programmes.seed import seed_library
from tests.integration.outbox_stack import (
    OutboxStack,
    outbox_stack_fixture,  # noqa: F401 - the outbox_stack fixture
    queue_alerts,
    staff,
)
from tests.integration.programme_stack import (
    Clock,
    beat_work,
    clock_fixture,  # noqa: F401 - the clock fixture
    form_posting_to,
    key_of,
    path_of,
    programme_mail,
)
from tests.programmes.helpers import KETTLEBELL, prescribe, self_care_intake
from tests.support.smtp_sink import Received, SmtpSink
from tests.support.two_factor import sign_in
from triage import rules
from triage.models import Case, Urgency
from triage.services import current_ruleset

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),  # the worker must see the committed rows
]

# Words that would tell a reader of the subject line something about the patient's health.
HEALTH_WORDS = ("pain", "neck", "back", "injur", "flag", "urgent", "emergency", "weakness")
PAGE_LINK = re.compile(r"https?://\S+/p/[^/\s]+/")


@pytest.fixture(autouse=True)
def library() -> None:
    # The library is seeded by a migration; a transactional test flushes it afterwards.
    seed_library()


# Where each journey starts (moved on by whole calendar cycles to lie ahead of the real clock).
# Sunday 21:45 GMT: the week-1 check-in falls on the day London's clocks go forward.
RED_FLAG_START = datetime(2026, 3, 22, 21, 45, tzinfo=UTC)
# Sunday 19:32 GMT (14:32 in New York): two weeks of reminders across New York's clocks going
# forward, then two more across London's.
CHOSEN_DAYS_START = datetime(2026, 3, 1, 19, 32, tzinfo=UTC)
# Sunday 23:30 UTC, already Monday 00:30 in London: six weeks across London's clocks going back
# and New York's.
SIX_WEEKS_START = datetime(2026, 10, 18, 23, 30, tzinfo=UTC)


def start_stack(stack: OutboxStack, sink: SmtpSink) -> None:
    stack.start_worker(sink)
    # Beat on the real clock, with every entry as production runs it (the programme entry each
    # second here): it must not send anything the moved clock has not made due.
    stack.start_beat(PROGRAMME_MAIL_CHECK_SECONDS="1")


def arrived(stack: OutboxStack, sink: SmtpSink, key: str, *, beat: bool = False) -> Received:
    """Wait for the message with outbox key `key` at the sink; with `beat`, doing beat's work
    at the clock's moment while waiting (a dispatcher pass skips a row a worker holds locked
    for that instant; the next pass takes it, as the real beat's would a second later)."""

    def found() -> Received | None:
        if beat:
            beat_work()
        return next((r for r in list(sink.received) if key_of(r) == key), None)

    received = stack.wait_until(found, f"{key} at the sink")
    assert received is not None
    return received


def all_sent_arrived(stack: OutboxStack, sink: SmtpSink, programme: Programme) -> None:
    """Wait until every programme email the outbox sent for `programme` is at the sink, and
    none is still on its way."""

    def done() -> bool:
        rows = Message.objects.filter(key__startswith=f"prg{programme.pk}.")
        if rows.filter(status__in=[Message.Status.PENDING, Message.Status.SENDING]).exists():
            beat_work()  # what beat does at this moment: claim what is due now
            return False
        sent = {m.message_id for m in rows.filter(status=Message.Status.SENT)}
        return sent <= set(sink.message_ids())

    stack.wait_until(done, f"every email of programme {programme.pk} at the sink")


def page_path(received: Received) -> str:
    match = PAGE_LINK.search(received.body("plain"))
    assert match, "no link to the patient's page in the email"
    return path_of(match.group(0))


def token_of(path: str) -> str:
    return path.strip("/").split("/")[1]


def text(response: object) -> str:
    return html.unescape(response.content.decode())  # type: ignore[attr-defined]


def keys_at_sink(sink: SmtpSink, programme: Programme, what: str) -> list[str]:
    """The keys of what the sink received for the programme, sorted (the worker may send two
    rows of one minute out of order), each as often as it arrived."""
    return sorted(key_of(r) for r in programme_mail(sink, programme.pk, what))


@pytest.mark.parametrize("clock", [RED_FLAG_START], indirect=True, ids=["sun-21:45-gmt"])
def test_prescription_to_red_flag_check_in_puts_the_patient_back_in_the_queue(
    outbox_stack: OutboxStack, clock: Clock
) -> None:
    # Given a clinician on duty, a SELF_CARE case from reception, and the worker and beat
    olu = staff("olu", Role.CLINICIAN, email="olu@clinic.example", on_duty=True)
    intake = self_care_intake(entered_by=staff("rita", Role.RECEPTION))
    case = intake.assessment.case
    template = ProgrammeTemplate.objects.get(slug=KETTLEBELL)
    clinician_client = Client()
    sign_in(clinician_client, olu)

    with SmtpSink() as sink:
        start_stack(outbox_stack, sink)

        # When the clinician prescribes the template as it stands, starting today, on the page
        prescribe_path = reverse("programmes:prescribe", args=[case.pk])
        step_two = clinician_client.get(
            prescribe_path,
            {"template": str(template.pk), "start": timezone.localdate().isoformat()},
        )
        assert step_two.status_code == 200
        form = form_posting_to(step_two.content.decode(), "")  # the page's own URL
        done = clinician_client.post(prescribe_path, form.data(note="Little and often."))
        assert done.status_code == 302, text(done)[-3000:]
        programme = Programme.objects.get(case=case)

        # Then the worker delivers the programme email: no health words in the subject, both
        # parts, every exercise of the first phase, the safety net, and a link
        email = arrived(outbox_stack, sink, f"prg{programme.pk}.programme", beat=True)
        assert email.to == ("ada@example.org",)
        for word in HEALTH_WORDS:
            assert word not in email.subject.lower(), f"{word!r} in {email.subject!r}"
        plain = email.body("plain").replace("\r\n", "\n")  # as it went over SMTP
        rich = html.unescape(email.body("html"))
        assert plain and rich
        first_phase = programme.phases.get(position=1)
        names = [item.exercise.name for item in first_phase.exercises.select_related("exercise")]
        assert names
        for name in names:
            assert name in plain and name in rich, name
        assert programme.safety_net in plain
        assert "Little and often." in plain
        # ...short (a dose line each; the instructions are on the page) and signed by the clinic
        assert len(plain) < 4000, len(plain)
        assert first_phase.exercises.select_related("exercise")[0].exercise.setup not in plain
        for detail in (settings.CLINIC_NAME, settings.CLINIC_PHONE):
            assert detail in plain and detail in rich, detail

        # When the patient follows the link, their page shows the exercises
        page = page_path(email)
        patient = Client()
        shown = patient.get(page)
        assert shown.status_code == 200
        assert all(name in text(shown) for name in names)

        # And they log two sessions through the page's form, two days apart
        session_path = reverse("programmes:log_session", args=[token_of(page)])
        for felt in ("right", "easy"):
            form = form_posting_to(patient.get(page).content.decode(), session_path)
            logged = patient.post(
                session_path,
                form.data(performed_on=timezone.localdate().isoformat(), felt=felt),
            )
            assert logged.status_code == 302, text(logged)[-3000:]
            clock.advance(timedelta(days=2))
            beat_work()
        assert SessionLog.objects.filter(programme=programme).count() == 2

        # When the clock reaches the week-1 check-in and beat runs (twice over)
        week_one = programme.check_ins.get(week=1)
        clock.move_to(week_one.due_at)
        beat_work(times=2)

        # Then the check-in email arrives
        check_in_email = arrived(outbox_stack, sink, f"prg{programme.pk}.ci.w1", beat=True)
        check_in_page = page_path(check_in_email)

        # When the patient answers it with a new red flag: weakness in an arm getting worse
        check_in_path = reverse("programmes:check_in", args=[token_of(check_in_page), 1])
        form_page = patient.get(check_in_path)
        assert form_page.status_code == 200
        form = form_posting_to(form_page.content.decode(), check_in_path)
        flagged = {"progressive_limb_weakness"}
        answers = {field: ("yes" if field in flagged else "no") for field in screen.SCREEN_FIELDS}
        answered = patient.post(check_in_path, form.data(pain="5", **answers))
        assert answered.status_code == 302, text(answered)[-3000:]
        assert patient.get(check_in_path).status_code == 200

        # Then triage decides as the rule engine does on the merged answers
        programme.refresh_from_db()
        merged = screen.reentry_answers(
            previous=programme.intake_answers,
            screen={field: field in flagged for field in screen.SCREEN_FIELDS},
            pain_now=5,
            age_now=programme.patient.age_on(programme.local_today()),
            days_since_previous=max((clock.now - programme.prescribed_at).days, 0),
            baseline_pain=programme.baseline_pain,
            trauma_mechanism=None,
        )
        expected = current_ruleset().evaluate(rules.Answers.from_mapping(merged)).urgency
        assert expected >= Urgency.URGENT
        case.refresh_from_db()
        assert case.status == Case.Status.OPEN
        assert case.urgency == expected
        check_in = CheckIn.objects.get(programme=programme, week=1)
        assert check_in.intake is not None
        assert check_in.intake.source == Intake.Source.CHECK_IN
        assert check_in.intake.assessment.case_id == case.pk

        # And the clinician on duty is alerted through the worker
        beat_work()
        alert = Message.objects.get(kind=Message.Kind.CLINICIAN_ALERT, to_email=olu.email)
        assert alert.case_id == case.pk
        received_alert = arrived(outbox_stack, sink, alert.key, beat=True)
        assert received_alert.to == (olu.email,)

        # And the programme is on hold: days of beats queue no more reminders or check-ins
        assert programme.status == Programme.Status.ON_HOLD
        assert programme.next_reminder_at is None
        before = set(
            Message.objects.filter(key__startswith=f"prg{programme.pk}.").values_list(
                "key", flat=True
            )
        )
        for _ in clock.steps(until=clock.now + timedelta(days=15), every=timedelta(hours=6)):
            beat_work()
        after = set(
            Message.objects.filter(key__startswith=f"prg{programme.pk}.").values_list(
                "key", flat=True
            )
        )
        assert after == before
        all_sent_arrived(outbox_stack, sink, programme)

    assert keys_at_sink(sink, programme, "ci.") == [f"prg{programme.pk}.ci.w1"]
    assert not [m for m, n in Counter(sink.message_ids()).items() if n > 1]


@pytest.mark.parametrize("clock", [CHOSEN_DAYS_START], indirect=True, ids=["sun-19:32-gmt"])
def test_reminders_come_on_the_chosen_days_and_stop_after_unsubscribing(
    outbox_stack: OutboxStack, clock: Clock
) -> None:
    # Given a programme starting today, its email delivered by the worker
    programme = prescribe(start=timezone.localdate())
    with SmtpSink() as sink:
        start_stack(outbox_stack, sink)
        email = arrived(outbox_stack, sink, f"prg{programme.pk}.programme", beat=True)
        page = page_path(email)
        patient = Client()

        # When the patient chooses Tuesdays and Saturdays at 07:30 in New York on their page
        zone = ZoneInfo("America/New_York")
        schedule_path = reverse("programmes:schedule", args=[token_of(page)])
        form = form_posting_to(patient.get(page).content.decode(), schedule_path)
        chosen = patient.post(
            schedule_path,
            form.data(training_days=["1", "5"], reminder_time="07:30", time_zone=zone.key),
        )
        assert chosen.status_code == 302, text(chosen)[-3000:]
        chose_at = clock.now

        # And two weeks pass, beat running every three hours
        step = timedelta(hours=3)
        for _ in clock.steps(until=chose_at + timedelta(weeks=2), every=step):
            beat_work()
        all_sent_arrived(outbox_stack, sink, programme)

        # Then a reminder came for each Tuesday and Saturday at 07:30 their time, once each
        programme.refresh_from_db()
        expected = [
            f"prg{programme.pk}.rem.{day:%Y%m%d}"
            for day in days_between(
                chose_at.astimezone(zone).date(), clock.now.astimezone(zone).date()
            )
            if day.weekday() in (1, 5)
            and programme.start_date <= day < programme.end_date
            and chose_at < schedule.local_moment(day, clock_time(7, 30), zone) <= clock.now
        ]
        assert len(expected) >= 3
        assert keys_at_sink(sink, programme, "rem.") == expected
        for row in Message.objects.filter(kind=Message.Kind.PROGRAMME_REMINDER):
            day = date(int(row.key[-8:-4]), int(row.key[-4:-2]), int(row.key[-2:]))
            late = row.created_at - schedule.local_moment(day, clock_time(7, 30), zone)
            assert timedelta(0) <= late < step, (row.key, row.created_at.astimezone(zone))

        # When the patient unsubscribes with the link in a reminder's List-Unsubscribe header
        reminder = programme_mail(sink, programme.pk, "rem.")[-1]
        [unsubscribe_url] = re.findall(r"<([^>]+)>", reminder.parsed["List-Unsubscribe"])
        assert patient.get(path_of(unsubscribe_url)).status_code == 200  # a page, no change
        programme.refresh_from_db()
        assert programme.unsubscribed_at is None
        # (the mail client's one-click, RFC 8058: a POST without a CSRF token)
        assert reminder.parsed["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        one_click = patient.post(
            path_of(unsubscribe_url),
            reminder.parsed["List-Unsubscribe-Post"],
            content_type="application/x-www-form-urlencoded",
        )
        assert one_click.status_code == 200
        programme.refresh_from_db()
        assert programme.unsubscribed_at is not None
        rows_before = set(
            Message.objects.filter(key__startswith=f"prg{programme.pk}.").values_list(
                "key", flat=True
            )
        )
        at_sink_before = keys_at_sink(sink, programme, "")

        # And two more weeks pass
        for _ in clock.steps(until=clock.now + timedelta(weeks=2), every=step):
            beat_work()

        # Then no reminder or check-in was queued, and nothing more reached the patient: a
        # message sent after those weeks arrives, and nothing for the programme came before it
        rows_after = set(
            Message.objects.filter(key__startswith=f"prg{programme.pk}.").values_list(
                "key", flat=True
            )
        )
        assert rows_after == rows_before
        [sentinel] = queue_alerts("journey.after-unsubscribe")
        arrived(outbox_stack, sink, sentinel.key, beat=True)
        assert keys_at_sink(sink, programme, "") == at_sink_before


@pytest.mark.parametrize("clock", [SIX_WEEKS_START], indirect=True, ids=["sun-23:30-utc"])
def test_six_weeks_of_clock_send_each_check_in_and_each_reminder_once(
    outbox_stack: OutboxStack, clock: Clock
) -> None:
    # Given a programme starting today on the default days, the worker and beat running
    programme = prescribe(start=timezone.localdate())
    with SmtpSink() as sink:
        start_stack(outbox_stack, sink)
        arrived(outbox_stack, sink, f"prg{programme.pk}.programme", beat=True)

        # When six weeks and a day pass in steps of six hours, beat's work done twice at each
        for _ in clock.steps(
            until=clock.now + timedelta(weeks=6, days=1), every=timedelta(hours=6)
        ):
            beat_work(times=2)
        all_sent_arrived(outbox_stack, sink, programme)

    # Then each check-in arrived once
    assert keys_at_sink(sink, programme, "ci.") == [
        f"prg{programme.pk}.ci.w{week}" for week in (1, 2, 4, 6)
    ]
    # And each reminder once: one for every training day of the programme from its prescription
    expected = [
        f"prg{programme.pk}.rem.{day:%Y%m%d}"
        for day in days_between(programme.start_date, programme.end_date - timedelta(days=1))
        if day.weekday() in programme.training_days
        and schedule.local_moment(day, programme.reminder_time, programme.tz)
        > programme.prescribed_at
    ]
    assert len(expected) >= len(programme.training_days) * 6 - 1
    assert keys_at_sink(sink, programme, "rem.") == expected
    assert Counter(sink.message_ids()).most_common(1)[0][1] == 1


def days_between(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]
