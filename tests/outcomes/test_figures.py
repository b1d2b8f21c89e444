"""The figures the database keeps for the reports (outcomes migration 0003) against SQL over the
raw rows (tests/outcomes/raw_sql.py), on the known history and its edges: a wait decided at
midnight just after the clocks change, today's alerts, claims and check-ins as they happen, a
case reopened after closing, and a database that had its rows before the figures existed."""

from __future__ import annotations

import importlib
import threading
from datetime import UTC, date, datetime
from typing import Any

import pytest
from django.db import connection, transaction

from clinic.periods import Period
from outbox.models import Message
from outcomes import reports
from programmes.models import CheckIn, Programme
from tests.outcomes import raw_sql
from tests.outcomes.history import (
    ALERT,
    DAY,
    DEAD,
    ESCALATION,
    HOUR,
    MIN,
    PENDING,
    PERIOD,
    SENT,
    History,
    _case,
    make_message,
    seed,
)
from tests.patients.helpers import make_user
from triage.models import Case, CaseActivity, Urgency, UrgencyOverride

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

# Europe/London's clocks went forward at 01:00 UTC on Sunday 29 March 2026: midnight at the start
# of Monday 30 March, clinic time, was 23:00 UTC on the Sunday.
MIDNIGHT_AFTER_CHANGE = datetime(2026, 3, 29, 23, tzinfo=UTC)
NOW = datetime(2026, 4, 8, 15, tzinfo=UTC)  # "today" is Wednesday 8 April, clinic time
TODAY = date(2026, 4, 8)
BEFORE_CHANGE = Period(start=date(2026, 3, 23), end=date(2026, 3, 29), now=NOW)
AFTER_CHANGE = Period(start=date(2026, 3, 30), end=date(2026, 4, 5), now=NOW)
UP_TO_TODAY = Period(start=date(2026, 3, 30), end=TODAY, now=NOW)
EVERYTHING = Period(start=date(2026, 1, 1), end=TODAY, now=NOW)


def assert_as_raw_sql(period: Period) -> None:
    deadlines = {
        row.key: (
            row.decided,
            row.in_time,
            row.claim_median_s,
            row.claim_p90_s,
            row.decision_median_s,
            row.decision_p90_s,
        )
        for row in reports.deadlines(period)[:-1]
    }
    assert deadlines == raw_sql.deadlines(period)
    a = reports.alerts(period)
    assert (
        a.cases_alerted,
        a.alert_emails,
        a.alert_emails_sent,
        a.alert_emails_dead,
        a.cases_acknowledged,
        a.cases_escalated,
    ) == raw_sql.alerts(period)
    programmes = sorted(
        (
            r.template_id,
            r.prescribed,
            r.pain_followed,
            r.pain_reached,
            r.ndi_followed,
            r.ndi_reached,
            r.sessions_done,
            r.sessions_planned,
            r.dropped_out,
            r.check_ins_answered,
            r.check_ins_to_triage,
            r.programmes_to_triage,
        )
        for r in reports.programmes(period)
    )
    assert programmes == raw_sql.programmes(period)
    per_rule = {
        (week, trend.rule_id, raised, n)
        for trend in reports.overrides_per_rule_and_week(period)
        for raised, weeks in ((True, trend.raised), (False, trend.lowered))
        for week, n in weeks.items()
    }
    assert per_rule == raw_sql.overrides_per_rule(period)
    weekly = {w.week: (w.raised, w.lowered) for w in reports.overrides_per_week(period)}
    assert {week: n for week, n in weekly.items() if n != (0, 0)} == raw_sql.overrides_per_week(
        period
    )
    emergencies = {w.week: (w.count,) for w in reports.emergencies_per_week(period) if w.count}
    assert emergencies == raw_sql.emergencies_per_week(period)


def _override(h: History, name: str, to: Urgency, when: datetime) -> None:
    case = h.cases[name]
    UrgencyOverride.objects.create(
        case=case,
        assessment=h.assessments[name],
        from_urgency=case.urgency,
        to_urgency=to,
        reason="Because",
        by=h.clinician,
        created_at=when,
    )


