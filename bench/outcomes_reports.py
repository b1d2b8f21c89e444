"""The clinic lead's reports over a large history, on PostgreSQL: 1,000,000 closed cases (decided
over three years, with their patients, intakes, assessments, claims, alerts, escalations,
overrides and dead emails) and 100,000 programmes with five check-ins each, generated in the
database with INSERT ... SELECT generate_series (set-based: two minutes on a quiet machine,
ten on a busy one). The triggers of outcomes migration 0003 keep the alert, programme and
override figures the reports read as those rows go in, as they do in production.

Each report (`outcomes.reports`: deadlines and times, alerts, dead emails, overrides per week
and per rule, emergencies, programmes) is timed over the dashboard's default period (the last
12 weeks), over the last year and over the whole history, `N` times each (default 20) after a warm-up; so are the
dashboard page, the overrides report page and each figure's CSV, through the full stack as
the signed-in clinic lead. The floor, in the same run: one index-only count of the cases decided
in the same period, the least any report over those cases could read.

Last line: {"p95_ms": the worst p95 of any report or page over any period,
"p95_ms_default_period": the worst report over the default period, "floor_p95_ms", "ratio",
"p95_ms_by_report": {...}, "page_p95_ms": {...}, "cases", "programmes"}. Target: every p95 <=
1000 ms.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres python bench/outcomes_reports.py [N]
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from datetime import timedelta

from _common import percentile, setup_django, throwaway_database

setup_django()

from django.contrib.auth.models import Group, User  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from clinic.periods import Period, default_period  # noqa: E402
from clinic.roles import Role  # noqa: E402
from outcomes import reports  # noqa: E402
from programmes.models import ProgrammeTemplate  # noqa: E402
from programmes.seed import seed_library  # noqa: E402
from tests.support.two_factor import sign_in  # noqa: E402

N = int(sys.argv[1]) if len(sys.argv) > 1 else 20
WARM_UP = 2
CASES = 1_000_000
PROGRAMMES = 100_000
TARGET_MS = 1000.0
YEARS = 3


def generate(*, clinician: User, lead: User, templates: list[int]) -> None:
    span = YEARS * 365 * 86400
    # Urgency by a hash of the id: 2% emergency, 8% urgent, 20% soon, 30% routine, 40% self-care.
    urgency = (
        "(CASE WHEN (g * 7919) % 100 < 2 THEN 5 WHEN (g * 7919) % 100 < 10 THEN 4 "
        "WHEN (g * 7919) % 100 < 30 THEN 3 WHEN (g * 7919) % 100 < 60 THEN 2 ELSE 1 END)"
    )
    sla = (
        "(CASE u WHEN 5 THEN interval '15 minutes' WHEN 4 THEN interval '4 hours' "
        "WHEN 3 THEN interval '7 days' WHEN 2 THEN interval '28 days' ELSE interval '2 days' END)"
    )
    # The time to decision: a share of the deadline from 0.1 to 1.3, so about one in six late.
    template_ids = "ARRAY[" + ",".join(str(t) for t in templates) + "]"
    rules = (
        '(CASE g % 10 WHEN 0 THEN \'[{"id": "CHEST_PAIN_UNEXPLAINED"}]\' '
        'WHEN 1 THEN \'[{"id": "AGE_NEW_ONSET"}, {"id": "WEIGHT_LOSS"}]\' '
        "WHEN 2 THEN '[{\"id\": \"NIGHT_PAIN\"}]' ELSE '[]' END)::jsonb"
    )
    statements = [
        (
            "patients",
            f"""INSERT INTO patients_patient (id, given_name, family_name, date_of_birth, sex,
                email, phone, nhs_number, preferred_language, email_consent, created_at,
                updated_at)
            SELECT g, 'Given' || g % 50, 'Family' || g, date '1935-01-01' + (g % 30000)::int,
                   (ARRAY['F','M','X'])[1 + g % 3], '', '', '', 'en', false, now(), now()
            FROM generate_series(1::bigint, {CASES}) AS g""",  # noqa: S608 - integers and table names only
        ),
        (
            "intakes",
            f"""INSERT INTO patients_intake (id, patient_id, answers, contract_version, source,
                entered_by_id, submission_token, created_at, fingerprint)
            SELECT g, g, '{{}}'::jsonb, 'bench', 'reception', NULL, gen_random_uuid(), now(), ''
            FROM generate_series(1::bigint, {CASES}) AS g""",  # noqa: S608 - integers and table names only
        ),
        (
            "cases",
            f"""INSERT INTO triage_case (id, patient_id, status, urgency, opened_at, due_at,
                updated_at, closed_at, decided_at, claimed_by_id, claimed_at, escalate_at,
                escalation_level)
            SELECT g, g, 'closed', u, o, o + {sla}, now(), o + {sla} * f, o + {sla} * f,
                   {clinician.pk}, o + {sla} * f * 0.3, NULL, 0
            FROM (SELECT g, {urgency} AS u,
                         now() - interval '1 hour' - ((g * 104729) % {span}) * interval '1 second'
                             AS o,
                         0.1 + ((g * 31) % 120) / 100.0 AS f
                  FROM generate_series(1::bigint, {CASES}) AS g) AS s""",  # noqa: S608 - integers and table names only
        ),
        (
            "assessments",
            f"""INSERT INTO triage_assessment (id, intake_id, case_id, urgency, rules, ruleset,
                contract_version, created_at)
            SELECT c.id, c.id, c.id, c.urgency, {rules.replace("g %", "c.id %")}, '2026.1',
                   'intake/1', c.opened_at
            FROM triage_case AS c""",  # noqa: S608 - integers and table names only
        ),
        (
            "claims",
            f"""INSERT INTO triage_caseactivity (case_id, kind, by_id, at, note, subject, reasons)
            SELECT id, 'claimed', {clinician.pk}, claimed_at, '', '', '[]'::jsonb
            FROM triage_case""",  # noqa: S608 - integers and table names only
        ),
        (
            "alerts",
            """INSERT INTO outbox_message (key, kind, to_email, to_name, recipient_id, case_id,
                patient_id, subject, body_text, body_html, headers, status, attempts,
                last_error, due_at, lease_token, created_at, updated_at)
            SELECT 'alert.' || c.id || '.' || n, 'clinician_alert', 'c' || n || '@example.org',
                   '', NULL, c.id, c.patient_id, 'Alert', '', '', '{}'::jsonb,
                   CASE WHEN c.id % 97 = 0 THEN 'dead' ELSE 'sent' END, 1, '', c.opened_at, '',
                   c.opened_at, c.opened_at
            FROM triage_case AS c CROSS JOIN generate_series(1, 2) AS n WHERE c.urgency >= 4""",
        ),
        (
            "escalations",
            f"""INSERT INTO outbox_message (key, kind, to_email, to_name, recipient_id, case_id,
                patient_id, subject, body_text, body_html, headers, status, attempts,
                last_error, due_at, lease_token, created_at, updated_at)
            SELECT 'esc.' || c.id || '.' || n, 'escalation', 'c' || n || '@example.org', '',
                   {lead.pk}, c.id, c.patient_id, 'Escalation', '', '', '{{}}'::jsonb, 'sent', 1,
                   '', c.opened_at + interval '5 minutes', '', c.opened_at + interval '5 minutes',
                   c.opened_at
            FROM triage_case AS c CROSS JOIN generate_series(1, 3) AS n
            WHERE c.urgency >= 4 AND c.id % 10 = 0""",  # noqa: S608 - integers and table names only
        ),
        (
            "dead emails",
            """INSERT INTO outbox_message (key, kind, to_email, to_name, recipient_id, case_id,
                patient_id, subject, body_text, body_html, headers, status, attempts,
                last_error, due_at, lease_token, created_at, updated_at)
            SELECT 'dead.' || c.id, 'programme_reminder', 'p@example.org', '', NULL, NULL,
                   c.patient_id, 'Reminder', '', '', '{}'::jsonb, 'dead', 8, 'refused',
                   c.opened_at, '', c.opened_at, c.opened_at
            FROM triage_case AS c WHERE c.id % 200 = 7""",
        ),
        (
            "overrides",
            f"""INSERT INTO triage_urgencyoverride (case_id, assessment_id, from_urgency,
                to_urgency, reason, by_id, created_at)
            SELECT c.id, c.id, c.urgency, CASE WHEN c.urgency = 5 THEN 4 ELSE c.urgency + 1 END,
                   'bench', {clinician.pk}, c.opened_at + interval '2 minutes'
            FROM triage_case AS c WHERE c.id % 60 IN (0, 1, 13)""",  # noqa: S608 - integers and table names only
        ),
        (
            "programmes",
            f"""INSERT INTO programmes_programme (id, case_id, patient_id, template_id, name,
                status, prescribed_by_id, prescribed_at, start_date, note, safety_net,
                baseline_pain, intake_answers, current_phase, phase_started_on, awaiting_review,
                time_zone, training_days, reminder_time, reminders_paused, unsubscribed_at,
                next_reminder_at, link_version, last_seen_at, ended_at, updated_at, name_de)
            SELECT c.id, c.id, c.patient_id, ({template_ids})[1 + c.id % {len(templates)}],
                   'Programme', (ARRAY['completed','completed','active','stopped','on_hold'])
                   [1 + c.id % 5], {clinician.pk}, c.decided_at, c.decided_at::date, '', 'Advice',
                   3 + c.id % 6, '{{}}'::jsonb, 1, c.decided_at::date, false, 'Europe/London',
                   '[0, 2, 4]'::jsonb, '18:00', false,
                   CASE WHEN c.id % 37 = 0 THEN c.decided_at + interval '10 days' END, NULL, 1,
                   NULL, NULL, now(), ''
            FROM triage_case AS c WHERE c.id % 10 = 1""",  # noqa: S608 - integers and table names only
        ),
        (
            "check-ins",
            """INSERT INTO programmes_checkin (programme_id, week, due_at, asks_ndi, sent_at,
                completed_at, pain, sessions_done, sessions_planned, ndi_points, red_flags,
                outcome, outcome_reason, entered_how)
            SELECT p.id, w, p.prescribed_at + w * interval '1 week', w IN (0, 6), NULL,
                   CASE WHEN (p.id + w) % 9 <> 0 THEN p.prescribed_at + w * interval '1 week' END,
                   CASE WHEN (p.id + w) % 9 <> 0 THEN GREATEST(0, p.baseline_pain - w / 2
                       + (p.id % 3) - 1) END,
                   CASE WHEN w > 0 AND (p.id + w) % 9 <> 0 THEN (p.id + w) % 4 END,
                   CASE WHEN w > 0 AND (p.id + w) % 9 <> 0 THEN 3 END,
                   CASE WHEN w IN (0, 6) AND (p.id + w) % 9 <> 0 THEN 25 - w * (p.id % 3) END,
                   '[]'::jsonb,
                   CASE WHEN w > 0 AND (p.id + w) % 9 <> 0 THEN
                       CASE WHEN (p.id + w) % 23 = 0 THEN 'triage' ELSE 'hold' END ELSE '' END,
                   '', ''
            FROM programmes_programme AS p CROSS JOIN unnest(ARRAY[0, 1, 2, 4, 6]) AS w""",
        ),
    ]
    with connection.cursor() as cursor:
        for what, sql in statements:
            started = time.perf_counter()
            cursor.execute(sql)
            print(f"  {what}: {time.perf_counter() - started:.1f} s", file=sys.stderr)
        for table in ("patients_patient", "patients_intake", "triage_case", "triage_assessment"):
            cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), {CASES})")
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('programmes_programme', 'id'), {CASES})"
        )
        started = time.perf_counter()
        for table in (
            "patients_patient",
            "patients_intake",
            "triage_case",
            "triage_assessment",
            "triage_caseactivity",
            "triage_urgencyoverride",
            "outbox_message",
            "programmes_programme",
            "programmes_checkin",
            # The figures the database kept as the rows above went in (outcomes migration 0003).
            "outcomes_alert_figures",
            "outcomes_programme_figures",
            "outcomes_override_rules",
        ):
            cursor.execute(f"VACUUM ANALYZE {table}")
        print(f"  vacuum analyze: {time.perf_counter() - started:.1f} s", file=sys.stderr)


def timed(fn: Callable[[], object]) -> list[float]:
    for _ in range(WARM_UP):
        fn()
    found = []
    for _ in range(N):
        started = time.perf_counter()
        fn()
        found.append((time.perf_counter() - started) * 1000)
    return found


def floor(period: Period) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM triage_case WHERE decided_at >= %s AND decided_at < %s",
            [period.starts_at, period.ends_at],
        )
        cursor.fetchone()


REPORTS: dict[str, Callable[[Period], object]] = {
    "deadlines": reports.deadlines,
    "alerts": reports.alerts,
    "dead_emails": reports.dead_emails,
    "overrides_per_week": reports.overrides_per_week,
    "overrides_per_rule": reports.overrides_per_rule_and_week,
    "emergencies": reports.emergencies_per_week,
    "programmes": reports.programmes,
}


def run() -> dict[str, object]:
    clinician = User.objects.create_user("bench-clinician", password="bench-clinician-pw")
    clinician.groups.add(Group.objects.get(name=Role.CLINICIAN))
    lead = User.objects.create_user("bench-lead", password="bench-lead-pw")
    lead.groups.add(Group.objects.get(name=Role.LEAD))
    seed_library()
    templates = list(ProgrammeTemplate.objects.values_list("pk", flat=True))
    started = time.perf_counter()
    print(f"generating {CASES} closed cases and {PROGRAMMES} programmes", file=sys.stderr)
    generate(clinician=clinician, lead=lead, templates=templates)
    print(f"  in all {time.perf_counter() - started:.1f} s", file=sys.stderr)

    now = timezone.now()
    periods = {
        "12 weeks": default_period(now),
        "1 year": Period(start=(now - timedelta(days=365)).date(), end=now.date(), now=now),
        "all": Period(start=(now - timedelta(days=YEARS * 366)).date(), end=now.date(), now=now),
    }
    by_report: dict[str, float] = {}
    floors: list[float] = []
    for label, period in periods.items():
        floor_ms = timed(lambda period=period: floor(period))  # type: ignore[misc]
        floors.extend(floor_ms)
        print(f"{label}: floor p95 {percentile(floor_ms, 95):.1f} ms", file=sys.stderr)
        for name, report in REPORTS.items():
            ms = timed(lambda report=report, period=period: report(period))  # type: ignore[misc]
            by_report[f"{name} ({label})"] = round(percentile(ms, 95), 1)
            print(
                f"  {name}: p50 {percentile(ms, 50):.1f} ms, p95 {percentile(ms, 95):.1f} ms",
                file=sys.stderr,
            )

    client = Client()
    sign_in(client, lead)
    pages: dict[str, float] = {}
    for label, period in periods.items():
        query = f"?start={period.start.isoformat()}&end={period.end.isoformat()}"
        urls = {
            "dashboard": reverse("outcomes:dashboard") + query,
            "overrides report": reverse("triage:overrides") + query,
            **{
                f"csv {figure}": reverse("outcomes:figure_csv", args=[figure]) + query
                for figure in ("deadlines", "programmes", "overrides-per-rule")
            },
        }
        for name, url in urls.items():

            def get(url: str = url) -> None:
                response = client.get(url)
                if response.status_code != 200:
                    raise SystemExit(f"GET {url} answered {response.status_code}")

            ms = timed(get)
            pages[f"{name} ({label})"] = round(percentile(ms, 95), 1)
            print(f"  page {name} ({label}): p95 {percentile(ms, 95):.1f} ms", file=sys.stderr)

    worst = max([*by_report.values(), *pages.values()])
    default = max(v for k, v in by_report.items() if k.endswith("(12 weeks)"))
    floor_p95 = percentile(floors, 95)
    return {
        "p95_ms": worst,
        "p95_ms_default_period": default,
        "floor_p95_ms": round(floor_p95, 2),
        "ratio": round(worst / floor_p95, 1),
        "p95_ms_by_report": by_report,
        "page_p95_ms": pages,
        "cases": CASES,
        "programmes": PROGRAMMES,
    }


def main() -> None:
    print(f"outcome reports: {WARM_UP} warm-up + {N} timed each, on PostgreSQL", file=sys.stderr)
    with throwaway_database("bench_outcomes") as name:
        print(f"throwaway database {name}", file=sys.stderr)
        result = run()
    for key, what in (
        ("p95_ms_default_period", "every report over the default period"),
        ("p95_ms", "every report and page over every period"),
    ):
        met = float(result[key]) <= TARGET_MS  # type: ignore[arg-type]
        print(
            f"target p95 <= {TARGET_MS:g} ms, {what}: {'met' if met else 'NOT met'}",
            file=sys.stderr,
        )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
