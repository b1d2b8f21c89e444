"""Whether the outbox delivers every message exactly once-ish while its worker keeps dying.

The load of bench/email_throughput.py (N clinician-alert messages, default 5,000, queued through
`queue_emails` an hour ahead, then all made due at one moment by one UPDATE, so that the real beat
entry, not the on-commit hand-over, dispatches them) goes to an SMTP sink through the same stack:
a throwaway PostgreSQL database, a private redis-server, the real `celery beat` (outbox-dispatch
every second) and one `celery worker` with two prefork pool processes, all subprocesses with
production settings, and a short lease (OUTBOX_LEASE_SECONDS=5) so that a dead worker's rows come
back quickly. Meanwhile:

- the worker is killed with SIGKILL to its process group (main process and pool children at once,
  nothing finishes, nothing is acknowledged) a few seconds (2 to 4, at random) after each start
  has said it is ready, and started again at once; killing stops when every message has arrived;
- the private Redis is stopped once, when 40% have arrived, and started again on the same port a
  second later, empty: every task it held is gone.

Counted at the sink by Message-ID: sent (distinct messages accepted), lost (never accepted, by the
deadline) and duplicates (acceptances beyond the first of each).

How kills are counted: `kills` is the number of pool processes killed, summed over every SIGKILL of
the worker's group (two per kill here, one per prefork child, read from /proc just before the
kill). A pool process is what sends; each holds at most one message between the sink's acceptance
and the row's `sent` update, so each can cause at most one duplicate: the target is
duplicates <= kills. `worker_kills` is the number of SIGKILLs of the group.

Progress goes to stderr; the last line of stdout is one JSON object:
{"sent", "lost", "duplicates", "kills", "worker_kills", "redis_restarts", "seconds"}.
Target: zero lost, duplicates <= kills.

BENCH_KEEP_LOGS=1 keeps the run directory (worker, beat and redis logs).

    .venv/bin/python bench/email_chaos.py [N]
"""

from __future__ import annotations

import json
import os
import random
import sys
import tempfile
import time
from contextlib import ExitStack
from datetime import timedelta
from pathlib import Path

from _common import (
    count_at_sink,
    database_url,
    queue_bench_emails,
    setup_django,
)
from _stack import (
    CeleryBeat,
    CeleryWorker,
    RedisServer,
    celery_env,
    exit_on_sigterm,
    log,
    run_with_throwaway_database,
)

N = int(sys.argv[1]) if len(sys.argv) > 1 else 5_000
CONCURRENCY = 2
DISPATCH_SECONDS = 1.0
LEASE_SECONDS = 5
KILL_AFTER = (2.0, 4.0)  # seconds of readiness before each kill, at random
REDIS_RESTART_AT = 0.4  # of the messages arrived
REDIS_DOWN_SECONDS = 1.0
DEADLINE = 140.0  # seconds from the due moment for all N to arrive; the rest count as lost
SETTLE = 5.0  # seconds to keep listening once all have arrived and no row waits, for duplicates

WORKDIR = Path(tempfile.mkdtemp(prefix="clinic-bench-chaos-"))
REDIS = RedisServer(WORKDIR)
QUEUE = f"bench-chaos-{os.getpid()}"
os.environ["REDIS_URL"] = REDIS.url
os.environ["CELERY_QUEUE"] = QUEUE
os.environ.setdefault("VAR_DIR", str(WORKDIR / "var"))
setup_django()

from django.db import connection  # noqa: E402
from django.utils import timezone  # noqa: E402

from outbox.models import Message  # noqa: E402
from outbox.services import counts_by_status  # noqa: E402
from tests.support.smtp_sink import SmtpSink  # noqa: E402

WAITING = [Message.Status.PENDING, Message.Status.SENDING, Message.Status.FAILED]


