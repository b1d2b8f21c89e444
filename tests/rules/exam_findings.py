"""Complete examinations for exam rule tests: an unremarkable examination, changed only where a
test says, by contract path ("upper_motor_neurone.hoffmann.right": "positive")."""

from __future__ import annotations

import copy
from typing import Any

from triage.rules import Urgency
from triage.rules.exam import (
    CCR_LOW_RISK_FACTORS,
    LEVELS,
    MOVEMENTS,
    REFLEXES,
    REGIONS,
    SIDED_SIGNS,
    Findings,
    TestSpec,
)

# A small library as the seed migration gives it: which tests need a side, which are red flags.
LIBRARY: dict[str, TestSpec] = {
    spec.code: spec
    for spec in (
        TestSpec("spurling", "Spurling's test", True, None, "Spurling & Scoville 1944"),
        TestSpec("distraction", "Distraction test", False, None, "Wainner et al. 2003"),
        TestSpec("ulnt1_median", "ULNT1 (median)", True, None, "Butler 2000"),
        TestSpec("hawkins_kennedy", "Hawkins-Kennedy", True, None, "Hawkins & Kennedy 1980"),
        TestSpec("lhermitte", "Lhermitte's sign", False, Urgency.URGENT, "CKS [S2]"),
        TestSpec(
            "cervical_arterial_positional",
            "Cervical arterial positional screen",
            True,
            Urgency.URGENT,
            "IFOMPT [S11]",
        ),
    )
}

# Full range without pain, a normal neurological screen, no upper motor neurone sign, the
# C-Spine Rule's factors not assessed (no injury), no tests, non-specific pain.
NORMAL: dict[str, Any] = {
    "observation": "Comfortable at rest",
    "posture": "Forward head posture",
    "range_of_movement": {
        region: {
            name: {"degrees": 60 if "rotation" in name else 40, "pain": False} for name in MOVEMENTS
        }
        for region in REGIONS
    },
    "palpation": {
        "midline_cervical_tenderness": "absent",
        "midline_thoracic_tenderness": "absent",
        "notes": "",
    },
    "neurological": {
        "myotomes": {level: {"left": 5, "right": 5} for level in LEVELS},
        "dermatomes": {level: {"left": "normal", "right": "normal"} for level in LEVELS},
        "reflexes": {reflex: {"left": 2, "right": 2} for reflex in REFLEXES},
        "motor_deficit": "no_deficit",
        "nystagmus": "absent",
    },
    "upper_motor_neurone": {
        **{sign: {"left": "negative", "right": "negative"} for sign in SIDED_SIGNS},
        "romberg": "negative",
        "tandem_gait": "normal",
    },
    "canadian_c_spine": dict.fromkeys(CCR_LOW_RISK_FACTORS, "not_assessed"),
    "orthopaedic_tests": [],
    "impression": {"category": "non_specific_neck_or_upper_back_pain", "notes": ""},
    "plan": "Advice and a home-exercise programme",
}


def exam_mapping(changes: dict[str, Any] | None = None, base: dict[str, Any] = NORMAL) -> Any:
    """`base` with each dotted path in `changes` set (a path must already exist, or be the
    last key of an existing object)."""
    found = copy.deepcopy(base)
    for path, value in (changes or {}).items():
        *parents, last = path.split(".")
        target = found
        for key in parents:
            target = target[key]
        assert isinstance(target, dict), path
        target[last] = value
    return found


def exam(changes: dict[str, Any] | None = None, **more: Any) -> Findings:
    return Findings.from_mapping(exam_mapping({**(changes or {}), **more}), tests=LIBRARY)


def ortho(code: str, result: str = "positive", side: str | None = None) -> dict[str, Any]:
    return {"test": code, "side": side, "result": result}
