"""What each page of a clinic's load costs the server, one request at a time, in this process.

bench/clinic_load.py measures the pages under load, where a p95 is mostly queueing: how long a
request waits for a core that other requests hold. This measures what each request holds a core
for, with nothing else running: the same seeded clinic (clinic_load's `seed`, on PostgreSQL in a
throwaway database), the same requests (a clinician's queue refresh with its htmx headers, read afresh
(`queue`) and answered from the half-second snapshot the other dashboards share
(`queue_shared`, triage/queue_views.py), the
full queue page, reception's intake form, its submission and the outcome page, a patient's
programme page), through Django's whole stack (middleware, sessions, the second factor, audit)
with the test client. Each kind is asked `--repeat` times after a warm-up; the figure is the
median, beside the floor (`/healthz`: no database, no session) measured in the same run.

`--profile KIND` prints where that kind's time goes (cProfile, by cumulative time) to stderr.
The last line of stdout is one JSON object: `{"ms": {kind: median}, "floor_ms", "ratio": {kind:
median / floor}}`.

    .venv/bin/python bench/page_cpu.py [--repeat 60] [--profile queue]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import clinic_load
from _common import throwaway_database
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from triage import queue_views


def options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=60)
    parser.add_argument("--seed-intakes", type=int, default=clinic_load.SEED_INTAKES)
    parser.add_argument("--show-queries", default="", help="kinds whose SQL to print")
    parser.add_argument("--explain", default="", help="kinds whose SELECTs to EXPLAIN ANALYZE")
    parser.add_argument(
        "--profile", default="", help="kinds to profile, comma-separated: queue,submit,..."
    )
    return parser.parse_args()


def client_for(session: str) -> Client:
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = session
    return client


def main() -> None:
    opts = options()
    seed_opts = argparse.Namespace(
        max_dashboards=3, dashboards=3, receptionists=2, patients=20, seed_intakes=opts.seed_intakes
    )
    with throwaway_database("bench_page_cpu"):
        clinic = clinic_load.seed(seed_opts)
        clinician = client_for(clinic.clinician_sessions[0])
        reception = client_for(clinic.reception_sessions[0])
        anonymous = Client()
        forms = iter(clinic.forms)
        htmx = {"HX-Request": "true", "HX-Trigger": "queue", "HX-Target": "queue"}
        outcome = {"url": ""}

        def submit() -> None:
            page = reception.get("/patients/intakes/new/").content.decode()
            token = clinic_load.TOKEN_INPUT.search(page)
            assert token, "no submission token on the form"
            data = {**next(forms), "submission_token": token.group(1)}
            response = reception.post("/patients/intakes/new/", data)
            assert response.status_code == 302, response.status_code
            outcome["url"] = response["Location"]

        def submit_emergency() -> None:
            """An intake the rules make an EMERGENCY (double vision: a vascular or neurological
            cause), which alerts the clinicians on duty in its transaction."""
            page = reception.get("/patients/intakes/new/").content.decode()
            token = clinic_load.TOKEN_INPUT.search(page)
            assert token, "no submission token on the form"
            data = {**next(forms), "double_vision": "yes", "submission_token": token.group(1)}
            response = reception.post("/patients/intakes/new/", data)
            assert response.status_code == 302, response.status_code

        def read_queue() -> object:
            queue_views.forget_snapshots()
            return clinician.get("/triage/queue/", headers=htmx)

        submit()  # an outcome page to read
        kinds: dict[str, Callable[[], object]] = {
            "floor": lambda: anonymous.get("/healthz"),
            # A poll that reads the queue (no snapshot of it in this process: what the first
            # of the dashboards in each half second costs), and one answered from the snapshot.
            "queue": read_queue,
            "queue_shared": lambda: clinician.get("/triage/queue/", headers=htmx),
            "queue_page": lambda: clinician.get("/triage/queue/"),
            "intake_form": lambda: reception.get("/patients/intakes/new/"),
            "outcome": lambda: reception.get(outcome["url"]),
            "patient": lambda: anonymous.get(clinic.patient_paths[0]),
        }
        ms: dict[str, float] = {}
        queries: dict[str, int] = {}
        for kind, call in kinds.items():
            for _ in range(5):
                call()
            with CaptureQueriesContext(connection) as captured:
                call()
            queries[kind] = len(captured)
            if kind in opts.show_queries.split(","):
                for query in captured.captured_queries:
                    print(f"-- {kind}: {query['sql'][:300]}", file=sys.stderr)
            if kind in opts.explain.split(","):
                explain(kind, [query["sql"] for query in captured.captured_queries])
            ms[kind] = median_ms(call, opts.repeat, kind)
            if kind in opts.profile.split(","):
                profile(kind, call)
        # A submission includes its form's GET; that GET's median is taken off.
        ms["submit"] = max(0.0, median_ms(submit, opts.repeat, "submit") - ms["intake_form"])
        WALL["submit"] = max(0.0, WALL["submit"] - WALL["intake_form"])
        if "submit" in opts.profile.split(","):
            profile("submit", submit)
        ms["submit_emergency"] = max(
            0.0, median_ms(submit_emergency, opts.repeat, "submit_emergency") - ms["intake_form"]
        )
        WALL["submit_emergency"] = max(0.0, WALL["submit_emergency"] - WALL["intake_form"])
        if "submit_emergency" in opts.profile.split(","):
            profile("submit_emergency", submit_emergency)
    floor = ms.pop("floor")
    result = {
        "ms": {kind: round(value, 2) for kind, value in ms.items()},
        "floor_ms": round(floor, 2),
        "ratio": {kind: round(value / floor, 1) for kind, value in ms.items()},
        "wall_ms": {kind: round(value, 2) for kind, value in WALL.items() if kind != "floor"},
        "queries": queries,
        "repeat": opts.repeat,
    }
    print(json.dumps(result))


WALL: dict[str, float] = {}


def median_ms(call: Callable[[], object], repeat: int, kind: str = "") -> float:
    """The median of this process's CPU time per call: what the request holds a core for in
    Python (the database's own work is another process's), and steadier than the wall clock
    on a shared machine. The wall clock's median goes to WALL[kind]."""
    times, walls = [], []
    for _ in range(repeat):
        started, wall = time.process_time(), time.perf_counter()
        call()
        times.append((time.process_time() - started) * 1000)
        walls.append((time.perf_counter() - wall) * 1000)
    WALL[kind] = statistics.median(walls)
    return statistics.median(times)


def explain(kind: str, statements: list[str]) -> None:
    """Each SELECT's plan and its time in PostgreSQL, to stderr (the SQL as Django ran it)."""
    with connection.cursor() as cursor:
        for sql in statements:
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            print(f"== {kind}: {sql[:200]}\n{plan}\n", file=sys.stderr)


def profile(kind: str, call: Callable[[], object]) -> None:
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(20):
        call()
    profiler.disable()
    if os.environ.get("PROFILE_DUMP"):
        profiler.dump_stats(f"{os.environ['PROFILE_DUMP']}.{kind}")
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats(
        os.environ.get("PROFILE_SORT", "cumulative")
    ).print_stats(int(os.environ.get("PROFILE_LINES", "45")))
    print(f"== {kind}", out.getvalue(), file=sys.stderr)


if __name__ == "__main__":
    main()
