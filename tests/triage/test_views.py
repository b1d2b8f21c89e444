"""The clinician's queue and case pages, as clinicians and as the roles that must be refused."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from patients.models import Intake
from tests.patients.helpers import make_intake, make_user, patient_details
from triage import queue_views
from triage.models import Case, Urgency

QUEUE = reverse("triage:queue")

pytestmark = pytest.mark.django_db


@pytest.fixture
def reception(db: None) -> User:
    return make_user(role="reception")


@pytest.fixture
def clinician(db: None) -> User:
    return make_user(role="clinician", first_name="Carl", last_name="Cole")


@pytest.fixture
def clinician_client(client: Client, clinician: User) -> Client:
    client.force_login(clinician)
    return client


def _intake(reception: User, name: str, waiting: timedelta | None = None, **answers) -> Intake:
    given, family = name.split()
    return make_intake(
        entered_by=reception,
        details=patient_details(given_name=given, family_name=family),
        waiting=waiting,
        **answers,
    )


def _case_url(intake: Intake) -> str:
    return reverse("triage:case_detail", args=[intake.assessment.case.pk])


def _names_in_order(html: str) -> list[str]:
    return re.findall(r'class="patient-link"[^>]*>([^<]+)</a>', html)


# --- Who may see it --------------------------------------------------------------------------


def test_anonymous_user_is_sent_to_login_from_the_queue(client: Client) -> None:
    response = client.get(QUEUE)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_reception_is_refused_the_queue(client: Client, reception: User) -> None:
    _intake(reception, "Eve Emery", bladder_or_bowel_change=True)
    client.force_login(reception)

    response = client.get(QUEUE)

    assert response.status_code == 403
    assert "Emery" not in response.content.decode()


def test_reception_is_refused_a_case(client: Client, reception: User) -> None:
    intake = _intake(reception, "Eve Emery", bladder_or_bowel_change=True)
    client.force_login(reception)

    response = client.get(_case_url(intake))

    assert response.status_code == 403
    assert "Emery" not in response.content.decode()


def test_anonymous_user_is_sent_to_login_from_a_case(client: Client, reception: User) -> None:
    intake = _intake(reception, "Eve Emery")
    response = client.get(_case_url(intake))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# --- The queue -------------------------------------------------------------------------------


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

    html = clinician_client.get(QUEUE).content.decode()

    assert _names_in_order(html) == [
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
    counts = {level.key: count for level, count in response.context["counts"]}
    assert counts == {"EMERGENCY": 1, "URGENT": 2, "SOON": 0, "ROUTINE": 0, "SELF_CARE": 0}
    assert response.context["total"] == 3


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
    html = clinician_client.get(QUEUE).content.decode()
    assert "Closed" not in _names_in_order(html)
    assert "No one is waiting" in html


def test_queue_query_count_does_not_grow_with_the_number_of_cases(
    clinician_client: Client, reception: User
) -> None:
    def queries_for_queue() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = clinician_client.get(QUEUE)
        assert response.status_code == 200
        return len(captured)

    for n in range(3):
        _intake(reception, f"Few Patient{n}", chest_pain=n % 2 == 0)
    with_3 = queries_for_queue()
    for n in range(27):
        _intake(reception, f"Many Patient{n}", waiting=timedelta(hours=n), chest_pain=n % 3 == 0)
    with_30 = queries_for_queue()

    assert len(_names_in_order(clinician_client.get(QUEUE).content.decode())) == 30
    assert with_30 == with_3


def test_queue_shows_one_page_and_says_how_many_more_wait(
    clinician_client: Client, reception: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(queue_views, "QUEUE_LIMIT", 2)
    _intake(reception, "Ed Emergency", bladder_or_bowel_change=True)
    _intake(reception, "Ulla Urgent", chest_pain=True)
    _intake(reception, "Sam Selfcare")

    html = clinician_client.get(QUEUE).content.decode()

    assert _names_in_order(html) == ["Ed Emergency", "Ulla Urgent"]
    assert "Showing the 2 most urgent of 3 open cases" in html


def test_htmx_refresh_gets_the_table_alone(clinician_client: Client, reception: User) -> None:
    _intake(reception, "Ed Emergency", bladder_or_bowel_change=True)

    response = clinician_client.get(QUEUE, headers={"HX-Request": "true"})

    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="queue"')
    assert "<html" not in html
    assert "Ed Emergency" in html
    assert "HX-Request" in response["Vary"]


def test_full_queue_page_polls_for_updates(clinician_client: Client) -> None:
    html = clinician_client.get(QUEUE).content.decode()
    assert f'hx-get="{QUEUE}"' in html
    assert 'hx-trigger="every 30s"' in html
    assert "htmx" in html and "//unpkg" not in html


# --- One case --------------------------------------------------------------------------------


def test_case_page_shows_the_patient_and_the_latest_answers_by_section(
    clinician_client: Client, reception: User
) -> None:
    intake = _intake(reception, "Eve Emery", bladder_or_bowel_change=True)

    response = clinician_client.get(_case_url(intake))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Eve Emery" in html
    assert "14 Mar 1985" in html
    assert "01632 960001" in html
    titles = [section.title for section in response.context["sections"]]
    assert titles[:3] == ["The patient", "The pain", "Injury"]
    assert "Any new difficulty passing urine, loss of bladder or bowel control" in html


def test_case_page_highlights_the_answers_that_fired_a_rule(
    clinician_client: Client, reception: User
) -> None:
    intake = _intake(
        reception,
        "Eve Emery",
        bladder_or_bowel_change=True,  # fires SPHINCTER_OR_SADDLE_SYMPTOMS
        cardiovascular_risk_factors=True,  # a yes that fires nothing on its own
    )

    response = clinician_client.get(_case_url(intake))

    html = response.content.decode()
    rows = {row.name: row for s in response.context["sections"] for row in s.rows}
    assert rows["bladder_or_bowel_change"].highlighted
    assert "SPHINCTER_OR_SADDLE_SYMPTOMS" in rows["bladder_or_bowel_change"].rule_ids
    assert not rows["saddle_anaesthesia"].highlighted  # read by the rule, but answered no
    assert not rows["cardiovascular_risk_factors"].highlighted
    assert not rows["chest_pain"].highlighted
    assert 'id="answer-bladder_or_bowel_change" class="answer-fired"' in html
    assert 'id="answer-saddle_anaesthesia" class=""' in html


def test_case_page_highlights_a_dangerous_injury_but_not_no_injury(
    clinician_client: Client, reception: User
) -> None:
    injured = _intake(
        reception,
        "Ian Injured",
        recent_significant_trauma=True,
        trauma_mechanism="fall_from_height_over_1m_or_5_stairs",
    )
    response = clinician_client.get(_case_url(injured))
    rows = {row.name: row for s in response.context["sections"] for row in s.rows}
    assert rows["recent_significant_trauma"].highlighted
    assert rows["trauma_mechanism"].highlighted
    assert (
        rows["trauma_mechanism"].answer == "Fall from 1 metre or higher, or down 5 or more stairs"
    )


def test_case_page_lists_fired_rules_with_urgency_reason_source_and_rule_set(
    clinician_client: Client, reception: User
) -> None:
    intake = _intake(reception, "Eve Emery", bladder_or_bowel_change=True)

    html = clinician_client.get(_case_url(intake)).content.decode()

    assert "SPHINCTER_OR_SADDLE_SYMPTOMS" in html
    assert "possible cauda equina or cord compression" in html
    assert "GIRFT National Suspected Cauda Equina Syndrome Pathway" in html
    assert intake.assessment.ruleset in html
    assert 'class="urgency-badge urgency-emergency">Emergency<' in html


def test_case_page_shows_every_assessment_of_the_case_latest_first(
    clinician_client: Client, reception: User
) -> None:
    details = patient_details(given_name="Rae", family_name="Return")
    first = make_intake(entered_by=reception, details=details, chest_pain=True)
    second = make_intake(entered_by=reception, details=details, bladder_or_bowel_change=True)
    assert first.assessment.case == second.assessment.case

    response = clinician_client.get(_case_url(second))

    history = response.context["history"]
    assert [assessment.pk for assessment, _, _ in history] == [
        second.assessment.pk,
        first.assessment.pk,
    ]
    assert [urgency for _, urgency, _ in history] == [Urgency.EMERGENCY, Urgency.URGENT]
    assert response.context["latest"] == second.assessment


def test_case_page_query_count_does_not_grow_with_the_history(
    clinician_client: Client, reception: User
) -> None:
    details = patient_details(given_name="Rae", family_name="Return")
    intake = make_intake(entered_by=reception, details=details)
    with CaptureQueriesContext(connection) as one:
        clinician_client.get(_case_url(intake))
    for _ in range(5):
        make_intake(entered_by=make_user(role="reception"), details=details, chest_pain=True)
    with CaptureQueriesContext(connection) as six:
        clinician_client.get(_case_url(intake))
    assert len(six) == len(one)


def test_unknown_case_is_not_found(clinician_client: Client) -> None:
    assert clinician_client.get(reverse("triage:case_detail", args=[999999])).status_code == 404
