"""How fast the outbox empties a backlog of due email through real workers, beside a floor.

Sets up everything itself: a throwaway PostgreSQL database (DATABASE_URL's server; default
postgres://postgres@127.0.0.1:5432), a private redis-server on a free port, an SMTP sink
(tests/support/smtp_sink.py) and, as subprocesses with production settings (DEBUG off), one
`celery worker` with two prefork pool processes (the compose file's worker, CELERY_WORKER_CONCURRENCY
2) and the real `celery beat` with its outbox-dispatch entry every second (OUTBOX_DISPATCH_SECONDS=1).

N clinician-alert messages (default 5,000) are queued through `queue_emails` in one transaction
with `due_at` an hour ahead, then made due at one moment T with a single UPDATE of `due_at`.
Why that way: a message due when its transaction commits is handed straight to the workers on
commit, and here the beat entry must do the dispatching. Queuing them in the future gives no
hand-over (queue_emails hands over only rows due by its own `now`) without patching any product
code, and the UPDATE makes all N due at one known moment, so the clock starts at a moment the
product could see, not at the end of a slow insert. T is taken before the UPDATE commits, so the
figure is, if anything, a little low.

per_second = N / (time from T until the sink accepted the last of the N). Every message is counted
at the sink by its Message-ID: lost (not arrived DEADLINE seconds after T) and duplicates (arrived
more than once). Should any be lost, per_second counts only those that arrived.

The floor, in the same run before the workers start: the same N messages, rendered to bytes the
way Django's SMTP backend renders them, sent by a plain smtplib loop over one connection from a
process of its own to a second sink of the same kind; floor_per_second = N / (loop start until the
sink accepted the last).

Progress goes to stderr; the last line of stdout is one JSON object:
{"per_second", "floor_per_second", "ratio", "duplicates", "lost"}.
Targets: >= 150 emails/s, ratio >= 0.25, zero lost, zero duplicates.

BENCH_KEEP_LOGS=1 keeps the run directory (worker, beat and redis logs).

    .venv/bin/python bench/email_throughput.py [N]
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from contextlib import ExitStack
from datetime import timedelta
from pathlib import Path

from _common import (
    count_at_sink,
    database_url,
    first_arrivals,
    queue_bench_emails,
    setup_django,
    smtp_floor,
)
from _stack import (
    RedisServer,
    exit_on_sigterm,
    log,
    run_with_throwaway_database,
    start_outbox_stack,
)

N = int(sys.argv[1]) if len(sys.argv) > 1 else 5_000
CONCURRENCY = 2  # pool processes of the one worker: "two worker processes"
DISPATCH_SECONDS = 1.0
DEADLINE = 150.0  # seconds from T for all N to arrive before the rest count as lost
SETTLE = 3.0  # seconds to keep listening after the last arrival, for late duplicates
TARGET_PER_SECOND = 150.0
TARGET_RATIO = 0.25

WORKDIR = Path(tempfile.mkdtemp(prefix="clinic-bench-email-"))
REDIS = RedisServer(WORKDIR)
QUEUE = f"bench-email-{os.getpid()}"
# The benchmark's own process talks to the same private Redis and queue (settings read these).
os.environ["REDIS_URL"] = REDIS.url
os.environ["CELERY_QUEUE"] = QUEUE
os.environ.setdefault("VAR_DIR", str(WORKDIR / "var"))
setup_django()

from django.conf import settings  # noqa: E402
from django.core.mail import EmailMultiAlternatives  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from outbox.models import Message  # noqa: E402
from outbox.services import counts_by_status  # noqa: E402
from tests.support.smtp_sink import SmtpSink  # noqa: E402


def rendered(messages: list[Message]) -> list[tuple[str, list[str], bytes]]:
    """Each message as Django's SMTP backend puts it on the wire, built as the outbox builds it."""
    out = []
    for message in messages:
        email = EmailMultiAlternatives(
            subject=message.subject,
            body=message.body_text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[f"{message.to_name} <{message.to_email}>"],
            headers={"Message-ID": message.message_id},
        )
        email.attach_alternative(message.body_html, "text/html")
        out.append((email.from_email, email.recipients(), email.message().as_bytes(linesep="\r\n")))
    return out


