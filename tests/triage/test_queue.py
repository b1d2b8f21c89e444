"""The clinician's live queue: order, counts, filters, search, keyset pages and refreshes."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from patients.models import Intake, Patient
from tests.patients.helpers import VALID_NHS_NUMBER, make_intake, make_user, patient_details
from tests.support.clock import running_at
from tests.support.factories import ClinicianFactory
from tests.support.two_factor import sign_in
from triage import queue_views
from triage.models import Case, Urgency

QUEUE = reverse("triage:queue")
HTMX = {"HX-Request": "true"}

pytestmark = pytest.mark.django_db


def _intake(
    reception: User, name: str, waiting: timedelta | None = None, nhs_number: str = "", **answers
) -> Intake:
    given, family = name.split()
    return make_intake(
        entered_by=reception,
        details=patient_details(given_name=given, family_name=family, nhs_number=nhs_number),
        waiting=waiting,
        **answers,
    )


def _claim(intake: Intake, by: User) -> None:
    Case.objects.filter(pk=intake.assessment.case.pk).update(
        claimed_by=by, claimed_at=timezone.now()
    )


def _names_in_order(html: str) -> list[str]:
    return re.findall(r'class="patient-link"[^>]*>([^<]+)</a>', html)


def _names(client: Client, **params: str) -> list[str]:
    return _names_in_order(client.get(QUEUE, params).content.decode())


def _link(html: str, rel: str) -> str:
    match = re.search(rf'rel="{rel}" href="([^"]+)"', html)
    assert match, f"no {rel} link"
    return match.group(1).replace("&amp;", "&")


def _refresh_url(html: str) -> str:
    match = re.search(r'<div id="queue" hx-get="([^"]+)"', html)
    assert match
    return match.group(1).replace("&amp;", "&")


def _counts(response) -> dict[str, str]:
    return {c.level.key: c.shown for c in response.context["counts"]}


def _bulk_open_cases(count: int, *, urgency: int = Urgency.ROUTINE) -> None:
    """`count` more open cases, cheaply: no intakes or assessments, which the queue never reads."""
    now = timezone.now()
    patients = Patient.objects.bulk_create(
        Patient(
            given_name="Bulk",
            family_name=f"Patient{n}",
            date_of_birth=date(1960, 1, 1),
            sex="F",
        )
        for n in range(count)
    )
    Case.objects.bulk_create(
        Case(
            patient=patient,
            urgency=urgency,
            opened_at=now - timedelta(minutes=n),
            due_at=now + timedelta(days=1),
        )
        for n, patient in enumerate(patients)
    )


# --- Who may see it --------------------------------------------------------------------------


def test_anonymous_user_is_sent_to_login_from_the_queue(client: Client) -> None:
    response = client.get(QUEUE)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_reception_is_refused_the_queue(client: Client, reception: User) -> None:
    _intake(reception, "Eve Emery", bladder_or_bowel_change=True)
    sign_in(client, reception)

    response = client.get(QUEUE)

    assert response.status_code == 403
    assert "Emery" not in response.content.decode()


def test_reception_is_refused_the_queue_refresh(client: Client, reception: User) -> None:
    _intake(reception, "Eve Emery", bladder_or_bowel_change=True)
    sign_in(client, reception)
    response = client.get(QUEUE, headers=HTMX)
    assert response.status_code == 403
    assert "Emery" not in response.content.decode()


# --- Order and counts ------------------------------------------------------------------------


def test_empty_queue_says_no_one_is_waiting(clinician_client: Client) -> None:
    response = clinician_client.get(QUEUE)
    assert response.status_code == 200
    assert "No one is waiting" in response.content.decode()


def test_queue_is_ordered_by_urgency_then_by_time_waiting(
    clinician_client: Client, reception: User
) -> None:
    _intake(reception, "Sally Selfcare", waiting=timedelta(days=1))
    _intake(reception, "Ulla Newer", waiting=timedelta(minutes=5), chest_pain=True)
    _intake(reception, "Ed Emergency", bladder_or_bowel_change=True)
    _intake(reception, "Uri Older", waiting=timedelta(hours=1), chest_pain=True)
    _intake(reception, "Sue Soon", waiting=timedelta(hours=2), unexplained_weight_loss=True)

    assert _names(clinician_client) == [
        "Ed Emergency",
        "Uri Older",
        "Ulla Newer",
        "Sue Soon",
        "Sally Selfcare",
    ]


def test_queue_shows_urgency_badges_and_counts_per_urgency(
    clinician_client: Client, reception: User
) -> None:
    _intake(reception, "Ed Emergency", bladder_or_bowel_change=True)
    _intake(reception, "Ulla Urgent", chest_pain=True)
    _intake(reception, "Uri Urgent", chest_pain=True)

    response = clinician_client.get(QUEUE)

    html = response.content.decode()
    assert 'class="urgency-badge urgency-emergency">Emergency<' in html
    assert 'class="urgency-badge urgency-urgent">Urgent<' in html
    assert _counts(response) == {
        "EMERGENCY": "1",
        "URGENT": "2",
        "SOON": "0",
        "ROUTINE": "0",
        "SELF_CARE": "0",
    }
    assert response.context["total"] == 3


def test_counts_stop_at_the_cap_and_say_so(
    clinician_client: Client, reception: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(queue_views, "COUNT_CAP", 3)
    for n in range(4):
        _intake(reception, f"Ulla Urgent{n}", waiting=timedelta(hours=5), chest_pain=True)
    _intake(reception, "Ed Emergency", bladder_or_bowel_change=True)

    response = clinician_client.get(QUEUE)

    assert _counts(response)["URGENT"] == "3+"
    assert _counts(response)["EMERGENCY"] == "1"
    html = response.content.decode()
    assert re.search(
        r'<div class="count overdue-text">3\+</div>\s*<div class="label">Overdue', html
    )
    assert re.search(r'<div class="count">4\+</div>\s*<div class="label">Waiting in all', html)


def test_overdue_case_stands_out_with_how_long_it_is_overdue(
    clinician_client: Client, reception: User
) -> None:
    # URGENT must be seen within 4 hours; this one has waited 5.
    _intake(reception, "Olly Overdue", waiting=timedelta(hours=5), chest_pain=True)
    _intake(reception, "Tim Intime", waiting=timedelta(hours=1), chest_pain=True)

    response = clinician_client.get(QUEUE)

    html = response.content.decode()
    rows = {row.case.patient.family_name: row.overdue for row in response.context["rows"]}
    assert rows == {"Overdue": True, "Intime": False}
    assert response.context["overdue"] == 1
    assert html.count('class="row-overdue"') == 1
    assert "Overdue by 1\xa0hour" in html
    assert "2\xa0hours, 59\xa0minutes" in html or "3\xa0hours" in html


def test_deadline_is_shown_in_the_clinic_time_zone(
    clinician_client: Client, reception: User
) -> None:
    intake = _intake(reception, "Bea Summer", chest_pain=True)
    # 12:00 UTC in July is 13:00 in London (BST).
    Case.objects.filter(pk=intake.assessment.case.pk).update(
        due_at=datetime(2026, 7, 1, 12, 0, tzinfo=UTC)
    )
    html = clinician_client.get(QUEUE).content.decode()
    assert "Wed 1 Jul, 13:00" in html


def test_closed_cases_are_not_in_the_queue(clinician_client: Client, reception: User) -> None:
    intake = _intake(reception, "Cleo Closed", chest_pain=True)
    Case.objects.filter(pk=intake.assessment.case.pk).update(status=Case.Status.CLOSED)
    response = clinician_client.get(QUEUE)
    html = response.content.decode()
    assert "Closed" not in _names_in_order(html)
    assert "No one is waiting" in html
    assert response.context["total"] == 0


# --- Filters and search ----------------------------------------------------------------------


@pytest.fixture
def mixed_queue(reception: User, clinician: User) -> None:
    other = make_user(role="clinician", first_name="Dana", last_name="Dee")
    _intake(reception, "Ed Emergency", bladder_or_bowel_change=True)
    _claim(_intake(reception, "Una Mine", chest_pain=True), clinician)
    _claim(_intake(reception, "Ulla Theirs", waiting=timedelta(hours=5), chest_pain=True), other)
    _intake(reception, "Sam Selfcare", nhs_number=VALID_NHS_NUMBER)


@pytest.mark.parametrize(
    ("params", "names"),
    [
        ({"urgency": "EMERGENCY"}, ["Ed Emergency"]),
        ({"urgency": "URGENT"}, ["Ulla Theirs", "Una Mine"]),
        ({"status": "waiting"}, ["Ed Emergency", "Sam Selfcare"]),
        ({"status": "claimed"}, ["Ulla Theirs", "Una Mine"]),
        ({"mine": "1"}, ["Una Mine"]),
        ({"overdue": "1"}, ["Ulla Theirs"]),
        ({"urgency": "URGENT", "status": "waiting"}, []),
        ({"q": "selfcare"}, ["Sam Selfcare"]),
        ({"q": "una mine"}, ["Una Mine"]),
        ({"q": "943 476 5919"}, ["Sam Selfcare"]),
        ({"urgency": "nonsense", "status": "nonsense"}, ["Ed Emergency", "Ulla Theirs"]),
    ],
)
def test_filters_and_search_narrow_the_queue(
    clinician_client: Client, mixed_queue: None, params: dict[str, str], names: list[str]
) -> None:
    found = _names(clinician_client, **params)
    if params.get("urgency") == "nonsense":  # ignored: the whole queue
        assert found[:2] == names and len(found) == 4
    else:
        assert found == names


def test_filters_leave_the_counts_for_the_whole_queue(
    clinician_client: Client, mixed_queue: None
) -> None:
    response = clinician_client.get(QUEUE, {"urgency": "EMERGENCY"})
    assert response.context["total"] == 4
    assert _counts(response)["URGENT"] == "2"


def test_a_filter_that_matches_nothing_says_so(clinician_client: Client, mixed_queue: None) -> None:
    html = clinician_client.get(QUEUE, {"q": "Nobody"}).content.decode()
    assert "No open case matches" in html
    assert "No one is waiting" not in html


def test_the_filter_form_shows_the_filters_in_force(
    clinician_client: Client, mixed_queue: None
) -> None:
    html = clinician_client.get(QUEUE, {"urgency": "URGENT", "mine": "1", "q": "Una"}).content
    page = html.decode()
    assert '<option value="URGENT" selected>' in page
    assert 'id="queue-mine" name="mine" value="1" checked' in page
    assert 'name="q" value="Una"' in page
    assert 'hx-push-url="true"' in page


# --- Pages -----------------------------------------------------------------------------------


@pytest.fixture
def five_waiting(reception: User, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(queue_views, "PAGE_SIZE", 2)
    for n, hours in enumerate([5, 4, 3, 2, 1]):
        _intake(reception, f"Pat Number{n}", waiting=timedelta(hours=hours))


def test_queue_shows_one_page_and_links_to_the_next(
    clinician_client: Client, five_waiting: None
) -> None:
    html = clinician_client.get(QUEUE).content.decode()

    assert _names_in_order(html) == ["Pat Number0", "Pat Number1"]
    assert 'rel="prev"' not in html
    second = clinician_client.get(_link(html, "next")).content.decode()
    assert _names_in_order(second) == ["Pat Number2", "Pat Number3"]
    third = clinician_client.get(_link(second, "next")).content.decode()
    assert _names_in_order(third) == ["Pat Number4"]
    assert 'rel="next"' not in third
    back = clinician_client.get(_link(third, "prev")).content.decode()
    assert _names_in_order(back) == ["Pat Number2", "Pat Number3"]
    first = clinician_client.get(_link(back, "prev")).content.decode()
    assert _names_in_order(first) == ["Pat Number0", "Pat Number1"]
    assert 'rel="prev"' not in first
    assert _refresh_url(first) == QUEUE  # back at the top, a refresh shows the top


def test_pages_keep_the_filters(
    clinician_client: Client, five_waiting: None, reception: User
) -> None:
    _intake(reception, "Ulla Urgent", chest_pain=True)
    html = clinician_client.get(QUEUE, {"urgency": "SELF_CARE"}).content.decode()
    next_url = _link(html, "next")
    assert "urgency=SELF_CARE" in next_url
    assert _names(clinician_client, **dict(re.findall(r"(\w+)=([^&]+)", next_url))) == [
        "Pat Number2",
        "Pat Number3",
    ]


def test_refresh_keeps_the_page_and_filters_the_clinician_is_on(
    clinician_client: Client, five_waiting: None, reception: User
) -> None:
    first = clinician_client.get(QUEUE, {"q": "Number"}).content.decode()
    second_url = _link(first, "next")
    second = clinician_client.get(second_url, headers=HTMX).content.decode()
    assert _refresh_url(second) == second_url

    # An emergency arrives: it goes to the top of the queue, not onto the page being read, and
    # the page says it is there.
    _intake(reception, "Ed Emergency", bladder_or_bowel_change=True)
    refreshed = clinician_client.get(_refresh_url(second), headers=HTMX).content.decode()

    assert _names_in_order(refreshed) == ["Pat Number2", "Pat Number3"]
    assert "1 emergency case waiting" in refreshed
    assert "Ed Emergency" in _names(clinician_client)


def test_a_broken_cursor_shows_the_top_of_the_queue(
    clinician_client: Client, five_waiting: None
) -> None:
    assert _names(clinician_client, after="x-y-z") == ["Pat Number0", "Pat Number1"]
    assert _names(clinician_client, before="9-99999999999999999999999-1") == [
        "Pat Number0",
        "Pat Number1",
    ]


# --- Live refresh ----------------------------------------------------------------------------


def test_new_emergency_appears_on_the_next_refresh(
    clinician_client: Client, reception: User
) -> None:
    _intake(reception, "Sam Selfcare", waiting=timedelta(days=1))
    before = clinician_client.get(QUEUE, headers=HTMX)
    assert _names_in_order(before.content.decode()) == ["Sam Selfcare"]

    _intake(reception, "Ed Emergency", bladder_or_bowel_change=True)
    after = clinician_client.get(_refresh_url(before.content.decode()), headers=HTMX)

    assert _names_in_order(after.content.decode()) == ["Ed Emergency", "Sam Selfcare"]
    assert _counts(after)["EMERGENCY"] == "1"


def test_htmx_refresh_gets_the_live_part_alone(clinician_client: Client, reception: User) -> None:
    _intake(reception, "Ed Emergency", bladder_or_bowel_change=True)

    response = clinician_client.get(QUEUE, headers=HTMX)

    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="queue"')
    assert "<html" not in html
    assert 'id="queue-filters"' not in html  # the search box is never replaced under the cursor
    assert "Ed Emergency" in html
    assert "HX-Request" in response["Vary"]


def test_htmx_history_restore_gets_the_whole_page(clinician_client: Client) -> None:
    response = clinician_client.get(
        QUEUE, {"urgency": "URGENT"}, headers={**HTMX, "HX-History-Restore-Request": "true"}
    )
    html = response.content.decode()
    assert "<html" in html
    assert 'id="queue-filters"' in html


def test_the_queue_polls_often_enough_to_show_a_new_case_within_five_seconds(
    clinician_client: Client,
) -> None:
    html = clinician_client.get(QUEUE).content.decode()
    assert f'<div id="queue" hx-get="{QUEUE}"' in html
    assert 'hx-trigger="every 4s"' in html  # 4 s between polls, plus the response
    assert "htmx" in html and "//unpkg" not in html


# --- Why each patient is there ----------------------------------------------------------------

# 23:30 UTC on 15 July is 00:30 on the 16th in London (BST): the clinic's today is a day ahead.
LONDON_JUST_PAST_MIDNIGHT_IN_SUMMER = datetime(2026, 7, 15, 23, 30, tzinfo=UTC)


def test_the_top_reason_is_the_most_urgent_rule_whatever_order_the_rules_were_stored_in() -> None:
    stored = [
        {"id": "WEAK", "urgency": None, "reason": "A weak flag", "source": "S"},
        {"id": "SOON_ONE", "urgency": "SOON", "reason": "Soon reason", "source": "S"},
        {"id": "EMERGENCY_ONE", "urgency": "EMERGENCY", "reason": "First emergency", "source": "S"},
        {
            "id": "EMERGENCY_TWO",
            "urgency": "EMERGENCY",
            "reason": "Second emergency",
            "source": "S",
        },
        {"id": "URGENT_ONE", "urgency": "URGENT", "reason": "Urgent reason", "source": "S"},
    ]
    assert queue_views.top_reason(stored) == "First emergency"
    assert queue_views.top_reason(stored[:2]) == "Soon reason"
    assert queue_views.top_reason(stored[:1]) == "A weak flag"
    assert queue_views.top_reason([]) == ""
    assert queue_views.top_reason(None) == ""


def test_each_row_says_why_the_patient_is_there_their_age_and_where_the_intake_came_from(
    client: Client, reception: User, clinician: User
) -> None:
    with running_at(LONDON_JUST_PAST_MIDNIGHT_IN_SUMMER):
        sign_in(client, clinician)
        # Given an intake that fires an URGENT and an EMERGENCY rule, from reception, for a
        # patient whose birthday is the clinic's today (16 July) but not yet UTC's...
        both = make_intake(
            entered_by=reception,
            details=patient_details(
                given_name="Bea", family_name="Birthday", date_of_birth=date(1960, 7, 16)
            ),
            chest_pain=True,
            bladder_or_bowel_change=True,
        )
        # ...and a programme check-in's intake for a patient with no red flag.
        check_in = make_intake(
            entered_by=reception,
            details=patient_details(
                given_name="Cal", family_name="Checkin", date_of_birth=date(1990, 7, 17)
            ),
        )
        Intake.objects.filter(pk=check_in.pk).update(source=Intake.Source.CHECK_IN)

        # When the clinician opens the queue...
        response = client.get(QUEUE)

    # Then each row says why, how old and from where.
    rows = {row.name: row for row in response.context["rows"]}
    fired = both.assessment.rules
    emergency = next(rule["reason"] for rule in fired if rule["urgency"] == "EMERGENCY")
    urgent = [rule["reason"] for rule in fired if rule["urgency"] == "URGENT"]
    assert urgent, "the intake fires an URGENT rule too"
    assert rows["Bea Birthday"].reason == emergency
    assert rows["Bea Birthday"].age == 66  # 66 on 16 July 2026, the clinic's today
    assert rows["Bea Birthday"].source == "Reception"
    assert rows["Cal Checkin"].reason == ""
    assert rows["Cal Checkin"].age == 35
    assert rows["Cal Checkin"].source == "Check-in"
    html = response.content.decode()
    assert re.search(
        r'<td class="case-age text-end"><span title="Born 16 Jul 1960">66</span>', html
    )
    assert f'title="{emergency}">{emergency}</span>' in html
    assert "No red flag" in html
    assert '<td class="case-source">Check-in</td>' in html


def test_the_new_columns_cost_no_query_per_row(
    clinician_client: Client, reception: User, clock: Any
) -> None:
    def queries() -> int:
        return _queries(clinician_client, {}, **HTMX)

    _intake(reception, "Ed Emergency", bladder_or_bowel_change=True)
    _intake(reception, "Sal Selfcare")
    few = queries()
    for n in range(10):
        intake = _intake(
            reception, f"More Patient{n}", chest_pain=n % 2 == 0, unexplained_weight_loss=n % 3 == 0
        )
        if n % 2:
            Intake.objects.filter(pk=intake.pk).update(source=Intake.Source.CHECK_IN)
    many = queries()

    rows = clinician_client.get(QUEUE).context["rows"]
    assert len(rows) == 12
    assert {row.source for row in rows} == {"Reception", "Check-in"}
    assert sum(1 for row in rows if row.reason) >= 7
    assert many == few


# --- The browser tab's title and the emergencies a refresh names ------------------------------


def test_the_title_counts_the_emergencies_waiting(
    clinician_client: Client, reception: User
) -> None:
    assert "<title>Queue · Clinic triage</title>" in clinician_client.get(QUEUE).content.decode()

    _intake(reception, "Ed Emergency", bladder_or_bowel_change=True)
    html = clinician_client.get(QUEUE).content.decode()
    assert "<title>(1 emergency) Queue · Clinic triage</title>" in html

    _intake(reception, "Em Emergency", bladder_or_bowel_change=True)
    _intake(reception, "Ulla Urgent", chest_pain=True)
    # A refresh carries the title too, after the live part (htmx puts it in the tab).
    partial = clinician_client.get(QUEUE, {"urgency": "URGENT"}, headers=HTMX).content.decode()
    assert partial.lstrip().startswith('<div id="queue"')
    assert partial.rstrip().endswith("<title>(2 emergencies) Queue · Clinic triage</title>")


def test_a_refresh_names_the_emergencies_waiting_whatever_the_filters(
    clinician_client: Client, reception: User
) -> None:
    first = _intake(reception, "Ed Emergency", bladder_or_bowel_change=True).assessment.case
    second = _intake(reception, "Em Emergency", bladder_or_bowel_change=True).assessment.case
    _intake(reception, "Ulla Urgent", chest_pain=True)

    html = clinician_client.get(QUEUE, {"urgency": "URGENT"}, headers=HTMX).content.decode()

    match = re.search(r'data-emergency-ids="([^"]*)"', html)
    assert match and set(match.group(1).split()) == {str(first.pk), str(second.pk)}
    assert 'data-emergency-news="New emergency in the queue: 2 emergencies waiting."' in html


# --- Cost ------------------------------------------------------------------------------------


def _queries(client: Client, params: dict[str, str], **headers: str) -> int:
    # The same request once first: a session that records activity (at most every 30 s) writes
    # it there, so what is counted is the page's own queries. The tests counting run on the
    # test's clock too, so no 30 s can pass between the two requests however slow the machine.
    client.get(QUEUE, params, headers=headers)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(QUEUE, params, headers=headers)
    assert response.status_code == 200
    return len(captured)


VIEWS: list[dict[str, str]] = [
    {},
    {"urgency": "ROUTINE", "status": "waiting", "overdue": "1"},
    {"mine": "1", "q": "Patient"},
    {"after": "3-0-1"},
    {"before": "1-99999999999999999-1"},
]


def test_queries_per_page_are_the_same_with_10_cases_and_with_many(
    clinician_client: Client, reception: User, clinician: User, clock: Any
) -> None:
    for n in range(10):
        intake = _intake(
            reception, f"Few Patient{n}", waiting=timedelta(hours=n), chest_pain=n % 2 == 1
        )
        if n % 3 == 0:
            _claim(intake, clinician)
    few = [_queries(clinician_client, params) for params in VIEWS]
    few_htmx = _queries(clinician_client, {}, **HTMX)

    _bulk_open_cases(queue_views.COUNT_CAP + 500)
    many = [_queries(clinician_client, params) for params in VIEWS]
    many_htmx = _queries(clinician_client, {}, **HTMX)

    response = clinician_client.get(QUEUE)
    assert len(response.context["rows"]) == queue_views.PAGE_SIZE
    assert _counts(response)["ROUTINE"] == f"{queue_views.COUNT_CAP}+"
    assert many == few
    assert many_htmx == few_htmx


@pytest.mark.postgres
def test_queries_per_page_are_the_same_with_10_cases_and_with_150000(
    clinician_client: Client, reception: User, clinician: User, clock: Any
) -> None:
    """The issue's own figure: 150,000 open cases, generated in the database."""
    if connection.vendor != "postgresql":
        pytest.fail("this test generates its cases with PostgreSQL's generate_series")
    for n in range(10):
        intake = _intake(reception, f"Few Patient{n}", waiting=timedelta(hours=n))
        if n % 3 == 0:
            _claim(intake, clinician)
    few = [_queries(clinician_client, params) for params in VIEWS]

    patients, cases = Patient._meta.db_table, Case._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"""INSERT INTO {patients} (given_name, family_name, date_of_birth, sex, email, phone,
                nhs_number, preferred_language, email_consent, created_at, updated_at)
            SELECT 'Generated', 'Patient' || g, date '1940-01-01' + (g % 25000)::int, 'F', '', '',
                   '', 'en', false, now(), now()
            FROM generate_series(1, 150000) AS g"""  # noqa: S608 - table names from the models
        )
        cursor.execute(
            f"""INSERT INTO {cases} (patient_id, status, urgency, opened_at, due_at, updated_at,
                escalation_level)
            SELECT id, 'open', 1 + id % 5, now() - (id % 5000) * interval '1 minute',
                   now() + (id % 3 - 1) * interval '1 day', now(), 0
            FROM {patients} WHERE given_name = 'Generated'"""  # noqa: S608
        )
        cursor.execute(f"ANALYZE {patients}, {cases}")
    assert Case.objects.open().count() == 150_010

    many = [_queries(clinician_client, params) for params in VIEWS]
    assert many == few