def _claim(h: History, case: Case, when: datetime) -> None:
    CaseActivity.objects.create(case=case, kind=CaseActivity.Kind.CLAIMED, by=h.clinician, at=when)


def _reopen(case: Case, *, urgency: Urgency, when: datetime) -> None:
    """What `triage.services` does to a closed case a new intake reopens."""
    case.status = Case.Status.OPEN
    case.closed_at = case.decided_at = case.claimed_at = None
    case.claimed_by = None
    case.urgency = urgency
    case.opened_at = when
    case.due_at = when + urgency.sla
    case.save()


@pytest.fixture
def history(db: None) -> History:
    h = seed()
    # A wait decided, an alert queued, an override made and a programme prescribed at midnight
    # clinic time just after the clocks changed: all on Monday 30 March, in its week.
    rule = {"id": "RULE_M", "urgency": "SOON", "reason": "m", "source": "s"}
    m = _case(
        h,
        "M",
        Urgency.SOON,
        MIDNIGHT_AFTER_CHANGE - 2 * DAY,
        claimed=HOUR,
        decided=2 * DAY,
        rules=[rule],
    )
    make_message(ALERT, SENT, MIDNIGHT_AFTER_CHANGE, m)
    _override(h, "M", Urgency.URGENT, MIDNIGHT_AFTER_CHANGE)
    _case(
        h,
        "Q",
        Urgency.EMERGENCY,
        MIDNIGHT_AFTER_CHANGE - 10 * MIN,
        claimed=None,
        decided=None,
        assessed=MIDNIGHT_AFTER_CHANGE,
    )
    _case(
        h,
        "P",
        Urgency.EMERGENCY,
        MIDNIGHT_AFTER_CHANGE - 10 * MIN,
        claimed=None,
        decided=None,
        assessed=MIDNIGHT_AFTER_CHANGE - MIN,
    )
    one_before = _case(
        h, "N", Urgency.SOON, MIDNIGHT_AFTER_CHANGE - 3 * DAY, claimed=HOUR, decided=3 * DAY
    )
    Case.objects.filter(pk=one_before.pk).update(decided_at=MIDNIGHT_AFTER_CHANGE - MIN)
    programme = Programme.objects.filter(prescribed_at__lt=PERIOD.starts_at).first()
    assert programme is not None
    Programme.objects.filter(pk=programme.pk).update(prescribed_at=MIDNIGHT_AFTER_CHANGE)
    return h


@pytest.mark.parametrize(
    "period",
    [PERIOD, BEFORE_CHANGE, AFTER_CHANGE, UP_TO_TODAY, EVERYTHING],
    ids=["known", "before-change", "after-change", "up-to-today", "everything"],
)
def test_every_figure_is_what_sql_over_the_raw_rows_gives(history: History, period: Period) -> None:
    assert_as_raw_sql(period)


def test_midnight_after_the_clocks_change_belongs_to_the_new_clinic_day(history: History) -> None:
    soon = "SOON"
    before = {r.key: r.decided for r in reports.deadlines(BEFORE_CHANGE)}
    after = {r.key: r.decided for r in reports.deadlines(AFTER_CHANGE)}
    assert (before[soon], after[soon]) == (1, 1)  # N at 23:59 on the Sunday, M at midnight
    assert (
        reports.alerts(BEFORE_CHANGE).alert_emails,
        reports.alerts(AFTER_CHANGE).alert_emails,
    ) == (
        0,
        1,
    )
    [trend] = reports.overrides_per_rule_and_week(AFTER_CHANGE)
    assert (trend.rule_id, trend.raised) == ("RULE_M", {date(2026, 3, 30): 1})
    assert reports.overrides_per_rule_and_week(BEFORE_CHANGE) == []
    assert sum(r.prescribed for r in reports.programmes(AFTER_CHANGE)) == 1
    # Q's emergency at midnight is Monday's; P's, a minute before, the Sunday's
    assert [(w.week, w.count) for w in reports.emergencies_per_week(AFTER_CHANGE)] == [
        (date(2026, 3, 30), 1)
    ]
    assert [(w.week, w.count) for w in reports.emergencies_per_week(BEFORE_CHANGE)] == [
        (date(2026, 3, 23), 1)
    ]
    assert [(w.week, w.raised) for w in reports.overrides_per_week(AFTER_CHANGE)] == [
        (date(2026, 3, 30), 1)
    ]
    assert reports.programmes(BEFORE_CHANGE) == []


