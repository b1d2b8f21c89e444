"""A clinic's load: clinicians' dashboards, reception's intakes and patients' programme pages at once.

The whole product as it runs in production, on this machine: gunicorn (DEBUG off, the redacting
logger, no control socket) on PostgreSQL in a throwaway database, with a real Celery worker and
beat on a private redis-server (bench/_stack.py), emails written to files. The database is seeded
like a clinic's: clinicians (each with a confirmed authenticator), receptionists, open cases across
every urgency entered through the intake service and spread over the last weeks, closed ones, and
patients on programmes prescribed through the programme service, each with a signed page link.

Then, from a load generator on this machine (asyncio and aiohttp, in this process), for
`--seconds` (60):
- `--dashboards` (60) clinicians' queue pages, each refreshing every 4 seconds as the page's htmx
  does (`HX-Request`, `HX-Trigger: queue`: the partial, which is not activity), signed in with a
  verified second factor. The sessions are made before the run with Django's session engine, as
  the sign-in and code pages leave them (tests/support/two_factor.py `sign_in`): nothing in the
  app is bypassed, the middleware checks every request;
- `--receptionists` (10) entering intakes: the form (its CSRF token and submission token read from
  the page), 10 to 20 s typing, the POST (it must redirect to the outcome), the outcome page,
  2 to 5 s before the next. Answers are the varied, valid ones of bench/intake_submit.py (intake contract
  `intake/1`); one in ten is a returning patient;
- `--patients` (100) opening their programme page by its signed link every 20 to 40 seconds;
- the floor: `/healthz` (no database, no session) four times a second under the same load.

Afterwards the dashboards step up (`--step`, 30 more each `--step-seconds`, 15 s) with reception
and patients still at it, until a step's queue p95 is over 100 ms (or `--max-dashboards`):
`dashboards_held` is the most dashboards with the queue's p95 at or under 100 ms (0 if the base
load already misses it).

Why aiohttp: the load generator shares the two cores with the server it measures, so it must cost
little per request; aiohttp parses HTTP in C and keeps every simulated person on one event loop.
`wrk` would cost less still, but each person here is a sequence with state (a session cookie, a
CSRF token and submission token read from the form, a redirect to check), which wrk's Lua would
have to re-implement. Every request opens its own connection (`Connection: close`): no request
can land on a connection the server has just timed out, so an error is the server's.

gunicorn: `--workers` 3 processes of the `gthread` class with `--threads` 2 each. Two cores are
shared by PostgreSQL, the Celery worker and beat, and this load generator; a page is mostly
Python (one core per process at most, the GIL), so a process per core and one more keeps both
cores busy while one process waits on the database; two threads in each let a request's commit
or query wait overlap another's rendering without the queueing of many threads on one GIL.

Progress goes to stderr; the last line of stdout is one JSON object: the p50/p95 of each kind at
the base load, `errors` (any non-2xx/3xx answer, wrong redirect, timeout or broken connection),
`dashboards_held`, each step's queue p95, the floor's p95 and the load's parameters. Target at
the base load: no errors, every p95 <= 100 ms.

    .venv/bin/python bench/clinic_load.py [--seconds 60] [--dashboards 60] ...
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import re
import signal
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import time as clock_time
from datetime import timedelta
from html import unescape
from pathlib import Path
from typing import Any

from _common import database_url, percentile, setup_django, throwaway_database
from _stack import (
    CeleryBeat,
    CeleryWorker,
    Process,
    RedisServer,
    celery_env,
    free_port,
    log,
)

setup_django()

import aiohttp  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.contrib.auth.models import Group, User  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402
from intake_submit import PATIENT, intakes  # noqa: E402

from clinic.roles import Role  # noqa: E402
from patients.forms import IntakeForm  # noqa: E402
from patients.models import Intake  # noqa: E402
from patients.services import submit_intake  # noqa: E402
from programmes import links  # noqa: E402
from programmes.core.suggest import suggest_template  # noqa: E402
from programmes.history import ProgrammeRefused  # noqa: E402
from programmes.models import CheckIn, Programme, ProgrammeTemplate  # noqa: E402
from programmes.prescribing import prescribe_programme  # noqa: E402
from programmes.seed import seed_library  # noqa: E402
from tests.support.two_factor import sign_in  # noqa: E402
from triage.models import Case, DutySlot, Urgency  # noqa: E402

TARGET_P95_MS = 100.0
REFRESH_SECONDS = 4.0  # triage.queue_views.QUEUE_REFRESH_SECONDS: the page's htmx poll
FLOOR_EVERY = 0.25
# A person's pace. Reception types an intake in 10 to 20 s and starts the next within 2 to 5 s:
# ten desks so enter some 2,000 intakes an hour, far more than a clinic does. A patient reads
# their programme page for 20 to 40 s and opens it again (a real one opens it a few times a day).
TYPING_SECONDS = (10.0, 20.0)
BETWEEN_INTAKES_SECONDS = (2.0, 5.0)
PATIENT_READS_SECONDS = (20.0, 40.0)
# Long enough for every receptionist's first intake (up to 3 s, then 10 to 20 s typing): each
# process's first submission, its first database connection per thread, is not the steady load
# the figures are about (clinic/warmup.py takes the templates' and views' share of it at boot).
WARM_UP_SECONDS = 25.0
REQUEST_TIMEOUT = 10.0
GC_CONFIG = Path(__file__).resolve().parent / "_gunicorn_gc.py"  # times the workers' collections
SEED_INTAKES = 1000  # through the intake service; about a third stay open
CLOSED_SHARE = 0.6
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
TOKEN_INPUT = re.compile(r'name="submission_token" value="([^"]+)"')
OUTCOME = re.compile(r"/patients/intakes/\d+/outcome/$")


def options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add = parser.add_argument
    add("--seconds", type=float, default=60.0, help="the base load's length (60)")
    add("--dashboards", type=int, default=60, help="clinicians' queue pages at the base load")
    add("--receptionists", type=int, default=10)
    add("--patients", type=int, default=100, help="patients on programmes opening their page")
    add("--step", type=int, default=30, help="dashboards added at each step after the base")
    add("--step-seconds", type=float, default=15.0)
    add("--max-dashboards", type=int, default=300, help="the steps stop here at the latest")
    add("--workers", type=int, default=3, help="gunicorn worker processes")
    add("--threads", type=int, default=2, help="gunicorn threads per worker (gthread)")
    add("--worker-class", default="gthread", help="gunicorn's worker class: gthread or sync")
    add("--seed-intakes", type=int, default=SEED_INTAKES)
    add("--unfrozen", action="store_true",
        help="unfreeze each web worker's start-up heap (clinic/warmup.py), to compare")  # fmt: skip
    return parser.parse_args()


# --- The clinic's data ------------------------------------------------------------------------


@dataclass
class Clinic:
    clinician_sessions: list[str]
    reception_sessions: list[str]
    patient_paths: list[str]
    forms: list[dict[str, str]]  # the intakes reception enters during the run
    open_by_urgency: dict[str, int] = field(default_factory=dict)


# Questions whose "yes" is no red flag: kept as bench/intake_submit.py answers them.
NOT_FLAGS = frozenset({"previous_similar_episodes", "recent_significant_trauma", "email_consent"})
KEEP_YES = 0.25
KEEP_INJURY = 0.35  # 15% injured there, about 5% here


def clinic_mix(rng: random.Random, forms: list[dict[str, str]]) -> list[dict[str, str]]:
    """bench/intake_submit.py's forms answer each red-flag question "yes" 3% of the time, which
    over some thirty questions makes most intakes urgent: it tests the rules, not a clinic's day.
    Here each of those "yes" answers stays one time in four (under 1% each), and an injury one
    time in three (5%), so that most of the
    queue is routine or self-care, with a few urgent and emergency cases, as a clinic's is. A
    returning patient's form keeps the answers it was given."""
    mixed = []
    for form in forms:
        form = dict(form)
        for name, value in form.items():
            if value == "yes" and name not in NOT_FLAGS and rng.random() > KEEP_YES:
                form[name] = "no"
        if form["recent_significant_trauma"] == "yes" and rng.random() > KEEP_INJURY:
            form["recent_significant_trauma"], form["trauma_mechanism"] = "no", ""
        mixed.append(form)
    return mixed


