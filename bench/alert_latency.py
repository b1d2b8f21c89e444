"""How long an EMERGENCY intake takes to reach the on-duty clinician's mail server.

Sets up everything itself: a throwaway PostgreSQL database (DATABASE_URL's server; default
postgres://postgres@127.0.0.1:5432), a private redis-server on a free port, an SMTP sink
(tests/support/smtp_sink.py) and, as subprocesses with production settings (DEBUG off), one
`celery worker` with two prefork pool processes (as the compose file runs it) and the real
`celery beat` (outbox-dispatch every second, OUTBOX_DISPATCH_SECONDS=1). One clinician with an
email address is on the rota all day, every day.

N EMERGENCY intakes (default 100; cauda equina symptoms, a new patient each) are saved one after
another through the intake service, `submit_intake`, as reception saves them, with a pause of
PAUSE seconds between them. Each is timed from its commit (time.time() as soon as submit_intake
has returned: committed, and the on-commit hand-over to the broker done) to the sink's acceptance
of the clinician alert, matched by the alert row's Message-ID. An alert the sink has not accepted
DEADLINE seconds after the last intake is lost.

Progress goes to stderr; the last line of stdout is one JSON object: {"p50_s", "p95_s", "lost"}.
Target: p95 <= 5 s, none lost.

    .venv/bin/python bench/alert_latency.py [N]
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from contextlib import ExitStack
from datetime import date, timedelta
from datetime import time as clock
from pathlib import Path

from _common import database_url, first_arrivals, percentile, setup_django
from _stack import (
    RedisServer,
    exit_on_sigterm,
    log,
    run_with_throwaway_database,
    start_outbox_stack,
)

N = int(sys.argv[1]) if len(sys.argv) > 1 else 100
PAUSE = 0.5  # seconds between one intake's commit and the next submit
CONCURRENCY = 2
DISPATCH_SECONDS = 1.0
DEADLINE = 30.0  # seconds after the last intake for every alert to arrive
TARGET_P95_S = 5.0

WORKDIR = Path(tempfile.mkdtemp(prefix="clinic-bench-alert-"))
REDIS = RedisServer(WORKDIR)
QUEUE = f"bench-alert-{os.getpid()}"
# This process saves the intakes, so it hands alerts over to the same private Redis and queue.
os.environ["REDIS_URL"] = REDIS.url
os.environ["CELERY_QUEUE"] = QUEUE
os.environ.setdefault("VAR_DIR", str(WORKDIR / "var"))
setup_django()

from django.contrib.auth.models import Group, User  # noqa: E402
from django.db import connection  # noqa: E402

from clinic.roles import Role  # noqa: E402
from outbox.models import Message  # noqa: E402
from outbox.services import counts_by_status  # noqa: E402
from patients.services import PatientDetails, submit_intake  # noqa: E402
from tests.rules.answers import answers  # noqa: E402
from tests.support.smtp_sink import SmtpSink  # noqa: E402
from triage.models import Assessment, DutySlot, Urgency  # noqa: E402

EMERGENCY = answers(bladder_or_bowel_change=True)


def staff() -> User:
    """The receptionist who enters the intakes; one clinician on duty all day, every day (a slot
    from 00:00 to 00:00 on every weekday, so a run across midnight still finds her on duty)."""
    reception = User.objects.create_user("bench-reception", password="bench-reception-pw")
    reception.groups.add(Group.objects.get(name=Role.RECEPTION))
    clinician = User.objects.create_user(
        "bench-clinician", email="on.duty@example.com", first_name="Dana", last_name="Okafor"
    )
    clinician.groups.add(Group.objects.get(name=Role.CLINICIAN))
    DutySlot.objects.bulk_create(
        DutySlot(clinician=clinician, weekday=day, starts=clock(0), ends=clock(0))
        for day in range(7)
    )
    return reception


def run(stack: ExitStack, db_name: str) -> dict[str, float | int]:
    sink = stack.enter_context(SmtpSink())
    reception = staff()

    _worker, _beat = start_outbox_stack(
        stack,
        name=f"bench-alert-{os.getpid()}",
        database_url=database_url(db_name),
        redis=REDIS,
        email_url=sink.email_url,
        queue=QUEUE,
        workdir=WORKDIR,
        concurrency=CONCURRENCY,
        dispatch_seconds=DISPATCH_SECONDS,
    )

    committed: dict[str, float] = {}  # Message-ID -> when its intake had committed
    submit_s: list[float] = []
    for i in range(N):
        details = PatientDetails(
            given_name=f"Alert{i}",
            family_name="Bench",
            date_of_birth=date(1950, 1, 1) + timedelta(days=97 * i),
            sex="FM"[i % 2],
        )
        started = time.time()
        intake = submit_intake(details=details, answers=EMERGENCY, entered_by=reception)
        at = time.time()
        submit_s.append(at - started)
        alert = Message.objects.get(patient_id=intake.patient_id, kind=Message.Kind.CLINICIAN_ALERT)
        committed[alert.message_id] = at
        if i == 0:
            urgency = Assessment.objects.get(intake=intake).urgency
            assert urgency == Urgency.EMERGENCY, f"the bench intake triaged as {urgency}"
        if (i + 1) % 20 == 0:
            arrived = first_arrivals(list(sink.received), committed)
            late = [arrived[mid] - committed[mid] for mid in arrived] or [float("nan")]
            log(f"  {i + 1}/{N} intakes saved, {len(arrived)} alerts accepted, "
                f"p95 so far {percentile(late, 95):.3f}s")  # fmt: skip
        time.sleep(PAUSE)

    deadline = time.time() + DEADLINE
    while time.time() < deadline and len(first_arrivals(list(sink.received), committed)) < N:
        time.sleep(0.05)
    arrived = first_arrivals(list(sink.received), committed)
    latencies = [arrived[mid] - committed[mid] for mid in arrived]
    lost = N - len(arrived)
    duplicates = sum(1 for r in list(sink.received) if r.message_id in committed) - len(arrived)
    p50 = percentile(latencies, 50) if latencies else float("inf")
    p95 = percentile(latencies, 95) if latencies else float("inf")
    log(
        f"{len(arrived)}/{N} alerts accepted: p50 {p50:.3f}s, p95 {p95:.3f}s, "
        f"max {max(latencies, default=float('inf')):.3f}s; lost {lost}, duplicates {duplicates}; "
        f"submit_intake itself p50 {percentile(submit_s, 50) * 1000:.1f} ms, "
        f"p95 {percentile(submit_s, 95) * 1000:.1f} ms; rows by status "
        f"{ {k: v for k, v in counts_by_status().items() if v} }"
    )
    connection.close()
    return {"p50_s": round(p50, 3), "p95_s": round(p95, 3), "lost": lost}


def main() -> None:
    exit_on_sigterm()
    log(f"alert latency: {N} EMERGENCY intakes {PAUSE:g}s apart, 1 worker x {CONCURRENCY} "
        f"processes, beat every {DISPATCH_SECONDS:g}s, on PostgreSQL; run directory {WORKDIR}")  # fmt: skip
    result = run_with_throwaway_database("bench_alert", run, redis=REDIS, workdir=WORKDIR)
    met = result["p95_s"] <= TARGET_P95_S and result["lost"] == 0
    log(f"targets p95 <= {TARGET_P95_S:g}s, none lost: {'met' if met else 'NOT met'}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
