"""How fast a minute's programme reminders for many patients reach them through the real path,
beside a floor.

Sets up everything itself, as email_throughput.py does: a throwaway PostgreSQL database
(DATABASE_URL's server; default postgres://postgres@127.0.0.1:5432), a private redis-server, an
SMTP sink (tests/support/smtp_sink.py) and, as subprocesses with production settings (DEBUG off),
one `celery worker` with two prefork pool processes and the real `celery beat`, with both its
outbox-dispatch entry and its programmes-queue-due entry every second
(OUTBOX_DISPATCH_SECONDS=1, PROGRAMME_MAIL_CHECK_SECONDS=1).

N patients (default 2,000), each with an email address, consent to email and a live programme.
One is prescribed through `prescribe_programme` from a SELF_CARE intake (the seeded
`upper-back-kettlebell-foundations` template, starting today); the other N-1 are that one's rows
cloned with bulk_create: Patient, the closed Case, Programme, its ProgrammePhases,
ProgrammeExercises and CheckIns, the same template, phases, doses and training days, each under
its own patient, case and programme. Why: prescribing N times through the service renders N
programme emails and triages N intakes, minutes of set-up that measure nothing here. The
programme email of each (sent when it was prescribed) is in the outbox already sent, so that
only the reminders are measured.

When the worker is ready, every programme's next reminder is set to one moment T with a single
UPDATE (T = now, taken before the UPDATE commits). From there it is the product's own path:
beat sends `programmes.queue_due`, a worker runs `queue_due_programme_emails` (reminders rendered
and written as outbox rows, 250 a transaction, each batch handed to the workers on commit), the
dispatcher claims whatever is left due, workers send each row under its send guard
(`still_wanted`, the programme's row lock) to the sink.

per_second = N / (time from T until the sink accepted the last of the N reminders). Each is
counted at the sink by its Message-ID, `<prg<id>.rem.<YYYYMMDD>@domain>` with the local date of
T: lost (not arrived DEADLINE seconds after T) and duplicates (arrived more than once). Should
any be lost, per_second counts only those that arrived.

The floor, in the same run after the workers and beat have stopped: the same N reminder rows,
rendered to bytes as the outbox renders them (headers included), sent by a plain smtplib loop
over one connection from a process of its own to a second sink; floor_per_second = N / (loop
start until the sink accepted the last).

Progress goes to stderr; the last line of stdout is one JSON object:
{"per_second", "floor_per_second", "ratio", "lost", "duplicates", "patients"}.
Targets: >= 150 reminders/s, zero lost, zero duplicates.

BENCH_KEEP_LOGS=1 keeps the run directory (worker, beat and redis logs).

    .venv/bin/python bench/programme_emails.py [N]
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from contextlib import ExitStack
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from _common import count_at_sink, database_url, first_arrivals, setup_django, smtp_floor
from _stack import (
    RedisServer,
    exit_on_sigterm,
    log,
    run_with_throwaway_database,
    start_outbox_stack,
)

N = int(sys.argv[1]) if len(sys.argv) > 1 else 2_000
CONCURRENCY = 2  # pool processes of the one worker, as email_throughput
BEAT_SECONDS = 1.0  # both the dispatcher and the programmes' queue-due entry
DEADLINE = 150.0  # seconds from T for all N to arrive before the rest count as lost
SETTLE = 3.0  # seconds to keep listening after the last arrival, for late duplicates
TARGET_PER_SECOND = 150.0
TEMPLATE = "upper-back-kettlebell-foundations"

WORKDIR = Path(tempfile.mkdtemp(prefix="clinic-bench-programme-"))
REDIS = RedisServer(WORKDIR)
QUEUE = f"bench-programme-{os.getpid()}"
os.environ["REDIS_URL"] = REDIS.url
os.environ["CELERY_QUEUE"] = QUEUE
os.environ.setdefault("VAR_DIR", str(WORKDIR / "var"))
# The worker and beat inherit this process's environment (bench/_stack.py celery_env).
os.environ["PROGRAMME_MAIL_CHECK_SECONDS"] = f"{BEAT_SECONDS:g}"
os.environ["ESCALATION_CHECK_SECONDS"] = "3600"  # nothing to escalate; keep the beat quiet
setup_django()

from django.conf import settings  # noqa: E402
from django.core.mail import EmailMultiAlternatives  # noqa: E402
from django.db import connection, models, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from outbox.models import Message  # noqa: E402
from outbox.services import counts_by_status  # noqa: E402
from patients.models import Patient  # noqa: E402
from programmes.models import (  # noqa: E402
    CheckIn,
    Programme,
    ProgrammeExercise,
    ProgrammePhase,
)
from tests.programmes.helpers import clinician, prescribe  # noqa: E402
from tests.support.smtp_sink import SmtpSink  # noqa: E402
from triage.models import Case  # noqa: E402


def clone(row: models.Model, **changes: Any) -> Any:
    """A new, unsaved row with every column of `row` but its primary key, and `changes`."""
    model = type(row)
    values = {
        field.attname: getattr(row, field.attname)
        for field in model._meta.concrete_fields
        if not field.primary_key
    }
    return model(**(values | changes))


def set_up_programmes(count: int) -> list[int]:
    """`count` patients with a live programme each; returns the programmes' ids."""
    started = time.monotonic()
    first = prescribe(by=clinician(username="bench-clinician"), template=TEMPLATE,
                      start=timezone.localdate())  # fmt: skip
    log(f"prescribed one programme through prescribe_programme in "
        f"{time.monotonic() - started:.2f}s")  # fmt: skip
    patient, case = first.patient, first.case
    phases = list(first.phases.order_by("position"))
    exercises = list(ProgrammeExercise.objects.filter(phase__programme=first).order_by("pk"))
    check_ins = list(first.check_ins.order_by("week"))
    [welcome] = Message.objects.filter(kind=Message.Kind.PROGRAMME, key=f"prg{first.pk}.programme")
    Patient.objects.filter(pk=patient.pk).update(email="patient0@example.org")

    with transaction.atomic():
        patients = Patient.objects.bulk_create(
            clone(patient, family_name=f"Bench{n}", email=f"patient{n}@example.org")
            for n in range(1, count)
        )
        cases = Case.objects.bulk_create(clone(case, patient_id=p.pk) for p in patients)
        programmes = Programme.objects.bulk_create(
            clone(first, patient_id=p.pk, case_id=c.pk)
            for p, c in zip(patients, cases, strict=True)
        )
        new_phases = ProgrammePhase.objects.bulk_create(
            clone(phase, programme_id=programme.pk) for programme in programmes for phase in phases
        )
        phase_of = {(row.programme_id, row.position): row.pk for row in new_phases}
        position_of = {phase.pk: phase.position for phase in phases}
        ProgrammeExercise.objects.bulk_create(
            (
                clone(item, phase_id=phase_of[programme.pk, position_of[item.phase_id]])
                for programme in programmes
                for item in exercises
            ),
            batch_size=5000,
        )
        CheckIn.objects.bulk_create(
            (clone(c, programme_id=programme.pk) for programme in programmes for c in check_ins),
            batch_size=5000,
        )
        # Each programme email went when it was prescribed.
        Message.objects.bulk_create(
            (
                clone(
                    welcome,
                    key=f"prg{programme.pk}.programme",
                    to_email=f"patient{n}@example.org",
                    patient_id=programme.patient_id,
                    case_id=programme.case_id,
                    status=Message.Status.SENT,
                    sent_at=timezone.now(),
                    attempts=1,
                )
                for n, programme in enumerate(programmes, start=1)
            ),
            batch_size=1000,
        )
        Message.objects.filter(pk=welcome.pk).update(
            status=Message.Status.SENT, sent_at=timezone.now(), attempts=1
        )
        # Nothing falls due before the moment the benchmark chooses.
        Programme.objects.update(next_reminder_at=timezone.now() + timedelta(days=1))
    log(
        f"{count} patients with programmes ({len(phases)} phases, {len(exercises)} exercises, "
        f"{len(check_ins)} check-ins each; training days {first.training_days}) in "
        f"{time.monotonic() - started:.1f}s"
    )
    return [first.pk, *(p.pk for p in programmes)]