def unique_forms(forms: list[dict[str, str]]) -> list[dict[str, str]]:
    """The forms, less any new patient whose name and date of birth another one already has: the
    intake would (rightly) ask reception whether they are the same person, a page this load does
    not answer. A returning patient's form (the same details exactly) is kept."""
    seen: dict[tuple[str, str, str], tuple[str, ...]] = {}
    kept = []
    for form in forms:
        key = (form["given_name"], form["family_name"], form["date_of_birth"])
        details = tuple(form[k] for k in PATIENT)
        if seen.setdefault(key, details) == details:
            kept.append(form)
    return kept


def session_cookie(user: User) -> str:
    """A session as the sign-in page (and, for clinicians, the code page) leaves it."""
    client = Client()
    sign_in(client, user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def staff(prefix: str, count: int, role: Role, password_hash: str) -> list[User]:
    users = User.objects.bulk_create(
        User(username=f"{prefix}{n:03d}", first_name=prefix.title(), last_name=f"{n:03d}",
             email=f"{prefix}{n:03d}@clinic.example", password=password_hash)
        for n in range(count)
    )  # fmt: skip
    group = Group.objects.get(name=role)
    group.user_set.add(*users)
    return users


def seed(opts: argparse.Namespace) -> Clinic:
    started = time.perf_counter()
    seed_library()
    # One real hash for everybody: the sign-in page is not what this measures.
    password_hash = make_password("bench-load-password")
    clinicians = staff("clinician", opts.max_dashboards, Role.CLINICIAN, password_hash)
    receptionists = staff("reception", opts.receptionists, Role.RECEPTION, password_hash)
    # Three clinicians on the rota round the clock: urgent intakes alert them (by email, through
    # the outbox and the worker) in the intake's transaction.
    DutySlot.objects.bulk_create(
        DutySlot(clinician=clinician, weekday=day, starts=clock_time(0), ends=clock_time(0))
        for clinician in clinicians[:3]
        for day in range(7)
    )

    rng = random.Random(2026)
    forms = unique_forms(clinic_mix(rng, intakes(rng, opts.seed_intakes + 4000)))
    seeded, during_run = forms[: opts.seed_intakes], forms[opts.seed_intakes :]
    now = timezone.now()
    # A hundred intakes a transaction: the service's own transactions nest, and the disk
    # flushes once a batch rather than once an intake (this is setting up, not measuring).
    for start in range(0, len(seeded), 100):
        with transaction.atomic():
            for n, data in enumerate(seeded[start : start + 100], start):
                form = IntakeForm(data)
                assert form.is_valid(), form.errors
                details, answers = form.to_service_input()
                submit_intake(
                    details=details,
                    answers=answers,
                    entered_by=receptionists[n % len(receptionists)],
                    submission_token=form.cleaned_data["submission_token"],
                    confirmation=form.confirmation(),
                )
    log(
        f"  {len(seeded)} intakes through the intake service: {time.perf_counter() - started:.0f} s"
    )
    with transaction.atomic():
        patient_paths = prescribe(opts.patients, clinicians[: max(1, opts.dashboards)], rng)
    # Demo data only (as seed_demo does): the cases waited up to 30 days, deadlines moved with
    # them; most of those still open were dealt with and closed.
    cases = list(Case.objects.open().only("pk", "urgency", "status", "closed_at"))
    for case in cases:
        case.opened_at = now - timedelta(seconds=rng.randint(60, 30 * 86400))
        case.due_at = case.opened_at + Urgency(case.urgency).sla
        if rng.random() < CLOSED_SHARE:
            case.status, case.closed_at = Case.Status.CLOSED, case.opened_at + timedelta(days=2)
    Case.objects.bulk_update(cases, ["opened_at", "due_at", "status", "closed_at"], batch_size=500)
    open_by_urgency = Counter(
        Urgency(u).key for u in Case.objects.open().values_list("urgency", flat=True)
    )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    with transaction.atomic():
        clinician_sessions = [session_cookie(user) for user in clinicians]
        reception_sessions = [session_cookie(user) for user in receptionists]
    clinic = Clinic(
        clinician_sessions=clinician_sessions,
        reception_sessions=reception_sessions,
        patient_paths=patient_paths,
        forms=during_run,
        open_by_urgency=dict(open_by_urgency),
    )
    log(
        f"seeded in {time.perf_counter() - started:.0f} s: {len(clinicians)} clinicians, "
        f"{len(receptionists)} receptionists, {Intake.objects.count()} intakes, "
        f"{Case.objects.count()} cases of which open {dict(sorted(open_by_urgency.items()))}, "
        f"{len(patient_paths)} patients on programmes"
    )
    return clinic


def prescribe(count: int, clinicians: list[User], rng: random.Random) -> list[str]:
    """`count` patients on programmes, prescribed from their self-care cases by the template
    triage suggests; the paths of their signed page links."""
    templates = dict(ProgrammeTemplate.objects.filter(active=True).values_list("slug", "pk"))
    candidates = list(
        Case.objects.open()
        .filter(urgency=Urgency.SELF_CARE, patient__email_consent=True)
        .exclude(patient__email="")
        .order_by("pk")
    )
    rng.shuffle(candidates)
    paths: list[str] = []
    for case in candidates:
        if len(paths) == count:
            break
        assessment = case.latest_intake_assessment
        suggestion = (
            suggest_template(assessment.intake.answers, "SELF_CARE")
            if assessment and assessment.intake
            else None
        )
        if suggestion is None or suggestion.template not in templates:
            continue
        try:
            programme = prescribe_programme(
                case_id=case.pk,
                clinician=clinicians[len(paths) % len(clinicians)],
                template_id=templates[suggestion.template],
                start_date=timezone.localdate(),
            )
        except ProgrammeRefused:
            continue
        # Started up to three weeks ago, moved back in time as seed_demo moves its programme.
        back = timedelta(days=rng.randint(0, 20))
        Programme.objects.filter(pk=programme.pk).update(
            start_date=programme.start_date - back,
            phase_started_on=programme.phase_started_on - back,
            prescribed_at=programme.prescribed_at - back,
        )
        for check_in in CheckIn.objects.filter(programme=programme):
            CheckIn.objects.filter(pk=check_in.pk).update(due_at=check_in.due_at - back)
        paths.append(links.page_url(programme, absolute=False))
    if len(paths) < count:
        raise SystemExit(f"only {len(paths)} of {count} patients could be put on programmes")
    assert Programme.objects.count() == count
    return paths


# --- The servers ------------------------------------------------------------------------------


def start_redis(stack: contextlib.ExitStack, workdir: Path) -> RedisServer:
    """The run's own redis-server, this process's broker too: what the seeding hands to the
    worker after each commit (urgent intakes' alerts, programme emails) waits there for it."""
    from clinic.celery import app

    redis = RedisServer(workdir)
    redis.start()
    stack.callback(redis.stop)
    app.conf.broker_url = redis.url
    return redis


def start_servers(
    stack: contextlib.ExitStack,
    db_name: str,
    redis: RedisServer,
    workdir: Path,
    opts: argparse.Namespace,
) -> str:
    """The worker, beat and gunicorn; all stopped when `stack` closes. The base URL gunicorn
    answers on."""
    env = celery_env(
        database_url=database_url(db_name),
        redis_url=redis.url,
        email_url="",  # the file backend, in the run's directory
        queue="celery",  # the default: where this process queued what the seeding handed over
        var_dir=workdir / "var",
        dispatch_seconds=5,
        extra={
            "SECRET_KEY": settings.SECRET_KEY,  # the patients' signed links
            "SESSION_COOKIE_SECURE": "false",
            "CSRF_COOKIE_SECURE": "false",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "STATICFILES_BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
            "SITE_URL": "http://127.0.0.1",
        },
    )
    worker = CeleryWorker("load-worker", env, workdir, queue="celery", concurrency=1)
    worker.start()
    stack.callback(worker.stop)
    beat = CeleryBeat(env, workdir)
    beat.start()
    stack.callback(beat.stop)
    port = free_port()
    argv = [sys.executable, "-m", "gunicorn", "clinic.wsgi:application",
            f"--bind=127.0.0.1:{port}", f"--workers={opts.workers}",
            f"--worker-class={opts.worker_class}", f"--threads={opts.threads}", "--timeout=60",
            "--no-control-socket", f"--config={GC_CONFIG}",
            "--logger-class=clinic.gunicorn_logging.RedactingLogger"]  # fmt: skip
    (workdir / "gc").mkdir()
    web_env = {**env, "BENCH_GC_DIR": str(workdir / "gc"),
               "BENCH_GC_UNFROZEN": "1" if opts.unfrozen else "0"}  # fmt: skip
    web = Process("gunicorn", argv, web_env, workdir / "gunicorn.log")
    web.start()
    stack.callback(web.stop)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    import urllib.request

    while True:
        try:
            urllib.request.urlopen(base + "/healthz", timeout=2).close()  # noqa: S310 - loopback
            break
        except OSError:
            if not web.running() or time.monotonic() > deadline:
                raise SystemExit(f"gunicorn did not answer:\n{web.output()[-3000:]}") from None
            time.sleep(0.2)
    worker.wait_ready()
    log(
        f"gunicorn on {port} ({opts.workers} {opts.worker_class} workers x {opts.threads} "
        "threads), "
        "worker and beat on a private redis"
    )
    return base


# --- The load ---------------------------------------------------------------------------------


def cpu_times() -> tuple[int, int]:
    """The machine's CPU time so far, busy and in all (clock ticks, /proc/stat): whether a
    load is CPU-bound shows in how busy the cores were."""
    with open("/proc/stat") as stat:
        ticks = [int(n) for n in stat.readline().split()[1:]]
    idle = ticks[3] + ticks[4]  # idle and iowait
    return sum(ticks) - idle, sum(ticks)


def process_cpu() -> dict[int, tuple[str, int]]:
    """Each process's CPU time so far (clock ticks) and what it is: gunicorn, postgres, celery,
    this load generator, or something else on the machine."""
    seen: dict[int, tuple[str, int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            with open(f"/proc/{entry.name}/cmdline", "rb") as cmd:
                command = cmd.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        pid = int(entry.name)
        if pid == os.getpid():
            kind = "load generator"
        elif "gunicorn" in command:
            kind = "gunicorn"
        elif command.startswith("postgres"):
            kind = "postgresql"
        elif "celery" in command:
            kind = "celery"
        elif "redis" in command:
            kind = "redis"
        else:
            kind = "other"
        seen[pid] = (kind, int(fields[11]) + int(fields[12]))  # utime + stime
    return seen


def cpu_by_kind(
    before: dict[int, tuple[str, int]], after: dict[int, tuple[str, int]], seconds: float
) -> dict[str, float]:
    """Cores used by each kind of process between two readings (1.0: one core all along)."""
    ticks = os.sysconf("SC_CLK_TCK")
    used: Counter[str] = Counter()
    for pid, (kind, total) in after.items():
        used[kind] += total - before.get(pid, (kind, 0))[1]
    return {kind: round(n / ticks / seconds, 2) for kind, n in used.most_common()}


def busy_share(before: tuple[int, int], after: tuple[int, int]) -> float:
    return round((after[0] - before[0]) / max(1, after[1] - before[1]), 2)


@dataclass
class Sample:
    kind: str
    phase: int  # 0 warm-up, 1 the base load, 2.. the steps
    ms: float
    ok: bool
    problem: str = ""


class Load:
    def __init__(self, base: str, clinic: Clinic, opts: argparse.Namespace) -> None:
        self.base = base
        self.clinic = clinic
        self.opts = opts
        self.samples: list[Sample] = []
        self.phase = 0
        self.dashboards = opts.dashboards
        self.running = True
        self.forms = iter(clinic.forms)
        self.submitted = 0
        self.submit_times: list[tuple[int, int, float]] = []  # (phase, intake id, ms)
        self.rng = random.Random(11)
        self.cpu_busy = 0.0
        self.cores_by_kind: dict[str, float] = {}

    async def request(
        self, http: aiohttp.ClientSession, kind: str, method: str, path: str, **kwargs: Any
    ) -> tuple[int, str, aiohttp.ClientResponse | None]:
        """One timed request; (status, body, response). A broken connection or a timeout is
        counted as an error of its kind."""
        phase = self.phase
        started = time.perf_counter()
        try:
            async with http.request(
                method, self.base + path, allow_redirects=False, **kwargs
            ) as response:
                body = await response.text()
                ms = (time.perf_counter() - started) * 1000
                status = response.status
        except (TimeoutError, aiohttp.ClientError) as exc:
            ms = (time.perf_counter() - started) * 1000
            self.samples.append(Sample(kind, phase, ms, False, type(exc).__name__))
            return 0, "", None
        ok = 200 <= status < 400
        self.samples.append(Sample(kind, phase, ms, ok, "" if ok else f"HTTP {status}"))
        return status, body, response

    def fail(self, kind: str, problem: str) -> None:
        """A request that answered but not as it must (a form re-shown, a wrong redirect)."""
        last = next(s for s in reversed(self.samples) if s.kind == kind)
        last.ok, last.problem = False, problem

    async def dashboard(self, http: aiohttp.ClientSession, n: int) -> None:
        cookie = {"Cookie": f"{settings.SESSION_COOKIE_NAME}={self.clinic.clinician_sessions[n]}"}
        headers = {**cookie, "HX-Request": "true", "HX-Trigger": "queue",
                   "HX-Target": "queue", "HX-Current-URL": self.base + "/triage/queue/"}  # fmt: skip
        status, _, _ = await self.request(
            http, "queue_page", "GET", "/triage/queue/", headers=cookie
        )
        if status != 200:
            self.fail("queue_page", f"the full page answered {status}")
        next_at = time.monotonic() + self.rng.uniform(0, REFRESH_SECONDS)
        while self.running and n < self.dashboards:
            await asyncio.sleep(max(0.0, next_at - time.monotonic()))
            if not self.running or n >= self.dashboards:
                break
            next_at += REFRESH_SECONDS
            status, body, _ = await self.request(
                http, "queue", "GET", "/triage/queue/", headers=headers
            )
            if status == 200 and 'id="queue"' not in body:
                self.fail("queue", "not the queue's partial")

    async def receptionist(self, http: aiohttp.ClientSession, n: int) -> None:
        session = f"{settings.SESSION_COOKIE_NAME}={self.clinic.reception_sessions[n]}"
        csrf_cookie = ""
        await asyncio.sleep(self.rng.uniform(0, 3))
        while self.running:
            cookie = {"Cookie": f"{session}; {csrf_cookie}" if csrf_cookie else session}
            status, page, response = await self.request(
                http, "intake_form", "GET", "/patients/intakes/new/", headers=cookie
            )
            if response is not None and settings.CSRF_COOKIE_NAME in response.cookies:
                value = response.cookies[settings.CSRF_COOKIE_NAME].value
                csrf_cookie = f"{settings.CSRF_COOKIE_NAME}={value}"
            csrf, token = CSRF_INPUT.search(page), TOKEN_INPUT.search(page)
            if status != 200 or not csrf or not token:
                self.fail("intake_form", "no form with its tokens")
                await asyncio.sleep(2)
                continue
            await asyncio.sleep(self.rng.uniform(*TYPING_SECONDS))  # the answers typed in
            if not self.running:
                break
            form = next(self.forms)
            data = {**form, "csrfmiddlewaretoken": unescape(csrf.group(1)),
                    "submission_token": unescape(token.group(1))}  # fmt: skip
            cookie = {"Cookie": f"{session}; {csrf_cookie}"}
            status, _, response = await self.request(
                http, "submit", "POST", "/patients/intakes/new/", data=data, headers=cookie
            )
            location = response.headers.get("Location", "") if response is not None else ""
            if status == 302 and OUTCOME.search(location):
                self.submitted += 1
                intake_id = int(location.rstrip("/").split("/")[-2])
                self.submit_times.append((self.samples[-1].phase, intake_id, self.samples[-1].ms))
                status, _, _ = await self.request(http, "outcome", "GET", location, headers=cookie)
            elif status:
                self.fail("submit", f"answered {status} {location or 'without redirect'}")
            await asyncio.sleep(self.rng.uniform(*BETWEEN_INTAKES_SECONDS))

    async def patient(self, http: aiohttp.ClientSession, n: int) -> None:
        path = self.clinic.patient_paths[n]
        await asyncio.sleep(self.rng.uniform(0, PATIENT_READS_SECONDS[1]))
        while self.running:
            status, body, _ = await self.request(http, "patient", "GET", path)
            if status == 200 and "check-in" not in body.lower() and "session" not in body.lower():
                self.fail("patient", "not the programme page")
            await asyncio.sleep(self.rng.uniform(*PATIENT_READS_SECONDS))

    async def floor(self, http: aiohttp.ClientSession) -> None:
        while self.running:
            await self.request(http, "floor", "GET", "/healthz")
            await asyncio.sleep(FLOOR_EVERY)

    async def run(self) -> list[dict[str, Any]]:
        """Warm-up, the base load, then the steps; each step's figures."""
        opts = self.opts
        connector = aiohttp.TCPConnector(limit=0, force_close=True)
        timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT)
        jar = aiohttp.DummyCookieJar()  # each person's cookies are sent by hand
        steps: list[dict[str, Any]] = []
        async with aiohttp.ClientSession(
            connector=connector, timeout=timeout, cookie_jar=jar
        ) as http:
            tasks = [asyncio.create_task(self.dashboard(http, n)) for n in range(self.dashboards)]
            tasks += [asyncio.create_task(self.receptionist(http, n))
                      for n in range(opts.receptionists)]  # fmt: skip
            tasks += [asyncio.create_task(self.patient(http, n)) for n in range(opts.patients)]
            tasks.append(asyncio.create_task(self.floor(http)))
            log(f"warm-up {WARM_UP_SECONDS:g} s")
            await asyncio.sleep(WARM_UP_SECONDS)
            self.phase = 1
            log(f"base load {opts.seconds:g} s: {self.dashboards} dashboards")
            before, processes = cpu_times(), process_cpu()
            await asyncio.sleep(opts.seconds)
            self.cpu_busy = busy_share(before, cpu_times())
            self.cores_by_kind = cpu_by_kind(processes, process_cpu(), opts.seconds)
            log(f"  cores used: {self.cores_by_kind}")
            steps.append(self.step_figures(1))
            log(f"  {steps[-1]}")
            while steps[-1]["p95_ms_queue"] <= TARGET_P95_MS and not steps[-1]["errors"]:
                if self.dashboards + opts.step > opts.max_dashboards:
                    break
                first_new = self.dashboards
                self.dashboards += opts.step
                self.phase += 1
                tasks += [asyncio.create_task(self.dashboard(http, n))
                          for n in range(first_new, self.dashboards)]  # fmt: skip
                await asyncio.sleep(opts.step_seconds)
                steps.append(self.step_figures(self.phase))
                log(f"  {steps[-1]}")
            self.running = False
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        return steps

    def step_figures(self, phase: int) -> dict[str, Any]:
        mine = [s for s in self.samples if s.phase == phase]
        queue = [s.ms for s in mine if s.kind == "queue"]
        return {
            "dashboards": self.dashboards,
            "p95_ms_queue": round(percentile(queue, 95), 1) if queue else float("inf"),
            "queue_per_second": round(
                len(queue) / (self.opts.seconds if phase == 1 else self.opts.step_seconds), 1
            ),
            "p95_ms_floor": round(percentile([s.ms for s in mine if s.kind == "floor"], 95), 1),
            "errors": sum(not s.ok for s in mine),
            "load_average": round(os.getloadavg()[0], 1),
        }


def figures(load: Load, steps: list[dict[str, Any]], opts: argparse.Namespace) -> dict[str, Any]:
    base = [s for s in load.samples if s.phase == 1]

    def p(kind: str, q: float) -> float | None:
        values = [s.ms for s in base if s.kind == kind]
        return round(percentile(values, q), 1) if values else None

    problems = Counter(f"{s.kind}: {s.problem}" for s in load.samples if not s.ok and s.phase)
    if problems:
        log(f"errors: {dict(problems)}")
    held = 0
    for step in steps:
        if step["p95_ms_queue"] > TARGET_P95_MS or step["errors"]:
            break
        held = step["dashboards"]
    counts = Counter(s.kind for s in base)
    return {
        "p95_ms_queue": p("queue", 95),
        "p95_ms_submit": p("submit", 95),
        "p95_ms_patient": p("patient", 95),
        "errors": sum(not s.ok for s in base),
        "dashboards_held": held,
        "floor_p95_ms": p("floor", 95),
        "p50_ms_queue": p("queue", 50),
        "p50_ms_submit": p("submit", 50),
        "p50_ms_patient": p("patient", 50),
        "p95_ms_intake_form": p("intake_form", 95),
        "p95_ms_outcome": p("outcome", 95),
        "floor_p50_ms": p("floor", 50),
        "requests_per_second": round(len(base) / opts.seconds, 1),
        "cpu_busy": load.cpu_busy,  # the share of both cores busy at the base load
        "cores_by_kind": load.cores_by_kind,  # which processes used them
        "requests": dict(sorted(counts.items())),
        "steps": [{k: step[k] for k in ("dashboards", "p95_ms_queue", "errors")} for step in steps],
        "errors_in_steps": sum(step["errors"] for step in steps[1:]),
        "load": {
            "seconds": opts.seconds,
            "dashboards": opts.dashboards,
            "refresh_seconds": REFRESH_SECONDS,
            "receptionists": opts.receptionists,
            "typing_seconds": TYPING_SECONDS,
            "between_intakes_seconds": BETWEEN_INTAKES_SECONDS,
            "patients": opts.patients,
            "patient_reads_seconds": PATIENT_READS_SECONDS,
            "step": opts.step,
            "step_seconds": opts.step_seconds,
            "gunicorn": f"{opts.workers} {opts.worker_class} workers x {opts.threads} threads",
            "open_cases": sum(load.clinic.open_by_urgency.values()),
        },
    }


def gc_pauses(directory: Path, *, frozen: bool) -> dict[str, Any]:
    """The web workers' garbage collections of 1 ms or more over the whole run
    (bench/_gunicorn_gc.py): how many, the longest and the total, by generation. Every thread
    of a worker waits while its collector runs."""
    by: dict[int, list[float]] = {}
    for path in directory.glob("gc-*.log"):
        for line in path.read_text().splitlines():
            generation, ms = line.split()
            by.setdefault(int(generation), []).append(float(ms))
    return {
        "start_up_heap_frozen": frozen,
        **{
            f"gen{generation}": {"n": len(v), "max_ms": round(max(v), 1), "total_ms": round(sum(v))}
            for generation, v in sorted(by.items())
        },
    }


def submits_by_urgency(load: Load) -> dict[str, dict[str, Any]]:
    """The base load's submits by the urgency their intake was given (count, p50, max): an
    emergency's alerts cost a submit more than a routine intake does."""
    from triage.models import Assessment, Urgency

    base = {intake: ms for phase, intake, ms in load.submit_times if phase == 1}
    urgency = dict(
        Assessment.objects.filter(intake_id__in=base).values_list("intake_id", "urgency")
    )
    by: dict[str, list[float]] = {}
    for intake, ms in base.items():
        by.setdefault(Urgency(urgency[intake]).name if intake in urgency else "?", []).append(ms)
    connection.close()
    return {
        name: {"n": len(v), "p50": round(percentile(v, 50), 1), "max": round(max(v), 1)}
        for name, v in sorted(by.items())
    }


def interrupted(signum: int, frame: object) -> None:
    """Ctrl-C or SIGTERM: stop, once. A second one while everything is being stopped and the
    database dropped is ignored, so that the clean-up finishes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    raise KeyboardInterrupt


def main() -> None:
    opts = options()
    signal.signal(signal.SIGINT, interrupted)
    signal.signal(signal.SIGTERM, interrupted)
    log(
        f"clinic load: {opts.dashboards} dashboards every {REFRESH_SECONDS:g} s, "
        f"{opts.receptionists} receptionists, {opts.patients} patients, {opts.seconds:g} s"
    )
    workdir = Path(tempfile.mkdtemp(prefix="clinic-load-"))
    try:
        with contextlib.ExitStack() as stack:
            db_name = stack.enter_context(throwaway_database("bench_load"))
            redis = start_redis(stack, workdir)
            log(f"throwaway database {db_name}, private redis on {redis.port}")
            clinic = seed(opts)
            connection.close()  # the servers have the database to themselves from here
            base = start_servers(stack, db_name, redis, workdir, opts)
            load = Load(base, clinic, opts)
            steps = asyncio.run(load.run())
            result = figures(load, steps, opts)
            result["submit_ms_by_urgency"] = submits_by_urgency(load)
            result["gc_pauses"] = gc_pauses(workdir / "gc", frozen=not opts.unfrozen)
            log(f"{load.submitted} intakes submitted during the run")
    finally:
        if os.environ.get("BENCH_KEEP_LOGS"):
            log(f"logs kept in {workdir}")
        else:
            import shutil

            shutil.rmtree(workdir, ignore_errors=True)
    met = (
        result["errors"] == 0
        and all(result[k] is not None and result[k] <= TARGET_P95_MS
                for k in ("p95_ms_queue", "p95_ms_submit", "p95_ms_patient"))
    )  # fmt: skip
    log(f"targets (no errors, every p95 <= {TARGET_P95_MS:g} ms): {'met' if met else 'NOT met'}")
    print(json.dumps(result))


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        log("interrupted: the servers are stopped and the database dropped")
        sys.exit(130)