# --- Polls answered from a snapshot ------------------------------------------------------------

POLL = {"HX-Request": "true", "HX-Trigger": "queue"}


@pytest.fixture
def monotonic(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The clock the snapshots are aged by, moved by hand (a list of one instant, in seconds)."""
    instant = [1_000.0]
    monkeypatch.setattr(queue_views.time, "monotonic", lambda: instant[0])
    return instant


def _poll_queries(client: Client) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(QUEUE, headers=POLL)
    assert response.status_code == 200
    return len(captured), response.content.decode()


def test_a_poll_within_half_a_second_of_another_reads_no_case_and_shows_the_same_queue(
    clinician_client: Client, reception: User, monotonic: list[float]
) -> None:
    _intake(reception, "Sam Selfcare", waiting=timedelta(hours=3))
    clinician_client.get(QUEUE, headers=POLL)  # the session's own writes out of the way
    queue_views.forget_snapshots()
    first_queries, first = _poll_queries(clinician_client)

    monotonic[0] += queue_views.QUEUE_SNAPSHOT_SECONDS
    again_queries, again = _poll_queries(clinician_client)

    assert _names_in_order(again) == _names_in_order(first) == ["Sam Selfcare"]
    assert again_queries <= first_queries - 4  # counts, emergencies, the page, names: none


def test_a_poll_after_the_snapshot_aged_shows_the_new_emergency(
    clinician_client: Client, reception: User, monotonic: list[float]
) -> None:
    _intake(reception, "Sam Selfcare", waiting=timedelta(days=1))
    assert _names_in_order(clinician_client.get(QUEUE, headers=POLL).content.decode()) == [
        "Sam Selfcare"
    ]
    _intake(reception, "Ed Emergency", bladder_or_bowel_change=True)

    monotonic[0] += queue_views.QUEUE_SNAPSHOT_SECONDS + 0.01
    after = clinician_client.get(QUEUE, headers=POLL)

    assert _names_in_order(after.content.decode()) == ["Ed Emergency", "Sam Selfcare"]
    assert _counts(after)["EMERGENCY"] == "1"


def test_a_page_the_clinician_opens_or_filters_is_never_a_snapshot(
    clinician_client: Client, reception: User, monotonic: list[float]
) -> None:
    _intake(reception, "Sam Selfcare", waiting=timedelta(days=1))
    clinician_client.get(QUEUE, headers=POLL)
    _intake(reception, "Ed Emergency", bladder_or_bowel_change=True)

    # The same instant: a poll would still be answered from the snapshot...
    assert _names_in_order(clinician_client.get(QUEUE, headers=POLL).content.decode()) == [
        "Sam Selfcare"
    ]
    # ...but the page opened, and htmx's own requests for a filter or a page, read afresh.
    assert _names(clinician_client) == ["Ed Emergency", "Sam Selfcare"]
    filtered = clinician_client.get(QUEUE, {"urgency": "EMERGENCY"}, headers=HTMX)
    assert _names_in_order(filtered.content.decode()) == ["Ed Emergency"]


def test_a_snapshot_another_clinician_read_shows_this_clinicians_own_cases_and_token(
    clinician_client: Client, clinician: User, reception: User, monotonic: list[float]
) -> None:
    held = _intake(reception, "Held Patient", waiting=timedelta(hours=2))
    _intake(reception, "Free Patient", waiting=timedelta(hours=1))
    _claim(held, clinician)
    other_client = sign_in(Client(), ClinicianFactory(first_name="Olga", last_name="Other"))

    others_view = other_client.get(QUEUE, headers=POLL).content.decode()
    _queries_read, own_view = _poll_queries(clinician_client)  # from Olga's snapshot

    assert "Carl Cole (you)" in own_view and "(you)" not in others_view
    assert "Carl Cole" in others_view
    tokens = {
        view: set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html))
        for view, html in (("own", own_view), ("other", others_view))
    }
    for view, html in (("own", own_view), ("other", others_view)):
        assert len(tokens[view]) == (1 if '-approve"' in html else 0)  # the page's own token
    assert "<!--csrf-->" not in own_view and "<!--csrf-->" not in others_view
    assert _names_in_order(own_view) == _names_in_order(others_view)


def test_the_mine_filter_and_a_search_are_never_shared_between_clinicians(
    clinician_client: Client, clinician: User, reception: User, monotonic: list[float]
) -> None:
    held = _intake(reception, "Held Patient", waiting=timedelta(hours=2))
    _intake(reception, "Free Patient", waiting=timedelta(hours=1))
    _claim(held, clinician)
    other_client = sign_in(Client(), ClinicianFactory())

    mine = {"mine": "1"}
    assert _names_in_order(other_client.get(QUEUE, mine, headers=POLL).content.decode()) == []
    own = clinician_client.get(QUEUE, mine, headers=POLL).content.decode()
    assert _names_in_order(own) == ["Held Patient"]

    search = {"q": "Free"}
    other_client.get(QUEUE, search, headers=POLL)
    with CaptureQueriesContext(connection) as captured:
        clinician_client.get(QUEUE, search, headers=POLL)
    assert any("triage_case" in q["sql"] for q in captured.captured_queries)