def expected_ids(programme_ids: list[int], due: datetime) -> set[str]:
    day = due.astimezone(timezone.get_default_timezone()).date()
    domain = settings.OUTBOX_MESSAGE_ID_DOMAIN
    return {f"<prg{pk}.rem.{day:%Y%m%d}@{domain}>" for pk in programme_ids}


def rendered(messages: list[Message]) -> list[tuple[str, list[str], bytes]]:
    """Each message as Django's SMTP backend puts it on the wire, built as the outbox builds it
    (its List-Unsubscribe headers included)."""
    out = []
    for message in messages:
        email = EmailMultiAlternatives(
            subject=message.subject,
            body=message.body_text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[f"{message.to_name} <{message.to_email}>"],
            headers={**(message.headers or {}), "Message-ID": message.message_id},
        )
        email.attach_alternative(message.body_html, "text/html")
        out.append((email.from_email, email.recipients(), email.message().as_bytes(linesep="\r\n")))
    return out


def last_first_arrival(sink: SmtpSink, expected: set[str]) -> float:
    return max(first_arrivals(list(sink.received), expected).values())


def wait_for_all(sink: SmtpSink, expected: set[str], started: float, deadline: float) -> None:
    shown = time.time()
    while time.time() < deadline:
        arrived = len(expected.intersection(sink.message_ids()))
        if arrived == len(expected):
            return
        if time.time() - shown >= 5:
            shown = time.time()
            queued = Message.objects.filter(kind=Message.Kind.PROGRAMME_REMINDER).count()
            log(f"  {arrived}/{len(expected)} accepted, {queued} queued, after "
                f"{shown - started:.1f}s")  # fmt: skip
        time.sleep(0.05)


