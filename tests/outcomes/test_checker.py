"""An outside checker's view of the outcomes dashboard: every figure the page and its CSVs show,
recomputed by SQL written from the stated definitions (tests/outcomes/checker_sql.py), on seeded
random data at fixed instants that hits the edges: empty periods, midnights across both changes
of the clocks in 2026 (Europe/London, 29 March and 25 October), decisions exactly at the
deadline, a second after it and never, overrides up and down, cases reopened by a check-in,
released and claimed again, programmes with no check-ins, no NDI, unsubscribed and gone quiet
exactly at the drop-out edge, and rows changed or removed after the figure tables were filled.

Each comparison runs both of the dashboard's paths over the same rows: PostgreSQL's (the figure
tables the triggers keep) and the one the embedded SQLite demo runs (counted in Python).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from itertools import count
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import ProgrammingError, transaction

from clinic.periods import Period
from outbox.models import Message
from outcomes import reports, views
from patients.models import Intake, Patient
from programmes.models import CheckIn, Programme, ProgrammeTemplate
from programmes.seed import seed_library
from tests.outcomes import checker_sql
from tests.outcomes.history import make_message
from tests.patients.helpers import make_user
from triage import overrides
from triage.models import Assessment, Case, CaseActivity, Urgency, UrgencyOverride

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

SEC, MIN, HOUR, DAY = (
    timedelta(seconds=1),
    timedelta(minutes=1),
    timedelta(hours=1),
    timedelta(days=1),
)


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


# Local midnights either side of the changes of the clocks, and the last second before each.
# 29 March: Sunday's midnight is 00:00 UTC, Monday's (BST) 23:00 UTC on the Sunday.
# 25 October: Sunday's midnight (BST) is 23:00 UTC on the Saturday, Monday's 00:00 UTC.
EDGES = [
    utc(2026, 3, 29, 0),
    utc(2026, 3, 28, 23, 59, 59),
    utc(2026, 3, 29, 23),
    utc(2026, 3, 29, 22, 59, 59),
    utc(2026, 3, 30, 0),  # 01:00 on the Monday, clinic time
    utc(2026, 10, 24, 23),
    utc(2026, 10, 24, 22, 59, 59),
    utc(2026, 10, 26, 0),
    utc(2026, 10, 25, 23, 59, 59),
    utc(2026, 10, 25, 0, 30),  # 01:30 BST, the first of the two
    utc(2026, 10, 25, 1, 30),  # 01:30 GMT, the second
]
WINDOWS = [(utc(2026, 3, 1), utc(2026, 5, 1)), (utc(2026, 10, 1), utc(2026, 12, 1))]
NOW = utc(2026, 11, 20, 12)
RULES = ["RULE_A", "RULE_B", "RULE_C"]
URGENCIES = list(Urgency)


def periods(now: datetime = NOW) -> list[Period]:
    days = [
        (date(2025, 1, 1), date(2025, 1, 31)),  # before any data
        (date(2030, 1, 1), date(2030, 1, 31)),  # after it, and after now
        (date(2026, 3, 23), date(2026, 3, 29)),
        (date(2026, 3, 29), date(2026, 3, 29)),  # a 23-hour day
        (date(2026, 3, 30), date(2026, 4, 5)),
        (date(2026, 3, 25), date(2026, 4, 2)),  # weeks cut at both ends
        (date(2026, 3, 1), date(2026, 4, 30)),
        (date(2026, 10, 19), date(2026, 10, 25)),
        (date(2026, 10, 25), date(2026, 10, 25)),  # a 25-hour day
        (date(2026, 10, 26), date(2026, 11, 1)),
        (date(2026, 10, 1), date(2026, 11, 30)),  # ends after now: seen as of now
        (date(2026, 1, 1), date(2026, 12, 31)),
    ]
    return [Period(start=a, end=b, now=now) for a, b in days]


_n = count(1)


@dataclass
class Data:
    clinician: User
    cases: list[Case] = field(default_factory=list)
    assessments: dict[int, Assessment] = field(default_factory=dict)  # case -> latest
    alerted: list[Case] = field(default_factory=list)
    programmes: list[Programme] = field(default_factory=list)
    templates: list[ProgrammeTemplate] = field(default_factory=list)


def _instant(rng: random.Random) -> datetime:
    if rng.random() < 0.3:
        return rng.choice(EDGES)
    lo, hi = rng.choice(WINDOWS)
    return lo + timedelta(seconds=rng.randrange(int((hi - lo).total_seconds())))


def _patient() -> Patient:
    n = next(_n)
    return Patient.objects.create(
        given_name=f"Given{n}", family_name=f"Family{n}", date_of_birth=date(1980, 1, 1), sex="M"
    )


def _assess(
    d: Data, case: Case, urgency: Urgency, at: datetime, rng: random.Random, source: str
) -> Assessment:
    intake = Intake.objects.create(
        patient=case.patient, answers={}, contract_version="intake/1", source=source
    )
    fired = [
        {"id": rng.choice(RULES), "urgency": urgency.name, "reason": "r", "source": "s"}
        for _ in range(rng.choice([0, 1, 2, 3]))
    ]
    assessment = Assessment.objects.create(
        intake=intake, case=case, urgency=urgency, rules=fired, ruleset="2026.1", created_at=at
    )
    d.assessments[case.pk] = assessment
    return assessment


def _alerts(d: Data, case: Case, at: datetime, rng: random.Random) -> None:
    statuses = [Message.Status.SENT, Message.Status.DEAD, Message.Status.PENDING]
    for _ in range(rng.choice([1, 2, 3])):
        make_message(Message.Kind.CLINICIAN_ALERT, rng.choice(statuses), at, case)
    if rng.random() < 0.5:
        make_message(
            Message.Kind.ESCALATION, rng.choice(statuses), at + rng.choice([5 * MIN, HOUR]), case
        )
    d.alerted.append(case)


def _wait(
    d: Data,
    case: Case,
    rule_urgency: Urgency,
    opened: datetime,
    rng: random.Random,
    source: str = Intake.Source.RECEPTION,
) -> None:
    """One wait of a case: triaged, maybe alerted and overridden, claimed and decided."""
    assessment = _assess(d, case, rule_urgency, opened, rng, source)
    urgency = rule_urgency
    if rule_urgency >= Urgency.URGENT:
        _alerts(d, case, opened, rng)
    if rng.random() < 0.35:  # overridden, up or down: the deadline moves with it
        urgency = rng.choice([u for u in URGENCIES if u != rule_urgency])
        UrgencyOverride.objects.create(
            case=case,
            assessment=assessment,
            from_urgency=rule_urgency,
            to_urgency=urgency,
            reason="Because",
            by=d.clinician,
            created_at=rng.choice([opened + MIN, *EDGES]) if rng.random() < 0.3 else opened + MIN,
        )
        if urgency >= Urgency.URGENT and urgency > rule_urgency and rng.random() < 0.5:
            # Raised by an override: no alert, but the alert clock runs and it may escalate.
            make_message(Message.Kind.ESCALATION, Message.Status.SENT, opened + HOUR, case)
    due = opened + urgency.sla
    mode = rng.choice(["at deadline", "a second late", "never", "random", "edge"])
    decided: datetime | None
    if mode == "at deadline":
        decided = due
    elif mode == "a second late":
        decided = due + SEC
    elif mode == "never":
        decided = None
    elif mode == "edge":
        later = [e for e in EDGES if e > opened]
        decided = rng.choice(later) if later else opened + HOUR
    else:
        decided = opened + timedelta(seconds=rng.randrange(1, int(2 * urgency.sla.total_seconds())))
    claimed: datetime | None = None
    if decided is not None or rng.random() < 0.5:
        end = decided or opened + 2 * urgency.sla
        claimed = opened + (end - opened) * rng.random()
        CaseActivity.objects.create(
            case=case, kind=CaseActivity.Kind.CLAIMED, by=d.clinician, at=claimed
        )
        if rng.random() < 0.2:  # released and claimed again: the case holds the later claim
            CaseActivity.objects.create(
                case=case, kind=CaseActivity.Kind.RELEASED, by=d.clinician, at=claimed + SEC
            )
            claimed = claimed + (end - claimed) * rng.random() + 2 * SEC
            if decided is not None and claimed > decided:
                claimed = decided
            CaseActivity.objects.create(
                case=case, kind=CaseActivity.Kind.CLAIMED, by=d.clinician, at=claimed
            )
    case.status = Case.Status.CLOSED if decided else Case.Status.OPEN
    case.urgency = urgency
    case.opened_at = opened
    case.due_at = due
    case.claimed_by = d.clinician if claimed else None
    case.claimed_at = claimed
    case.decided_at = case.closed_at = decided
    case.save()


def generate(seed: int) -> Data:
    rng = random.Random(seed)
    d = Data(clinician=make_user(role="clinician", email=f"checker{seed}@example.org"))
    for _ in range(70):
        rule_urgency = rng.choice(URGENCIES)
        opened = _instant(rng)
        case = Case.objects.create(
            patient=_patient(), urgency=rule_urgency, opened_at=opened, due_at=opened
        )
        _wait(d, case, rule_urgency, opened, rng)
        if case.decided_at and rng.random() < 0.25:  # a check-in brings it back to triage
            again = case.decided_at + rng.choice([HOUR, 3 * DAY, 20 * DAY])
            CaseActivity.objects.create(case=case, kind=CaseActivity.Kind.CHECK_IN, at=again)
            _wait(d, case, rng.choice(URGENCIES), again, rng, source=Intake.Source.CHECK_IN)
        d.cases.append(case)
    kinds = [Message.Kind.REFERRAL_LETTER, Message.Kind.PROGRAMME_REMINDER, Message.Kind.CHECK_IN]
    for _ in range(15):
        status = rng.choice([Message.Status.DEAD, Message.Status.SENT, Message.Status.FAILED])
        make_message(rng.choice(kinds), status, _instant(rng))
    _programmes(d, rng)
    return d


def _programmes(d: Data, rng: random.Random) -> None:
    seed_library()
    d.templates = list(ProgrammeTemplate.objects.order_by("name")[:3])
    statuses = [s for s, _ in Programme.Status.choices]
    for _ in range(45):
        prescribed = _instant(rng)
        patient = _patient()
        case = Case.objects.create(
            patient=patient,
            status=Case.Status.CLOSED,
            urgency=Urgency.SELF_CARE,
            opened_at=prescribed - HOUR,
            due_at=prescribed + DAY,
            closed_at=prescribed,
        )
        template = rng.choice(d.templates)
        programme = Programme.objects.create(
            case=case,
            patient=patient,
            template=template,
            name=template.name,
            status=rng.choice(statuses),
            prescribed_by=d.clinician,
            prescribed_at=prescribed,
            start_date=prescribed.date(),
            safety_net="Call 999 if...",
            baseline_pain=rng.randrange(11),
            intake_answers={},
            phase_started_on=prescribed.date(),
            unsubscribed_at=prescribed + 9 * DAY if rng.random() < 0.15 else None,
        )
        d.programmes.append(programme)
        if rng.random() < 0.15:
            continue  # no check-ins at all
        for week in (0, 1, 2, 4, 6):
            due = prescribed + week * 7 * DAY
            answered = rng.random() < (0.9 if week == 0 else 0.6)
            both = rng.random() < 0.9
            CheckIn.objects.create(
                programme=programme,
                week=week,
                due_at=due,
                asks_ndi=week in (0, 6),
                completed_at=due + rng.choice([HOUR, 2 * DAY, 12 * DAY]) if answered else None,
                pain=(rng.randrange(11) if rng.random() < 0.9 else None) if answered else None,
                sessions_done=rng.randrange(6) if answered and week and both else None,
                sessions_planned=5 if answered and week and both else None,
                ndi_points=(
                    Decimal(rng.randrange(0, 501)) / 10
                    if answered and week in (0, 6) and rng.random() < 0.7
                    else None
                ),
                outcome=CheckIn.Outcome.TRIAGE if answered and rng.random() < 0.15 else "",
            )


# --- The comparison ----------------------------------------------------------------------------


def dashboard_figures(period: Period) -> dict[str, Any]:
    """What the page and its CSVs show, keyed as the checker's SQL gives it."""
    board = reports.dashboard(period)
    deadlines = {
        row.urgency: (
            row.decided,
            row.in_time,
            row.claim_median_s,
            row.claim_p90_s,
            row.decision_median_s,
            row.decision_p90_s,
        )
        for row in board.deadlines[:-1]
        if row.decided
    }
    every = board.deadlines[-1]
    assert (every.decided, every.in_time) == (
        sum(r.decided for r in board.deadlines[:-1]),
        sum(r.in_time for r in board.deadlines[:-1]),
    )
    a = board.alerts
    per_rule_csv = {
        (date.fromisoformat(str(w)), rule, direction == "raised", int(str(n)))
        for w, rule, direction, n in views.FIGURES["overrides-per-rule"](period)[1]
    }
    per_rule = {
        (week, trend.rule_id, raised, n)
        for trend in board.overrides_per_rule
        for raised, weeks in ((True, trend.raised), (False, trend.lowered))
        for week, n in weeks.items()
    }
    assert per_rule == per_rule_csv
    assert [w.week for w in board.overrides_per_week] == period.weeks()
    assert [w.week for w in board.emergencies_per_week] == period.weeks()
    return {
        "deadlines": deadlines,
        "alerts": (
            a.cases_alerted,
            a.alert_emails,
            a.alert_emails_sent,
            a.alert_emails_dead,
            a.cases_acknowledged,
            a.cases_escalated,
            a.escalation_emails,
            a.escalation_emails_sent,
        ),
        "dead": {kind: n for kind, _label, n in board.dead_emails.by_kind},
        "overrides_per_week": {
            w.week: (w.raised, w.lowered)
            for w in board.overrides_per_week
            if (w.raised, w.lowered) != (0, 0)
        },
        "overrides_per_rule": per_rule,
        "emergencies": {w.week: w.count for w in board.emergencies_per_week if w.count},
        "programmes": {
            r.template_id: (
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
            for r in board.programmes
        },
    }


def checker_figures(period: Period) -> dict[str, Any]:
    first, last = period.start, period.end
    return {
        "deadlines": checker_sql.deadlines(first, last),
        "alerts": checker_sql.alerts(first, last),
        "dead": checker_sql.dead_emails(first, last),
        "overrides_per_week": checker_sql.overrides_per_week(first, last),
        "overrides_per_rule": checker_sql.overrides_per_rule(first, last, overrides.NO_RULE),
        "emergencies": checker_sql.emergencies(first, last),
        "programmes": checker_sql.programmes(
            first,
            last,
            now=period.now,
            pain_points=reports.PAIN_POINTS,
            ndi_points=reports.NDI_POINTS,
        ),
    }


@pytest.fixture(params=["postgresql", "sqlite path"])
def path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The dashboard's PostgreSQL path, or the embedded demo's (Python over the same rows)."""
    if request.param == "sqlite path":
        monkeypatch.setattr(reports, "_is_postgres", lambda: False)
        monkeypatch.setattr(overrides, "_postgres", lambda: False)
    yield request.param


def assert_as_checker(period: Period) -> None:
    shown, expected = dashboard_figures(period), checker_figures(period)
    for figure in expected:
        if figure == "deadlines":  # seconds, as float8: equal to a unit in the last place
            assert shown[figure].keys() == expected[figure].keys(), period
            for urgency, row in expected[figure].items():
                assert shown[figure][urgency] == pytest.approx(row, rel=1e-9), (urgency, period)
        else:
            if shown[figure] != expected[figure]:
                pytest.fail(f"{figure} {period}: {_diff(shown[figure], expected[figure])}")


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_figure_is_the_checkers_on_generated_data(seed: int, path: str) -> None:
    generate(seed)
    for period in periods():
        assert_as_checker(period)
    # Seen from a moment inside the autumn period: the drop-out as of now.
    for period in periods(now=utc(2026, 10, 28, 12)):
        assert_as_checker(period)


def test_the_figures_stay_the_checkers_as_rows_change_after_the_tables_were_filled(
    path: str,
) -> None:
    d = generate(4)
    everything = periods()
    for period in everything:
        assert_as_checker(period)
    rng = random.Random(40)
    decided = [c for c in d.cases if c.decided_at]
    # A decision's time moved across Monday's midnight just after the clocks went forward.
    moved = decided[0]
    Case.objects.filter(pk=moved.pk).update(
        decided_at=utc(2026, 3, 29, 22, 59, 59), opened_at=utc(2026, 3, 29, 20)
    )
    # A case reopened by a check-in: its first wait no longer counts.
    reopened = decided[1]
    Case.objects.filter(pk=reopened.pk).update(
        status=Case.Status.OPEN,
        decided_at=None,
        closed_at=None,
        claimed_at=None,
        claimed_by=None,
        opened_at=utc(2026, 11, 1),
        due_at=utc(2026, 11, 1) + Urgency.URGENT.sla,
        urgency=Urgency.URGENT,
    )
    _alerts(d, reopened, utc(2026, 11, 1), rng)
    # A claim after the alerts of a case nobody had claimed since.
    for case in d.alerted[:6]:
        CaseActivity.objects.create(
            case=case, kind=CaseActivity.Kind.CLAIMED, by=d.clinician, at=utc(2026, 11, 15)
        )
    # An alert's status and time changed, an escalation removed.
    alert = Message.objects.filter(kind=Message.Kind.CLINICIAN_ALERT).order_by("pk").first()
    assert alert is not None
    Message.objects.filter(pk=alert.pk).update(
        status=Message.Status.DEAD, created_at=utc(2026, 3, 29, 23)
    )
    Message.objects.filter(kind=Message.Kind.ESCALATION).order_by("pk").first().delete()  # type: ignore[union-attr]
    # Programmes: a check-in answered late, one removed, one moved to another programme; an
    # unsubscribe, a stop, a prescription moved across midnight; one programme removed.
    waiting = CheckIn.objects.filter(completed_at__isnull=True, week__gt=0).order_by("pk")
    first = waiting.first()
    assert first is not None
    CheckIn.objects.filter(pk=first.pk).update(
        completed_at=utc(2026, 11, 19), pain=0, sessions_done=5, sessions_planned=5
    )
    waiting.exclude(pk=first.pk).first().delete()  # type: ignore[union-attr]
    p0, p1, p2, p3, p4 = d.programmes[:5]
    CheckIn.objects.filter(programme=p0, week=6).update(programme=p4, week=9)
    Programme.objects.filter(pk=p1.pk).update(unsubscribed_at=utc(2026, 11, 2))
    Programme.objects.filter(pk=p2.pk).update(status=Programme.Status.STOPPED, baseline_pain=10)
    Programme.objects.filter(pk=p3.pk).update(prescribed_at=utc(2026, 10, 24, 23))
    d.programmes[5].delete()
    for period in everything:
        assert_as_checker(period)


def test_claims_overrides_and_assessments_cannot_change_under_the_figures() -> None:
    """The figure tables refresh on a claim's insert and write an override's rules once: that
    holds because the database refuses to edit or delete a claim, an override or an assessment
    (triage migrations 0002 and 0008), whoever tries."""
    d = generate(5)
    claim = CaseActivity.objects.filter(kind=CaseActivity.Kind.CLAIMED).first()
    override = UrgencyOverride.objects.first()
    assessment = Assessment.objects.filter(overrides__isnull=False).first()
    assert claim and override and assessment
    changes = [
        lambda: CaseActivity.objects.filter(pk=claim.pk).update(at=utc(2020, 1, 1)),
        lambda: CaseActivity.objects.filter(pk=claim.pk).delete(),
        lambda: UrgencyOverride.objects.filter(pk=override.pk).update(created_at=utc(2026, 10, 26)),
        lambda: UrgencyOverride.objects.filter(pk=override.pk).delete(),
        lambda: Assessment.objects.filter(pk=assessment.pk).update(rules=[]),
    ]
    for change in changes:
        with pytest.raises(ProgrammingError, match="never edited or deleted"), transaction.atomic():
            change()
    for period in periods():
        assert_as_checker(period)
    assert d.alerted


def test_a_check_in_overdue_exactly_the_drop_out_days_is_not_yet_a_drop_out(path: str) -> None:
    """Seen from the end of the period (its last midnight, which it does not include), a check-in
    due exactly 7 days (168 hours) before has been unanswered 7 days less an instant: not yet
    quiet; one second earlier, it is. Across the change of the clocks in October too."""
    d = generate(6)
    # Its last midnight is GMT, a week before it BST: 7 days are 168 hours, not 7 calendar days.
    period = Period(start=date(2026, 10, 1), end=date(2026, 10, 31), now=NOW)
    end = period.ends_at.astimezone(UTC)
    Programme.objects.filter(pk__in=[p.pk for p in d.programmes[:2]]).update(
        prescribed_at=utc(2026, 10, 10), status=Programme.Status.ACTIVE, unsubscribed_at=None
    )
    CheckIn.objects.filter(programme__in=d.programmes[:2]).delete()
    for programme, due in zip(d.programmes[:2], [end - 7 * DAY, end - 7 * DAY - SEC], strict=True):
        CheckIn.objects.create(programme=programme, week=0, due_at=due)
    assert_as_checker(period)


def _diff(shown: Any, expected: Any) -> Any:
    if isinstance(shown, dict) and isinstance(expected, dict):
        return {
            key: (shown.get(key), expected.get(key))
            for key in shown.keys() | expected.keys()
            if shown.get(key) != expected.get(key)
        }
    if isinstance(shown, set) and isinstance(expected, set):
        return {"shown only": shown - expected, "checker only": expected - shown}
    return shown, expected
