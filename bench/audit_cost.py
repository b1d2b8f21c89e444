"""What the audit costs a page: the case page with its audit row, beside the same page without it.

On PostgreSQL (DATABASE_URL; default postgres://postgres@127.0.0.1:5432/test) in a throwaway
database: 200 patients with an intake and an open case each (through the intake service, as
reception enters them), and an audit table already holding AUDIT_ROWS rows (generated in the
database with INSERT ... SELECT generate_series, spread over a year, patients and staff), so
that each new row pays for the table's indexes as a clinic's would. A signed-in clinician then
opens case pages through Django's test client and the real middleware, alternately with the
audit as it runs (`record_view`: one INSERT) and with `record_view` made a no-op: the same page,
the same queries but one. Which goes first alternates, so both see the same machine.

The floor here is the page itself without the audit: the ratio says what the audit adds to it.
Beside it, the audit's own calls are timed where they run: `record_view` inside those pages,
and `record_change` (a change's row, with its old and new values) in a transaction of its own.

Progress goes to stderr; the last line of stdout is one JSON object: {"view_p50_ms",
"view_p95_ms", "no_audit_p50_ms", "no_audit_p95_ms", "audit_cost_ms" (p50 with minus p50
without), "ratio" (p95 with / p95 without), "record_view_p50_ms", "record_view_p95_ms",
"record_change_p50_ms", "record_change_p95_ms", "queries", "no_audit_queries", "audit_rows"}.
Target: the audit adds at most 2 ms to a page at p50 and the ratio stays within 1.25, so no
page benchmark's target (queue p95 <= 100 ms and <= 4x its floor, intake submit <= 3x) moves.

    .venv/bin/python bench/audit_cost.py [N]      # N timed pages each way, default 300
"""

from __future__ import annotations

import json
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

from _common import percentile, setup_django, throwaway_database

setup_django()

from django.contrib.auth.models import Group, User  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from audit import services as audit  # noqa: E402
from audit.models import AuditEvent  # noqa: E402
from clinic.roles import Role  # noqa: E402
from tests.patients.helpers import make_intake, patient_details  # noqa: E402
from tests.support.two_factor import sign_in  # noqa: E402
from triage.models import Case  # noqa: E402

N = int(sys.argv[1]) if len(sys.argv) > 1 else 300
WARM_UP = 20
CASES = 200
AUDIT_ROWS = 1_000_000
TARGET_COST_MS = 2.0
TARGET_RATIO = 1.25


