"""Every figure the outcomes dashboard and its CSVs show, recomputed by an outside checker's SQL
over the raw rows only (cases, claims, emails, overrides and the assessments they overrode,
intakes' assessments, programmes and their check-ins), written from the definitions the clinic
lead reads (README "Outcomes" and the page's own "how this is counted" notes), never from
`outcomes/reports.py`, `triage/overrides.py` or the figure tables of outcomes migration 0003.

The period's bounds are worked out here in SQL too, from its first and last day in the clinic's
time zone (`AT TIME ZONE`), not from `clinic.periods.Period`'s instants, so a wrong midnight
across a change of the clocks shows as a mismatch.

Definitions, as the page states them:
- Decided: cases whose wait ended with a decision in the period, by the case's urgency at the
  decision (an override moves a case's urgency and its deadline; a reopened case counts its
  latest wait only). Within the deadline: decided at or before the deadline as it stood.
  Times: from the start of the wait to the claim that held the case at the decision (a
  decision without a claim claims it as it decides) and to the decision; median and 90th
  percentile by linear interpolation.
- Alerts: clinician alert emails about a case queued in the period; the cases they were about;
  acknowledged: claimed at or after the case's first alert of the period (whenever the claim
  came); escalated: an escalation email about the case queued at or after that first alert and
  within the period. Escalation emails: every one queued in the period, and those sent.
- Dead emails: emails queued in the period whose status is dead (the outbox gave up, or held a
  letter), by kind.
- Overrides: by the week (Monday to Sunday, clinic time) the override was made; raised when
  the new urgency is higher. Per rule: once per distinct rule id that had fired on the
  overridden assessment, or under "(no rule fired)".
- Emergencies: intakes whose rule-set triage was EMERGENCY, by the week of that triage.
- Programmes prescribed in the period, per template: followed up (a later check-in answered
  with a pain score), pain better by 2 against the lower of the intake's and the starting
  questionnaire's; NDI followed up (a starting NDI and a later one), better by 5; sessions done
  and planned summed over answered later check-ins that give both; dropped out: unsubscribed,
  or still active with a check-in unanswered more than 7 days after it was due (by the end of
  the period, or now if sooner) and no later week answered; check-ins answered (week 0
  included) and sent back to triage, and programmes with any sent back.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.db import connection

ZONE = "Europe/London"

BOUNDS = """
WITH bounds AS (
    SELECT (%(first_day)s::date)::timestamp AT TIME ZONE %(zone)s AS lo,
           (%(last_day)s::date + 1)::timestamp AT TIME ZONE %(zone)s AS hi
)
"""

DEADLINES = (
    BOUNDS  # noqa: S608 (constant SQL, no input in it)
    + """
, decided AS (
    SELECT c.urgency, c.due_at, c.decided_at,
           extract(epoch FROM coalesce(c.claimed_at, c.decided_at) - c.opened_at) AS to_claim,
           extract(epoch FROM c.decided_at - c.opened_at) AS to_decision
    FROM triage_case AS c CROSS JOIN bounds AS b
    WHERE c.decided_at IS NOT NULL AND c.decided_at >= b.lo AND c.decided_at < b.hi
)
SELECT urgency, count(*), sum(CASE WHEN decided_at <= due_at THEN 1 ELSE 0 END),
       percentile_cont(0.5) WITHIN GROUP (ORDER BY to_claim),
       percentile_cont(0.9) WITHIN GROUP (ORDER BY to_claim),
       percentile_cont(0.5) WITHIN GROUP (ORDER BY to_decision),
       percentile_cont(0.9) WITHIN GROUP (ORDER BY to_decision)
FROM decided GROUP BY urgency
"""
)

ALERTS = (
    BOUNDS  # noqa: S608 (constant SQL, no input in it)
    + """
, alert AS (
    SELECT m.id, m.case_id, m.created_at, m.status
    FROM outbox_message AS m CROSS JOIN bounds AS b
    WHERE m.kind = 'clinician_alert' AND m.case_id IS NOT NULL
      AND m.created_at >= b.lo AND m.created_at < b.hi
), first_alert AS (
    SELECT DISTINCT ON (case_id) case_id, created_at AS at
    FROM alert ORDER BY case_id, created_at, id
), escalation AS (
    SELECT e.case_id, e.created_at, e.status
    FROM outbox_message AS e CROSS JOIN bounds AS b
    WHERE e.kind = 'escalation' AND e.created_at >= b.lo AND e.created_at < b.hi
)
SELECT (SELECT count(*) FROM first_alert),
       (SELECT count(*) FROM alert),
       (SELECT count(*) FROM alert WHERE status = 'sent'),
       (SELECT count(*) FROM alert WHERE status = 'dead'),
       (SELECT count(*) FROM first_alert AS f WHERE EXISTS (
           SELECT 1 FROM triage_caseactivity AS a
           WHERE a.case_id = f.case_id AND a.kind = 'claimed' AND a.at >= f.at)),
       (SELECT count(*) FROM first_alert AS f WHERE EXISTS (
           SELECT 1 FROM escalation AS e WHERE e.case_id = f.case_id AND e.created_at >= f.at)),
       (SELECT count(*) FROM escalation),
       (SELECT count(*) FROM escalation WHERE status = 'sent')
