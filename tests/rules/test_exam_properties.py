"""Properties of the exam rules that hold for every examination, not only the table's: under-triage
is the dangerous error, so a finding more positive (a sign found, a weakness worse, a movement
smaller, a low-risk factor absent, a red-flag test positive, one more "yes" in the intake) never
lowers the examination's urgency."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.rules.exam_findings import LIBRARY
from tests.rules.test_properties import BOOLEANS, PROTECTIVE, intakes
from triage.rules import Answers
from triage.rules.exam import (
    CCR_LOW_RISK_FACTORS,
    FACTOR_VALUES,
    GAIT,
    IMPRESSIONS,
    LEVELS,
    MOVEMENTS,
    NINDS_GRADES,
    NYSTAGMUS,
    REFLEXES,
    REGIONS,
    ROM_GRADES,
    ROM_MAXIMUM,
    SENSATION,
    SIDED_SIGNS,
    SIDES,
    SIGN_RESULTS,
    TENDERNESS,
    TEST_RESULTS,
    Findings,
)
from triage.rules.exam_rules import DECISIONS, evaluate_examination


def _movement(region: str, name: str) -> st.SearchStrategy[Any]:
    pain = st.booleans()
    return st.one_of(
        st.just("not_tested"),
        st.fixed_dictionaries(
            {"degrees": st.integers(0, ROM_MAXIMUM[(region, name)]), "pain": pain}
        ),
        st.fixed_dictionaries({"grade": st.sampled_from(ROM_GRADES), "pain": pain}),
    )


def _sided(values: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({side: values for side in SIDES})


# Mostly unremarkable, as most examinations are; a finding now and then.
_power = st.sampled_from([5, 5, 5, 5, 4, 3, "not_tested"])
_signs = st.sampled_from(["negative", "negative", "negative", *SIGN_RESULTS])


@st.composite
def examinations(draw: st.DrawFn) -> dict[str, Any]:
    myotomes = {level: draw(_sided(_power)) for level in LEVELS}
    grades = [g for level in LEVELS for g in myotomes[level].values() if g != "not_tested"]
    if any(g < 5 for g in grades):
        deficit = draw(st.sampled_from(["long_standing", "new", "progressing"]))
    else:
        deficit = "no_deficit" if grades else "not_tested"
    chosen = draw(st.lists(st.sampled_from(sorted(LIBRARY)), unique=True, max_size=4))
    tests = []
    for code in chosen:
        for side in SIDES if LIBRARY[code].needs_side else (None,):
            tests.append(
                {"test": code, "side": side, "result": draw(st.sampled_from(TEST_RESULTS))}
            )
    return {
        "observation": "",
        "posture": "",
        "range_of_movement": {
            region: {name: draw(_movement(region, name)) for name in MOVEMENTS}
            for region in REGIONS
        },
        "palpation": {
            "midline_cervical_tenderness": draw(st.sampled_from(TENDERNESS)),
            "midline_thoracic_tenderness": draw(st.sampled_from(TENDERNESS)),
            "notes": "",
        },
        "neurological": {
            "myotomes": myotomes,
            "dermatomes": {
                level: draw(_sided(st.sampled_from(["normal", "normal", *SENSATION])))
                for level in LEVELS
            },
            "reflexes": {
                reflex: draw(_sided(st.sampled_from([2, 2, *NINDS_GRADES, "not_tested"])))
                for reflex in REFLEXES
            },
            "motor_deficit": deficit,
            "nystagmus": draw(st.sampled_from(["absent", "absent", *NYSTAGMUS])),
        },
        "upper_motor_neurone": {
            **{sign: draw(_sided(_signs)) for sign in SIDED_SIGNS},
            "romberg": draw(_signs),
            "tandem_gait": draw(st.sampled_from(["normal", "normal", *GAIT])),
        },
        "canadian_c_spine": {
            factor: draw(st.sampled_from(FACTOR_VALUES)) for factor in CCR_LOW_RISK_FACTORS
        },
        "orthopaedic_tests": tests,
        "impression": {"category": draw(st.sampled_from(IMPRESSIONS)), "notes": "noted"},
        "plan": "Review",
    }


Change = Callable[[dict[str, Any]], None]


def _set(*path: str, value: Any) -> Change:
    def change(mapping: dict[str, Any]) -> None:
        target = mapping
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return change


def _weaker(level: str, side: str) -> Change:
    def change(mapping: dict[str, Any]) -> None:
        neuro = mapping["neurological"]
        grade = neuro["myotomes"][level][side]
        neuro["myotomes"][level][side] = 4 if grade == "not_tested" else max(0, grade - 1)
        if neuro["motor_deficit"] in ("no_deficit", "not_tested"):
            neuro["motor_deficit"] = "new"

    return change


def _worse_deficit(mapping: dict[str, Any]) -> None:
    neuro = mapping["neurological"]
    order = ["long_standing", "new", "progressing"]
    if neuro["motor_deficit"] in order[:-1]:
        neuro["motor_deficit"] = order[order.index(neuro["motor_deficit"]) + 1]


def _less_movement(region: str, name: str) -> Change:
    def change(mapping: dict[str, Any]) -> None:
        movement = mapping["range_of_movement"][region][name]
        if isinstance(movement, dict) and "degrees" in movement:
            movement["degrees"] //= 2
        elif isinstance(movement, dict):
            movement["grade"] = "none"

    return change


def _positive_test(n: int) -> Change:
    def change(mapping: dict[str, Any]) -> None:
        tests = mapping["orthopaedic_tests"]
        if tests:
            tests[n % len(tests)]["result"] = "positive"

    return change


POSITIVE_FINDINGS: list[tuple[str, Change]] = [
    *(
        (f"{sign} {side}", _set("upper_motor_neurone", sign, side, value="positive"))
        for sign in SIDED_SIGNS
        for side in SIDES
    ),
    ("romberg", _set("upper_motor_neurone", "romberg", value="positive")),
    ("tandem gait", _set("upper_motor_neurone", "tandem_gait", value="abnormal")),
    ("nystagmus", _set("neurological", "nystagmus", value="present")),
    ("midline cervical", _set("palpation", "midline_cervical_tenderness", value="present")),
    ("midline thoracic", _set("palpation", "midline_thoracic_tenderness", value="present")),
    *(
        (f"{factor} absent", _set("canadian_c_spine", factor, value="absent"))
        for factor in CCR_LOW_RISK_FACTORS
    ),
    *((f"weaker {lvl} {side}", _weaker(lvl, side)) for lvl in LEVELS for side in SIDES),
    ("deficit worse", _worse_deficit),
    *(
        (f"sensation {lvl} {side}", _set("neurological", "dermatomes", lvl, side, value="absent"))
        for lvl in LEVELS
        for side in SIDES
    ),
    *(
        (f"less {region} {name}", _less_movement(region, name))
        for region in REGIONS
        for name in MOVEMENTS
    ),
    *((f"test {n} positive", _positive_test(n)) for n in range(4)),
]


def _findings(mapping: dict[str, Any]) -> Findings:
    return Findings.from_mapping(mapping, tests=LIBRARY)


@settings(max_examples=400)
@given(examinations(), intakes, st.sampled_from(POSITIVE_FINDINGS))
def test_a_more_positive_finding_never_lowers_the_urgency(
    mapping: dict[str, Any], answers: Answers, positive: tuple[str, Change]
) -> None:
    name, change = positive
    after = copy.deepcopy(mapping)
    change(after)
    before_urgency = evaluate_examination(_findings(mapping), answers).urgency
    after_urgency = evaluate_examination(_findings(after), answers).urgency
    assert after_urgency >= before_urgency, name


@settings(max_examples=300)
@given(examinations(), intakes, st.sampled_from(sorted(set(BOOLEANS) - PROTECTIVE)))
def test_one_more_yes_in_the_intake_never_lowers_the_examinations_urgency(
    mapping: dict[str, Any], answers: Answers, name: str
) -> None:
    import dataclasses

    findings = _findings(mapping)
    before = evaluate_examination(findings, dataclasses.replace(answers, **{name: False}))
    after = evaluate_examination(findings, dataclasses.replace(answers, **{name: True}))
    assert after.urgency >= before.urgency, name


@settings(max_examples=200)
@given(examinations(), intakes)
def test_the_same_examination_always_gives_the_same_result_and_an_imaging_answer(
    mapping: dict[str, Any], answers: Answers
) -> None:
    first = evaluate_examination(_findings(mapping), answers)
    again = evaluate_examination(_findings(copy.deepcopy(mapping)), answers)
    assert first.as_json() == again.as_json()
    assert first.imaging.decision in DECISIONS
    assert first.imaging.rule.source
    if first.imaging.decision == "none":
        assert not any(f.urgency is not None for f in first.fired)


@settings(max_examples=200)
@given(examinations())
def test_every_generated_examination_is_in_contract_and_round_trips(
    mapping: dict[str, Any],
) -> None:
    assert _findings(mapping).as_mapping() == mapping