def last_first_arrival(sink: SmtpSink, expected: set[str]) -> float:
    """When the sink accepted the last of the expected messages (each at its first arrival)."""
    return max(first_arrivals(list(sink.received), expected).values())


def wait_for_all(sink: SmtpSink, expected: set[str], started: float, deadline: float) -> None:
    shown = time.time()
    while time.time() < deadline:
        arrived = len(expected.intersection(sink.message_ids()))
        if arrived == len(expected):
            return
        if time.time() - shown >= 5:
            shown = time.time()
            log(f"  {arrived}/{len(expected)} accepted after {shown - started:.1f}s")
        time.sleep(0.05)


def run(stack: ExitStack, db_name: str) -> dict[str, float | int]:
    sink = stack.enter_context(SmtpSink())
    floor_sink = stack.enter_context(SmtpSink())

    started = time.monotonic()
    message_ids = queue_bench_emails(
        N, prefix="bench.tp", due_at=timezone.now() + timedelta(hours=1)
    )
    expected = set(message_ids)
    log(f"queued {N} messages through queue_emails in {time.monotonic() - started:.1f}s")

    messages = list(Message.objects.order_by("id"))
    floor_started = smtp_floor(rendered(messages), port=floor_sink.port, workdir=WORKDIR)
    floor_sink.wait_for(N, timeout=60)
    floor_counts = count_at_sink(message_ids, floor_sink.message_ids())
    assert floor_counts["lost"] == 0, f"the floor lost messages: {floor_counts}"
    floor_seconds = last_first_arrival(floor_sink, expected) - floor_started
    log(f"floor: {N} over one smtplib connection in {floor_seconds:.2f}s")

    _worker, beat = start_outbox_stack(
        stack,
        name=f"bench-email-{os.getpid()}",
        database_url=database_url(db_name),
        redis=REDIS,
        email_url=sink.email_url,
        queue=QUEUE,
        workdir=WORKDIR,
        concurrency=CONCURRENCY,
        dispatch_seconds=DISPATCH_SECONDS,
    )

    due = timezone.now()
    Message.objects.update(due_at=due)  # autocommit: all N due from this moment
    t0 = due.timestamp()
    log(f"{N} messages due now; beat dispatches every {DISPATCH_SECONDS:g}s")
    wait_for_all(sink, expected, t0, t0 + DEADLINE)
    time.sleep(SETTLE)
    counts = count_at_sink(message_ids, sink.message_ids())
    seconds = last_first_arrival(sink, expected) - t0 if counts["delivered"] else float("inf")
    per_second = counts["delivered"] / seconds  # N / seconds when none is lost
    floor_per_second = N / floor_seconds
    log(
        f"outbox: {counts['delivered']}/{N} accepted in {seconds:.2f}s from due "
        f"({per_second:.1f}/s); duplicates {counts['duplicates']}, lost {counts['lost']}, "
        f"unexpected {counts['unexpected']}; rows by status "
        f"{ {k: v for k, v in counts_by_status().items() if v} }; "
        f"beat sent outbox-dispatch {beat.dispatches()} times"
    )
    connection.close()
    return {
        "per_second": round(per_second, 1),
        "floor_per_second": round(floor_per_second, 1),
        "ratio": round(per_second / floor_per_second, 3),
        "duplicates": counts["duplicates"],
        "lost": counts["lost"],
    }


def main() -> None:
    exit_on_sigterm()
    log(f"email throughput: {N} due messages, beat every {DISPATCH_SECONDS:g}s, 1 worker x "
        f"{CONCURRENCY} processes, on PostgreSQL; run directory {WORKDIR}")  # fmt: skip
    result = run_with_throwaway_database("bench_email", run, redis=REDIS, workdir=WORKDIR)
    met = (
        result["per_second"] >= TARGET_PER_SECOND
        and result["ratio"] >= TARGET_RATIO
        and result["lost"] == 0
        and result["duplicates"] == 0
    )
    log(
        f"targets >= {TARGET_PER_SECOND:g}/s, ratio >= {TARGET_RATIO:g}, none lost or "
        f"duplicated: {'met' if met else 'NOT met'}"
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