def test_todays_alert_claim_escalation_and_dead_email_count_as_they_happen(
    history: History,
) -> None:
    # Given an emergency alerted an hour ago, not yet claimed
    case = _case(history, "T", Urgency.EMERGENCY, NOW - HOUR, claimed=None, decided=None)
    alert = make_message(ALERT, SENT, NOW - HOUR, case)

    def figures() -> tuple[int, ...]:
        a = reports.alerts(UP_TO_TODAY)
        assert_as_raw_sql(UP_TO_TODAY)
        return (a.cases_alerted, a.cases_acknowledged, a.cases_escalated, a.alert_emails_dead)

    assert figures() == (2, 0, 0, 0)  # T and M (M's claim came before its alert)
    # When the escalation goes out, the alert email turns out dead, and a clinician claims it
    make_message(ESCALATION, SENT, NOW - 30 * MIN, case)
    assert figures() == (2, 0, 1, 0)
    alert.status = DEAD
    alert.save()
    assert figures() == (2, 0, 1, 1)
    _claim(history, case, NOW - 10 * MIN)
    assert figures() == (2, 1, 1, 1)
    # Then the decision made a minute ago counts today
    Case.objects.filter(pk=case.pk).update(
        status=Case.Status.CLOSED, decided_at=NOW - MIN, closed_at=NOW - MIN
    )
    emergency = next(r for r in reports.deadlines(UP_TO_TODAY) if r.key == "EMERGENCY")
    assert (emergency.decided, emergency.in_time) == (1, 0)
    assert_as_raw_sql(UP_TO_TODAY)


def test_a_case_reopened_after_closing_counts_its_latest_wait_and_is_alerted_once(
    history: History,
) -> None:
    # Given a routine case decided on 1 April after an alert on 31 March
    case = _case(
        history,
        "O",
        Urgency.ROUTINE,
        datetime(2026, 3, 31, 9, tzinfo=UTC),
        claimed=HOUR,
        decided=DAY,
    )
    make_message(ALERT, SENT, datetime(2026, 3, 31, 9, tzinfo=UTC), case)
    routine = next(r for r in reports.deadlines(UP_TO_TODAY) if r.key == "ROUTINE")
    assert routine.decided == 1
    # When a new intake reopens it as urgent on 6 April and its clinicians are alerted again
    reopened_at = datetime(2026, 4, 6, 10, tzinfo=UTC)
    _reopen(case, urgency=Urgency.URGENT, when=reopened_at)
    make_message(ALERT, SENT, reopened_at, case)
    # Then its first wait is no longer counted, and the case is alerted once in either period
    by_key = {r.key: r.decided for r in reports.deadlines(UP_TO_TODAY)}
    assert (by_key["ROUTINE"], by_key["URGENT"]) == (0, 0)
    since_reopening = Period(start=date(2026, 4, 6), end=TODAY, now=NOW)
    assert reports.alerts(since_reopening).cases_alerted == 1
    assert reports.alerts(UP_TO_TODAY).cases_alerted == 2  # O and M
    assert reports.alerts(UP_TO_TODAY).alert_emails == 3
    # And its second wait, once decided, counts on its own day
    _claim(history, case, reopened_at + 30 * MIN)
    Case.objects.filter(pk=case.pk).update(
        status=Case.Status.CLOSED,
        claimed_at=reopened_at + 30 * MIN,
        decided_at=reopened_at + 2 * HOUR,
        closed_at=reopened_at + 2 * HOUR,
    )
    urgent = next(r for r in reports.deadlines(since_reopening) if r.key == "URGENT")
    assert (urgent.decided, urgent.in_time, urgent.decision_median_s) == (1, 1, 7200.0)
    assert reports.alerts(since_reopening).cases_acknowledged == 1
    for period in (since_reopening, UP_TO_TODAY, EVERYTHING):
        assert_as_raw_sql(period)


