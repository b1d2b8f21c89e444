"""How long reception waits for an intake to be saved and triaged, beside a floor from the same run.

On PostgreSQL (DATABASE_URL; default postgres://postgres@127.0.0.1:5432/test) in a throwaway
database, a signed-in receptionist submits varied, complete intakes through the whole stack with
Django's test client enforcing CSRF: session, CSRF, the intake form's validation, the rule set,
the patient, intake, assessment and case rows. Each submit first GETs the form for its CSRF token
(not timed), then the POST is timed; it must answer 302 to the outcome page. One in ten intakes
is a returning patient's (same NHS number), who joins their open case.

The floor is a bare view behind the same middleware and login that inserts one patient row from
the same POST: what any signed-in form post costs here. Real and floor posts alternate, in turn
first, so both see the same machine.

Progress goes to stderr; the last line of stdout is one JSON object:
{"p50_ms", "p95_ms", "floor_p95_ms", "ratio" (p95 / floor p95), "queries" (most per submit)}.
Targets: p95 <= 50 ms, ratio <= 3.

    .venv/bin/python bench/intake_submit.py [N]      # N timed submits, default 300
"""

from __future__ import annotations

import random
import re
import sys
import time
import unicodedata
import uuid
from collections import Counter
from datetime import time as clock_time
from datetime import timedelta
from urllib.parse import urlencode

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
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import path, resolve, reverse  # noqa: E402
from django.utils import timezone  # noqa: E402
from django.views.decorators.http import require_POST  # noqa: E402

from clinic.roles import Role, role_required  # noqa: E402
from clinic.urls import urlpatterns as clinic_urlpatterns  # noqa: E402
from patients.forms import DERIVED_ANSWERS  # noqa: E402
from patients.models import Intake, Patient  # noqa: E402
from patients.nhs import nhs_number_is_valid  # noqa: E402
from triage.models import (  # noqa: E402
    Assessment,
    Case,
    DutySlot,
)
from triage.rules import QUESTIONS  # noqa: E402
from triage.rules.contract import DANGEROUS_MECHANISMS, LOW_ENERGY_MECHANISMS  # noqa: E402

# Read only when run: bench/clinic_load.py imports the intake builders below.
N = int(sys.argv[1]) if __name__ == "__main__" and len(sys.argv) > 1 else 300
WARM_UP = 20
RETURNING_EVERY = 10
TARGET_P95_MS = 50.0
TARGET_RATIO = 3.0

PATIENT = ("given_name", "family_name", "date_of_birth", "sex", "email", "phone", "nhs_number",
           "preferred_language", "email_consent")  # fmt: skip
FORM_ENCODED = "application/x-www-form-urlencoded"  # how a browser posts a form without files
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
GIVEN = ["Amelia", "Oliver", "Isla", "George", "Ava", "Noah", "Priya", "Mohammed", "Zofia",
         "Tomás", "Grace", "Arthur", "Freya", "Leo", "Aisha", "Harjit", "Ewan", "Siobhan"]  # fmt: skip
FAMILY = ["Smith", "Jones", "Williams", "Taylor", "Brown", "Davies", "Evans", "Khan", "Patel",
          "Nowak", "O'Brien", "Wilson", "Thomas", "Roberts", "Hughes", "Walker", "Singh", "Murphy"]  # fmt: skip
MECHANISMS = [*LOW_ENERGY_MECHANISMS, *sorted(DANGEROUS_MECHANISMS)]


@require_POST
@role_required(Role.RECEPTION, Role.CLINICIAN)
def floor(request: HttpRequest) -> HttpResponse:
    """The floor: the same signed-in, role-checked, CSRF-checked POST (every page of the product
    is behind login and role), one patient row, a redirect.

    Named apart, so that no returning patient of the real intakes is found among its rows.
    """
    Patient.objects.create(
        given_name=f"Floor {request.POST['given_name']}",
        family_name=request.POST["family_name"],
        date_of_birth=request.POST["date_of_birth"],
        sex=request.POST["sex"],
    )
    return HttpResponseRedirect("/")


# The real application's URLs, and the floor beside them (ROOT_URLCONF is this module).
urlpatterns = [path("bench/floor/", floor, name="bench_floor"), *clinic_urlpatterns]


def nhs_numbers(rng: random.Random, count: int) -> list[str]:
    """`count` valid NHS numbers in the 999 range (never issued to patients), shuffled."""
    numbers: list[str] = []
    stem = 999_100_000
    while len(numbers) < count:
        numbers += [f"{stem}{d}" for d in range(10) if nhs_number_is_valid(f"{stem}{d}")]
        stem += 1
    rng.shuffle(numbers)
    return numbers


def patient_fields(rng: random.Random, nhs_number: str) -> dict[str, str]:
    today = timezone.localdate()
    born = today - timedelta(days=rng.randint(12 * 365, 92 * 365))
    consents = rng.random() < 0.7
    given, family = rng.choice(GIVEN), rng.choice(FAMILY)
    local = unicodedata.normalize("NFKD", f"{given}.{family}").encode("ascii", "ignore").decode()
    email = f"{local.lower().replace(chr(39), '')}{rng.randint(1, 999)}@example.com"
    return {
        "given_name": given,
        "family_name": family,
        "date_of_birth": born.isoformat(),
        "sex": rng.choice("FMX"),
        "email": email if consents or rng.random() < 0.5 else "",
        "phone": f"07700 900{rng.randint(0, 999):03d}" if rng.random() < 0.8 else "",
        "nhs_number": nhs_number,
        "preferred_language": "en" if rng.random() < 0.85 else rng.choice(["pl", "pa", "ur"]),
        "email_consent": "yes" if consents else "no",
    }


