"""When a programme's reminders and check-ins fall: pure date arithmetic in the patient's own time
zone (no Django). A reminder is at the patient's chosen time on each chosen training day, from the
start date until the programme ends; a check-in is at the same time on the day its week ends.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

# Training days spread across the week for a number of days a week (Monday is 0): rest days
# between strength sessions, as resistance-training guidance advises (ACSM position stand,
# Med Sci Sports Exerc 2009;41:687-708: 48 hours between sessions for the same muscles).
SPREAD_DAYS: dict[int, tuple[int, ...]] = {
    1: (2,),
    2: (1, 4),
    3: (0, 2, 4),
    4: (0, 1, 3, 4),
    5: (0, 1, 2, 3, 4),
    6: (0, 1, 2, 3, 4, 5),
    7: (0, 1, 2, 3, 4, 5, 6),
}


def default_training_days(days_per_week: int) -> list[int]:
    return list(SPREAD_DAYS[min(max(days_per_week, 1), 7)])


def local_moment(day: date, at: time, tz: ZoneInfo) -> datetime:
    """`at` on `day` in `tz`, as an aware UTC datetime. A time that a clock change skips is read
    as the same wall time after the change (zoneinfo's rule for a gap)."""
    return datetime.combine(day, at, tzinfo=tz).astimezone(UTC)


def next_reminder(
    *,
    after: datetime,
    start: date,
    end: date,
    days: Iterable[int],
    at: time,
    tz: ZoneInfo,
) -> datetime | None:
    """The first reminder strictly after `after`: a chosen weekday from `start` up to (not
    including) `end`, at `at` local time. None when no training day is left."""
    chosen = set(days)
    if not chosen:
        return None
    day = max(start, after.astimezone(tz).date())
    while day < end:
        if day.weekday() in chosen:
            moment = local_moment(day, at, tz)
            if moment > after:
                return moment
        day += timedelta(days=1)
    return None


def check_in_due(*, start: date, week: int, at: time, tz: ZoneInfo) -> datetime:
    """A week-`week` check-in is due on the day its week ends, at the reminder time. Week 0 (the
    starting questionnaire) is due on the start date."""
    return local_moment(start + timedelta(weeks=week), at, tz)


def sessions_planned(*, days_per_week: int, start: date, until: date) -> int:
    """Sessions a patient training `days_per_week` would have done in the whole weeks between
    `start` and `until` (a week just begun counts in part)."""
    if until <= start:
        return 0
    days = (until - start).days
    return round(days_per_week * days / 7)


def spread(days: Sequence[int]) -> str:
    names = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
    chosen = sorted(set(days))
    if not chosen:
        return "no days"
    words = [names[d] for d in chosen]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]
