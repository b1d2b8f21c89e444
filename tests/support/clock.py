"""The test's clock: tests never depend on the hour, the weekday or the date they run.

`running_at(instant)` patches every way the product reads the time, and nothing else:
`django.utils.timezone.now` (`localdate` and `localtime` read it too, and so do `auto_now`
fields), the model fields whose default is `timezone.now` (they hold the function itself, which
a patch of the module does not reach), the clock `django.core.signing` stamps links with, and the
one django-otp checks an authenticator's codes against.
Time stands still at the instant until the test moves it (`Clock.advance`, `Clock.move_to`).

The `clock` fixture starts at `DEFAULT_START`; a test whose behaviour hangs on the time of day,
the weekday or a clock change runs from several fixed instants instead:

    @pytest.mark.parametrize("clock", ACROSS_THE_WEEK, indirect=True)

The instants are named for where they fall: local times are given for the clinic's zone
(Europe/London) and for a patient's (America/New_York), whose clocks change on other days.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any
from unittest import mock

import pytest
from django.apps import apps
from django.utils import timezone

_REAL_NOW = timezone.now  # what model fields were given as their default, before any patch


@dataclass
class Clock:
    """The test's clock: it moves only forward, and only when the test moves it."""

    now: datetime

    def move_to(self, moment: datetime) -> None:
        assert moment >= self.now, "the clock only moves forward"
        self.now = moment

    def advance(self, delta: timedelta) -> None:
        self.move_to(self.now + delta)

    def steps(self, *, until: datetime, every: timedelta) -> Iterator[datetime]:
        """Move forward `every` at a time up to `until`, yielding each moment moved to."""
        while self.now + every <= until:
            self.advance(every)
            yield self.now


@contextlib.contextmanager
def running_at(start: datetime) -> Iterator[Clock]:
    assert start.utcoffset() is not None, "an instant is an aware datetime"
    clock = Clock(now=start.astimezone(UTC))

    def now() -> datetime:
        return clock.now

    with contextlib.ExitStack() as patches:
        patches.enter_context(mock.patch("django.utils.timezone.now", side_effect=now))
        # Signed links are stamped with time.time() as django.core.signing sees it; only that
        # module's view of it moves (the broker's and the database driver's timeouts keep theirs).
        patches.enter_context(
            mock.patch(
                "django.core.signing.time", SimpleNamespace(time=lambda: clock.now.timestamp())
            )
        )
        # An authenticator's codes (django-otp's TOTP devices) follow the test's clock too.
        patches.enter_context(
            mock.patch(
                "django_otp.plugins.otp_totp.models.time",
                SimpleNamespace(time=lambda: clock.now.timestamp()),
            )
        )
        for field in _fields_defaulting_to_now():
            # A field's default is read through its cached `_get_default`.
            patches.enter_context(mock.patch.dict(field.__dict__, {"_get_default": now}))
        yield clock


def _fields_defaulting_to_now() -> list[Any]:
    fields = {
        id(field): field
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if getattr(field, "default", None) is _REAL_NOW
    }
    return list(fields.values())


# --- Fixed instants ----------------------------------------------------------------------------

# Across the day and the week, winter and summer.
MONDAY_JUST_AFTER_MIDNIGHT = datetime(2026, 1, 5, 0, 30, tzinfo=UTC)  # Mon 00:30 GMT; Sun 19:30 EST
WEDNESDAY_MORNING_IN_SUMMER = datetime(2026, 7, 15, 6, 30, tzinfo=UTC)  # Wed 07:30 BST; 02:30 EDT
FRIDAY_EVENING = datetime(2026, 11, 27, 19, 32, tzinfo=UTC)  # Fri 19:32 GMT; 14:32 EST
SUNDAY_A_MINUTE_TO_MIDNIGHT = datetime(2026, 2, 22, 23, 59, tzinfo=UTC)  # Sun 23:59 GMT; 18:59 EST
# Either side of the clinic's clock changes (Europe/London, at 01:00 UTC).
LONDON_BEFORE_THE_CLOCKS_GO_FORWARD = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)  # Sun 00:30 GMT
LONDON_AFTER_THE_CLOCKS_GO_FORWARD = datetime(2026, 3, 29, 1, 30, tzinfo=UTC)  # Sun 02:30 BST
LONDON_BEFORE_THE_CLOCKS_GO_BACK = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # Sun 01:30 BST
LONDON_AFTER_THE_CLOCKS_GO_BACK = datetime(2026, 10, 25, 1, 30, tzinfo=UTC)  # Sun 01:30 GMT
# Either side of New York's (at 02:00 local), weeks away from London's.
NEW_YORK_BEFORE_THE_CLOCKS_GO_FORWARD = datetime(2026, 3, 8, 6, 30, tzinfo=UTC)  # Sun 01:30 EST
NEW_YORK_AFTER_THE_CLOCKS_GO_FORWARD = datetime(2026, 3, 8, 7, 30, tzinfo=UTC)  # Sun 03:30 EDT
NEW_YORK_BEFORE_THE_CLOCKS_GO_BACK = datetime(2026, 11, 1, 5, 30, tzinfo=UTC)  # Sun 01:30 EDT
NEW_YORK_AFTER_THE_CLOCKS_GO_BACK = datetime(2026, 11, 1, 6, 30, tzinfo=UTC)  # Sun 01:30 EST

ACROSS_THE_WEEK = [
    pytest.param(MONDAY_JUST_AFTER_MIDNIGHT, id="mon-00:30"),
    pytest.param(WEDNESDAY_MORNING_IN_SUMMER, id="wed-07:30-bst"),
    pytest.param(FRIDAY_EVENING, id="fri-19:32"),
    pytest.param(SUNDAY_A_MINUTE_TO_MIDNIGHT, id="sun-23:59"),
    pytest.param(LONDON_BEFORE_THE_CLOCKS_GO_FORWARD, id="london-before-forward"),
    pytest.param(LONDON_AFTER_THE_CLOCKS_GO_FORWARD, id="london-after-forward"),
    pytest.param(LONDON_BEFORE_THE_CLOCKS_GO_BACK, id="london-before-back"),
    pytest.param(LONDON_AFTER_THE_CLOCKS_GO_BACK, id="london-after-back"),
]
# Where a patient's own time zone (New York) is in play as well as the clinic's.
ACROSS_THE_WEEK_AND_NEW_YORK = [
    *ACROSS_THE_WEEK,
    pytest.param(NEW_YORK_BEFORE_THE_CLOCKS_GO_FORWARD, id="new-york-before-forward"),
    pytest.param(NEW_YORK_AFTER_THE_CLOCKS_GO_FORWARD, id="new-york-after-forward"),
    pytest.param(NEW_YORK_BEFORE_THE_CLOCKS_GO_BACK, id="new-york-before-back"),
    pytest.param(NEW_YORK_AFTER_THE_CLOCKS_GO_BACK, id="new-york-after-back"),
]
# One awkward instant for tests that need a fixed time but do not turn on which: a Sunday
# evening in the clinic's zone, hours before midnight UTC, the week New York's clocks go back
# (a six-week programme started then crosses it).
DEFAULT_START = datetime(2026, 10, 25, 21, 45, tzinfo=UTC)  # Sun 21:45 GMT; 17:45 EDT


@pytest.fixture(name="clock")
def clock_fixture(request: pytest.FixtureRequest) -> Iterator[Clock]:
    """The test's clock at `DEFAULT_START`, or at the instant the test is parametrised with."""
    with running_at(getattr(request, "param", DEFAULT_START)) as clock:
        yield clock
