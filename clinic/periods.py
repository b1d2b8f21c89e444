"""A report's period: whole days in the clinic's time zone, the first to the last inclusive, from
a GET form with a default (the last twelve weeks up to today). Shared by the overrides report
(triage) and the clinic lead's dashboard (outcomes)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django import forms
from django.http import HttpResponse, HttpResponseBadRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

DEFAULT_WEEKS = 12
EARLIEST = date(2000, 1, 1)
LATEST = date(2100, 12, 31)


@dataclass(frozen=True, slots=True)
class Period:
    """`start` to `end` inclusive; `as_of` is the end, or `now` if that is sooner (for what has
    not happened yet, such as a check-in still to go unanswered)."""

    start: date
    end: date
    now: datetime

    @property
    def starts_at(self) -> datetime:
        return datetime.combine(self.start, time.min, timezone.get_current_timezone())

    @property
    def ends_at(self) -> datetime:
        return datetime.combine(
            self.end + timedelta(days=1), time.min, timezone.get_current_timezone()
        )

    @property
    def as_of(self) -> datetime:
        """An instant, in UTC: arithmetic on it is in elapsed time. (`ends_at` carries the clinic's
        zone, in which Python adds wall-clock days: 7 days before a midnight in November was 169
        hours before it, across October's change of the clocks.)"""
        return min(self.ends_at, self.now).astimezone(UTC)

    def weeks(self) -> list[date]:
        """The Monday of every week the period touches, in order."""
        monday = self.start - timedelta(days=self.start.weekday())
        found = []
        while monday <= self.end:
            found.append(monday)
            monday += timedelta(weeks=1)
        return found


def default_period(now: datetime | None = None, *, weeks: int = DEFAULT_WEEKS) -> Period:
    """The last `weeks` weeks up to today (clinic time)."""
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    return Period(start=today - timedelta(weeks=weeks) + timedelta(days=1), end=today, now=now)


class PeriodForm(forms.Form):
    """From and to, each optional: an empty end is today, an empty start twelve weeks before
    the end. A refused period shows its errors and the default period meanwhile."""

    start = forms.DateField(
        label=pgettext_lazy("start of a date range", "From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    end = forms.DateField(
        label=pgettext_lazy("end of a date range", "To"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in ("start", "end"):
            day = data.get(name)
            if day is not None and not EARLIEST <= day <= LATEST:
                self.add_error(
                    name,
                    _("Give a date from %(first)s to %(last)s.")
                    % {"first": EARLIEST.year, "last": LATEST.year},
                )
        if self.errors:
            return data
        if data.get("start") and data["start"] > timezone.localdate():
            # Nothing has happened in it yet (and with no end, the end would be today: before it).
            self.add_error(
                "start", _("The period starts after today: there is nothing to count yet.")
            )
        elif data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", _("The end of the period is before its start."))
        return data

    def refused(self) -> HttpResponse | None:
        """For an export: a refused period is a 400 that says why, never the default period's
        figures under a name the user did not ask for. None when the period stands."""
        if not self.is_bound or self.is_valid():
            return None
        errors = " ".join(str(e) for field in self.errors.values() for e in field)
        return HttpResponseBadRequest(
            _("Nothing was exported: the period was refused. %(errors)s") % {"errors": errors},
            content_type="text/plain; charset=utf-8",
        )

    def period(self, now: datetime | None = None) -> Period:
        now = now or timezone.now()
        fallback = default_period(now)
        if not self.is_bound or not self.is_valid():
            return fallback
        end = self.cleaned_data.get("end") or fallback.end
        start = self.cleaned_data.get("start") or end - timedelta(weeks=DEFAULT_WEEKS) + timedelta(
            days=1
        )
        return Period(start=start, end=end, now=now)
