"""When reminders and check-ins fall, in the patient's own time zone (pure, no database)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from programmes.core import schedule
from tests.support.clock import ACROSS_THE_WEEK_AND_NEW_YORK

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
START = date(2026, 11, 23)  # a Monday
END = START + timedelta(weeks=6)


def reminders(days: list[int], at: time, tz: ZoneInfo, *, after: datetime) -> list[datetime]:
    found = []
    moment: datetime | None = after
    while moment is not None:
        moment = schedule.next_reminder(after=moment, start=START, end=END, days=days, at=at, tz=tz)
        if moment is not None:
            found.append(moment)
    return found


def test_reminders_fall_on_the_chosen_days_at_the_chosen_local_time() -> None:
    found = reminders([0, 2, 4], time(7, 30), LONDON, after=datetime(2026, 11, 1, tzinfo=UTC))
    assert len(found) == 18  # three days a week for six weeks
    assert {m.astimezone(LONDON).weekday() for m in found} == {0, 2, 4}
    assert {m.astimezone(LONDON).time() for m in found} == {time(7, 30)}
    assert found[0].astimezone(LONDON).date() == START
    assert found[-1].astimezone(LONDON).date() < END


def test_a_reminder_time_already_passed_today_waits_for_the_next_training_day() -> None:
    after = datetime.combine(START, time(9, 0), tzinfo=LONDON)
    first = schedule.next_reminder(
        after=after, start=START, end=END, days=[0, 3], at=time(8, 0), tz=LONDON
    )
    assert first == datetime.combine(START + timedelta(days=3), time(8, 0), tzinfo=LONDON)


def test_the_patients_time_zone_decides_the_moment() -> None:
    after = datetime(2026, 11, 20, tzinfo=UTC)
    tokyo = schedule.next_reminder(
        after=after, start=START, end=END, days=[0], at=time(8, 0), tz=ZoneInfo("Asia/Tokyo")
    )
    assert tokyo == datetime(2026, 11, 22, 23, 0, tzinfo=UTC)  # 08:00 Monday in Tokyo


def test_reminders_keep_local_time_across_a_clock_change() -> None:
    start, end = date(2027, 3, 22), date(2027, 4, 5)  # British Summer Time starts 28 March
    found = []
    moment: datetime | None = datetime(2027, 3, 1, tzinfo=UTC)
    while moment := schedule.next_reminder(
        after=moment, start=start, end=end, days=[0], at=time(18, 0), tz=LONDON
    ):
        found.append(moment)
    assert [m.astimezone(UTC).hour for m in found] == [18, 17]
    assert {m.astimezone(LONDON).time() for m in found} == {time(18, 0)}


@pytest.mark.parametrize("after", ACROSS_THE_WEEK_AND_NEW_YORK)
def test_from_any_instant_every_chosen_day_has_its_reminder_at_the_local_time(
    after: datetime,
) -> None:
    # Tuesdays and Saturdays at 07:30 in New York, for three weeks from the instant
    start = after.astimezone(LONDON).date()  # a programme starting on the clinic's today
    end = start + timedelta(weeks=3)
    found = []
    moment: datetime | None = after
    while moment := schedule.next_reminder(
        after=moment, start=start, end=end, days=[1, 5], at=time(7, 30), tz=NEW_YORK
    ):
        found.append(moment)

    days = [start + timedelta(days=n) for n in range((end - start).days)]
    expected = [
        datetime.combine(day, time(7, 30), tzinfo=NEW_YORK)
        for day in days
        if day.weekday() in (1, 5)
    ]
    assert found == [moment for moment in expected if moment > after]
    assert len(found) >= 5


def test_no_reminder_without_training_days_or_after_the_end() -> None:
    after = datetime(2026, 11, 1, tzinfo=UTC)
    assert (
        schedule.next_reminder(after=after, start=START, end=END, days=[], at=time(8), tz=LONDON)
        is None
    )
    late = datetime.combine(END, time(0, 0), tzinfo=LONDON)
    assert (
        schedule.next_reminder(after=late, start=START, end=END, days=[0], at=time(8), tz=LONDON)
        is None
    )


@given(
    days=st.sets(st.integers(0, 6), min_size=1),
    hour=st.integers(0, 23),
    offset_hours=st.integers(0, 24 * 50),
    tz=st.sampled_from(["Europe/London", "America/New_York", "Asia/Kolkata", "Pacific/Auckland"]),
)
def test_the_next_reminder_is_always_later_on_a_training_day_within_the_programme(
    days: set[int], hour: int, offset_hours: int, tz: str
) -> None:
    zone = ZoneInfo(tz)
    after = datetime(2026, 11, 20, tzinfo=UTC) + timedelta(hours=offset_hours)
    moment = schedule.next_reminder(
        after=after, start=START, end=END, days=days, at=time(hour), tz=zone
    )
    if moment is None:
        return
    local = moment.astimezone(zone)
    assert moment > after
    assert local.weekday() in days
    assert START <= local.date() < END


def test_check_ins_fall_at_the_end_of_their_week() -> None:
    due = schedule.check_in_due(start=START, week=2, at=time(18, 0), tz=LONDON)
    assert due == datetime.combine(START + timedelta(days=14), time(18, 0), tzinfo=LONDON)


@pytest.mark.parametrize(
    ("per_week", "expected"), [(1, [2]), (2, [1, 4]), (3, [0, 2, 4]), (5, [0, 1, 2, 3, 4])]
)
def test_default_training_days_leave_rest_days_between_sessions(
    per_week: int, expected: list[int]
) -> None:
    assert schedule.default_training_days(per_week) == expected


def test_sessions_planned_count_whole_and_part_weeks() -> None:
    assert schedule.sessions_planned(days_per_week=3, start=START, until=START + timedelta(7)) == 3
    assert schedule.sessions_planned(days_per_week=3, start=START, until=START) == 0
    assert schedule.sessions_planned(days_per_week=2, start=START, until=START + timedelta(14)) == 4
