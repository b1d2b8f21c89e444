"""The intake form on its own: what it asks, what it accepts, and what it hands the services."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from unittest import mock

import pytest
from django import forms

from patients.forms import ANSWER_LABELS, IntakeForm, PatientSearchForm, display_answer
from patients.services import PatientDetails
from tests.patients.helpers import VALID_NHS_NUMBER, intake_post
from triage.rules import QUESTIONS, Answers
from triage.rules.contract import TRAUMA_MECHANISMS


def _at(moment: datetime) -> Any:
    """Move the clock to `moment` (an aware UTC datetime) for the form's "today"."""
    return mock.patch("django.utils.timezone.now", return_value=moment)


def test_every_contract_question_is_asked_except_the_derived_ones() -> None:
    form = IntakeForm(questionnaire=None)
    for question in QUESTIONS:
        if question.name in ("age", "sex", "psychosocial_risk_category"):
            continue
        assert form.fields[question.name].label == question.question
    assert form.fields["sex"].label == "Recorded sex"
    assert "age" not in form.fields
    # Computed from the clinic's questionnaire (psychosocial/), never chosen by hand.
    assert "psychosocial_risk_category" not in form.fields


def test_every_coded_answer_has_a_human_label() -> None:
    for question in QUESTIONS:
        if question.kind is str and question.name != "sex":
            assert set(question.choices) <= set(ANSWER_LABELS[question.name]), question.name


def test_injury_mechanisms_offered_are_every_injury_in_the_contract() -> None:
    field = IntakeForm(questionnaire=None).fields["trauma_mechanism"]
    offered = {value for _, group in field.choices[1:] for value, _ in group}
    assert offered == set(TRAUMA_MECHANISMS) - {"none", "exertional_strain"}


def test_yes_no_questions_are_radio_buttons_without_a_default() -> None:
    form = IntakeForm(questionnaire=None)
    for question in QUESTIONS:
        if question.kind is bool:
            field = form.fields[question.name]
            assert isinstance(field.widget, forms.RadioSelect)
            assert field.required
            assert field.initial is None


def test_valid_form_gives_patient_details_and_contract_answers() -> None:
    form = IntakeForm(intake_post(nhs_number="943-476-5919", chest_pain="yes"), questionnaire=None)
    with _at(datetime(2026, 6, 1, 12, tzinfo=UTC)):
        assert form.is_valid(), form.errors
        details, answers = form.to_service_input()

    assert isinstance(details, PatientDetails)
    assert details.nhs_number == VALID_NHS_NUMBER
    assert details.email_consent is True
    assert isinstance(answers, Answers)
    assert answers.age == 56  # born 31 January 1970
    assert answers.sex == "F"
    assert answers.chest_pain is True
    assert answers.trauma_mechanism == "none"


def test_age_is_taken_on_the_clinic_day_not_the_utc_day() -> None:
    # 23:30 UTC on 13 June is 00:30 on 14 June in London (BST): the patient's birthday.
    form = IntakeForm(intake_post(date_of_birth="1980-06-14"), questionnaire=None)
    with _at(datetime(2026, 6, 13, 23, 30, tzinfo=UTC)):
        assert form.is_valid(), form.errors
        _, answers = form.to_service_input()
    assert answers.age == 46


def test_date_of_birth_in_the_future_is_refused() -> None:
    form = IntakeForm(intake_post(date_of_birth="2026-06-02"), questionnaire=None)
    with _at(datetime(2026, 6, 1, 12, tzinfo=UTC)):
        assert not form.is_valid()
    assert form.errors["date_of_birth"] == ["The date of birth cannot be in the future"]


def test_patient_older_than_125_is_refused_and_125_is_accepted() -> None:
    with _at(datetime(2026, 6, 1, 12, tzinfo=UTC)):
        assert not IntakeForm(
            intake_post(date_of_birth="1900-05-31"), questionnaire=None
        ).is_valid()
        assert IntakeForm(intake_post(date_of_birth="1900-06-02"), questionnaire=None).is_valid()


def test_nhs_number_is_optional() -> None:
    form = IntakeForm(intake_post(nhs_number=""), questionnaire=None)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["nhs_number"] == ""


def test_phone_number_with_letters_is_refused() -> None:
    form = IntakeForm(intake_post(phone="call me maybe"), questionnaire=None)
    assert "phone" in form.errors


def test_form_without_a_token_still_saves_once_with_a_fresh_token() -> None:
    form = IntakeForm(intake_post(submission_token=None), questionnaire=None)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["submission_token"] is not None


def test_to_service_input_refuses_an_invalid_form() -> None:
    form = IntakeForm({}, questionnaire=None)
    with pytest.raises(ValueError, match="valid form"):
        form.to_service_input()


def test_injury_question_error_names_the_mechanism_question() -> None:
    form = IntakeForm(intake_post(recent_significant_trauma="yes"), questionnaire=None)
    assert not form.is_valid()
    assert "How did the injury happen?" in form.errors["trauma_mechanism"][0]


def test_initial_for_a_returning_patient_has_their_details_only() -> None:
    from patients.models import Patient

    patient = Patient(
        given_name="Ivy",
        family_name="Ives",
        date_of_birth=date(1990, 2, 3),
        sex="F",
        nhs_number=VALID_NHS_NUMBER,
        email_consent=True,
    )
    initial = IntakeForm.initial_for(patient)
    assert initial["nhs_number"] == "943 476 5919"
    assert initial["email_consent"] == "yes"
    assert not set(initial) & {q.name for q in QUESTIONS if q.name != "sex"}


@pytest.mark.parametrize(
    ("name", "value", "shown"),
    [
        ("chest_pain", True, "Yes"),
        ("chest_pain", False, "No"),
        ("pain_region", "lower_back", "Lower back"),
        ("trauma_mechanism", "none", "No injury"),
        ("psychosocial_risk_category", "not_assessed", "Not assessed"),
        ("sex", "X", "Other / not stated"),
        ("duration_days", 12, "12"),
    ],
)
def test_answers_are_shown_in_words(name: str, value: object, shown: str) -> None:
    assert display_answer(name, value) == shown


def test_patient_search_form_accepts_an_empty_query() -> None:
    form = PatientSearchForm({"q": ""})
    assert form.is_valid()
