"""What the programme journey tests add to the outbox stack: a clock the test moves, the beat's
work done at each moved moment, the forms of the patient's pages read from their HTML, and the
programme emails the sink received.

The worker and beat run on the real clock. The test process runs on its own (`clock`, from
`tests/support/clock.py`), which starts at the fixed instant the test names, in the first year
with the same calendar that lies ahead of the real clock: what the test makes due is never due
for the real beat, which would otherwise send it (or skip it as stale) on its own. At each
moment the test moves to, `beat_work` does what beat would do at that moment (queue the
programme emails that have fallen due, then dispatch every due outbox row). The dispatcher's
claim lets the real worker send a row that is due only in the moved time; a row merely handed
over on commit waits for that claim.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

import pytest
from django.utils import timezone

from outbox.services import dispatch_due_messages
from programmes.models import CheckIn, Programme
from programmes.reminders import queue_due_programme_emails
from tests.support.clock import Clock, running_at
from tests.support.smtp_sink import Received, SmtpSink

# Within 1901-2099 the calendar repeats every 28 years: each date falls on the same weekday, and
# the clock changes of London and New York (the last or the nth Sunday of a month) on the same
# dates.
SAME_CALENDAR_YEARS = 28


def ahead_of_the_real_clock(instant: datetime) -> datetime:
    """`instant` moved on by whole calendar cycles until it is a day ahead of the real clock:
    the same weekday, time of day and place among the clock changes, every run."""
    real_now = datetime.now(UTC)
    while instant < real_now + timedelta(days=1):
        instant = instant.replace(year=instant.year + SAME_CALENDAR_YEARS)
    return instant


@pytest.fixture(name="clock")
def clock_fixture(request: pytest.FixtureRequest) -> Iterator[Clock]:
    """The test process's clock, from the instant the test is parametrised with (each journey
    names its own: `@pytest.mark.parametrize("clock", [...], indirect=True)`)."""
    with running_at(ahead_of_the_real_clock(request.param)) as clock:
        yield clock


# How long beat's work at one moment may wait for the worker to let go of a row.
LOCK_DEADLINE = 30.0


def beat_work(times: int = 1) -> None:
    """What beat's entries do at the clock's moment: programme emails that have fallen due
    become outbox rows, and every due row is claimed and handed to the worker.

    A pass skips a programme whose row the worker holds locked while it sends one of its emails
    (the send-time check); the real beat's next pass, a beat interval later, takes it. The test's
    clock moves hours at a step, so at each moment this runs the pass again until nothing that
    has fallen due is left behind: otherwise the reminder would come a step late, or be skipped
    as stale."""
    for _ in range(times):
        queue_due_programme_emails()
        deadline = time.monotonic() + LOCK_DEADLINE
        while left_behind(timezone.now()):
            assert time.monotonic() < deadline, "a programme's row stayed locked"
            time.sleep(0.01)  # the worker's send holds the row for an instant
            queue_due_programme_emails()
        dispatch_due_messages()


def left_behind(now: datetime) -> bool:
    """Whether a reminder or check-in due at `now` is still to be queued: after a pass, only one
    whose row was locked."""
    return Programme.objects.reminders_due(now).exists() or CheckIn.objects.to_send(now).exists()


# --- The patient's pages ----------------------------------------------------------------------


@dataclass
class Form:
    action: str
    method: str
    fields: dict[str, list[str]] = field(default_factory=dict)  # name -> values sent as is
    choices: dict[str, list[str]] = field(default_factory=dict)  # radio, checkbox, select options
    kinds: dict[str, str] = field(default_factory=dict)  # name -> input type

    def data(self, **chosen: str | list[str]) -> dict[str, str | list[str]]:
        """What the browser would send with the choices made: the form's own values (hidden
        fields, pre-filled inputs, ticked boxes), `chosen` instead where given."""
        data: dict[str, str | list[str]] = {
            name: values if len(values) != 1 else values[0]
            for name, values in self.fields.items()
            if values
        }
        for name, value in chosen.items():
            assert name in self.kinds, f"the form has no field {name!r}: {sorted(self.kinds)}"
            data[name] = value
        return data


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append(Form(action=a.get("action", ""), method=a.get("method", "get")))
            return
        if not self.forms or "name" not in a:
            if tag == "option" and self._select is not None:
                self._option(a)
            return
        form, name = self.forms[-1], a["name"]
        if tag == "input":
            kind = a.get("type", "text").lower()
            if kind in ("submit", "button", "image", "reset"):
                return
            form.kinds[name] = kind
            form.fields.setdefault(name, [])
            if kind in ("radio", "checkbox"):
                form.choices.setdefault(name, []).append(a.get("value", "on"))
                if "checked" in a:
                    form.fields[name].append(a.get("value", "on"))
            elif a.get("value"):
                form.fields[name].append(a["value"])
        elif tag == "select":
            form.kinds[name] = "select"
            form.fields.setdefault(name, [])
            self._select = name
        elif tag == "textarea":
            form.kinds[name] = "textarea"
            form.fields.setdefault(name, [])
            self._textarea = name

    def _option(self, a: dict[str, str]) -> None:
        assert self._select is not None
        form = self.forms[-1]
        form.choices.setdefault(self._select, []).append(a.get("value", ""))
        if "selected" in a:
            form.fields[self._select].append(a.get("value", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "select" and self._select is not None:
            form = self.forms[-1]
            options = form.choices.get(self._select, [])
            if not form.fields[self._select] and options:
                form.fields[self._select].append(options[0])  # what a browser sends
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea is not None and data.strip():
            self.forms[-1].fields[self._textarea].append(data.strip())


def forms_in(html: str) -> list[Form]:
    parser = _FormParser()
    parser.feed(html)
    return parser.forms


def form_posting_to(html: str, path: str) -> Form:
    """The page's form whose action is `path` (a POST form)."""
    found = [f for f in forms_in(html) if f.action == path and f.method.lower() == "post"]
    assert found, f"no form posting to {path}: {[f.action for f in forms_in(html)]}"
    return found[0]


def path_of(url: str) -> str:
    """The path of an absolute URL (the test client takes paths)."""
    return re.sub(r"^https?://[^/]+", "", url)


# --- At the sink ------------------------------------------------------------------------------


def key_of(received: Received) -> str:
    """The outbox key a received message was sent under (its Message-ID's left part)."""
    return received.message_id.strip("<>").split("@", 1)[0]


def programme_mail(sink: SmtpSink, programme_id: int, what: str) -> list[Received]:
    """What the sink received for the programme under keys `prg<id>.<what>...` (in order)."""
    prefix = f"prg{programme_id}.{what}"
    return [r for r in list(sink.received) if key_of(r).startswith(prefix)]
