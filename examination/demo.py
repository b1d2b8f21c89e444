"""Two demo examinations, so that `make run` shows the clinician's examination at work: a neck the
Canadian C-Spine Rule clears after a rear-end shunt, and upper motor neurone signs in the patient
with clumsy hands (imaging: MRI, with the one-click referral). Each is recorded through
`record_examination` by the demo clinician, who claims the case first, so triage reads it as it
would any examination; seeding again finds it by its submission token and adds nothing.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib.auth.models import User

from examination.models import Examination
from examination.services import record_examination
from patients.models import Intake
from triage.models import Case
from triage.rules.exam import (
    CCR_LOW_RISK_FACTORS,
    LEVELS,
    MOVEMENTS,
    REFLEXES,
    REGIONS,
    SIDED_SIGNS,
    SIDES,
)
from triage.services import claim_case

DEMO_EXAM_NAMESPACE = uuid.UUID("0b4f2e91-7c3a-4d5e-8f60-1a2b3c4d5e6f")


def _both(value: Any) -> dict[str, Any]:
    return dict.fromkeys(SIDES, value)


def unremarkable(**sections: Any) -> dict[str, Any]:
    """A complete examination (`exam/1`) with nothing abnormal, `sections` replaced whole."""
    findings: dict[str, Any] = {
        "observation": "",
        "posture": "",
        "range_of_movement": {
            region: {name: {"grade": "full", "pain": False} for name in MOVEMENTS}
            for region in REGIONS
        },
        "palpation": {
            "midline_cervical_tenderness": "absent",
            "midline_thoracic_tenderness": "absent",
            "notes": "",
        },
        "neurological": {
            "myotomes": {level: _both(5) for level in LEVELS},
            "dermatomes": {level: _both("normal") for level in LEVELS},
            "reflexes": {reflex: _both(2) for reflex in REFLEXES},
            "motor_deficit": "no_deficit",
            "nystagmus": "absent",
        },
        "upper_motor_neurone": {
            **{sign: _both("negative") for sign in SIDED_SIGNS},
            "romberg": "negative",
            "tandem_gait": "normal",
        },
        "canadian_c_spine": dict.fromkeys(CCR_LOW_RISK_FACTORS, "not_assessed"),
        "orthopaedic_tests": [],
        "impression": {"category": "non_specific_neck_or_upper_back_pain", "notes": ""},
        "plan": "",
    }
    return findings | sections


def _cervical(**moves: dict[str, Any]) -> dict[str, Any]:
    rom = unremarkable()["range_of_movement"]
    rom["cervical"] |= moves
    return dict(rom)


# The rear-end shunt two days ago (clinic/demo.py): she sat comfortably in the waiting room and
# walked in, no midline tenderness, 70° of rotation each way: cleared, no imaging.
SHUNT = unremarkable(
    observation="Walked in unaided; sitting comfortably in the waiting room",
    posture="Holds the neck a little stiffly",
    range_of_movement=_cervical(
        rotation_left={"degrees": 70, "pain": False},
        rotation_right={"degrees": 70, "pain": True},
        extension={"grade": "reduced", "pain": True},
    ),
    canadian_c_spine={
        "simple_rear_end_collision": "present",
        "sitting_position": "present",
        "ambulatory_at_any_time": "present",
        "delayed_onset_of_neck_pain": "present",
    },
    orthopaedic_tests=[{"test": "spurling", "side": side, "result": "negative"} for side in SIDES],
    plan="Advice and reassurance: the neck is cleared by the Canadian C-Spine Rule. Keep "
    "moving within comfort; review in one week.",
)

# The 64-year-old with clumsy hands: Hoffmann's sign on the right, an unsteady tandem gait,
# rotation limited to the left and altered sensation in both little fingers.
MYELOPATHY = unremarkable(
    observation="Fumbles with his coat buttons",
    posture="Forward head posture",
    range_of_movement=_cervical(
        rotation_left={"degrees": 30, "pain": True},
        rotation_right={"degrees": 70, "pain": False},
    ),
    neurological={
        **unremarkable()["neurological"],
        "dermatomes": {level: _both("altered" if level == "C8" else "normal") for level in LEVELS},
    },
    upper_motor_neurone={
        "hoffmann": {"left": "negative", "right": "positive"},
        "babinski": _both("negative"),
        "clonus": _both("negative"),
        "romberg": "negative",
        "tandem_gait": "abnormal",
    },
    orthopaedic_tests=[{"test": "lhermitte", "side": None, "result": "negative"}],
    impression={"category": "suspected_myelopathy", "notes": ""},
    plan="Suspected degenerative cervical myelopathy: urgent MRI of the cervical spine and "
    "referral to the spinal team. No manual therapy to the neck meanwhile.",
)

# Demo patient key (clinic/demo.py) -> the findings of the examination of their case.
DEMO_EXAMINATIONS: dict[str, dict[str, Any]] = {
    "rear-end-collision-two-days-ago": SHUNT,
    "clumsy-hands-tingling-both-arms": MYELOPATHY,
}


def seed_demo_examinations(*, clinician: User, tokens: dict[str, uuid.UUID]) -> int:
    """Examine each demo patient of DEMO_EXAMINATIONS not yet examined; how many were added.
    `tokens`: each demo patient's intake submission token, by key."""
    added = 0
    for key, findings in DEMO_EXAMINATIONS.items():
        intake = Intake.objects.filter(submission_token=tokens[key]).first()
        if intake is None:
            continue
        case = Case.objects.get(assessments__intake=intake)
        if Examination.objects.filter(case=case).exists():
            continue
        if case.claimed_by_id is None:
            claim_case(case_id=case.pk, clinician=clinician)
        record_examination(
            case_id=case.pk,
            clinician=clinician,
            findings=findings,
            submission_token=uuid.uuid5(DEMO_EXAM_NAMESPACE, key),
        )
        added += 1
    return added
