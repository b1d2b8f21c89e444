"""What the HTTP benchmarks share: Django set up as in production, a throwaway PostgreSQL database,
and the percentiles they report.

Production-like means DEBUG off (no query log, no debug pages), persistent connections
(CONN_MAX_AGE), real password hashing, the real middleware. Only what a test client over plain
HTTP needs differs: no HTTPS redirect or secure-only cookies, `testserver` an allowed host, and
static files served without a collected manifest.

The outbox benchmarks (alert_latency, email_throughput, email_chaos) also share here: the URL of
the throwaway database for their worker and beat subprocesses (bench/_stack.py starts those), a
load of queued emails, counting what an SMTP sink accepted by Message-ID, and the SMTP floor.
"""

from __future__ import annotations

import atexit
import json
import math
import os
import shutil
import sys
import tempfile
import warnings
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/test"


def setup_django() -> None:
    """Configure the environment for a benchmark run, then `django.setup()`."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)
    os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL)
    if not os.environ["DATABASE_URL"].startswith(("postgres", "pgsql")):
        raise SystemExit("This benchmark runs on PostgreSQL: set DATABASE_URL=postgres://...")
    os.environ["DEBUG"] = "false"  # DEBUG on records every query: not what production runs
    os.environ.setdefault("SECRET_KEY", "bench-only-not-a-secret-" + "x" * 40)
    os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
    os.environ.setdefault("SESSION_COOKIE_SECURE", "false")
    os.environ.setdefault("CSRF_COOKIE_SECURE", "false")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
    os.environ.setdefault(
        "STATICFILES_BACKEND", "django.contrib.staticfiles.storage.StaticFilesStorage"
    )
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    if "VAR_DIR" not in os.environ:
        # Mail files and the embedded broker's queue of this run go nowhere that lasts.
        var_dir = tempfile.mkdtemp(prefix="clinic-bench-")
        atexit.register(shutil.rmtree, var_dir, ignore_errors=True)
        os.environ["VAR_DIR"] = var_dir
    os.environ["DJANGO_SETTINGS_MODULE"] = "clinic.settings"
    # WhiteNoise warns that nothing was collected into STATIC_ROOT; no benchmark serves static.
    warnings.filterwarnings("ignore", message="No directory at: ", category=UserWarning)

    import django

    django.setup()


@contextmanager
def throwaway_database(prefix: str) -> Iterator[str]:
    """A fresh, migrated database named `<prefix>_<pid>`, dropped at the end whatever happens.

    Its own name, so that a test run on the same server at the same time is never touched.
    """
    from django.db import connections
    from django.test.utils import setup_databases, teardown_databases

    name = f"{prefix}_{os.getpid()}"
    connections["default"].settings_dict["TEST"]["NAME"] = name
    old_config = setup_databases(
        verbosity=0, interactive=False, aliases={"default"}, serialized_aliases=set()
    )
    try:
        sign_off_release()
        yield name
    finally:
        teardown_databases(old_config, verbosity=0)


def sign_off_release(version: str = "2026.1") -> None:
    """What a clinic does before its first intake, as production requires (governance/): its
    clinical safety officer tries the release on the history (empty here), signs it off, and
    chooses it."""
    from django.contrib.auth.models import Group, User

    from clinic.roles import Role
    from governance import active, services

    officer = User.objects.create(username="bench-safety-officer")
    officer.groups.add(Group.objects.get_or_create(name=str(Role.SAFETY_OFFICER))[0])
    trial = services.run_trial(version, by=officer)
    services.sign_off(
        version=version, trial=trial, reason="Benchmark set-up", lowered_reviewed=True, by=officer
    )
    services.choose(version=version, reason="Benchmark set-up", by=officer)
    active.forget()


def percentile(values: Sequence[float], q: float) -> float:
    """The nearest-rank percentile: the smallest value with at least q% of values at or below."""
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def database_url(name: str) -> str:
    """DATABASE_URL with its database name replaced by `name`: what a benchmark's worker and beat
    subprocesses need to reach the throwaway database."""
    return urlunsplit(urlsplit(os.environ["DATABASE_URL"])._replace(path=f"/{name}"))


def queue_bench_emails(count: int, *, prefix: str, due_at: datetime) -> list[str]:
    """Queue `count` clinician-alert emails through the outbox service (`queue_emails`, in one
    transaction, inserted a thousand at a time), all due at `due_at`; returns their Message-IDs.

    The messages are the product's own: rendered from the clinician-alert templates, one of fifty
    clinicians each, keys `<prefix>.<n>`.
    """
    from django.conf import settings
    from django.db import transaction
    from django.urls import reverse

    from outbox.models import Message
    from outbox.services import Email, Recipient, queue_emails

    emails = [
        Email(
            key=f"{prefix}.{n}",
            kind=Message.Kind.CLINICIAN_ALERT,
            to=Recipient(email=f"clinician{n % 50}@example.com", name=f"Clinician {n % 50}"),
            template="clinician_alert",
            context={
                "case_ref": n,
                "case_url": settings.SITE_URL + reverse("triage:case_detail", args=[n]),
                "clinic_name": settings.CLINIC_NAME,
                "recipient_name": f"Clinician {n % 50}",
            },
            due_at=due_at,
        )
        for n in range(count)
    ]
    message_ids: list[str] = []
    with transaction.atomic():
        for start in range(0, count, 1000):
            message_ids += [m.message_id for m in queue_emails(emails[start : start + 1000])]
    return message_ids


def count_at_sink(expected: Sequence[str], received: Sequence[str]) -> dict[str, int]:
    """How the Message-IDs a sink accepted compare with those expected: `delivered` (distinct
    expected ones that arrived), `duplicates` (arrivals beyond the first of each), `lost` (expected,
    never arrived) and `unexpected` (arrived, never expected)."""
    wanted = set(expected)
    arrived = [mid for mid in received if mid in wanted]
    distinct = set(arrived)
    return {
        "delivered": len(distinct),
        "duplicates": len(arrived) - len(distinct),
        "lost": len(wanted - distinct),
        "unexpected": len(received) - len(arrived),
    }


# The floor's SMTP client: a plain smtplib loop over one connection, in a process of its own (as
# the workers are), sending messages already rendered to bytes. argv: the JSON file, the port.
_SMTP_FLOOR_CLIENT = """
import json, smtplib, sys, time
with open(sys.argv[1]) as f:
    messages = json.load(f)
