"""The dashboard's figures computed independently, by SQL over the raw rows (cases, alert and
escalation emails, claims, overrides and their assessments' rules, programmes and their
check-ins), as the reports computed them before they read the figures the database keeps
(outcomes migration 0003): what the tests hold every report to, on PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import connection
from django.utils import timezone

from clinic.periods import Period
from outcomes import reports
from triage import overrides
from triage.models import Urgency

DEADLINES = """
SELECT urgency, count(*), count(*) FILTER (WHERE decided_at <= due_at),
       percentile_cont(0.5) WITHIN GROUP (
           ORDER BY EXTRACT(EPOCH FROM claimed_at - opened_at)::float8),
       percentile_cont(0.9) WITHIN GROUP (
           ORDER BY EXTRACT(EPOCH FROM claimed_at - opened_at)::float8),
       percentile_cont(0.5) WITHIN GROUP (
           ORDER BY EXTRACT(EPOCH FROM decided_at - opened_at)::float8),
       percentile_cont(0.9) WITHIN GROUP (
           ORDER BY EXTRACT(EPOCH FROM decided_at - opened_at)::float8)
FROM triage_case WHERE decided_at >= %(start)s AND decided_at < %(end)s
GROUP BY urgency
"""

ALERTS = """
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

PROGRAMMES = """
SELECT p.template_id, count(*),
       count(*) FILTER (WHERE s.last_pain IS NOT NULL),
       count(*) FILTER (WHERE LEAST(p.baseline_pain, coalesce(s.start_pain, p.baseline_pain))
                              - s.last_pain >= %(pain_points)s),
       count(*) FILTER (WHERE s.start_ndi IS NOT NULL AND s.last_ndi IS NOT NULL),
       count(*) FILTER (WHERE s.start_ndi - s.last_ndi >= %(ndi_points)s),
       coalesce(sum(s.done), 0), coalesce(sum(s.planned), 0),
       count(*) FILTER (WHERE p.unsubscribed_at IS NOT NULL OR (p.status = 'active'
           AND s.last_missed_week > coalesce(s.last_answered_week, -1))),
       coalesce(sum(s.answered), 0), coalesce(sum(s.to_triage), 0),
       count(*) FILTER (WHERE s.to_triage > 0)
FROM programmes_programme AS p
CROSS JOIN LATERAL (
    -- Each programme's own check-ins, through the (programme, week) index.
    SELECT max(c.pain) FILTER (WHERE c.week = 0 AND c.completed_at IS NOT NULL) AS start_pain,
           -- The latest answered week's pain: weeks are unique, pain 0-10 fits in 4 bits.
           max(c.week * 16 + c.pain) FILTER (
               WHERE c.week > 0 AND c.completed_at IS NOT NULL AND c.pain IS NOT NULL) %% 16
               AS last_pain,
           max(c.ndi_points) FILTER (WHERE c.week = 0 AND c.completed_at IS NOT NULL) AS start_ndi,
           -- Likewise the NDI (0.0-50.0 points, tenths): in the last four decimal digits.
           (max(c.week * 10000 + c.ndi_points * 10) FILTER (
               WHERE c.week > 0 AND c.completed_at IS NOT NULL AND c.ndi_points IS NOT NULL)
               %% 10000) / 10 AS last_ndi,
           sum(c.sessions_done) FILTER (WHERE c.week > 0 AND c.completed_at IS NOT NULL
               AND c.sessions_done IS NOT NULL AND c.sessions_planned IS NOT NULL) AS done,
           sum(c.sessions_planned) FILTER (WHERE c.week > 0 AND c.completed_at IS NOT NULL
               AND c.sessions_done IS NOT NULL AND c.sessions_planned IS NOT NULL) AS planned,
           count(*) FILTER (WHERE c.completed_at IS NOT NULL) AS answered,
           count(*) FILTER (WHERE c.outcome = 'triage') AS to_triage,
           max(c.week) FILTER (WHERE c.completed_at IS NOT NULL) AS last_answered_week,
           max(c.week) FILTER (WHERE c.completed_at IS NULL AND c.due_at < %(quiet_before)s)
               AS last_missed_week
    FROM programmes_checkin AS c WHERE c.programme_id = p.id
) AS s
WHERE p.prescribed_at >= %(start)s AND p.prescribed_at < %(end)s
GROUP BY p.template_id
"""
OVERRIDES_PER_RULE = """
SELECT (date_trunc('week', o.created_at AT TIME ZONE %(zone)s))::date,
       coalesce(r.id, %(no_rule)s), o.to_urgency > o.from_urgency, count(*)
FROM triage_urgencyoverride AS o JOIN triage_assessment AS a ON a.id = o.assessment_id
LEFT JOIN LATERAL (
    SELECT DISTINCT elem ->> 'id' AS id
    FROM jsonb_array_elements(
        CASE WHEN jsonb_typeof(a.rules) = 'array' THEN a.rules ELSE '[]'::jsonb END) AS elem
) AS r ON true
WHERE o.created_at >= %(start)s AND o.created_at < %(end)s
GROUP BY 1, 2, 3
"""


