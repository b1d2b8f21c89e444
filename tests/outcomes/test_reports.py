"""Every figure of the clinic lead's dashboard, on a small known history (tests/outcomes/history.py)
with fixed instants, against the numbers worked out by hand; and the SQLite fallback (the same
figures counted in Python) against the same numbers on the same rows."""

from __future__ import annotations

import pytest

from outcomes import reports
from tests.outcomes.history import PERIOD, WEEK_1, WEEK_2, History, seed
from triage import overrides

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


@pytest.fixture
def history(db: None) -> History:
    return seed()


@pytest.fixture(params=["postgresql", "python"])
def engine(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Each figure by PostgreSQL's own query, then by the fallback the demo's SQLite runs."""
    if request.param == "python":
        monkeypatch.setattr(reports, "_is_postgres", lambda: False)
        monkeypatch.setattr(overrides, "_postgres", lambda: False)
    return str(request.param)


# (decided, in time, claim median, claim p90, decision median, decision p90), in seconds.
EXPECTED_DEADLINES = {
    # E1: claim 120 s, decision 600 s, in time; E2: 480 s, 1,800 s, late (15 minutes).
    "EMERGENCY": (2, 1, 300.0, 444.0, 1200.0, 1680.0),
    # U1 1,800/10,800 in time; U2 3,600/18,000 late; U3 7,200/7,200 in time. p90 at rank 1.8.
    "URGENT": (3, 2, 3600.0, 6480.0, 10800.0, 16560.0),
    "SOON": (1, 1, 86400.0, 86400.0, 172800.0, 172800.0),
    "ROUTINE": (1, 1, 3600.0, 3600.0, 604800.0, 604800.0),
    # Z: decided 5 days 23:59 after its start, against a 2-day deadline.
    "SELF_CARE": (1, 0, 3600.0, 3600.0, 518340.0, 518340.0),
    # Every urgency together: counts, and no times (a median across deadlines of 15 minutes
    # and of 28 days would say nothing).
    "ALL": (8, 5, None, None, None, None),
}


def test_decided_within_the_deadline_and_the_times_to_claim_and_decide(
    history: History, engine: str
) -> None:
    rows = reports.deadlines(PERIOD)

    assert [row.key for row in rows] == [*EXPECTED_DEADLINES]
    for row in rows:
        decided, in_time, *times = EXPECTED_DEADLINES[row.key]
        assert (row.decided, row.in_time) == (decided, in_time), row.key
        got = [row.claim_median_s, row.claim_p90_s, row.decision_median_s, row.decision_p90_s]
        if row.urgency is None:
            assert got == times
        else:
            assert got == pytest.approx(times, abs=1e-6), row.key
    assert rows[-1].share_in_time == 5 / 8


def test_an_urgency_nothing_was_decided_at_has_zeros_and_no_times(db: None) -> None:
    rows = reports.deadlines(PERIOD)

    assert all(row.decided == 0 and row.share_in_time is None for row in rows)
    assert all(row.claim_median_s is None and row.decision_p90_s is None for row in rows)


def test_alerts_sent_acknowledged_and_escalated(history: History) -> None:
    alerts = reports.alerts(PERIOD)

    assert alerts == reports.AlertFigures(
        alert_emails=7,  # E1 2, E2 2, U2 1, W 1, U1 1 (U3's was before the period)
        alert_emails_sent=6,
        alert_emails_dead=1,
        cases_alerted=5,
        cases_acknowledged=3,  # E1, E2, U2; not W (unclaimed) nor U1 (claimed before)
        cases_escalated=2,  # E2, U2
        escalation_emails=4,
        escalation_emails_sent=3,
    )
    assert alerts.share_acknowledged == 3 / 5


def test_dead_emails_by_kind(history: History) -> None:
    dead = reports.dead_emails(PERIOD)

    assert [(kind, n) for kind, _label, n in dead.by_kind] == [
        ("clinician_alert", 1),
        ("programme_reminder", 1),
    ]
    assert dead.total == 2


def test_overrides_per_week_and_per_rule(history: History, engine: str) -> None:
    assert [(w.week, w.raised, w.lowered) for w in reports.overrides_per_week(PERIOD)] == [
        (WEEK_1, 1, 1),
        (WEEK_2, 1, 0),
    ]
    trends = reports.overrides_per_rule_and_week(PERIOD)
    # E1's assessment fired RULE_A twice and RULE_B once: once each.
    assert [(t.rule_id, t.raised, t.lowered) for t in trends] == [
        ("RULE_B", {WEEK_1: 1}, {WEEK_1: 1}),
        (overrides.NO_RULE, {WEEK_2: 1}, {}),  # most overridden first, then by name
        ("RULE_A", {}, {WEEK_1: 1}),
    ]


def test_emergencies_per_week(history: History) -> None:
    weeks = reports.emergencies_per_week(PERIOD)

    # E1 and E2 in the first week, W in the second; X's before the period.
    assert [(w.week, w.count) for w in weeks] == [(WEEK_1, 2), (WEEK_2, 1)]


def test_programmes_per_template(history: History, engine: str) -> None:
    rows = reports.programmes(PERIOD)
    t1, t2 = history.templates

    assert rows == [
        reports.ProgrammeRow(
            template_id=t1.pk,
            template=t1.name,
            prescribed=3,
            pain_followed=2,  # p1, p3
            pain_reached=1,  # p1: 5 -> 3
            ndi_followed=1,  # p3
            ndi_reached=1,  # p3: 30 -> 24
            sessions_done=10,
            sessions_planned=14,
            dropped_out=1,  # p2: week 1 unanswered since 5 March
            check_ins_answered=7,
            check_ins_to_triage=1,
            programmes_to_triage=1,
        ),
        reports.ProgrammeRow(
            template_id=t2.pk,
            template=t2.name,
            prescribed=2,
            pain_followed=2,  # p4, p5
            pain_reached=1,  # p4: 5 -> 2
            ndi_followed=0,
            ndi_reached=0,
            sessions_done=2,
            sessions_planned=5,
            dropped_out=1,  # p4 unsubscribed; p5 is on hold
            check_ins_answered=4,
            check_ins_to_triage=1,
            programmes_to_triage=1,
        ),
    ]
    assert rows[0].adherence == 10 / 14
    assert rows[1].share_ndi is None


def test_the_whole_dashboard_reads_in_a_few_queries(
    history: History, django_assert_max_num_queries: object
) -> None:
    # Eleven reads; four of them in a transaction of their own settings (a savepoint here, the
    # settings, the query, the release).
    with django_assert_max_num_queries(23):  # type: ignore[operator]
        board = reports.dashboard(PERIOD)
    assert board.alerts.cases_alerted == 5