def answer_fields(rng: random.Random) -> dict[str, str]:
    """A clinic's spread: most answers "no" (3% yes each), every region, duration and injury."""
    fields: dict[str, str] = {}
    for question in QUESTIONS:
        if question.name in DERIVED_ANSWERS:  # the form derives age and sex
            continue
        if question.kind is bool:
            fields[question.name] = "yes" if rng.random() < 0.03 else "no"
        elif question.kind is int:
            fields[question.name] = str(rng.randint(question.minimum or 0, question.maximum or 0))
        else:
            fields[question.name] = rng.choice(question.choices)
    fields["duration_days"] = str(rng.choice([0, 1, 3, 7, 8, 14, 27, 28, 45, 91, 200, 400]))
    fields["previous_similar_episodes"] = "yes" if rng.random() < 0.6 else "no"
    injured = rng.random() < 0.15
    fields["recent_significant_trauma"] = "yes" if injured else "no"
    fields["trauma_mechanism"] = rng.choice(MECHANISMS) if injured else ""
    return fields


def intakes(rng: random.Random, count: int) -> list[dict[str, str]]:
    """Complete intake forms; every RETURNING_EVERY-th is an earlier patient come back."""
    numbers = nhs_numbers(rng, count)
    forms: list[dict[str, str]] = []
    for i in range(count):
        if i and i % RETURNING_EVERY == 0:
            patient = {k: v for k, v in forms[rng.randrange(len(forms))].items() if k in PATIENT}
        else:
            patient = patient_fields(rng, numbers.pop() if rng.random() < 0.8 else "")
        forms.append({**patient, **answer_fields(rng)})
    return forms


def csrf_token(client: Client, url: str) -> str:
    page = client.get(url)
    assert page.status_code == 200, f"GET {url} answered {page.status_code}"
    match = CSRF_INPUT.search(page.content.decode())
    assert match, "the intake page has no CSRF token"
    return match.group(1)


def timed_post(client: Client, url: str, data: dict[str, str]) -> tuple[float, int, str]:
    """(milliseconds, queries, Location) of one POST that must redirect."""
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        response = client.post(url, urlencode(data), content_type=FORM_ENCODED)
        elapsed = (time.perf_counter() - start) * 1000
    if response.status_code != 302:
        errors = re.findall(r'<li><a href="#[^"]*">([^<]+)</a>', response.content.decode())
        raise SystemExit(f"POST {url} answered {response.status_code}: {errors[:5]}")
    return elapsed, len(queries), response["Location"]


def run() -> dict[str, float | int]:
    reception = User.objects.create_user("bench-reception", password="bench-reception-pw")
    reception.groups.add(Group.objects.get(name=Role.RECEPTION))
    # A clinic has somebody on the rota: urgent intakes alert them in the same transaction.
    on_duty = User.objects.create_user("bench-clinician", email="bench-clinician@clinic.example")
    on_duty.groups.add(Group.objects.get(name=Role.CLINICIAN))
    DutySlot.objects.bulk_create(
        DutySlot(clinician=on_duty, weekday=day, starts=clock_time(0), ends=clock_time(0))
        for day in range(7)
    )
    client = Client(enforce_csrf_checks=True)
    # Signed in as the session a browser holds (the sign-in page, with its lockout, is not timed).
    client.force_login(User.objects.get(username="bench-reception"))
    intake_url, floor_url = reverse("patients:intake_new"), reverse("bench_floor")

    rng = random.Random(2026)
    forms = intakes(rng, WARM_UP + N)
    real_ms: list[float] = []
    floor_ms: list[float] = []
    query_counts: Counter[int] = Counter()
    floor_queries: Counter[int] = Counter()
    for i, form in enumerate(forms):
        token = csrf_token(client, intake_url)  # not timed
        data = {**form, "csrfmiddlewaretoken": token, "submission_token": str(uuid.uuid4())}
        floor_data = {**form, "csrfmiddlewaretoken": token}
        order = ("real", "floor") if i % 2 == 0 else ("floor", "real")
        for which in order:
            if which == "real":
                ms, count, location = timed_post(client, intake_url, data)
                match = resolve(location)
                assert match.view_name == "patients:intake_outcome", location
            else:
                ms, count, _ = timed_post(client, floor_url, floor_data)
            if i < WARM_UP:
                continue
            (real_ms if which == "real" else floor_ms).append(ms)
            (query_counts if which == "real" else floor_queries)[count] += 1
        if i >= WARM_UP and (i - WARM_UP + 1) % 50 == 0:
            print(
                f"  {i - WARM_UP + 1}/{N} submits, p95 so far {percentile(real_ms, 95):.1f} ms",
                file=sys.stderr,
            )

    submitted = Intake.objects.count()
    assert submitted == Assessment.objects.count() == len(forms), "an intake was not triaged"
    urgencies = Counter(Case.objects.values_list("urgency", flat=True))
    print(
        f"{submitted} intakes saved and triaged ({Patient.objects.count()} patient rows incl. "
        f"floor), open cases by urgency {dict(sorted(urgencies.items()))}",
        file=sys.stderr,
    )
    print(
        f"queries per submit: {dict(query_counts)}; floor: {dict(floor_queries)}", file=sys.stderr
    )
    return page_figures("submit", real_ms, floor_ms, query_counts)


def main() -> None:
    print(f"intake submit: {WARM_UP} warm-up + {N} timed, on PostgreSQL", file=sys.stderr)
    with throwaway_database("bench_intake") as name:
        print(f"throwaway database {name}", file=sys.stderr)
        with override_settings(ROOT_URLCONF=__name__):
            result = run()
    print_page_result(result, target_p95_ms=TARGET_P95_MS, target_ratio=TARGET_RATIO)


if __name__ == "__main__":
    main()
