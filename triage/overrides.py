"""Overrides per rule, for reviewing the rule set: the reads the overrides report
(`triage.views.overrides`) and the clinic lead's dashboard (`outcomes/`) share.

An override counts once for every rule that had fired on the assessment it overrode (once per
rule, however many times the rule fired on it), or once as "no rule fired"; "raised" when the
clinician raised the urgency, "lowered" when they lowered it. Weeks start on Monday in the
clinic's time zone. Each is one aggregate query on PostgreSQL (over the rules the database
unnested with `jsonb_array_elements` as each override was recorded); on SQLite, the embedded
demo, the same figures are counted in Python.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, F, Q
from django.db.models.functions import TruncWeek
from django.utils import timezone

from triage.models import UrgencyOverride

NO_RULE = "(no rule fired)"
RECENT_PER_RULE = 20

# On PostgreSQL the rules each override counts for are read from `outcomes_override_rules`, one
# row per override and rule (outcomes migration 0003, written by the database as each override
# is recorded, from the same unnesting of the assessment's rules with `jsonb_array_elements`;
# NULL: no rule fired): a range of one index, instead of a lookup of every override's assessment
# and the unnesting of its rules at every read. Overrides and assessments are never changed, so
# those rows never go stale.
# A row's week is found among the instants the period's weeks begin (`week_starts`), a binary
# search of a short array: converting every row to the clinic's time to truncate it to its week
# cost these reports half their time over a long period.
_PER_RULE_AND_WEEK_SQL = """
SELECT width_bucket(created_at, %(weeks)s::timestamptz[]) AS week,
       coalesce(rule_id, %(no_rule)s) AS rule_id, raised, count(*)
FROM outcomes_override_rules
WHERE created_at >= %(start)s AND created_at < %(end)s
GROUP BY 1, 2, 3
"""

_RECENT_SQL = """
SELECT rule_id, override_id FROM (
    SELECT coalesce(rule_id, %(no_rule)s) AS rule_id, override_id,
           row_number() OVER (PARTITION BY coalesce(rule_id, %(no_rule)s)
                              ORDER BY created_at DESC, override_id DESC) AS n
    FROM outcomes_override_rules
    WHERE created_at >= %(start)s AND created_at < %(end)s
) AS ranked WHERE n <= %(limit)s
"""


_PER_WEEK_SQL = """
SELECT width_bucket(created_at, %(weeks)s::timestamptz[]) AS week,
       count(*) FILTER (WHERE to_urgency > from_urgency),
       count(*) FILTER (WHERE to_urgency < from_urgency)
FROM triage_urgencyoverride
WHERE created_at >= %(start)s AND created_at < %(end)s
GROUP BY 1
"""


def week_starts(start: datetime, end: datetime) -> list[datetime]:
    """The instant each week from `start` to `end` begins: Monday's midnight, clinic time (so
    a week across a change of the clocks is an hour shorter or longer), from the week `start`
    falls in."""
    zone = timezone.get_current_timezone()
    first = timezone.localtime(start, zone).date()
    last = timezone.localtime(end - timedelta(microseconds=1), zone).date()
    monday = first - timedelta(days=first.weekday())
    found = []
    while monday <= last:
        found.append(datetime.combine(monday, time.min, zone))
        monday += timedelta(weeks=1)
    return found


def by_week(rows: list[tuple[Any, ...]], weeks: list[datetime]) -> list[tuple[Any, ...]]:
    """Rows whose first column is a `width_bucket` over `weeks`, with the week's Monday instead."""
    return [(weeks[bucket - 1].date(), *rest) for bucket, *rest in rows]


def _params(start: datetime, end: datetime) -> dict[str, Any]:
    return {
        "weeks": week_starts(start, end),
        "no_rule": NO_RULE,
        "start": start,
        "end": end,
        "limit": RECENT_PER_RULE,
    }