def generate(staff: list[User]) -> list[int]:
    """CASES open cases through the intake service; AUDIT_ROWS older audit rows in SQL."""
    reception = staff[0]
    cases = [
        make_intake(
            entered_by=reception,
            details=patient_details(given_name="Bench", family_name=f"Patient{n:04d}"),
        ).assessment.case_id
        for n in range(CASES)
    ]
    patients = list(Case.objects.filter(pk__in=cases).values_list("patient_id", flat=True))
    staff_ids = [user.pk for user in staff]
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO audit_auditevent
                (at, actor_id, actor_kind, actor_name, action, patient_id, record, page,
                 details, ip_address)
            SELECT now() - (n %% 525600) * interval '1 minute',
                   (%(staff)s::bigint[])[1 + n %% cardinality(%(staff)s::bigint[])],
                   'staff', '', CASE WHEN n %% 10 = 0 THEN 'change' ELSE 'view' END,
                   (%(patients)s::bigint[])[1 + n %% cardinality(%(patients)s::bigint[])],
                   'case ' || n, 'triage:case_detail',
                   CASE WHEN n %% 10 = 0
                        THEN '{"changes": {"claimed by": {"old": null, "new": "bench"}}}'
                        ELSE '{}' END::jsonb,
                   '10.0.0.1'
            FROM generate_series(1, %(rows)s) AS n
            """,
            {"staff": staff_ids, "patients": patients, "rows": AUDIT_ROWS},
        )
        cursor.execute("VACUUM ANALYZE audit_auditevent")
    print(
        f"  {CASES} cases, {AuditEvent.objects.count()} audit rows "
        f"in {time.perf_counter() - started:.1f} s",
        file=sys.stderr,
    )
    return cases


@contextmanager
def timing(target: Any, name: str, into: list[float]) -> Iterator[None]:
    """`target.name` timed at each call (milliseconds appended to `into`)."""
    real: Callable[..., Any] = getattr(target, name)

    def timed(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return real(*args, **kwargs)
        finally:
            into.append((time.perf_counter() - start) * 1000)

    with mock.patch.object(target, name, timed):
        yield


def timed_get(client: Client, url: str) -> tuple[float, int]:
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        response = client.get(url)
        elapsed = (time.perf_counter() - start) * 1000
    assert response.status_code == 200, f"GET {url} answered {response.status_code}"
    return elapsed, len(queries)


def run() -> dict[str, float | int]:
    reception = User.objects.create_user("bench-reception")
    reception.groups.add(Group.objects.get(name=Role.RECEPTION))
    clinician = User.objects.create_user("bench-clinician", email="bench@clinic.example")
    clinician.groups.add(Group.objects.get(name=Role.CLINICIAN))
    print(f"generating {CASES} cases and {AUDIT_ROWS} audit rows", file=sys.stderr)
    cases = generate([reception, clinician])
    client = Client()
    # The session a browser holds, its second factor included (tests/support/two_factor.py).
    sign_in(client, clinician)

    with_ms: list[float] = []
    without_ms: list[float] = []
    inserts_ms: list[float] = []
    with_queries: Counter[int] = Counter()
    without_queries: Counter[int] = Counter()
    before = AuditEvent.objects.count()
    for i in range(WARM_UP + N):
        url = reverse("triage:case_detail", args=[cases[i % len(cases)]])
        for which in ("audit", "none") if i % 2 == 0 else ("none", "audit"):
            if which == "audit":
                calls: list[float] = []
                with timing(audit, "record_view", calls):
                    ms, count = timed_get(client, url)
            else:
                with mock.patch.object(audit, "record_view", lambda **kwargs: None):
                    ms, count = timed_get(client, url)
            if i < WARM_UP:
                continue
            if which == "audit":
                with_ms.append(ms)
                inserts_ms += calls
                with_queries[count] += 1
            else:
                without_ms.append(ms)
                without_queries[count] += 1
        if i >= WARM_UP and (i - WARM_UP + 1) % 100 == 0:
            print(f"  {i - WARM_UP + 1}/{N} pages each way", file=sys.stderr)
    recorded = AuditEvent.objects.count() - before
    assert recorded == WARM_UP + N, f"{recorded} audit rows for {WARM_UP + N} audited pages"

    # A change's row: what every claim, override, decision and admin save adds to its transaction.
    change_ms: list[float] = []
    for i in range(WARM_UP + N):
        with transaction.atomic():
            start = time.perf_counter()
            audit.record_change(
                by=clinician,
                record=f"case {cases[i % len(cases)]}",
                patient=None,
                changes={"urgency": ("Routine", "Urgent"), "reason": (None, "Worse at night")},
            )
            if i >= WARM_UP:
                change_ms.append((time.perf_counter() - start) * 1000)

    p50, p95 = percentile(with_ms, 50), percentile(with_ms, 95)
    bare50, bare95 = percentile(without_ms, 50), percentile(without_ms, 95)
    print(
        f"case page with the audit p50 {p50:.2f} ms, p95 {p95:.2f} ms; without p50 "
        f"{bare50:.2f} ms, p95 {bare95:.2f} ms; record_view p50 "
        f"{percentile(inserts_ms, 50):.2f} ms; record_change p50 {percentile(change_ms, 50):.2f} ms",
        file=sys.stderr,
    )
    print(
        f"queries per page: {dict(with_queries)}; without the audit: {dict(without_queries)}",
        file=sys.stderr,
    )
    return {
        "view_p50_ms": round(p50, 2),
        "view_p95_ms": round(p95, 2),
        "no_audit_p50_ms": round(bare50, 2),
        "no_audit_p95_ms": round(bare95, 2),
        "audit_cost_ms": round(p50 - bare50, 2),
        "ratio": round(p95 / bare95, 2),
        "record_view_p50_ms": round(percentile(inserts_ms, 50), 2),
        "record_view_p95_ms": round(percentile(inserts_ms, 95), 2),
        "record_change_p50_ms": round(percentile(change_ms, 50), 2),
        "record_change_p95_ms": round(percentile(change_ms, 95), 2),
        "queries": max(with_queries),
        "no_audit_queries": max(without_queries),
        "audit_rows": AuditEvent.objects.count(),
    }


def main() -> None:
    print(
        f"audit cost: {WARM_UP} warm-up + {N} timed pages each way, on PostgreSQL", file=sys.stderr
    )
    with throwaway_database("bench_audit") as name:
        print(f"throwaway database {name}", file=sys.stderr)
        result = run()
    met = result["audit_cost_ms"] <= TARGET_COST_MS and result["ratio"] <= TARGET_RATIO
    print(
        f"targets audit cost <= {TARGET_COST_MS:g} ms at p50 and ratio <= {TARGET_RATIO:g}: "
        f"{'met' if met else 'NOT met'}",
        file=sys.stderr,
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
