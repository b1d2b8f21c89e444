"""Properties that hold for every intake, not just the table's: under-triage is the dangerous
error, so saying "yes" to one more question must never lower the urgency."""

from __future__ import annotations

import dataclasses
import itertools
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from triage.rules import QUESTIONS, Answers, RuleSet, Urgency, evaluate, ruleset_for
from triage.rules.contract import DANGEROUS_MECHANISMS, LOW_ENERGY_MECHANISMS

BOOLEANS = [q.name for q in QUESTIONS if q.kind is bool]
# The one question whose "yes" is reassuring: a patient who has had this pain before is not a
# new onset at an unusual age (AGE_NEW_ONSET, red-flags.md 2g).
PROTECTIVE = {"previous_similar_episodes"}
# Each of these on its own means 999 / A&E, whatever else the patient says.
ALWAYS_EMERGENCY = [
    "bladder_or_bowel_change",
    "saddle_anaesthesia",
    "tearing_pain_radiating_to_back",
    "severe_headache",
    "double_vision",
    "difficulty_speaking_or_swallowing",
    "facial_numbness_or_droop",
    "chest_pressure_radiating_to_arm_or_jaw",
]


def _value(question: Any) -> st.SearchStrategy[Any]:
    if question.kind is bool:
        # Most answers are "no" in real intakes; a bias keeps cases realistic and varied.
        return st.sampled_from([False, False, False, True])
    if question.kind is int:
        return st.integers(
            question.minimum, question.maximum if question.name != "duration_days" else 800
        )
    return st.sampled_from(question.choices)


intakes = st.fixed_dictionaries({q.name: _value(q) for q in QUESTIONS}).map(
    lambda mapping: Answers.from_mapping(mapping)
)


@settings(max_examples=400)
@given(intakes, st.sampled_from(sorted(set(BOOLEANS) - PROTECTIVE)))
def test_answering_yes_to_one_more_question_never_lowers_the_urgency(
    answers: Answers, name: str
) -> None:
    before = dataclasses.replace(answers, **{name: False})
    after = dataclasses.replace(answers, **{name: True})
    assert evaluate(after).urgency >= evaluate(before).urgency, name


@settings(max_examples=200)
@given(intakes)
def test_a_more_dangerous_injury_never_lowers_the_urgency(answers: Answers) -> None:
    ladder = [
        ["none", "exertional_strain"],
        list(LOW_ENERGY_MECHANISMS),
        sorted(DANGEROUS_MECHANISMS),
    ]
    levels = [
        [evaluate(dataclasses.replace(answers, trauma_mechanism=m)).urgency for m in step]
        for step in ladder
    ]
    for lower, higher in itertools.pairwise(levels):
        assert min(higher) >= max(lower)


@settings(max_examples=200)
@given(intakes)
def test_a_higher_psychosocial_risk_never_lowers_the_urgency(answers: Answers) -> None:
    for ruleset in (ruleset_for(), ruleset_for(medium_psychosocial_risk_is_routine=True)):
        levels = [
            ruleset.evaluate(dataclasses.replace(answers, psychosocial_risk_category=c)).urgency
            for c in ("low", "medium", "high")
        ]
        assert levels == sorted(levels)


@settings(max_examples=200)
@given(intakes, st.sampled_from(ALWAYS_EMERGENCY))
def test_an_emergency_sign_is_an_emergency_whatever_else_is_answered(
    answers: Answers, name: str
) -> None:
    assert evaluate(dataclasses.replace(answers, **{name: True})).urgency == Urgency.EMERGENCY


@settings(max_examples=300)
@given(intakes)
def test_the_urgency_is_the_highest_of_the_rules_that_fired(answers: Answers) -> None:
    result = evaluate(answers)
    levels = [f.urgency for f in result.fired if f.urgency is not None]
    assert result.urgency == max(levels, default=Urgency.SELF_CARE)
    ranks = [f.urgency or 0 for f in result.fired]
    assert ranks == sorted(ranks, reverse=True), "most urgent first, weak flags last"


@settings(max_examples=200)
@given(intakes)
def test_the_same_answers_always_give_the_same_result(answers: Answers) -> None:
    again = Answers.from_mapping(answers.as_mapping())
    assert evaluate(answers).as_json() == evaluate(again).as_json()
    assert evaluate(answers) == evaluate(answers)


def _every_rule_checked_alone(answers: Answers, ruleset: RuleSet) -> set[str]:
    """The rules that fire when each is asked on its own: no guard, no shortcut."""
    weak = [r for r in ruleset.weak_flags if r.when(answers, 0)]
    count = len(weak)
    age = ruleset.age_flag.when(answers, 0)
    if age and (count or answers.unexplained_weight_loss):
        count += 1
    others = [r for r in (*ruleset.rules, *ruleset.counting) if r.when(answers, count)]
    return {r.id for r in weak + others} | ({ruleset.age_flag.id} if age else set())


@settings(max_examples=1500)
@given(intakes, st.booleans())
def test_no_guard_ever_hides_a_rule_that_would_fire(
    answers: Answers, medium_is_routine: bool
) -> None:
    ruleset = ruleset_for(medium_psychosocial_risk_is_routine=medium_is_routine)
    assert set(ruleset.evaluate(answers).rule_ids) == _every_rule_checked_alone(answers, ruleset)