def report_rows(sql: str, params: dict[str, Any] | list[Any]) -> list[tuple[Any, ...]]:
    """A report's query on PostgreSQL, in a transaction of its own settings: no JIT (compiling
    costs a report more than it saves: 100 ms and more, each time), and room to sort in memory
    (the percentiles sort each urgency's cases)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off; SET LOCAL work_mem = '64MB'")
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def _in(start: datetime, end: datetime) -> Q:
    return Q(created_at__gte=start, created_at__lt=end)


def _rule_ids(rules: object) -> set[str]:
    if not isinstance(rules, list):
        return {NO_RULE}
    return {str(rule["id"]) for rule in rules if isinstance(rule, dict) and "id" in rule} or {
        NO_RULE
    }


def per_week(start: datetime, end: datetime) -> dict[date, tuple[int, int]]:
    """Every override once: week -> (raised, lowered)."""
    if _postgres():
        weeks = week_starts(start, end)
        with connection.cursor() as cursor:
            cursor.execute(_PER_WEEK_SQL, {"weeks": weeks, "start": start, "end": end})
            found = by_week(list(cursor.fetchall()), weeks)
        return {week: (up, down) for week, up, down in found}
    rows = (
        UrgencyOverride.objects.filter(_in(start, end))
        .annotate(week=TruncWeek("created_at", tzinfo=timezone.get_current_timezone()))
        .values("week")
        .annotate(
            up=Count("id", filter=Q(to_urgency__gt=F("from_urgency"))),
            down=Count("id", filter=Q(to_urgency__lt=F("from_urgency"))),
        )
        .order_by()
    )
    return {_as_date(r["week"]): (r["up"], r["down"]) for r in rows}


def per_rule_and_week(start: datetime, end: datetime) -> list[tuple[date, str, bool, int]]:
    """(week, rule id, raised, overrides) for every rule, week and direction with any."""
    if _postgres():
        params = _params(start, end)
        found = by_week(report_rows(_PER_RULE_AND_WEEK_SQL, params), params["weeks"])
        return [(week, rule, bool(raised), n) for week, rule, raised, n in found]
    counted: dict[tuple[date, str, bool], int] = defaultdict(int)
    zone = timezone.get_current_timezone()
    rows = UrgencyOverride.objects.filter(_in(start, end)).values_list(
        "created_at", "from_urgency", "to_urgency", "assessment__rules"
    )
    for at, before, after, rules in rows:
        local = timezone.localtime(at, zone).date()
        week = date.fromordinal(local.toordinal() - local.weekday())
        for rule_id in _rule_ids(rules):
            counted[(week, rule_id, after > before)] += 1
    return [(week, rule, raised, n) for (week, rule, raised), n in counted.items()]


def per_rule(start: datetime, end: datetime) -> dict[str, tuple[int, int]]:
    """rule id -> (raised, lowered), over the whole period."""
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for _week, rule_id, raised, n in per_rule_and_week(start, end):
        totals[rule_id][0 if raised else 1] += n
    return {rule_id: (r, lo) for rule_id, (r, lo) in totals.items()}


def recent_per_rule(start: datetime, end: datetime) -> dict[str, list[UrgencyOverride]]:
    """The latest `RECENT_PER_RULE` overrides of each rule, newest first, with their case's
    patient and who overrode: two queries however many there are."""
    if _postgres():
        pairs = report_rows(_RECENT_SQL, _params(start, end))
    else:
        pairs = []
        seen: dict[str, int] = defaultdict(int)
        rows = (
            UrgencyOverride.objects.filter(_in(start, end))
            .order_by("-created_at", "-pk")
            .values_list("pk", "assessment__rules")
        )
        for pk, rules in rows:
            for rule_id in _rule_ids(rules):
                if seen[rule_id] < RECENT_PER_RULE:
                    seen[rule_id] += 1
                    pairs.append((rule_id, pk))
    by_id = UrgencyOverride.objects.select_related("by", "case__patient").in_bulk(
        {pk for _, pk in pairs}
    )
    found: dict[str, list[UrgencyOverride]] = defaultdict(list)
    for rule_id, pk in pairs:
        found[rule_id].append(by_id[pk])
    for rows_ in found.values():
        rows_.sort(key=lambda o: (o.created_at, o.pk), reverse=True)
    return dict(found)


def _as_date(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value