def run(stack: ExitStack, db_name: str) -> dict[str, float | int]:
    rng = random.Random(2026)
    sink = stack.enter_context(SmtpSink())
    message_ids = queue_bench_emails(
        N, prefix="bench.chaos", due_at=timezone.now() + timedelta(hours=1)
    )
    expected = set(message_ids)
    log(f"queued {N} messages through queue_emails")

    REDIS.start()
    stack.callback(REDIS.stop)
    env = celery_env(
        database_url=database_url(db_name),
        redis_url=REDIS.url,
        email_url=sink.email_url,
        queue=QUEUE,
        var_dir=WORKDIR / "var",
        dispatch_seconds=DISPATCH_SECONDS,
        extra={"OUTBOX_LEASE_SECONDS": str(LEASE_SECONDS)},
    )
    worker = CeleryWorker(
        f"bench-chaos-{os.getpid()}", env, WORKDIR, queue=QUEUE, concurrency=CONCURRENCY
    )
    worker.start()
    stack.callback(worker.stop)
    beat = CeleryBeat(env, WORKDIR)
    beat.start()
    stack.callback(beat.stop)
    worker.wait_ready()
    log(f"worker ready ({len(worker.pool_processes())} pool processes), beat started")

    due = timezone.now()
    Message.objects.update(due_at=due)  # autocommit: all N due from this moment
    t0 = due.timestamp()
    deadline = t0 + DEADLINE
    log(f"{N} messages due now; killing the worker {KILL_AFTER[0]:g}-{KILL_AFTER[1]:g}s after "
        f"each start, lease {LEASE_SECONDS}s")  # fmt: skip

    kills = worker_kills = redis_restarts = 0
    ready = True
    next_kill = time.time() + rng.uniform(*KILL_AFTER)
    shown = time.time()
    arrived = 0
    while time.time() < deadline:
        arrived = len(expected.intersection(sink.message_ids()))
        if arrived == N:
            break
        now = time.time()
        if not redis_restarts and arrived >= REDIS_RESTART_AT * N:
            REDIS.stop()
            time.sleep(REDIS_DOWN_SECONDS)
            REDIS.start()
            redis_restarts += 1
            log(f"  redis restarted empty at {arrived}/{N} ({now - t0:.1f}s)")
        if ready and now >= next_kill:
            killed = len(worker.pool_processes())
            worker.kill()
            kills += killed
            worker_kills += 1
            worker.start()
            ready = False
            log(f"  kill {worker_kills}: {killed} pool processes at {arrived}/{N} "
                f"({now - t0:.1f}s); restarting")  # fmt: skip
        elif not ready and worker.is_ready():
            ready = True
            next_kill = time.time() + rng.uniform(*KILL_AFTER)
        if now - shown >= 5:
            shown = now
            log(f"  {arrived}/{N} accepted after {now - t0:.1f}s")
        time.sleep(0.05)
    finished = time.time()
    log(f"{arrived}/{N} accepted after {finished - t0:.1f}s; the worker stays up now")

    # Let the rows settle (a message can arrive before its row says sent) and keep listening for
    # late duplicates: a killed worker's rows come back when their lease runs out.
    settle_until = time.time() + LEASE_SECONDS + 2 * DISPATCH_SECONDS + 10
    while Message.objects.filter(status__in=WAITING).exists() and time.time() < settle_until:
        time.sleep(0.2)
    time.sleep(SETTLE)
    counts = count_at_sink(message_ids, sink.message_ids())
    log(
        f"sent {counts['delivered']}, duplicates {counts['duplicates']}, lost {counts['lost']}, "
        f"unexpected {counts['unexpected']}; kills: {worker_kills} of the worker, {kills} pool "
        f"processes; rows by status { {k: v for k, v in counts_by_status().items() if v} }; "
        f"beat alive {beat.running()}, sent outbox-dispatch {beat.dispatches()} times"
    )
    connection.close()
    return {
        "sent": counts["delivered"],
        "lost": counts["lost"],
        "duplicates": counts["duplicates"],
        "kills": kills,
        "worker_kills": worker_kills,
        "redis_restarts": redis_restarts,
        "seconds": round(finished - t0, 1),
    }


def main() -> None:
    exit_on_sigterm()
    log(f"email chaos: {N} due messages, 1 worker x {CONCURRENCY} processes killed every few "
        f"seconds, one Redis restart, on PostgreSQL; run directory {WORKDIR}")  # fmt: skip
    result = run_with_throwaway_database("bench_chaos", run, redis=REDIS, workdir=WORKDIR)
    met = result["lost"] == 0 and result["duplicates"] <= result["kills"]
    log(f"targets none lost, duplicates <= kills: {'met' if met else 'NOT met'}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
