"""What a check-in means for the programme (programmes/core/progression.py docstring)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from programmes.core.progression import MIN_ADHERENCE, Decision, adherence, decide


def check_in(**changes: Any) -> Decision:
    """A good check-in mid-phase: all sessions done, pain easing, form held."""
    values: dict[str, Any] = {
        "adherence": 1.0,
        "pain_baseline": 5,
        "pain_previous": 4,
        "pain_now": 3,
        "form_broke": False,
        "phase_weeks_done": False,
        "has_next_phase": True,
        "advance": "auto",
        **changes,
    }
    return decide(**values)


def test_steady_improvement_mid_phase_adds_one_step_of_load() -> None:
    # Given pain easing and every session done, when the phase still has weeks to run
    decision = check_in()
    # then load goes up one step within the phase.
    assert decision.action == "add_load"
    assert decision.reason and decision.clinician_reason


def test_a_first_check_in_with_pain_no_worse_than_at_the_start_adds_load() -> None:
    assert check_in(pain_previous=None, pain_now=5).action == "add_load"


def test_a_finished_phase_moves_on_when_the_programme_advances_itself() -> None:
    assert check_in(phase_weeks_done=True, advance="auto").action == "next_phase"


def test_a_finished_phase_asks_the_clinician_when_they_advance_it() -> None:
    decision = check_in(phase_weeks_done=True, advance="clinician")
    assert decision.action == "ask_clinician"
    assert "clinician" in decision.reason


def test_the_last_phase_finished_keeps_adding_load_within_it() -> None:
    assert check_in(phase_weeks_done=True, has_next_phase=False).action == "add_load"


def test_form_breaking_drops_the_weight_even_when_all_else_is_good() -> None:
    decision = check_in(form_broke=True, phase_weeks_done=True)
    assert decision.action == "reduce_load"
    assert "form" in decision.reason


def test_form_breaking_with_slightly_worse_pain_still_drops_the_weight() -> None:
    assert check_in(form_broke=True, pain_now=6).action == "reduce_load"


def test_pain_two_points_worse_than_at_the_start_holds_even_if_form_broke() -> None:
    decision = check_in(pain_baseline=4, pain_now=6, form_broke=True)
    assert decision.action == "hold"
    assert "triage" in decision.clinician_reason


def test_low_adherence_holds_the_dose_with_encouragement() -> None:
    decision = check_in(adherence=0.5)
    assert decision.action == "hold"
    assert "planned days" in decision.reason
    assert "50%" in decision.clinician_reason


def test_exactly_the_minimum_adherence_is_enough() -> None:
    assert check_in(adherence=MIN_ADHERENCE).action == "add_load"


def test_pain_up_since_the_last_check_in_holds() -> None:
    decision = check_in(pain_previous=2, pain_now=3)
    assert decision.action == "hold"
    assert "a little higher" in decision.reason


def test_pain_one_point_above_the_start_holds() -> None:
    assert check_in(pain_previous=None, pain_baseline=5, pain_now=6).action == "hold"


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        ({"adherence": 1.5}, "adherence must be between 0 and 1"),
        ({"adherence": float("nan")}, "adherence must be between 0 and 1"),
        ({"pain_now": 11}, "pain_now must be a whole number 0 to 10"),
        ({"pain_previous": -1}, "pain_previous must be a whole number 0 to 10"),
        ({"advance": "manual"}, "advance must be one of auto, clinician"),
    ],
)
def test_impossible_check_in_values_are_refused(changes: dict[str, Any], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        check_in(**changes)


@pytest.mark.parametrize(
    ("done", "planned", "share"), [(3, 4, 0.75), (0, 4, 0.0), (6, 4, 1.0), (0, 0, 0.0)]
)
def test_adherence_is_sessions_done_over_planned_capped_at_one(
    done: int, planned: int, share: float
) -> None:
    assert adherence(done, planned) == share


def test_negative_sessions_are_refused() -> None:
    with pytest.raises(ValueError, match="sessions cannot be negative"):
        adherence(-1, 4)


pains = st.integers(0, 10)


@given(
    adherence=st.floats(0, 1),
    pain_baseline=pains,
    pain_previous=st.none() | pains,
    pain_now=pains,
    form_broke=st.booleans(),
    phase_weeks_done=st.booleans(),
    has_next_phase=st.booleans(),
    advance=st.sampled_from(["auto", "clinician"]),
)
def test_load_never_goes_up_when_pain_is_above_the_start_or_form_broke(**values: Any) -> None:
    decision = decide(**values)
    if values["pain_now"] > values["pain_baseline"] or values["form_broke"]:
        assert decision.action not in {"add_load", "next_phase"}
    if values["adherence"] < MIN_ADHERENCE:
        assert decision.action not in {"add_load", "next_phase", "ask_clinician"}