def test_a_check_in_answered_or_a_programme_unsubscribed_changes_its_figures(
    history: History,
) -> None:
    quiet = Programme.objects.filter(prescribed_at__gte=PERIOD.starts_at, baseline_pain=7).get()
    row = next(r for r in reports.programmes(PERIOD) if r.template_id == quiet.template_id)
    assert (row.dropped_out, row.check_ins_answered) == (1, 7)
    # When the quiet patient answers week 2 late, better by 3 points
    CheckIn.objects.filter(programme=quiet, week=2).update(
        completed_at=datetime(2026, 3, 14, tzinfo=UTC), pain=4, sessions_done=1, sessions_planned=3
    )
    row = next(r for r in reports.programmes(PERIOD) if r.template_id == quiet.template_id)
    assert (row.dropped_out, row.check_ins_answered, row.pain_reached) == (0, 8, 2)
    # Then unsubscribes
    quiet.unsubscribed_at = datetime(2026, 3, 15, tzinfo=UTC)
    quiet.save()
    row = next(r for r in reports.programmes(PERIOD) if r.template_id == quiet.template_id)
    assert row.dropped_out == 1
    assert_as_raw_sql(PERIOD)
    # And a removed check-in is removed from the figures
    CheckIn.objects.filter(programme=quiet, week=2).delete()
    assert_as_raw_sql(PERIOD)


FIGURES = ("outcomes_alert_figures", "outcomes_programme_figures", "outcomes_override_rules")


def _snapshot() -> dict[str, list[tuple[Any, ...]]]:
    with connection.cursor() as cursor:
        # What this (never committed) test transaction wrote, refreshed as a commit would.
        cursor.execute("SET CONSTRAINTS outcomes_figures_refresh IMMEDIATE")
        found = {}
        for table in FIGURES:
            cursor.execute(f"SELECT * FROM {table} ORDER BY 1, 2")  # noqa: S608 - constant names
            found[table] = list(cursor.fetchall())
        return found


def test_the_migration_fills_the_figures_of_a_database_that_had_its_rows(
    history: History,
) -> None:
    kept = _snapshot()
    assert all(kept.values())
    migration = importlib.import_module("outcomes.migrations.0003_report_figures")
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(FIGURES)}")
        cursor.execute(migration.BACKFILL)

    assert _snapshot() == kept
    assert_as_raw_sql(EVERYTHING)


@pytest.mark.django_db(transaction=True)
def test_a_claim_and_its_alert_sent_in_two_transactions_at_once_both_count() -> None:
    # Given an emergency alerted, the email still to send, in a committed history
    h = History(clinician=make_user(role="clinician", email="carl@example.org"))
    case = _case(h, "C", Urgency.EMERGENCY, NOW - HOUR, claimed=None, decided=None)
    alert = make_message(ALERT, PENDING, NOW - HOUR, case)
    claimed, sent = threading.Event(), threading.Event()

    def claim() -> None:
        try:
            with transaction.atomic():
                _claim(h, case, NOW - 50 * MIN)
                claimed.set()
                assert sent.wait(timeout=30)
        finally:
            connection.close()

    # When a clinician claims it while the outbox marks the email sent and commits first
    claimant = threading.Thread(target=claim)
    claimant.start()
    assert claimed.wait(timeout=30)
    with transaction.atomic():
        Message.objects.filter(pk=alert.pk).update(status=SENT)
    sent.set()
    claimant.join(timeout=30)

    # Then the figures hold both: neither write failed nor was missed
    a = reports.alerts(UP_TO_TODAY)
    assert (a.cases_alerted, a.alert_emails_sent, a.cases_acknowledged) == (1, 1, 1)
    assert_as_raw_sql(UP_TO_TODAY)