"""
)

DEAD = (
    BOUNDS
    + """
SELECT m.kind, count(*) FROM outbox_message AS m CROSS JOIN bounds AS b
WHERE m.status = 'dead' AND m.created_at >= b.lo AND m.created_at < b.hi
GROUP BY m.kind
"""
)

OVERRIDES_PER_WEEK = (
    BOUNDS
    + """
SELECT date_trunc('week', o.created_at AT TIME ZONE %(zone)s)::date,
       sum(CASE WHEN o.to_urgency > o.from_urgency THEN 1 ELSE 0 END),
       sum(CASE WHEN o.to_urgency < o.from_urgency THEN 1 ELSE 0 END)
FROM triage_urgencyoverride AS o CROSS JOIN bounds AS b
WHERE o.created_at >= b.lo AND o.created_at < b.hi
GROUP BY 1
"""
)

OVERRIDES_PER_RULE = (
    BOUNDS  # noqa: S608 (constant SQL, no input in it)
    + """
, fired AS (
    SELECT o.id, o.created_at, o.to_urgency > o.from_urgency AS raised,
           coalesce(r.rule_id, %(no_rule)s) AS rule_id
    FROM triage_urgencyoverride AS o CROSS JOIN bounds AS b
    JOIN triage_assessment AS a ON a.id = o.assessment_id
    LEFT JOIN LATERAL (
        SELECT DISTINCT rule ->> 'id' AS rule_id
        FROM jsonb_path_query(a.rules, 'strict $[*] ? (@.id != null)') AS rule
    ) AS r ON true
    WHERE o.created_at >= b.lo AND o.created_at < b.hi
)
SELECT date_trunc('week', created_at AT TIME ZONE %(zone)s)::date, rule_id, raised, count(*)
FROM fired GROUP BY 1, 2, 3
"""
)

EMERGENCIES = (
    BOUNDS
    + """
SELECT date_trunc('week', a.created_at AT TIME ZONE %(zone)s)::date, count(DISTINCT i.id)
FROM patients_intake AS i JOIN triage_assessment AS a ON a.intake_id = i.id
CROSS JOIN bounds AS b
WHERE a.urgency = 5 AND a.created_at >= b.lo AND a.created_at < b.hi
GROUP BY 1
"""
)

PROGRAMMES = (
    BOUNDS  # noqa: S608 (constant SQL, no input in it)
    + """