started = time.time()
with smtplib.SMTP("127.0.0.1", int(sys.argv[2])) as smtp:
    for sender, recipients, data in messages:
        smtp.sendmail(sender, recipients, data.encode("latin-1"))
print(json.dumps({"started": started, "finished": time.time(), "sent": len(messages)}))
"""


def smtp_floor(
    messages: Sequence[tuple[str, list[str], bytes]], *, port: int, workdir: Path
) -> float:
    """Send `messages` (envelope sender, recipients, the message as bytes) with a plain smtplib
    loop over one connection from a subprocess to the sink on `port`. Returns the time.time()
    at which the loop started (connection included); the sink holds when each was accepted."""
    import json
    import subprocess

    path = workdir / "floor-messages.json"
    path.write_text(json.dumps([(s, r, d.decode("latin-1")) for s, r, d in messages]))
    done = subprocess.run(
        [sys.executable, "-c", _SMTP_FLOOR_CLIENT, str(path), str(port)],
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    return float(json.loads(done.stdout.strip().splitlines()[-1])["started"])


def first_arrivals(received: Iterable[Any], expected: Iterable[str]) -> dict[str, float]:
    """For each expected Message-ID a sink accepted, when it first accepted it (`.at`)."""
    wanted = set(expected)
    first: dict[str, float] = {}
    for item in received:
        if item.message_id in wanted and item.message_id not in first:
            first[item.message_id] = item.at
    return first


def page_figures(
    what: str, real_ms: list[float], floor_ms: list[float], query_counts: Mapping[int, int]
) -> dict[str, float | int]:
    """The JSON figures of a page benchmark beside its floor, with a summary on stderr."""
    p50, floor_p50 = percentile(real_ms, 50), percentile(floor_ms, 50)
    p95, floor_p95 = percentile(real_ms, 95), percentile(floor_ms, 95)
    print(
        f"{what} p50 {p50:.2f} ms, p95 {p95:.2f} ms, max {max(real_ms):.2f} ms; "
        f"floor p50 {floor_p50:.2f} ms, p95 {floor_p95:.2f} ms; "
        f"ratio at p50 {p50 / floor_p50:.2f}, at p95 {p95 / floor_p95:.2f}",
        file=sys.stderr,
    )
    return {
        "p50_ms": round(p50, 2),
        "p95_ms": round(p95, 2),
        "floor_p95_ms": round(floor_p95, 2),
        "ratio": round(p95 / floor_p95, 2),
        "queries": max(query_counts),
    }


def print_page_result(
    result: Mapping[str, float | int], *, target_p95_ms: float, target_ratio: float
) -> None:
    """Say on stderr whether the targets were met; the JSON object as the last stdout line."""
    met = result["p95_ms"] <= target_p95_ms and result["ratio"] <= target_ratio
    print(
        f"targets p95 <= {target_p95_ms:g} ms and ratio <= {target_ratio:g}: "
        f"{'met' if met else 'NOT met'}",
        file=sys.stderr,
    )
    print(json.dumps(result))
