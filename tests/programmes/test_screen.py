"""The check-in's red-flag screen and the intake it re-enters triage with (intake-contract.md)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from programmes.screen import (
    CARRIED_FIELDS,
    DERIVED_FIELDS,
    HISTORY_NEWS_FIELDS,
    SCREEN_FIELDS,
    SCREEN_QUESTIONS,
    TRAUMA_MECHANISM_CHOICES,
    WORSE_PAIN_POINTS,
    needs_triage,
    pain_worse,
    red_flags_reported,
    reentry_answers,
)
from tests.rules.answers import mapping
from triage.rules import QUESTIONS, Answers, Urgency, evaluate
from triage.rules.contract import QUESTIONS_BY_NAME, TRAUMA_MECHANISMS, ContractError

GROUPS = {
    "Your pain",
    "Falls and accidents",
    "Nerves",
    "Bladder and bowel",
    "Head and face",
    "Heart and breathing",
    "General health",
    "Joints and stiffness",
    "Medical news",
}


def all_no(**yes: bool) -> dict[str, bool]:
    return {**dict.fromkeys(SCREEN_FIELDS, False), **yes}


def reentry(
    *, previous: dict[str, Any] | None = None, screen: dict[str, bool] | None = None, **kw: Any
) -> dict[str, Any]:
    args: dict[str, Any] = {
        "previous": mapping() if previous is None else previous,
        "screen": all_no() if screen is None else screen,
        "pain_now": 3,
        "age_now": 35,
        "days_since_previous": 14,
        "baseline_pain": 4,
        **kw,
    }
    return reentry_answers(**args)


# --- Which contract fields the check-in asks, carries or derives ---


def test_screen_carried_and_derived_fields_partition_the_contract_exactly() -> None:
    contract = {q.name for q in QUESTIONS}
    assert contract == SCREEN_FIELDS | CARRIED_FIELDS | DERIVED_FIELDS
    assert not SCREEN_FIELDS & CARRIED_FIELDS
    assert not SCREEN_FIELDS & DERIVED_FIELDS
    assert not CARRIED_FIELDS & DERIVED_FIELDS


def test_every_screen_question_is_a_yes_no_contract_answer_asked_once() -> None:
    fields = [q.field for q in SCREEN_QUESTIONS]
    assert len(fields) == len(set(fields))
    assert set(fields) == SCREEN_FIELDS
    for question in SCREEN_QUESTIONS:
        assert QUESTIONS_BY_NAME[question.field].kind is bool, question.field
        assert question.group in GROUPS, question.field
        assert "?" in question.question, question.field
        assert question.finding and "\n" not in question.finding


def test_medical_news_questions_ask_only_what_is_new_since_the_programme_started() -> None:
    assert {
        "osteoporosis",
        "long_term_steroids",
        "history_of_cancer",
        "immunosuppressed",
    } == HISTORY_NEWS_FIELDS
    for question in SCREEN_QUESTIONS:
        is_news = question.field in HISTORY_NEWS_FIELDS
        assert question.question.startswith("Since you started the programme") == is_news
        assert (question.group == "Medical news") == is_news


def test_trauma_mechanism_choices_are_the_contracts_injuries() -> None:
    values = [value for value, _label in TRAUMA_MECHANISM_CHOICES]
    assert values == [m for m in TRAUMA_MECHANISMS if m != "none"]
    assert all(label for _value, label in TRAUMA_MECHANISM_CHOICES)


# --- The re-entry intake ---


def test_a_clear_check_in_gives_a_complete_valid_intake() -> None:
    # Given a previous intake, when the patient answers no to everything two weeks later
    answers = reentry()
    # then the intake passes the contract, with background copied and the rest derived.
    assert list(answers) == [q.name for q in QUESTIONS]
    Answers.from_mapping(answers)
    previous = mapping()
    assert {f: answers[f] for f in CARRIED_FIELDS} == {f: previous[f] for f in CARRIED_FIELDS}
    assert answers["age"] == 35
    assert answers["duration_days"] == previous["duration_days"] + 14
    assert answers["pain_score_now"] == 3
    assert answers["trauma_mechanism"] == "none"
    assert not any(answers[f] for f in SCREEN_FIELDS)


def test_a_red_flag_question_nobody_answered_is_not_a_no() -> None:
    screen = all_no()
    del screen["saddle_anaesthesia"]
    with pytest.raises(ValueError, match="saddle_anaesthesia was not answered"):
        reentry(screen=screen)


def test_a_screen_answer_that_is_not_yes_or_no_is_refused() -> None:
    with pytest.raises(ValueError, match="coughing_blood must be true or false"):
        reentry(screen={**all_no(), "coughing_blood": "no"})  # type: ignore[dict-item]


def test_an_unknown_screen_answer_is_refused() -> None:
    with pytest.raises(ValueError, match="not check-in screen questions: sex"):
        reentry(screen={**all_no(), "sex": False})


def test_a_previous_intake_that_breaks_the_contract_is_refused() -> None:
    previous = mapping()
    del previous["osteoporosis"]
    with pytest.raises(ContractError, match="osteoporosis is missing"):
        reentry(previous=previous)


@pytest.mark.parametrize("field", sorted(HISTORY_NEWS_FIELDS))
def test_a_diagnosis_from_the_previous_intake_is_never_lost(field: str) -> None:
    answers = reentry(previous=mapping(**{field: True}), screen=all_no())
    assert answers[field] is True


@pytest.mark.parametrize("field", sorted(HISTORY_NEWS_FIELDS))
def test_a_new_diagnosis_is_added(field: str) -> None:
    assert reentry(screen=all_no(**{field: True}))[field] is True


def test_a_symptom_now_gone_is_no_longer_reported() -> None:
    # Symptoms describe the patient now; only diagnoses are carried forward.
    answers = reentry(previous=mapping(morning_stiffness_over_30_min=True), screen=all_no())
    assert answers["morning_stiffness_over_30_min"] is False


@pytest.mark.parametrize(
    ("previous_days", "since", "pain_now", "baseline", "expected"),
    [
        (10, 18, 4, 4, True),  # 28 days, pain no better than at the start
        (10, 18, 6, 4, True),
        (10, 17, 4, 4, False),  # 27 days: not yet 4 weeks
        (10, 18, 3, 4, False),  # better than at the start
    ],
)
def test_not_improving_after_four_weeks_is_derived(
    previous_days: int, since: int, pain_now: int, baseline: int, expected: bool
) -> None:
    answers = reentry(
        previous=mapping(duration_days=previous_days),
        days_since_previous=since,
        pain_now=pain_now,
        baseline_pain=baseline,
    )
    assert answers["not_improving_after_4_weeks"] is expected


def test_a_fall_since_the_last_check_in_carries_its_mechanism() -> None:
    answers = reentry(
        screen=all_no(recent_significant_trauma=True),
        trauma_mechanism="fall_from_height_over_1m_or_5_stairs",
    )
    assert answers["recent_significant_trauma"] is True
    assert answers["trauma_mechanism"] == "fall_from_height_over_1m_or_5_stairs"


@pytest.mark.parametrize("mechanism", [None, "none", "skiing"])
def test_a_fall_without_a_valid_mechanism_is_refused(mechanism: str | None) -> None:
    with pytest.raises(ValueError, match="trauma_mechanism must say how"):
        reentry(screen=all_no(recent_significant_trauma=True), trauma_mechanism=mechanism)


def test_a_mechanism_without_a_fall_is_refused() -> None:
    with pytest.raises(ValueError, match="recent_significant_trauma was answered no"):
        reentry(trauma_mechanism="minor_fall_standing_height")


@pytest.mark.parametrize(
    ("kw", "match"),
    [
        ({"pain_now": 11}, "pain_now must be a whole number 0 to 10"),
        ({"baseline_pain": -1}, "baseline_pain must be a whole number 0 to 10"),
        ({"days_since_previous": -1}, "days_since_previous must be 0 or more"),
        ({"age_now": 126}, "age must be at most 125"),
    ],
)
def test_out_of_range_check_in_values_are_refused(kw: dict[str, Any], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        reentry(**kw)


def test_a_re_entered_sphincter_symptom_is_an_emergency_for_the_rule_engine() -> None:
    answers = reentry(screen=all_no(bladder_or_bowel_change=True))
    assert evaluate(Answers.from_mapping(answers)).urgency == Urgency.EMERGENCY


# --- Pain and red flags reported ---


@pytest.mark.parametrize(
    ("baseline", "now", "worse"),
    [(4, 6, True), (4, 10, True), (4, 5, False), (4, 4, False), (4, 0, False), (0, 2, True)],
)
def test_pain_worse_by_two_points_is_a_meaningful_worsening(
    baseline: int, now: int, worse: bool
) -> None:
    assert WORSE_PAIN_POINTS == 2
    assert pain_worse(baseline=baseline, now=now) is worse


def test_pain_outside_the_scale_is_refused() -> None:
    with pytest.raises(ValueError, match="now must be a whole number 0 to 10"):
        pain_worse(baseline=4, now=11)


def test_every_symptom_answered_yes_is_reported() -> None:
    screen = all_no(numbness_or_tingling_arms=True, chest_pain=True)
    assert red_flags_reported(screen, mapping()) == ["numbness_or_tingling_arms", "chest_pain"]


def test_a_diagnosis_already_known_is_not_reported_again() -> None:
    screen = all_no(osteoporosis=True, history_of_cancer=True)
    assert red_flags_reported(screen, mapping(osteoporosis=True)) == ["history_of_cancer"]


def test_a_clear_check_in_with_steady_pain_stays_on_the_programme() -> None:
    assert needs_triage(screen=all_no(), previous=mapping(), baseline_pain=4, pain_now=5) == (
        False,
        [],
    )


def test_worse_pain_re_enters_triage_with_the_numbers() -> None:
    again, reasons = needs_triage(screen=all_no(), previous=mapping(), baseline_pain=4, pain_now=8)
    assert again
    assert reasons == ["Pain 8/10, up from 4/10 at the start"]


def test_a_new_red_flag_re_enters_triage_in_the_clinicians_words() -> None:
    again, reasons = needs_triage(
        screen=all_no(numbness_or_tingling_arms=True),
        previous=mapping(),
        baseline_pain=4,
        pain_now=3,
    )
    assert again
    assert reasons == ["New: numbness or pins and needles in an arm or hand"]


def test_a_symptom_also_at_the_previous_intake_re_enters_but_is_not_called_new() -> None:
    again, reasons = needs_triage(
        screen=all_no(numbness_or_tingling_arms=True),
        previous=mapping(numbness_or_tingling_arms=True),
        baseline_pain=4,
        pain_now=3,
    )
    assert again
    assert reasons == [
        "Still reported (also at the previous intake): numbness or pins and needles in an arm "
        "or hand"
    ]


# --- Properties over every intake and every screen ---


def _value(name: str) -> st.SearchStrategy[Any]:
    question = QUESTIONS_BY_NAME[name]
    if question.kind is bool:
        return st.booleans()
    if question.kind is int:
        maximum = 3000 if name == "duration_days" else question.maximum
        return st.integers(question.minimum, maximum)
    return st.sampled_from(question.choices)


previous_intakes = st.fixed_dictionaries({q.name: _value(q.name) for q in QUESTIONS})
screens = st.fixed_dictionaries({field: st.booleans() for field in sorted(SCREEN_FIELDS)})


@settings(max_examples=200)
@given(
    previous_intakes,
    screens,
    st.integers(0, 10),
    st.integers(0, 10),
    st.integers(0, 120),
    st.sampled_from([m for m in TRAUMA_MECHANISMS if m != "none"]),
)
def test_every_check_in_gives_a_valid_intake_that_never_forgets_a_diagnosis(
    previous: dict[str, Any],
    screen: dict[str, bool],
    pain_now: int,
    baseline: int,
    days: int,
    mechanism: str,
) -> None:
    answers = reentry_answers(
        previous=previous,
        screen=screen,
        pain_now=pain_now,
        age_now=min(previous["age"] + 1, 125),
        days_since_previous=days,
        baseline_pain=baseline,
        trauma_mechanism=mechanism if screen["recent_significant_trauma"] else None,
    )
    Answers.from_mapping(answers)
    for field in HISTORY_NEWS_FIELDS:
        assert answers[field] is (previous[field] or screen[field])
    reported = red_flags_reported(screen, previous)
    assert all(answers[field] for field in reported)
    again, reasons = needs_triage(
        screen=screen, previous=previous, baseline_pain=baseline, pain_now=pain_now
    )
    assert again is bool(reported or pain_now - baseline >= WORSE_PAIN_POINTS)
    assert len(reasons) == len(reported) + (pain_now - baseline >= WORSE_PAIN_POINTS)