def run(stack: ExitStack, db_name: str) -> dict[str, float | int]:
    sink = stack.enter_context(SmtpSink())
    floor_sink = stack.enter_context(SmtpSink())
    programme_ids = set_up_programmes(N)

    with ExitStack() as processes:
        _worker, beat = start_outbox_stack(
            processes,
            name=f"bench-programme-{os.getpid()}",
            database_url=database_url(db_name),
            redis=REDIS,
            email_url=sink.email_url,
            queue=QUEUE,
            workdir=WORKDIR,
            concurrency=CONCURRENCY,
            dispatch_seconds=BEAT_SECONDS,
        )
        due = timezone.now()
        Programme.objects.update(next_reminder_at=due)  # autocommit: all N due from this moment
        t0 = due.timestamp()
        expected = expected_ids(programme_ids, due)
        log(f"{N} reminders due now; beat queues due programme emails and dispatches every "
            f"{BEAT_SECONDS:g}s")  # fmt: skip
        wait_for_all(sink, expected, t0, t0 + DEADLINE)
        time.sleep(SETTLE)
        beat_log = beat.output()
    counts = count_at_sink(sorted(expected), sink.message_ids())
    seconds = last_first_arrival(sink, expected) - t0 if counts["delivered"] else float("inf")
    per_second = counts["delivered"] / seconds
    log(
        f"programme reminders: {counts['delivered']}/{N} accepted in {seconds:.2f}s from due "
        f"({per_second:.1f}/s); duplicates {counts['duplicates']}, lost {counts['lost']}, "
        f"unexpected {counts['unexpected']}; rows by status "
        f"{ {k: v for k, v in counts_by_status().items() if v} }; beat sent "
        f"programmes-queue-due {beat_log.count('Sending due task programmes-queue-due')} and "
        f"outbox-dispatch {beat_log.count('Sending due task outbox-dispatch')} times"
    )

    # The floor: the same reminders, once the workers and beat have stopped.
    messages = list(Message.objects.filter(kind=Message.Kind.PROGRAMME_REMINDER).order_by("id"))
    floor_ids = [m.message_id for m in messages]
    floor_started = smtp_floor(rendered(messages), port=floor_sink.port, workdir=WORKDIR)
    floor_sink.wait_for(len(messages), timeout=60)
    floor_counts = count_at_sink(floor_ids, floor_sink.message_ids())
    assert floor_counts["lost"] == 0, f"the floor lost messages: {floor_counts}"
    floor_seconds = last_first_arrival(floor_sink, set(floor_ids)) - floor_started
    floor_per_second = len(messages) / floor_seconds
    log(f"floor: {len(messages)} over one smtplib connection in {floor_seconds:.2f}s")
    connection.close()
    return {
        "per_second": round(per_second, 1),
        "floor_per_second": round(floor_per_second, 1),
        "ratio": round(per_second / floor_per_second, 3),
        "lost": counts["lost"],
        "duplicates": counts["duplicates"],
        "patients": N,
    }


def main() -> None:
    exit_on_sigterm()
    log(f"programme emails: {N} patients' reminders due at once, beat every {BEAT_SECONDS:g}s, "
        f"1 worker x {CONCURRENCY} processes, on PostgreSQL; run directory {WORKDIR}")  # fmt: skip
    result = run_with_throwaway_database("bench_programme", run, redis=REDIS, workdir=WORKDIR)
    met = (
        result["per_second"] >= TARGET_PER_SECOND
        and result["lost"] == 0
        and result["duplicates"] == 0
    )
    log(f"targets >= {TARGET_PER_SECOND:g}/s, none lost or duplicated: "
        f"{'met' if met else 'NOT met'}")  # fmt: skip
    print(json.dumps(result))


if __name__ == "__main__":
    main()
