"""How long a clinician waits for the queue page with 150,000 cases open, beside a floor.

On PostgreSQL (DATABASE_URL; default postgres://postgres@127.0.0.1:5432/test) in a throwaway
database: 150,000 open cases and 1,000,000 closed ones, each with its patient, intake and
assessment, generated in the database with INSERT ... SELECT generate_series (a mix of urgencies,
waits up to 60 days, a tenth claimed by the signed-in clinician and a tenth by another). A
signed-in clinician then asks for the first page of the queue through Django's test client and the
real middleware, alternately as the full page and as the htmx refresh that polls every 5 seconds.

The floor is a bare view behind the same middleware, login and role check that runs one indexed
query for the same 50 rows (the first page of the open-queue index) and writes them out as text:
what any signed-in page listing those rows costs here. Real and floor requests alternate, in turn
first, so both see the same machine. Deeper pages and filtered views are timed too, for stderr.

Progress goes to stderr; the last line of stdout is one JSON object:
{"p50_ms", "p95_ms", "floor_p95_ms", "ratio" (p95 / floor p95), "queries" (most per page)}.
Targets: p95 <= 100 ms, ratio <= 4.

    .venv/bin/python bench/queue_page.py [N]      # N timed pages, default 300
"""

from __future__ import annotations

import re
import sys
import time
from collections import Counter

from _common import (
    page_figures,
    percentile,
    print_page_result,
    setup_django,
    throwaway_database,
)

setup_django()

from django.contrib.auth.models import Group, User  # noqa: E402
from django.db import connection  # noqa: E402
from django.http import HttpRequest, HttpResponse  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import path, reverse  # noqa: E402
from django.views.decorators.http import require_GET  # noqa: E402

from clinic.roles import Role, role_required  # noqa: E402
from clinic.urls import urlpatterns as clinic_urlpatterns  # noqa: E402
from patients.models import Intake, Patient  # noqa: E402
from tests.support.two_factor import sign_in  # noqa: E402
from triage import queue_views  # noqa: E402
from triage.models import Assessment, Case  # noqa: E402

N = int(sys.argv[1]) if len(sys.argv) > 1 else 300
WARM_UP = 20
OPEN_CASES = 150_000
CLOSED_CASES = 1_000_000
TARGET_P95_MS = 100.0
TARGET_RATIO = 4.0
HTMX = {"HX-Request": "true"}


@require_GET
@role_required(Role.CLINICIAN)
def floor(request: HttpRequest) -> HttpResponse:
    """The floor: the same signed-in, role-checked GET, one query on the queue's index for the
    first page's 50 rows with their patients, written out as plain text."""
    rows = (
        Case.objects.open()
        .by_priority()
        .values_list("pk", "urgency", "opened_at", "patient__given_name", "patient__family_name")[
            : queue_views.PAGE_SIZE
        ]
    )
    return HttpResponse("\n".join(" ".join(map(str, row)) for row in rows))


urlpatterns = [path("bench/floor/", floor, name="bench_floor"), *clinic_urlpatterns]


