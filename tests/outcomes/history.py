"""A small, known history at fixed instants for the outcome figures: cases of every urgency
decided inside and outside the period, alerts and escalations, dead emails, overrides on
assessments with known rules, emergencies, and programmes of two templates with check-ins.

The period is Monday 2 March to Sunday 15 March 2026 (before the clocks change, so the clinic's
time is UTC). The figures each test expects are worked out by hand beside each row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from itertools import count
from typing import Any

from django.contrib.auth.models import User

from clinic.periods import Period
from outbox.models import Message
from patients.models import Intake, Patient
from programmes.models import CheckIn, Programme, ProgrammeTemplate
from programmes.seed import seed_library
from tests.patients.helpers import make_user
from triage.models import Assessment, Case, CaseActivity, Urgency, UrgencyOverride

PERIOD = Period(
    start=date(2026, 3, 2), end=date(2026, 3, 15), now=datetime(2026, 3, 30, 12, tzinfo=UTC)
)
WEEK_1, WEEK_2 = date(2026, 3, 2), date(2026, 3, 9)


def at(day: int, hour: int = 9, minute: int = 0, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


MIN, HOUR, DAY = timedelta(minutes=1), timedelta(hours=1), timedelta(days=1)
_n = count(1)


@dataclass
class History:
    clinician: User
    cases: dict[str, Case] = field(default_factory=dict)
    assessments: dict[str, Assessment] = field(default_factory=dict)
    templates: list[ProgrammeTemplate] = field(default_factory=list)


def _patient() -> Patient:
    n = next(_n)
    return Patient.objects.create(
        given_name=f"Given{n}", family_name=f"Family{n}", date_of_birth=date(1980, 1, 1), sex="F"
    )


def _case(
    h: History,
    name: str,
    urgency: Urgency,
    opened: datetime,
    *,
    claimed: timedelta | None,
    decided: timedelta | None,
    rules: list[dict[str, Any]] | None = None,
    assessed: datetime | None = None,
    assessed_urgency: Urgency | None = None,
) -> Case:
    patient = _patient()
    decided_at = opened + decided if decided is not None else None
    case = Case.objects.create(
        patient=patient,
        status=Case.Status.CLOSED if decided_at else Case.Status.OPEN,
        urgency=urgency,
        opened_at=opened,
        due_at=opened + urgency.sla,
        claimed_by=h.clinician if claimed is not None else None,
        claimed_at=opened + claimed if claimed is not None else None,
        decided_at=decided_at,
        closed_at=decided_at,
    )
    intake = Intake.objects.create(patient=patient, answers={}, contract_version="intake/1")
    h.assessments[name] = Assessment.objects.create(
        intake=intake,
        case=case,
        urgency=assessed_urgency or urgency,
        rules=rules or [],
        ruleset="2026.1",
        created_at=assessed or opened,
    )
    if claimed is not None:
        CaseActivity.objects.create(
            case=case, kind=CaseActivity.Kind.CLAIMED, by=h.clinician, at=opened + claimed
        )
    h.cases[name] = case
    return case


def make_message(kind: str, status: str, created: datetime, case: Case | None = None) -> Message:
    """An outbox row of `kind` and `status`, queued at `created` (the figures read no more)."""
    return Message.objects.create(
        key=f"history.{next(_n)}",
        kind=kind,
        to_email="someone@example.org",
        subject="Subject",
        body_text="Body",
        status=status,
        case=case,
        created_at=created,
    )


ALERT, ESCALATION = Message.Kind.CLINICIAN_ALERT, Message.Kind.ESCALATION
SENT, DEAD, PENDING = Message.Status.SENT, Message.Status.DEAD, Message.Status.PENDING


def seed() -> History:
    h = History(clinician=make_user(role="clinician", email="carl@example.org"))
    E, U, S, R, SC = (
        Urgency.EMERGENCY,
        Urgency.URGENT,
        Urgency.SOON,
        Urgency.ROUTINE,
        Urgency.SELF_CARE,
    )
    rule_a = {"id": "RULE_A", "urgency": "EMERGENCY", "reason": "a", "source": "s"}
    rule_b = {"id": "RULE_B", "urgency": "URGENT", "reason": "b", "source": "s"}
    # Cases decided in the period: (claim s, decision s, in time)
    _case(h, "E1", E, at(2), claimed=2 * MIN, decided=10 * MIN, rules=[rule_a, rule_a, rule_b])
    _case(h, "E2", E, at(3, 10), claimed=8 * MIN, decided=30 * MIN)  # late
    _case(h, "U1", U, at(4), claimed=30 * MIN, decided=3 * HOUR, rules=[rule_b])
    _case(h, "U2", U, at(5), claimed=HOUR, decided=5 * HOUR)  # late
    _case(h, "U3", U, at(6), claimed=2 * HOUR, decided=2 * HOUR)
    _case(h, "S1", S, at(1, 12), claimed=DAY, decided=2 * DAY)  # opened before, decided in
    _case(h, "R1", R, at(2), claimed=HOUR, decided=7 * DAY)
    _case(h, "Z", SC, at(10, 0), claimed=HOUR, decided=5 * DAY + 23 * HOUR + 59 * MIN)  # late
    # Decided outside the period: before it, and just after its last midnight.
    # X's intake was an emergency before the period (not counted among the emergencies).
    _case(h, "X", SC, at(20, month=2), claimed=HOUR, decided=5 * DAY, assessed_urgency=E)
    _case(h, "Y", SC, at(15, 23, 30), claimed=HOUR, decided=HOUR)  # decided 16 Mar 00:30
    # Open, unclaimed, an emergency in the second week.
    _case(h, "W", E, at(14, 10), claimed=None, decided=None)

    # Alerts: E1 (2 sent, claimed after), E2 (sent + dead, 3 escalation emails, claimed after),
    # U2 (1 sent, 1 escalation, claimed after), W (not claimed), U1 (its claim came before the
    # alert: not acknowledged), U3 (before the period: not counted).
    c = h.cases
    for status in (SENT, SENT):
        make_message(ALERT, status, at(2), c["E1"])
    for status in (SENT, DEAD):
        make_message(ALERT, status, at(3, 10), c["E2"])
    for status in (SENT, SENT, PENDING):
        make_message(ESCALATION, status, at(3, 10, 5), c["E2"])
    make_message(ALERT, SENT, at(5), c["U2"])
    make_message(ESCALATION, SENT, at(5, 10), c["U2"])
    make_message(ALERT, SENT, at(14, 10), c["W"])
    make_message(ALERT, SENT, at(4, 9, 45), c["U1"])  # U1 was claimed at 09:30
    make_message(ALERT, SENT, at(27, month=2), c["U3"])
    # Dead emails: two in the period, one before it.
    make_message(Message.Kind.PROGRAMME_REMINDER, DEAD, at(10))
    make_message(Message.Kind.REFERRAL_LETTER, DEAD, at(28, month=2))

    # Overrides: E1 lowered (rules A, B) in week 1, U1 raised (rule B) in week 1, R1 raised (no
    # rule) in week 2, one before the period.
    def override(name: str, to: Urgency, when: datetime) -> None:
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

    override("E1", U, at(2, 9, 5))
    override("U1", E, at(4, 9, 40))
    override("R1", S, at(9))
    override("U2", S, at(27, month=2))

    _programmes(h)
    return h


def _programmes(h: History) -> None:
    seed_library()
    t1, t2 = list(ProgrammeTemplate.objects.order_by("name")[:2])
    h.templates = [t1, t2]

    def programme(
        template: ProgrammeTemplate,
        baseline: int,
        status: str,
        *,
        prescribed: datetime | None = None,
        unsubscribed: datetime | None = None,
    ) -> Programme:
        prescribed = prescribed or at(2)
        patient = _patient()
        # Closed without a decision time, so that these cases stay out of the safety figures.
        case = Case.objects.create(
            patient=patient,
            status=Case.Status.CLOSED,
            urgency=Urgency.SELF_CARE,
            opened_at=prescribed - HOUR,
            due_at=prescribed + DAY,
            closed_at=prescribed,
        )
        return Programme.objects.create(
            case=case,
            patient=patient,
            template=template,
            name=template.name,
            status=status,
            prescribed_by=h.clinician,
            prescribed_at=prescribed,
            start_date=prescribed.date(),
            safety_net="Call 999 if...",
            baseline_pain=baseline,
            intake_answers={},
            phase_started_on=prescribed.date(),
            unsubscribed_at=unsubscribed,
        )

    def check_in(
        p: Programme,
        week: int,
        due: datetime,
        *,
        pain: int | None = None,
        done: int | None = None,
        planned: int | None = None,
        ndi: str | None = None,
        outcome: str = "",
        answered: bool = True,
    ) -> None:
        CheckIn.objects.create(
            programme=p,
            week=week,
            due_at=due,
            completed_at=due if answered else None,
            pain=pain,
            sessions_done=done,
            sessions_planned=planned,
            ndi_points=Decimal(ndi) if ndi else None,
            outcome=outcome,
        )

    active, done_, stopped, hold = (
        Programme.Status.ACTIVE,
        Programme.Status.COMPLETED,
        Programme.Status.STOPPED,
        Programme.Status.ON_HOLD,
    )
    # T1 ------------------------------------------------------------------------------------
    p1 = programme(t1, 6, active)  # start min(6, 5) = 5, last 3: better by 2. Sessions 5/7.
    check_in(p1, 0, at(2), pain=5, ndi="20")
    check_in(p1, 1, at(9), pain=4, done=3, planned=3)
    check_in(p1, 2, at(15), pain=3, done=2, planned=4)
    check_in(p1, 4, at(30), answered=False)  # not yet due at the end of the period
    p2 = programme(t1, 7, active)  # quiet since week 1 (due 5 Mar): dropped out
    check_in(p2, 0, at(2), pain=7, ndi="30")
    check_in(p2, 1, at(5), answered=False)
    check_in(p2, 2, at(12), answered=False)
    p3 = programme(t1, 8, done_)  # pain 8 -> 7 (not 2 better), NDI 30 -> 24 (5 better)
    check_in(p3, 0, at(2), pain=8, ndi="30")
    check_in(p3, 1, at(9), pain=9, done=1, planned=3, outcome=CheckIn.Outcome.TRIAGE)
    check_in(p3, 6, at(14), pain=7, done=4, planned=4, ndi="24")
    # T2 ------------------------------------------------------------------------------------
    p4 = programme(t2, 5, stopped, unsubscribed=at(12))  # 5 -> 2; unsubscribed: dropped out
    check_in(p4, 0, at(2), pain=5)
    check_in(p4, 1, at(9), pain=2, done=2, planned=2)
    p5 = programme(t2, 4, hold)  # 4 -> 6, back to triage; on hold, so not dropped out
    check_in(p5, 0, at(2), pain=4)
    check_in(p5, 1, at(5), pain=6, done=0, planned=3, outcome=CheckIn.Outcome.TRIAGE)
    check_in(p5, 2, at(6), answered=False)
    # Before the period: not counted.
    p6 = programme(t2, 9, done_, prescribed=at(20, month=2))
    check_in(p6, 0, at(20, month=2), pain=9)
    check_in(p6, 1, at(27, month=2), pain=1, done=3, planned=3)
