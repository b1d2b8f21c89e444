"""The triage outcome reception sees straight after an intake, and the words it is made of."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from tests.patients.helpers import make_intake, make_user, patient_details
from tests.support.two_factor import sign_in
from triage.outcomes import (
    EMERGENCY_INSTRUCTION,
    SAFETY_NET_999,
    URGENCY_KEYS,
    describe_duration,
    fired_rules,
    outcome_for,
)
from triage.rules import Urgency as RuleUrgency

pytestmark = pytest.mark.django_db

# Answers that triage at each level (clinical/red-flags.md section 2).
ANSWERS_FOR = {
    "EMERGENCY": {"bladder_or_bowel_change": True},
    "URGENT": {"chest_pain": True},
    "SOON": {"unexplained_weight_loss": True},
    "ROUTINE": {"night_pain_unrelieved_by_rest": True},
    "SELF_CARE": {},
}
# The deadline each level is booked within, as the page says it (settings.TRIAGE_SLA defaults).
DEADLINE_WORDS = {
    "URGENT": "within 4 hours",
    "SOON": "within 7 days",
    "ROUTINE": "within 4 weeks",
    "SELF_CARE": "within 2 days",
}


def _url(pk: int) -> str:
    return reverse("patients:intake_outcome", args=[pk])


def test_anonymous_user_is_sent_to_login(client: Client, reception: User) -> None:
    intake = make_intake(entered_by=reception)
    response = client.get(_url(intake.pk))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_emergency_outcome_tells_reception_to_send_the_patient_to_999_or_ae(
    reception_client: Client, reception: User
) -> None:
    intake = make_intake(entered_by=reception, bladder_or_bowel_change=True)

    response = reception_client.get(_url(intake.pk))

    html = response.content.decode()
    assert response.status_code == 200
    assert 'class="emergency-alert mb-4" role="alert"' in html
    assert (
        "Call 999 / send the patient to A&amp;E now — do not book an appointment, "
        "do not let them drive themselves"
    ) in html
    assert "possible cauda equina or cord compression" in html  # the fired rule's reason
    assert "GIRFT National Suspected Cauda Equina Syndrome Pathway" in html  # and its source
    assert "Safety-net advice" not in html  # nothing to book, nothing to go home with


@pytest.mark.parametrize("key", ["URGENT", "SOON", "ROUTINE", "SELF_CARE"])
def test_non_emergency_outcome_says_what_to_book_when_and_gives_safety_net_advice(
    reception_client: Client, reception: User, key: str
) -> None:
    intake = make_intake(entered_by=reception, **ANSWERS_FOR[key])
    assert intake.assessment.urgency == RuleUrgency[key].value

    html = reception_client.get(_url(intake.pk)).content.decode()

    assert DEADLINE_WORDS[key] in html
    assert "Safety-net advice" in html
    assert "Call 999 or go to A&amp;E at once if any of these start" in html
    assert "numbness around your bottom, genitals or inner thighs" in html
    assert "emergency-alert" not in html
    assert "do not let them drive themselves" not in html


def test_urgent_outcome_says_today_and_no_exercise_programme(
    reception_client: Client, reception: User
) -> None:
    intake = make_intake(entered_by=reception, chest_pain=True)
    html = reception_client.get(_url(intake.pk)).content.decode()
    assert "A clinician must see the patient today, within 4 hours." in html
    assert "No exercise programme until a clinician has seen and cleared the patient." in html
    assert "New or unexplained chest pain in the last 72 hours" in html


def test_outcome_deadline_follows_the_clinic_sla_setting(
    reception_client: Client, reception: User, settings
) -> None:
    settings.TRIAGE_SLA = {**settings.TRIAGE_SLA, "URGENT": timedelta(hours=2)}
    intake = make_intake(entered_by=reception, chest_pain=True)
    html = reception_client.get(_url(intake.pk)).content.decode()
    assert "within 2 hours" in html


def test_reception_cannot_see_an_outcome_another_receptionist_entered(
    reception_client: Client, other_reception: User
) -> None:
    intake = make_intake(entered_by=other_reception, bladder_or_bowel_change=True)
    assert reception_client.get(_url(intake.pk)).status_code == 404


def test_clinician_can_see_any_outcome_and_open_the_case(
    clinician_client: Client, reception: User
) -> None:
    intake = make_intake(entered_by=reception, chest_pain=True)

    response = clinician_client.get(_url(intake.pk))

    assert response.status_code == 200
    case = intake.assessment.case
    assert reverse("triage:case_detail", args=[case.pk]) in response.content.decode()


def test_reception_gets_no_link_to_the_clinician_case_page(
    reception_client: Client, reception: User
) -> None:
    intake = make_intake(entered_by=reception, chest_pain=True)
    html = reception_client.get(_url(intake.pk)).content.decode()
    assert "/triage/cases/" not in html


def test_staff_without_a_role_are_refused(client: Client, reception: User) -> None:
    intake = make_intake(entered_by=reception)
    sign_in(client, make_user(role=None))
    assert client.get(_url(intake.pk)).status_code == 403


def test_unknown_intake_is_not_found(reception_client: Client) -> None:
    assert reception_client.get(_url(999999)).status_code == 404


def test_returning_patient_already_waiting_at_a_higher_urgency_is_flagged(
    reception_client: Client, reception: User
) -> None:
    details = patient_details(given_name="Una", family_name="Upton")
    make_intake(entered_by=reception, details=details, chest_pain=True)
    later = make_intake(entered_by=reception, details=details)

    html = reception_client.get(_url(later.pk)).content.decode()

    assert later.assessment.urgency == RuleUrgency.SELF_CARE.value
    assert "already has an open case at Urgent urgency" in html


def test_outcome_page_makes_a_fixed_number_of_queries(
    reception_client: Client, reception: User, django_assert_max_num_queries
) -> None:
    intake = make_intake(entered_by=reception, chest_pain=True, night_pain_unrelieved_by_rest=True)
    with django_assert_max_num_queries(6):
        reception_client.get(_url(intake.pk))


# --- The words: triage/outcomes.py ----------------------------------------------------------


def test_every_urgency_of_the_rule_engine_has_an_outcome() -> None:
    assert set(URGENCY_KEYS) == {level.name for level in RuleUrgency}


def test_emergency_instruction_is_the_one_reception_must_not_miss() -> None:
    outcome = outcome_for("EMERGENCY", sla=timedelta(minutes=15))
    assert outcome.instruction == EMERGENCY_INSTRUCTION
    assert "Call 999" in outcome.instruction and "A&E" in outcome.instruction
    assert not outcome.safety_net


@pytest.mark.parametrize("key", ["URGENT", "SOON", "ROUTINE", "SELF_CARE"])
def test_every_non_emergency_outcome_carries_safety_net_advice(key: str) -> None:
    assert outcome_for(key, sla=timedelta(days=1)).safety_net


def test_safety_net_names_the_symptoms_that_mean_call_999() -> None:
    advice = " ".join(str(item) for item in SAFETY_NET_999)
    for symptom in (
        "chest pain",
        "breathlessness",
        "bladder",
        "numbness around your bottom",
        "weakness",
        "headache",
    ):
        assert symptom in advice


@pytest.mark.parametrize(
    ("duration", "words"),
    [
        (timedelta(minutes=1), "1 minute"),
        (timedelta(minutes=15), "15 minutes"),
        (timedelta(hours=4), "4 hours"),
        (timedelta(hours=4, minutes=30), "4 hours 30 minutes"),
        (timedelta(hours=36), "36 hours"),
        (timedelta(days=2), "2 days"),
        (timedelta(days=7), "7 days"),
        (timedelta(days=28), "4 weeks"),
        (timedelta(days=30), "30 days"),
    ],
)
def test_deadlines_are_written_as_a_receptionist_says_them(duration: timedelta, words: str) -> None:
    assert describe_duration(duration) == words


def test_fired_rules_split_into_rules_and_weak_flags_with_labels() -> None:
    rules, weak = fired_rules(
        [
            {"id": "A", "urgency": "SELF_CARE", "reason": "r", "source": "s"},
            {"id": "B", "urgency": None, "reason": "w", "source": "t"},
        ]
    )
    assert [(r.id, r.label, r.css) for r in rules] == [("A", "Self-care", "self_care")]
    assert [(r.id, r.label, r.css) for r in weak] == [("B", "Weak flag", "weak")]