def generate(*, clinician: User, other: User, reception: User) -> None:
    """Patients, intakes, cases and assessments, one of each per case; ids 1..total."""
    total = OPEN_CASES + CLOSED_CASES
    tables = {
        "patient": Patient._meta.db_table,
        "intake": Intake._meta.db_table,
        "case": Case._meta.db_table,
        "assessment": Assessment._meta.db_table,
    }
    # Urgency by a hash of the id: 2% emergency, 8% urgent, 20% soon, 30% routine, 40% self-care.
    urgency = (
        "(CASE WHEN (g * 7919) % 100 < 2 THEN 5 WHEN (g * 7919) % 100 < 10 THEN 4 "
        "WHEN (g * 7919) % 100 < 30 THEN 3 WHEN (g * 7919) % 100 < 60 THEN 2 ELSE 1 END)"
    )
    # Open cases waited up to 60 days; closed ones were opened up to three years ago.
    opened = (
        f"(now() - CASE WHEN g <= {OPEN_CASES} THEN ((g * 104729) % 5184000) * interval '1 second'"
        " ELSE ((g * 104729) % 94608000) * interval '1 second' + interval '60 days' END)"
    )
    sla = (
        "(CASE u WHEN 5 THEN interval '15 minutes' WHEN 4 THEN interval '4 hours' "
        "WHEN 3 THEN interval '7 days' WHEN 2 THEN interval '28 days' ELSE interval '2 days' END)"
    )
    # Only integers and the models' own table names go into these statements.
    statements = [
        (
            "patients",
            f"""INSERT INTO {tables["patient"]} (id, given_name, family_name, date_of_birth, sex,
                email, phone, nhs_number, preferred_language, email_consent, created_at, updated_at)
            SELECT g, (ARRAY['Amelia','Oliver','Isla','George','Ava','Noah','Priya','Mohammed',
                             'Zofia','Grace'])[1 + g % 10],
                   'Family' || g, date '1935-01-01' + (g % 30000)::int, (ARRAY['F','M','X'])[1 + g % 3],
                   '', '', '', 'en', false, now(), now()
            FROM generate_series(1::bigint, {total}) AS g""",  # noqa: S608
        ),
        (
            "intakes",
            f"""INSERT INTO {tables["intake"]} (id, patient_id, answers, contract_version, source,
                entered_by_id, submission_token, created_at, fingerprint)
            SELECT g, g, '{{"pain_region": "neck", "pain_score_now": 4}}'::jsonb, 'bench', 'demo',
                   {reception.pk}, gen_random_uuid(), now(), ''
            FROM generate_series(1::bigint, {total}) AS g""",  # noqa: S608
        ),
        (
            "cases",
            f"""INSERT INTO {tables["case"]} (id, patient_id, status, urgency, opened_at, due_at,
                updated_at, closed_at, claimed_by_id, claimed_at, escalate_at, escalation_level)
            SELECT g, g, CASE WHEN g <= {OPEN_CASES} THEN 'open' ELSE 'closed' END, u, o, o + {sla},
                   now(), CASE WHEN g > {OPEN_CASES} THEN o + interval '3 days' END,
                   CASE g % 10 WHEN 0 THEN {clinician.pk} WHEN 1 THEN {other.pk} END,
                   CASE WHEN g % 10 < 2 THEN o + interval '5 minutes' END, NULL, 0
            FROM (SELECT g, {urgency} AS u, {opened} AS o
                  FROM generate_series(1::bigint, {total}) AS g) AS s""",  # noqa: S608
        ),
        (
            "assessments",
            f"""INSERT INTO {tables["assessment"]} (id, intake_id, case_id, urgency, rules, ruleset,
                created_at)
            SELECT c.id, c.id, c.id, c.urgency, '[]'::jsonb, 'bench', c.opened_at
            FROM {tables["case"]} AS c""",  # noqa: S608
        ),
    ]
    with connection.cursor() as cursor:
        for what, sql in statements:
            started = time.perf_counter()
            cursor.execute(sql)
            print(f"  {what}: {time.perf_counter() - started:.1f} s", file=sys.stderr)
        for table in tables.values():
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), {total})")
        started = time.perf_counter()
        for table in tables.values():
            cursor.execute(f"VACUUM ANALYZE {table}")
        print(f"  vacuum analyze: {time.perf_counter() - started:.1f} s", file=sys.stderr)


def timed_get(client: Client, url: str, headers: dict[str, str]) -> tuple[float, int, str]:
    """(milliseconds, queries, body) of one GET that must answer 200."""
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        response = client.get(url, headers=headers)
        elapsed = (time.perf_counter() - start) * 1000
    if response.status_code != 200:
        raise SystemExit(f"GET {url} answered {response.status_code}")
    return elapsed, len(queries), response.content.decode()


def names(html: str) -> list[str]:
    return re.findall(r'class="patient-link"[^>]*>([^<]+)</a>', html)


