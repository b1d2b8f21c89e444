"""Complete intakes for rule tests: a patient with no flags, changed only where a test says."""

from __future__ import annotations

from typing import Any

from triage.rules import QUESTIONS, Answers

# A 35-year-old with ten days of ordinary mechanical neck pain, who has had it before: no rule fires.
NO_FLAGS: dict[str, Any] = {
    **{q.name: False for q in QUESTIONS if q.kind is bool},
    "age": 35,
    "sex": "F",
    "pain_region": "neck",
    "duration_days": 10,
    "pain_score_now": 4,
    "previous_similar_episodes": True,
    "trauma_mechanism": "none",
    "psychosocial_risk_category": "low",
}


def mapping(**changes: Any) -> dict[str, Any]:
    unknown = set(changes) - set(NO_FLAGS)
    assert not unknown, f"not contract fields: {unknown}"
    return {**NO_FLAGS, **changes}


def answers(**changes: Any) -> Answers:
    return Answers.from_mapping(mapping(**changes))
