"""A rule-set trial over 100,000 stored intakes on PostgreSQL, against the time to read them.

Seeds a throwaway database with N intakes (default 100,000) whose answers are a clinic's spread
(bench/triage_speed.py's generator), each with the assessment 2026.1 made of it and, for one in
fifty, a clinician's override; then times `governance.services.evaluate` of the candidate
(2026.2-rc1: reads every intake, reproduces each stored assessment with its own version and
evaluates the candidate) against the floor: the same rows read by the same query, no rule run.
The Python process is pinned to one core (PostgreSQL runs beside it).

Last line: {"intakes", "seconds", "floor_seconds", "ratio", "per_second", "reproduced",
"raised", "lowered", "unnecessary_overrides", "target_seconds"}. Target: seconds <= 30.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres python bench/rule_trial.py [N]
"""

from __future__ import annotations

import io
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import setup_django, throwaway_database

N = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
CANDIDATE = "2026.2-rc1"
TARGET_SECONDS = 30.0


def seed(n: int) -> None:
    from django.contrib.auth.models import User
    from django.db import connection
    from triage_speed import generate

    from patients.models import Intake, Patient
    from triage.models import Assessment, Case, UrgencyOverride
    from triage.rules import DEFAULT

    clinician = User.objects.create(username="bench-clinician")
    started = time.perf_counter()
    tables = {
        "patient": Patient._meta.db_table,
        "intake": Intake._meta.db_table,
        "case": Case._meta.db_table,
        "assessment": Assessment._meta.db_table,
        "override": UrgencyOverride._meta.db_table,
    }
    results = []
    intakes = io.StringIO()
    assessments = io.StringIO()
    for i, answers in enumerate(generate(n, seed=14), start=1):
        mapping = answers.as_mapping()
        result = DEFAULT.evaluate(answers)
        results.append(int(result.urgency))
        day = f"2026-{1 + i % 12:02d}-{1 + i % 28:02d} 10:00:00+00"
        intakes.write(
            f"{i}\t{i}\t{json.dumps(mapping)}\tintake/1\treception\t\\N\t"
            f"{i:032x}\t{day}\t\n".replace("\\", "\\\\").replace("\\\\N", "\\N")
        )
        rules = json.dumps(result.as_json()["rules"]).replace("\\", "\\\\")
        assessments.write(
            f"{i}\t{i}\t{i}\t{int(result.urgency)}\t{rules}\t{result.ruleset}\tintake/1\t{day}\n"
        )
    with connection.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO {tables["patient"]} (id, given_name, family_name, date_of_birth, sex,
                email, phone, nhs_number, preferred_language, email_consent, created_at, updated_at)
            SELECT g, 'Bench', 'Patient' || g, date '1950-01-01' + (g % 20000)::int, 'F',
                   '', '', '', 'en', false, now(), now()
            FROM generate_series(1::bigint, {n}) AS g"""  # noqa: S608
        )
        with cursor.copy(
            f"COPY {tables['intake']} (id, patient_id, answers, contract_version, source, "
            "entered_by_id, submission_token, created_at, fingerprint) FROM STDIN"
        ) as copy:
            copy.write(intakes.getvalue())
        values = ",".join(f"({i},{u})" for i, u in enumerate(results, start=1))
        cursor.execute(
            f"""INSERT INTO {tables["case"]} (id, patient_id, status, urgency, opened_at, due_at,
                updated_at, closed_at, claimed_by_id, claimed_at, escalate_at, escalation_level)
            SELECT v.id, v.id, 'closed', v.u, now(), now(), now(), now(), NULL, NULL, NULL, 0
            FROM (VALUES {values}) AS v(id, u)"""  # noqa: S608
        )
        with cursor.copy(
            f"COPY {tables['assessment']} (id, intake_id, case_id, urgency, rules, ruleset, "
            "contract_version, created_at) FROM STDIN"
        ) as copy:
            copy.write(assessments.getvalue())
        # One in fifty assessments overridden by a level (down from 2+, else up).
        cursor.execute(
            f"""INSERT INTO {tables["override"]} (case_id, assessment_id, from_urgency,
                to_urgency, reason, by_id, created_at)
            SELECT id, id, urgency, CASE WHEN urgency > 1 THEN urgency - 1 ELSE 2 END,
                   'bench', {clinician.pk}, now()
            FROM {tables["assessment"]} WHERE id % 50 = 0"""  # noqa: S608
        )
        for table in tables.values():
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), {n + 1})")
            cursor.execute(f"VACUUM ANALYZE {table}")
    print(f"  seeded {n} intakes in {time.perf_counter() - started:.1f} s", file=sys.stderr)


def main() -> None:
    setup_django()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    from governance import services
    from triage.rules import registry

    with throwaway_database("bench_rule_trial"):
        seed(N)
        registry.fingerprint(CANDIDATE)  # computed once per process, before the clock starts
        registry.fingerprint("2026.1")
        floors, runs = [], []
        report: dict[str, object] = {}
        for _ in range(3):
            started = time.perf_counter()
            read = sum(1 for _past in services.past_intakes())
            floors.append(time.perf_counter() - started)
            started = time.perf_counter()
            report, _seconds = services.evaluate(CANDIDATE)
            runs.append(time.perf_counter() - started)
            assert read == report["intakes"] == N, (read, report["intakes"])
        seconds, floor = min(runs), min(floors)
        figures = {
            "intakes": N,
            "seconds": round(seconds, 2),
            "floor_seconds": round(floor, 2),
            "ratio": round(seconds / floor, 2),
            "per_second": round(N / seconds),
            "reproduced": report["reproduced"],
            "raised": report["raised"],
            "lowered": report["lowered"],
            "unnecessary_overrides": len(report["overrides_unnecessary"]),  # type: ignore[arg-type]
            "target_seconds": TARGET_SECONDS,
        }
    print(json.dumps(figures))
    if seconds > TARGET_SECONDS or report["reproduced"] != N:
        sys.exit(1)


if __name__ == "__main__":
    main()