def _rows(sql: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def _window(period: Period) -> dict[str, Any]:
    return {"start": period.starts_at, "end": period.ends_at}


def deadlines(period: Period) -> dict[str, tuple[Any, ...]]:
    """Urgency key -> (decided, in time, claim median and p90, decision median and p90)."""
    found = {Urgency(row[0]).key: tuple(row[1:]) for row in _rows(DEADLINES, _window(period))}
    return {
        level.key: found.get(level.key, (0, 0, None, None, None, None))
        for level in sorted(Urgency, key=lambda u: -u.value)
    }


def alerts(period: Period) -> tuple[int, ...]:
    """(cases alerted, alert emails, sent, dead, cases acknowledged, cases escalated)."""
    [row] = _rows(ALERTS, _window(period))
    return tuple(int(v) for v in row)


def programmes(period: Period) -> list[tuple[int, ...]]:
    """(template, prescribed, pain followed, reached, NDI followed, reached, sessions done,
    planned, dropped out, check-ins answered, to triage, programmes to triage), by template."""
    params = {
        **_window(period),
        "quiet_before": period.as_of - timedelta(days=reports.DROP_OUT_DAYS),
        "pain_points": reports.PAIN_POINTS,
        "ndi_points": reports.NDI_POINTS,
    }
    return sorted(tuple(int(v) for v in row) for row in _rows(PROGRAMMES, params))


def overrides_per_rule(period: Period) -> set[tuple[Any, ...]]:
    """(week, rule, raised, overrides)."""
    params = {
        **_window(period),
        "zone": timezone.get_current_timezone_name(),
        "no_rule": overrides.NO_RULE,
    }
    return set(_rows(OVERRIDES_PER_RULE, params))


def _weekly(sql: str, period: Period) -> dict[Any, tuple[Any, ...]]:
    params = {**_window(period), "zone": timezone.get_current_timezone_name()}
    return {row[0]: tuple(row[1:]) for row in _rows(sql, params)}


def overrides_per_week(period: Period) -> dict[Any, tuple[Any, ...]]:
    """Week -> (raised, lowered), for the weeks with any override."""
    return _weekly(
        """
        SELECT (date_trunc('week', created_at AT TIME ZONE %(zone)s))::date,
               count(*) FILTER (WHERE to_urgency > from_urgency),
               count(*) FILTER (WHERE to_urgency < from_urgency)
        FROM triage_urgencyoverride WHERE created_at >= %(start)s AND created_at < %(end)s
        GROUP BY 1
        """,
        period,
    )


def emergencies_per_week(period: Period) -> dict[Any, tuple[Any, ...]]:
    """Week -> (intakes triaged EMERGENCY,), for the weeks with any."""
    return _weekly(
        """
        SELECT (date_trunc('week', created_at AT TIME ZONE %(zone)s))::date, count(*)
        FROM triage_assessment
        WHERE urgency = 5 AND intake_id IS NOT NULL
          AND created_at >= %(start)s AND created_at < %(end)s
        GROUP BY 1
        """,
        period,
    )
