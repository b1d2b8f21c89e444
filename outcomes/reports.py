"""The clinic lead's figures, each one aggregate query over a period (PostgreSQL; on SQLite, the
embedded demo, the parts SQLite lacks are done in Python over the same rows). On PostgreSQL the
alert and programme figures (and the overrides per rule, `triage.overrides`) read rows the
database keeps from the raw rows as they are written (outcomes migration 0003), one per alert,
programme and override rule, so a period of years reads one narrow index; the deadline figures
read the cases themselves, the percentiles being exact.

Every figure's definition is here, beside its query, and on the dashboard in words
(`outcomes/definitions.py`). A period is whole days in the clinic's time zone, from its first
day to its last, inclusive. Weeks start on Monday, in the clinic's time zone.

Safety (cases whose wait ended with a decision in the period, by the case's urgency then):
- decided within the deadline: `decided_at <= due_at` (the deadline as it stood, overrides
  included);
- time to claim: `claimed_at - opened_at`, time to decision: `decided_at - opened_at`; median
  and 90th percentile by linear interpolation (PostgreSQL's `percentile_cont`). A case that came
  back from a check-in counts its latest wait: the case row keeps one wait at a time.
Alerts (clinician alerts queued in the period, by case): the alert emails and how many were
sent or dead; the cases alerted; of those, acknowledged (a clinician claimed the case at or after
its first alert of the period) and escalated (an escalation email about it was queued after that
alert, within the period). Dead emails: every message queued in the period that the outbox gave
up on, by kind.

The rules: overrides queued in the period per week, per rule that had fired on the overridden
assessment and per direction (`triage.overrides`, which the overrides report reads too), and
intakes the rule set triaged EMERGENCY, per week.

Programmes (prescribed in the period, by template): `programmes.core.thresholds` holds the
clinically important changes. The start is the lower of the intake's pain and the starting
questionnaire's (as `programmes.check_ins.baseline_pain`); "by the last check-in" is the latest
answered check-in after the start. Adherence pools sessions done over sessions planned across
answered check-ins. Dropped out: the patient unsubscribed, or the programme is still running with
a check-in unanswered `DROP_OUT_DAYS` after it was due and none answered after it (as of the end
of the period, or now if sooner). Back to triage: answered check-ins whose outcome was a return
to triage.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, Q
from django.db.models.functions import TruncWeek
from django.utils import timezone

from clinic.periods import Period
from outbox.models import Message
from programmes.core.thresholds import MCID_POINTS, WORSE_PAIN_POINTS
from programmes.models import Programme, ProgrammeTemplate
from triage import overrides
from triage.models import Assessment, Case, Urgency
from triage.overrides import report_rows

# A check-in this many days past due, with nothing answered after it, is a patient gone quiet.
DROP_OUT_DAYS = 7
# The pain change (NPRS points) and NDI change (points of 50) that count as clinically important.
PAIN_POINTS = WORSE_PAIN_POINTS
NDI_POINTS = MCID_POINTS


def _is_postgres() -> bool:
    return connection.vendor == "postgresql"


def percentile_cont(values: Sequence[float], fraction: float) -> float | None:
    """PostgreSQL's `percentile_cont`: linear interpolation between the closest ranks."""
    if not values:
        return None
    ordered = sorted(values)
    position = fraction * (len(ordered) - 1)
    low = math.floor(position)
    high = math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _figures_rows(sql: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    """A query of the figures the database keeps (outcomes migration 0003), as `report_rows`
    runs a report, after refreshing whatever this transaction wrote and has not yet committed
    (nothing, in a page's request): the figures are then as of the transaction's own writes."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SET CONSTRAINTS outcomes_figures_refresh IMMEDIATE; "
            "SET LOCAL jit = off; SET LOCAL work_mem = '64MB'"
        )
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


# --- Safety ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DeadlineRow:
    """Cases of one urgency (None: every urgency) decided in the period."""

    urgency: int | None
    decided: int
    in_time: int
    claim_median_s: float | None
    claim_p90_s: float | None
    decision_median_s: float | None
    decision_p90_s: float | None

    @property
    def label(self) -> str:
        return str(Urgency(self.urgency).label) if self.urgency else ""

    @property
    def key(self) -> str:
        return Urgency(self.urgency).key if self.urgency else "ALL"

    @property
    def share_in_time(self) -> float | None:
        return share(self.in_time, self.decided)


# One branch per urgency, so that PostgreSQL sorts each urgency's times apart and can share the
# branches among its parallel workers (Parallel Append); each branch reads one range of the
# (urgency, decided_at) index, once for both measures, and nothing else (an index-only scan).
# Exact percentiles must sort every case of the period: this is the one figure whose cost grows
# with the cases, so it reads them in as few passes as there are urgencies. The seconds are
# `date_part`'s float8, not `EXTRACT`'s numeric cast to float8: the same number (at most a
# unit in the last place apart, 1e-10 s for a 28-day wait; none apart on any of the benchmark's
# 2,000,000), at half the cost (numeric arithmetic on every case was most of this report's time).
_DEADLINE_BRANCH = """
SELECT {urgency} AS urgency, count(*), count(*) FILTER (WHERE decided_at <= due_at),
       percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (
           ORDER BY date_part('epoch', claimed_at - opened_at)),
       percentile_cont(ARRAY[0.5, 0.9]) WITHIN GROUP (
           ORDER BY date_part('epoch', decided_at - opened_at))
FROM triage_case WHERE urgency = {urgency} AND decided_at >= %(start)s AND decided_at < %(end)s
"""
_DEADLINES_SQL = "\nUNION ALL\n".join(
    _DEADLINE_BRANCH.format(urgency=level.value) for level in Urgency
)


def deadlines(period: Period) -> list[DeadlineRow]:
    """Per urgency, most urgent first, then every urgency together (urgency None: counts, no
    times). An urgency with no case decided in the period has a row of zeros."""
    found: dict[int | None, DeadlineRow] = {}
    if _is_postgres():
        window = {"start": period.starts_at, "end": period.ends_at}
        for urgency, decided, in_time, claim, decision in report_rows(_DEADLINES_SQL, window):
            if decided:
                claim, decision = claim or [None, None], decision or [None, None]
                found[urgency] = DeadlineRow(
                    urgency, decided, in_time, claim[0], claim[1], decision[0], decision[1]
                )
    else:
        rows = Case.objects.filter(
            decided_at__gte=period.starts_at, decided_at__lt=period.ends_at
        ).values_list("urgency", "opened_at", "claimed_at", "decided_at", "due_at")
        groups: dict[int | None, list[tuple[Any, ...]]] = defaultdict(list)
        for row in rows:
            groups[row[0]].append(row)
        for urgency, members in groups.items():
            claims = [(c - o).total_seconds() for _, o, c, _, _ in members if c is not None]
            decisions = [(d - o).total_seconds() for _, o, _, d, _ in members]
            found[urgency] = DeadlineRow(
                urgency,
                len(members),
                sum(1 for *_, d, due in members if d <= due),
                percentile_cont(claims, 0.5),
                percentile_cont(claims, 0.9),
                percentile_cont(decisions, 0.5),
                percentile_cont(decisions, 0.9),
            )
    ordered = [
        found.get(level.value, DeadlineRow(level.value, 0, 0, None, None, None, None))
        for level in sorted(Urgency, key=lambda u: -u.value)
    ]
    # Every urgency together: counts only. A median across urgencies would mix 15-minute
    # deadlines with 28-day ones and say nothing about either.
    every = DeadlineRow(
        None,
        sum(r.decided for r in ordered),
        sum(r.in_time for r in ordered),
        None,
        None,
        None,
        None,
    )
    return [*ordered, every]


@dataclass(frozen=True, slots=True)
class AlertFigures:
    alert_emails: int
    alert_emails_sent: int
    alert_emails_dead: int
    cases_alerted: int
    cases_acknowledged: int
    cases_escalated: int
    escalation_emails: int
    escalation_emails_sent: int

    @property
    def share_acknowledged(self) -> float | None:
        return share(self.cases_acknowledged, self.cases_alerted)

    @property
    def share_escalated(self) -> float | None:
        return share(self.cases_escalated, self.cases_alerted)


_ALERTS_SQL = """
WITH alerted AS (
    SELECT case_id, min(created_at) AS first_at, count(*) AS emails,
           count(*) FILTER (WHERE status = 'sent') AS sent,
           count(*) FILTER (WHERE status = 'dead') AS dead
    FROM outbox_message
    WHERE kind = 'clinician_alert' AND case_id IS NOT NULL
      AND created_at >= %(start)s AND created_at < %(end)s
    GROUP BY case_id
), acknowledged AS (
    SELECT DISTINCT a.case_id
    FROM triage_caseactivity AS a JOIN alerted ON alerted.case_id = a.case_id
    WHERE a.kind = 'claimed' AND a.at >= %(start)s AND a.at >= alerted.first_at
), escalated AS (
    SELECT DISTINCT e.case_id
    FROM outbox_message AS e JOIN alerted ON alerted.case_id = e.case_id
    WHERE e.kind = 'escalation' AND e.created_at >= %(start)s AND e.created_at < %(end)s
      AND e.created_at >= alerted.first_at
)
SELECT (SELECT count(*) FROM alerted), (SELECT coalesce(sum(emails), 0) FROM alerted),
       (SELECT coalesce(sum(sent), 0) FROM alerted), (SELECT coalesce(sum(dead), 0) FROM alerted),
       (SELECT count(*) FROM acknowledged), (SELECT count(*) FROM escalated)
"""


# On PostgreSQL, the same figures from one row per alert (outcomes migration 0003, kept by the
# database as alerts, escalations and claims are written): an alert is its case's first in the
# period when the case's previous alert was queued before the period began; the case was
# acknowledged if it was claimed at or after that first alert, escalated if its first escalation
# from then was queued before the period ended. One range of one index, no grouping, no lookups.
_ALERTS_FROM_FIGURES_SQL = """
SELECT count(*) FILTER (WHERE previous_at IS NULL OR previous_at < %(start)s), count(*),
       count(*) FILTER (WHERE status = 'sent'), count(*) FILTER (WHERE status = 'dead'),
       count(*) FILTER (WHERE (previous_at IS NULL OR previous_at < %(start)s) AND claimed_after),
       count(*) FILTER (WHERE (previous_at IS NULL OR previous_at < %(start)s)
                        AND escalated_at < %(end)s)
FROM outcomes_alert_figures WHERE created_at >= %(start)s AND created_at < %(end)s
"""


def alerts(period: Period) -> AlertFigures:
    """From the alert figures on PostgreSQL; portable SQL over the raw rows elsewhere (SQLite
    3.30 and later reads FILTER too)."""
    window = {"start": period.starts_at, "end": period.ends_at}
    if _is_postgres():
        [row] = _figures_rows(_ALERTS_FROM_FIGURES_SQL, window)
    else:
        with connection.cursor() as cursor:
            cursor.execute(_ALERTS_SQL, window)
            row = cursor.fetchone()
    cases, emails, sent, dead, acknowledged, escalated = (int(v) for v in row)
    escalations = Message.objects.filter(
        kind=Message.Kind.ESCALATION,
        created_at__gte=period.starts_at,
        created_at__lt=period.ends_at,
    ).aggregate(total=Count("id"), sent=Count("id", filter=Q(status=Message.Status.SENT)))
    return AlertFigures(
        alert_emails=emails,
        alert_emails_sent=sent,
        alert_emails_dead=dead,
        cases_alerted=cases,
        cases_acknowledged=acknowledged,
        cases_escalated=escalated,
        escalation_emails=escalations["total"],
        escalation_emails_sent=escalations["sent"],
    )


@dataclass(frozen=True, slots=True)
class DeadEmails:
    by_kind: list[tuple[str, str, int]]  # kind, its label, how many

    @property
    def total(self) -> int:
        return sum(count for *_, count in self.by_kind)


def dead_emails(period: Period) -> DeadEmails:
    rows = (
        Message.objects.filter(
            status=Message.Status.DEAD,
            created_at__gte=period.starts_at,
            created_at__lt=period.ends_at,
        )
        .values("kind")
        .annotate(n=Count("id"))
        .order_by("kind")
    )
    labels = dict(Message.Kind.choices)
    return DeadEmails([(r["kind"], str(labels.get(r["kind"], r["kind"])), r["n"]) for r in rows])


# --- The rules ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WeekCount:
    week: date
    count: int


def _weekly(period: Period, counted: dict[date, int]) -> list[WeekCount]:
    return [WeekCount(week, counted.get(week, 0)) for week in period.weeks()]


# The week found as `triage.overrides` finds it: among the instants the period's weeks begin.
_EMERGENCIES_SQL = """
SELECT width_bucket(created_at, %(weeks)s::timestamptz[]), count(*)
FROM triage_assessment
WHERE urgency = 5 AND intake_id IS NOT NULL AND created_at >= %(start)s AND created_at < %(end)s
GROUP BY 1
"""


def emergencies_per_week(period: Period) -> list[WeekCount]:
    """Intakes the rule set triaged EMERGENCY, by the week of their assessment."""
    if _is_postgres():
        weeks = overrides.week_starts(period.starts_at, period.ends_at)
        with connection.cursor() as cursor:
            cursor.execute(
                _EMERGENCIES_SQL,
                {"weeks": weeks, "start": period.starts_at, "end": period.ends_at},
            )
            found = overrides.by_week(list(cursor.fetchall()), weeks)
        return _weekly(period, {week: n for week, n in found})
    zone = timezone.get_current_timezone()
    rows = (
        Assessment.objects.filter(
            urgency=Urgency.EMERGENCY,
            intake__isnull=False,
            created_at__gte=period.starts_at,
            created_at__lt=period.ends_at,
        )
        .annotate(week=TruncWeek("created_at", tzinfo=zone))
        .values("week")
        .annotate(n=Count("id"))
        .order_by()
    )
    return _weekly(period, {_as_date(r["week"]): r["n"] for r in rows})


def _as_date(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


@dataclass(frozen=True, slots=True)
class OverrideWeek:
    week: date
    raised: int
    lowered: int


@dataclass(slots=True)
class RuleTrend:
    """One rule's overrides in the period, per week and direction."""

    rule_id: str
    raised: dict[date, int] = field(default_factory=dict)
    lowered: dict[date, int] = field(default_factory=dict)

    @property
    def total_raised(self) -> int:
        return sum(self.raised.values())

    @property
    def total_lowered(self) -> int:
        return sum(self.lowered.values())

    @property
    def total(self) -> int:
        return self.total_raised + self.total_lowered


def overrides_per_week(period: Period) -> list[OverrideWeek]:
    """Every override once, per week, raised and lowered."""
    weekly = overrides.per_week(period.starts_at, period.ends_at)
    return [OverrideWeek(week, *weekly.get(week, (0, 0))) for week in period.weeks()]


def overrides_per_rule_and_week(period: Period) -> list[RuleTrend]:
    """An override once for every rule that had fired on its assessment; most overridden first."""
    trends: dict[str, RuleTrend] = {}
    for week, rule_id, raised, count in overrides.per_rule_and_week(
        period.starts_at, period.ends_at
    ):
        trend = trends.setdefault(rule_id, RuleTrend(rule_id))
        (trend.raised if raised else trend.lowered)[week] = count
    return sorted(trends.values(), key=lambda t: (-t.total, t.rule_id))


# --- Programmes --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ProgrammeRow:
    template_id: int
    template: str
    prescribed: int
    pain_followed: int
    pain_reached: int
    ndi_followed: int
    ndi_reached: int
    sessions_done: int
    sessions_planned: int
    dropped_out: int
    check_ins_answered: int
    check_ins_to_triage: int
    programmes_to_triage: int

    @property
    def share_pain(self) -> float | None:
        return share(self.pain_reached, self.pain_followed)

    @property
    def share_ndi(self) -> float | None:
        return share(self.ndi_reached, self.ndi_followed)

    @property
    def adherence(self) -> float | None:
        return share(self.sessions_done, self.sessions_planned)

    @property
    def share_dropped_out(self) -> float | None:
        return share(self.dropped_out, self.prescribed)

    @property
    def share_to_triage(self) -> float | None:
        return share(self.check_ins_to_triage, self.check_ins_answered)


# One row per programme (outcomes migration 0003, kept by the database as programmes and their
# check-ins are written): one range of one index, whatever the period. Only the drop-out depends
# on the moment the period is seen from, through `quiet_from`.
_PROGRAMMES_SQL = """
SELECT template_id, count(*),
       count(*) FILTER (WHERE last_pain IS NOT NULL),
       count(*) FILTER (WHERE start_pain - last_pain >= %(pain_points)s),
       count(*) FILTER (WHERE start_ndi IS NOT NULL AND last_ndi IS NOT NULL),
       count(*) FILTER (WHERE start_ndi - last_ndi >= %(ndi_points)s),
       coalesce(sum(sessions_done), 0), coalesce(sum(sessions_planned), 0),
       count(*) FILTER (WHERE unsubscribed OR (status = 'active'
           AND quiet_from < %(quiet_before)s)),
       coalesce(sum(answered), 0), coalesce(sum(to_triage), 0),
       count(*) FILTER (WHERE to_triage > 0)
FROM outcomes_programme_figures
WHERE prescribed_at >= %(start)s AND prescribed_at < %(end)s
GROUP BY template_id
"""


def programmes(period: Period) -> list[ProgrammeRow]:
    """Per template of the programmes prescribed in the period, by template name."""
    params: dict[str, Any] = {
        "start": period.starts_at,
        "end": period.ends_at,
        "quiet_before": period.as_of - timedelta(days=DROP_OUT_DAYS),
        "pain_points": PAIN_POINTS,
        "ndi_points": NDI_POINTS,
    }
    if _is_postgres():
        rows = [tuple(int(v) for v in row) for row in _figures_rows(_PROGRAMMES_SQL, params)]
    else:
        rows = _programmes_in_python(period, params)
    names = dict(
        ProgrammeTemplate.objects.filter(pk__in=[r[0] for r in rows]).values_list("pk", "name")
    )
    found = [ProgrammeRow(row[0], names.get(row[0], ""), *row[1:]) for row in rows]
    return sorted(found, key=lambda r: (r.template, r.template_id))


def _programmes_in_python(period: Period, params: dict[str, Any]) -> list[tuple[int, ...]]:
    """The same figures as `_PROGRAMMES_SQL`, for SQLite (the demo)."""
    chosen = Programme.objects.filter(
        prescribed_at__gte=period.starts_at, prescribed_at__lt=period.ends_at
    ).prefetch_related("check_ins")
    totals: dict[int, list[int]] = defaultdict(lambda: [0] * 11)
    for programme in chosen:
        row = totals[programme.template_id]
        check_ins = list(programme.check_ins.all())
        answered = [c for c in check_ins if c.completed_at is not None]
        later = sorted((c for c in answered if c.week > 0), key=lambda c: c.week)
        start = next((c for c in answered if c.week == 0), None)
        baseline = programme.baseline_pain
        if start is not None and start.pain is not None:
            baseline = min(baseline, start.pain)
        pains = [c.pain for c in later if c.pain is not None]
        ndis = [c.ndi_points for c in later if c.ndi_points is not None]
        start_ndi: Decimal | None = start.ndi_points if start is not None else None
        paired = [
            c for c in later if c.sessions_done is not None and c.sessions_planned is not None
        ]
        last_answered = max((c.week for c in answered), default=-1)
        missed = [
            c.week
            for c in check_ins
            if c.completed_at is None and c.due_at < params["quiet_before"]
        ]
        row[0] += 1
        row[1] += bool(pains)
        row[2] += bool(pains) and baseline - pains[-1] >= PAIN_POINTS
        row[3] += bool(ndis) and start_ndi is not None
        row[4] += bool(ndis) and start_ndi is not None and start_ndi - ndis[-1] >= NDI_POINTS
        row[5] += sum(c.sessions_done or 0 for c in paired)
        row[6] += sum(c.sessions_planned or 0 for c in paired)
        row[7] += programme.unsubscribed_at is not None or (
            programme.status == Programme.Status.ACTIVE
            and bool(missed)
            and max(missed) > last_answered
        )
        row[8] += len(answered)
        to_triage = sum(1 for c in check_ins if c.outcome == "triage")
        row[9] += to_triage
        row[10] += to_triage > 0
    return [(template_id, *values) for template_id, values in totals.items()]


# --- All of them -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Dashboard:
    period: Period
    deadlines: list[DeadlineRow]
    alerts: AlertFigures
    dead_emails: DeadEmails
    overrides_per_week: list[OverrideWeek]
    overrides_per_rule: list[RuleTrend]
    emergencies_per_week: list[WeekCount]
    programmes: list[ProgrammeRow]

    @property
    def empty(self) -> bool:
        """Nothing in the period at all (a period before the clinic's records, say)."""
        return not (
            self.deadlines[-1].decided
            or self.alerts.alert_emails
            or self.alerts.escalation_emails
            or self.dead_emails.total
            or any(w.raised or w.lowered for w in self.overrides_per_week)
            or any(w.count for w in self.emergencies_per_week)
            or self.programmes
        )


def dashboard(period: Period) -> Dashboard:
    return Dashboard(
        period=period,
        deadlines=deadlines(period),
        alerts=alerts(period),
        dead_emails=dead_emails(period),
        overrides_per_week=overrides_per_week(period),
        overrides_per_rule=overrides_per_rule_and_week(period),
        emergencies_per_week=emergencies_per_week(period),
        programmes=programmes(period),
    )