def run() -> dict[str, float | int]:
    def staff(username: str, role: Role) -> User:
        user = User.objects.create_user(username, password=f"{username}-pw", first_name=username)
        user.groups.add(Group.objects.get(name=role))
        return user

    clinician = staff("bench-clinician", Role.CLINICIAN)
    other = staff("bench-other", Role.CLINICIAN)
    reception = staff("bench-reception", Role.RECEPTION)
    started = time.perf_counter()
    print(f"generating {OPEN_CASES} open and {CLOSED_CASES} closed cases", file=sys.stderr)
    generate(clinician=clinician, other=other, reception=reception)
    print(f"  in all {time.perf_counter() - started:.1f} s", file=sys.stderr)

    client = Client()
    # Signed in as the session a browser holds (the sign-in page, with its lockout, is not timed).
    # A clinician's session holds their second factor too (tests/support/two_factor.py).
    sign_in(client, User.objects.get(username="bench-clinician"))
    queue_url, floor_url = reverse("triage:queue"), reverse("bench_floor")

    _, _, page = timed_get(client, queue_url, {})
    _, _, floor_page = timed_get(client, floor_url, {})
    shown = names(page)
    assert len(shown) == queue_views.PAGE_SIZE, f"{len(shown)} rows on the first page"
    case_ids = re.findall(r'class="patient-link" href="[^"]*/cases/(\d+)/"', page)
    assert [line.split(" ", 1)[0] for line in floor_page.splitlines()] == case_ids, (
        "not the same rows"
    )
    assert "1000+" in page

    real_ms: list[float] = []
    floor_ms: list[float] = []
    query_counts: Counter[int] = Counter()
    for i in range(WARM_UP + N):
        # Half full pages, half the htmx refresh an open dashboard sends every 5 seconds.
        headers = HTMX if i % 2 else {}
        order = ("real", "floor") if i % 2 == 0 else ("floor", "real")
        for which in order:
            if which == "real":
                ms, count, _ = timed_get(client, queue_url, headers)
            else:
                ms, count, _ = timed_get(client, floor_url, {})
            if i < WARM_UP:
                continue
            (real_ms if which == "real" else floor_ms).append(ms)
            if which == "real":
                query_counts[count] += 1
        if i >= WARM_UP and (i - WARM_UP + 1) % 100 == 0:
            print(
                f"  {i - WARM_UP + 1}/{N} pages, p95 so far {percentile(real_ms, 95):.1f} ms",
                file=sys.stderr,
            )

    # Elsewhere in the queue, for the record: walking 20 pages deep, and filtered views.
    deep_ms: list[float] = []
    url = queue_url
    for _ in range(20):
        ms, count, html = timed_get(client, url, HTMX)
        deep_ms.append(ms)
        query_counts[count] += 1
        match = re.search(r'rel="next" href="([^"]+)"', html)
        assert match, "no next page"
        url = match.group(1).replace("&amp;", "&")
    print(
        f"pages 1-20 by the next link: p50 {percentile(deep_ms, 50):.1f} ms, "
        f"max {max(deep_ms):.1f} ms",
        file=sys.stderr,
    )
    for params in ("urgency=EMERGENCY", "mine=1", "status=waiting&overdue=1", "q=Family12345"):
        timings = []
        for _ in range(5):
            ms, count, _ = timed_get(client, f"{queue_url}?{params}", HTMX)
            timings.append(ms)
            query_counts[count] += 1
        print(f"  ?{params}: p50 {percentile(timings, 50):.1f} ms", file=sys.stderr)

    print(f"queries per page: {dict(query_counts)}", file=sys.stderr)
    return page_figures("queue page", real_ms, floor_ms, query_counts)


def main() -> None:
    print(f"queue page: {WARM_UP} warm-up + {N} timed, on PostgreSQL", file=sys.stderr)
    with throwaway_database("bench_queue") as name:
        print(f"throwaway database {name}", file=sys.stderr)
        with override_settings(ROOT_URLCONF=__name__):
            result = run()
    print_page_result(result, target_p95_ms=TARGET_P95_MS, target_ratio=TARGET_RATIO)


if __name__ == "__main__":
    main()