, chosen AS (
    SELECT p.* FROM programmes_programme AS p CROSS JOIN bounds AS b
    WHERE p.prescribed_at >= b.lo AND p.prescribed_at < b.hi
), seen AS (
    SELECT least(b.hi, %(now)s::timestamptz) AS as_of FROM bounds AS b
), each AS (
    SELECT p.id, p.template_id,
           least(p.baseline_pain, coalesce((
               SELECT c.pain FROM programmes_checkin AS c
               WHERE c.programme_id = p.id AND c.week = 0 AND c.completed_at IS NOT NULL),
               p.baseline_pain)) AS start_pain,
           (SELECT c.pain FROM programmes_checkin AS c
            WHERE c.programme_id = p.id AND c.week > 0 AND c.completed_at IS NOT NULL
              AND c.pain IS NOT NULL ORDER BY c.week DESC LIMIT 1) AS last_pain,
           (SELECT c.ndi_points FROM programmes_checkin AS c
            WHERE c.programme_id = p.id AND c.week = 0 AND c.completed_at IS NOT NULL)
               AS start_ndi,
           (SELECT c.ndi_points FROM programmes_checkin AS c
            WHERE c.programme_id = p.id AND c.week > 0 AND c.completed_at IS NOT NULL
              AND c.ndi_points IS NOT NULL ORDER BY c.week DESC LIMIT 1) AS last_ndi,
           (SELECT coalesce(sum(c.sessions_done), 0) FROM programmes_checkin AS c
            WHERE c.programme_id = p.id AND c.week > 0 AND c.completed_at IS NOT NULL
              AND c.sessions_done IS NOT NULL AND c.sessions_planned IS NOT NULL) AS done,
           (SELECT coalesce(sum(c.sessions_planned), 0) FROM programmes_checkin AS c
            WHERE c.programme_id = p.id AND c.week > 0 AND c.completed_at IS NOT NULL
              AND c.sessions_done IS NOT NULL AND c.sessions_planned IS NOT NULL) AS planned,
           p.unsubscribed_at IS NOT NULL OR (p.status = 'active' AND EXISTS (
               SELECT 1 FROM programmes_checkin AS c CROSS JOIN seen
               WHERE c.programme_id = p.id AND c.completed_at IS NULL
                 AND c.due_at + make_interval(days => %(drop_out_days)s) < seen.as_of
                 AND NOT EXISTS (
                     SELECT 1 FROM programmes_checkin AS later
                     WHERE later.programme_id = p.id AND later.week > c.week
                       AND later.completed_at IS NOT NULL))) AS dropped_out,
           (SELECT count(*) FROM programmes_checkin AS c
            WHERE c.programme_id = p.id AND c.completed_at IS NOT NULL) AS answered,
           (SELECT count(*) FROM programmes_checkin AS c
            WHERE c.programme_id = p.id AND c.outcome = 'triage') AS to_triage
    FROM chosen AS p
)
SELECT template_id, count(*),
       count(last_pain),
       sum(CASE WHEN start_pain - last_pain >= %(pain_points)s THEN 1 ELSE 0 END),
       sum(CASE WHEN start_ndi IS NOT NULL AND last_ndi IS NOT NULL THEN 1 ELSE 0 END),
       sum(CASE WHEN start_ndi - last_ndi >= %(ndi_points)s THEN 1 ELSE 0 END),
       sum(done), sum(planned),
       sum(CASE WHEN dropped_out THEN 1 ELSE 0 END),
       sum(answered), sum(to_triage),
       sum(CASE WHEN to_triage > 0 THEN 1 ELSE 0 END)
FROM each GROUP BY template_id
"""
)


def _rows(sql: str, first_day: date, last_day: date, **extra: Any) -> list[tuple[Any, ...]]:
    params = {"first_day": first_day, "last_day": last_day, "zone": ZONE, **extra}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def deadlines(first_day: date, last_day: date) -> dict[int, tuple[Any, ...]]:
    """Urgency -> (decided, in time, claim median, p90, decision median, p90), seconds."""
    return {
        row[0]: (int(row[1]), int(row[2]), *(None if v is None else float(v) for v in row[3:]))
        for row in _rows(DEADLINES, first_day, last_day)
    }


def alerts(first_day: date, last_day: date) -> tuple[int, ...]:
    """(cases alerted, alert emails, sent, dead, acknowledged, escalated, escalation emails,
    escalation emails sent)."""
    [row] = _rows(ALERTS, first_day, last_day)
    return tuple(int(v) for v in row)


def dead_emails(first_day: date, last_day: date) -> dict[str, int]:
    return {kind: int(n) for kind, n in _rows(DEAD, first_day, last_day)}


def overrides_per_week(first_day: date, last_day: date) -> dict[date, tuple[int, int]]:
    return {
        w: (int(up), int(down)) for w, up, down in _rows(OVERRIDES_PER_WEEK, first_day, last_day)
    }


def overrides_per_rule(
    first_day: date, last_day: date, no_rule: str
) -> set[tuple[date, str, bool, int]]:
    return {
        (w, rule, bool(raised), int(n))
        for w, rule, raised, n in _rows(OVERRIDES_PER_RULE, first_day, last_day, no_rule=no_rule)
    }


def emergencies(first_day: date, last_day: date) -> dict[date, int]:
    return {w: int(n) for w, n in _rows(EMERGENCIES, first_day, last_day)}


def programmes(
    first_day: date, last_day: date, *, now: datetime, pain_points: int, ndi_points: int
) -> dict[int, tuple[int, ...]]:
    """Template -> (prescribed, pain followed, reached, NDI followed, reached, sessions done,
    planned, dropped out, check-ins answered, to triage, programmes to triage)."""
    rows = _rows(
        PROGRAMMES,
        first_day,
        last_day,
        now=now,
        drop_out_days=7,
        pain_points=pain_points,
        ndi_points=ndi_points,
    )
    return {row[0]: tuple(int(v or 0) for v in row[1:]) for row in rows}
