"""Answers that break the intake contract are refused, naming the field; good ones pass as given."""

from __future__ import annotations

import pytest

from tests.rules.answers import mapping
from triage.rules import QUESTIONS, Answers, ContractError


def test_a_complete_intake_is_accepted_and_kept_as_given():
    given = mapping(age=61, pain_region="thoracic", trauma_mechanism="other")
    assert Answers.from_mapping(given).as_mapping() == given


@pytest.mark.parametrize("name", [q.name for q in QUESTIONS])
def test_every_question_is_required(name):
    incomplete = mapping()
    del incomplete[name]
    with pytest.raises(ContractError) as refused:
        Answers.from_mapping(incomplete)
    assert refused.value.errors == [(name, "is missing (every question must be answered)")]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("fever_or_chills", None),  # a red-flag question nobody asked is not a "no"
        ("fever_or_chills", "no"),
        ("fever_or_chills", 0),
        ("age", "45"),
        ("age", 45.5),
        ("age", True),
        ("age", -1),
        ("age", 126),
        ("duration_days", -3),
        ("pain_score_now", 11),
        ("sex", "female"),
        ("pain_region", "knee"),
        ("trauma_mechanism", "fell"),
        ("psychosocial_risk_category", "HIGH"),
    ],
)
def test_a_wrong_value_is_refused_naming_the_field(name, value):
    with pytest.raises(ContractError) as refused:
        Answers.from_mapping(mapping(**{name: value}))
    assert [field for field, _ in refused.value.errors] == [name]
    assert name in str(refused.value)


def test_every_problem_is_named_at_once():
    with pytest.raises(ContractError) as refused:
        Answers.from_mapping({**mapping(age="x"), "chest_pain": "yes"} | {"sex": None})
    assert {f for f, _ in refused.value.errors} == {"age", "chest_pain", "sex"}


def test_answers_that_are_not_an_object_are_refused():
    with pytest.raises(ContractError, match="answers"):
        Answers.from_mapping(["age", 40])  # type: ignore[arg-type]


def test_contradictory_injury_answers_are_read_the_safe_way():
    # A dangerous mechanism is an injury even if the trauma question was answered "no".
    answers = Answers.from_mapping(
        mapping(
            recent_significant_trauma=False, trauma_mechanism="high_speed_or_rollover_collision"
        )
    )
    assert answers.trauma and answers.dangerous_trauma
    # A gym strain is not significant trauma (intake contract).
    assert not Answers.from_mapping(mapping(trauma_mechanism="exertional_strain")).trauma


@pytest.mark.parametrize(
    "value", ["x" * 1_000_000, 10**5000, ["deep"] * 10_000], ids=["long-text", "huge", "list"]
)
def test_a_bad_value_is_quoted_short_in_the_error(value):
    """A megabyte of garbage in one answer gives an error of a line, not of a megabyte."""
    with pytest.raises(ContractError) as refused:
        Answers.from_mapping(mapping(fever_or_chills=value))
    assert len(str(refused.value)) < 200
    assert refused.value.errors[0][0] == "fever_or_chills"
