"""The clinician's case page, as clinicians and as the roles that must be refused (the queue:
test_queue.py)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from patients.models import Intake
from tests.patients.helpers import make_intake, make_user, patient_details
from tests.support.two_factor import sign_in
from triage.models import Urgency

QUEUE = reverse("triage:queue")

pytestmark = pytest.mark.django_db


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


def test_reception_is_refused_a_case(client: Client, reception: User) -> None:
    intake = _intake(reception, "Eve Emery", bladder_or_bowel_change=True)
    sign_in(client, reception)

    response = client.get(_case_url(intake))

    assert response.status_code == 403
    assert "Emery" not in response.content.decode()


def test_anonymous_user_is_sent_to_login_from_a_case(client: Client, reception: User) -> None:
    intake = _intake(reception, "Eve Emery")
    response = client.get(_case_url(intake))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


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
