"""The intake contract `intake/1` (shared/intake-contract.md) as typed answers.

One definition serves the reception form, the JSON import, `triage_eval` and the rule engine:
each answer is a field of `Answers` whose metadata carries the form section and the question a
receptionist reads aloud. No Django imports here.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

CONTRACT_VERSION = "intake/1"

SEXES = ("F", "M", "X")
PAIN_REGIONS = ("neck", "upper_back", "thoracic", "shoulder_blades", "lower_back")
UPPER_REGIONS = frozenset({"neck", "upper_back", "thoracic", "shoulder_blades"})
LOW_ENERGY_MECHANISMS = (
    "minor_fall_standing_height",
    "simple_rear_end_collision",
    "contact_sport_collision",
    "other",
)
# Canadian C-Spine Rule dangerous mechanisms (clinical/red-flags.md [S4]).
DANGEROUS_MECHANISMS = frozenset(
    {
        "fall_from_height_over_1m_or_5_stairs",
        "axial_load_diving_or_head_impact",
        "high_speed_or_rollover_collision",
        "bicycle_or_motorised_recreational_vehicle",
    }
)
TRAUMA_MECHANISMS = (
    "none",
    "exertional_strain",
    *LOW_ENERGY_MECHANISMS,
    "fall_from_height_over_1m_or_5_stairs",
    "axial_load_diving_or_head_impact",
    "high_speed_or_rollover_collision",
    "bicycle_or_motorised_recreational_vehicle",
)
# Mechanisms that are no injury at all: a gym or lifting strain is not "significant trauma".
NO_INJURY_MECHANISMS = frozenset({"none", "exertional_strain"})
PSYCHOSOCIAL_CATEGORIES = ("low", "medium", "high", "not_assessed")

Section = Literal[
    "The patient",
    "The pain",
    "Injury",
    "Medical history",
    "Nerve symptoms",
    "Heart, lungs and head",
    "Joints and stiffness",
    "Wellbeing",
]
SECTIONS: tuple[Section, ...] = (
    "The patient",
    "The pain",
    "Injury",
    "Medical history",
    "Nerve symptoms",
    "Heart, lungs and head",
    "Joints and stiffness",
    "Wellbeing",
)


def _q(
    section: Section,
    question: str,
    *,
    choices: tuple[str, ...] = (),
    minimum: int | None = None,
    maximum: int | None = None,
) -> Any:
    """A contract answer: where the form asks it, how, and what values it may take."""
    return field(
        metadata={
            "section": section,
            "question": question,
            "choices": choices,
            "min": minimum,
            "max": maximum,
        }
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class Answers:
    """A complete intake. A yes/no answer is True for "the patient answers yes"; never defaulted."""

    age: int = _q("The patient", "Age in whole years", minimum=0, maximum=125)
    sex: str = _q("The patient", "Recorded sex", choices=SEXES)

    pain_region: str = _q("The pain", "Where is the main pain?", choices=PAIN_REGIONS)
    duration_days: int = _q(
        "The pain", "How many days since this episode began? (0 = today)", minimum=0, maximum=36500
    )
    onset_sudden: bool = _q(
        "The pain", "Did the pain come on within seconds or minutes, rather than building up?"
    )
    pain_score_now: int = _q(
        "The pain", "Pain right now, from 0 (none) to 10 (worst imaginable)", minimum=0, maximum=10
    )
    previous_similar_episodes: bool = _q(
        "The pain", "Have you had neck or back pain like this before?"
    )
    not_improving_after_4_weeks: bool = _q(
        "The pain",
        "If it started 4 or more weeks ago: is it no better, or worse, despite self-care?",
    )
    pain_worsening_progressively: bool = _q(
        "The pain", "Is the pain steadily getting worse, day by day or week by week?"
    )
    pain_constant_non_mechanical: bool = _q(
        "The pain", "Is the pain constant, and unchanged by moving, resting or changing position?"
    )
    night_pain_unrelieved_by_rest: bool = _q(
        "The pain",
        "Does pain at night disturb your sleep, even when lying still or changing position?",
    )

    recent_significant_trauma: bool = _q(
        "Injury",
        "Did a fall, collision, blow or accident come before the pain? (Not a gym or lifting strain.)",
    )
    trauma_mechanism: str = _q("Injury", "How did the injury happen?", choices=TRAUMA_MECHANISMS)

    osteoporosis: bool = _q(
        "Medical history",
        "Have you been told you have osteoporosis, or broken a bone in a minor fall?",
    )
    long_term_steroids: bool = _q(
        "Medical history",
        "Have you taken steroid tablets (such as prednisolone) for 3 months or more?",
    )
    history_of_cancer: bool = _q(
        "Medical history",
        "Have you ever had cancer? (Not counting basal or squamous cell skin cancer.)",
    )
    unexplained_weight_loss: bool = _q(
        "Medical history", "Have you lost weight without trying in the last 3 to 6 months?"
    )
    fever_or_chills: bool = _q(
        "Medical history", "Have you had a fever, sweats or shivering fits with this pain?"
    )
    systemically_unwell: bool = _q(
        "Medical history", "Do you feel generally unwell, run down or exhausted?"
    )
    immunosuppressed: bool = _q(
        "Medical history",
        "Does anything weaken your immune system: chemotherapy, transplant or biologic drugs, "
        "HIV, high-dose steroids?",
    )
    iv_drug_use: bool = _q("Medical history", "Do you inject drugs, now or recently?")
    recent_infection_or_spinal_procedure: bool = _q(
        "Medical history",
        "In the last 3 months: a bacterial infection (skin, urine, blood), or a spinal injection "
        "or operation?",
    )
    previous_spinal_surgery: bool = _q(
        "Medical history", "Have you ever had an operation on your neck or back?"
    )

    progressive_limb_weakness: bool = _q(
        "Nerve symptoms", "Is there weakness in an arm or leg that is getting worse?"
    )
    numbness_or_tingling_arms: bool = _q(
        "Nerve symptoms", "Any pins and needles or numbness in an arm or hand?"
    )
    bilateral_arm_symptoms: bool = _q(
        "Nerve symptoms", "Numbness, tingling or weakness in both arms or both hands?"
    )
    hand_clumsiness: bool = _q(
        "Nerve symptoms", "Dropping things, or new trouble with buttons or writing?"
    )
    gait_disturbance: bool = _q(
        "Nerve symptoms", "New unsteadiness, stiff or heavy legs, tripping or falling?"
    )
    electric_shock_on_neck_flexion: bool = _q(
        "Nerve symptoms",
        "An electric-shock feeling down the spine or limbs when bending the head forward?",
    )
    bladder_or_bowel_change: bool = _q(
        "Nerve symptoms",
        "Any new difficulty passing urine, loss of bladder or bowel control, or urgency?",
    )
    saddle_anaesthesia: bool = _q(
        "Nerve symptoms", "Numbness around the back passage, genitals or inner thighs?"
    )
    bilateral_leg_symptoms: bool = _q("Nerve symptoms", "Pain, numbness or weakness in both legs?")

    dizziness_or_drop_attacks: bool = _q(
        "Heart, lungs and head",
        "Dizziness or a spinning feeling, or sudden falls without blacking out?",
    )
    double_vision: bool = _q("Heart, lungs and head", "Double or disturbed vision?")
    difficulty_speaking_or_swallowing: bool = _q(
        "Heart, lungs and head", "Slurred speech or trouble swallowing?"
    )
    facial_numbness_or_droop: bool = _q(
        "Heart, lungs and head", "Numbness or drooping of the face?"
    )
    severe_headache: bool = _q(
        "Heart, lungs and head", "A new, sudden or 'worst ever' headache, unlike any before?"
    )
    jaw_claudication_or_scalp_tenderness: bool = _q(
        "Heart, lungs and head",
        "Does the jaw ache when chewing, or is the scalp tender (for example brushing hair)?",
    )
    chest_pain: bool = _q(
        "Heart, lungs and head", "New or unexplained chest pain or tightness in the last 72 hours?"
    )
    chest_pressure_radiating_to_arm_or_jaw: bool = _q(
        "Heart, lungs and head",
        "Chest pressure or heaviness spreading to the arm, neck or jaw?",
    )
    shortness_of_breath: bool = _q("Heart, lungs and head", "New breathlessness?")
    sweating_or_nausea_with_pain: bool = _q(
        "Heart, lungs and head",
        "Sweating, clamminess, feeling sick or vomiting with the pain?",
    )
    exertional_pain_eases_with_rest: bool = _q(
        "Heart, lungs and head",
        "Is the pain brought on by walking, stairs or exertion (not by moving the sore area), "
        "and eased within minutes of rest?",
    )
    tearing_pain_radiating_to_back: bool = _q(
        "Heart, lungs and head", "A sudden, severe tearing or ripping pain in the chest or back?"
    )
    pain_worse_on_deep_breath: bool = _q(
        "Heart, lungs and head", "A sharp pain when breathing in deeply?"
    )
    coughing_blood: bool = _q("Heart, lungs and head", "Coughing up blood?")
    recent_surgery_immobility_or_leg_swelling: bool = _q(
        "Heart, lungs and head",
        "In the last 4 weeks: surgery, being laid up, or a long-haul journey; or one swollen calf?",
    )
    cardiovascular_risk_factors: bool = _q(
        "Heart, lungs and head",
        "Any of: smoking, diabetes, high blood pressure, high cholesterol, heart disease, or heart "
        "disease in the family?",
    )
    pain_related_to_eating_or_abdominal_symptoms: bool = _q(
        "Heart, lungs and head",
        "Is the pain linked to meals, indigestion or tummy pain, or has the skin turned yellow?",
    )

    morning_stiffness_over_30_min: bool = _q(
        "Joints and stiffness", "Stiffness on waking that lasts more than 30 minutes?"
    )
    improves_with_exercise_not_rest: bool = _q(
        "Joints and stiffness", "Does the pain get better with exercise but not with rest?"
    )
    inflammatory_arthritis_history: bool = _q(
        "Joints and stiffness",
        "Rheumatoid arthritis, ankylosing spondylitis (axial SpA) or psoriatic arthritis?",
    )
    psoriasis_ibd_or_uveitis_history: bool = _q(
        "Joints and stiffness",
        "Psoriasis, Crohn's disease or ulcerative colitis, or uveitis (iritis)?",
    )
    family_history_spondyloarthritis: bool = _q(
        "Joints and stiffness",
        "Does a parent, brother, sister or child have ankylosing spondylitis or spondyloarthritis?",
    )
    bilateral_shoulder_hip_girdle_aching: bool = _q(
        "Joints and stiffness", "Aching and stiffness across both shoulders and/or both hips?"
    )

    psychosocial_risk_category: str = _q(
        "Wellbeing",
        "Psychosocial risk category from the screening tool (STarT MSK, STarT Back or ÖMPSQ-SF)",
        choices=PSYCHOSOCIAL_CATEGORIES,
    )

    # Derived values the rules read (never asked, always computed; see the contract).
    upper: bool = field(init=False, repr=False, compare=False)
    onset_age: float = field(init=False, repr=False, compare=False)
    trauma: bool = field(init=False, repr=False, compare=False)
    dangerous_trauma: bool = field(init=False, repr=False, compare=False)
    low_energy_trauma: bool = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        setter = object.__setattr__
        setter(self, "upper", self.pain_region in UPPER_REGIONS)
        setter(self, "onset_age", self.age - self.duration_days / 365)
        dangerous = self.trauma_mechanism in DANGEROUS_MECHANISMS
        # A "yes" to trauma, or a mechanism that is itself an injury, counts as trauma: the rule
        # set reads contradictory answers the safe way rather than dropping a fall or collision.
        trauma = self.recent_significant_trauma or self.trauma_mechanism not in NO_INJURY_MECHANISMS
        setter(self, "trauma", trauma)
        setter(self, "dangerous_trauma", dangerous)
        setter(self, "low_energy_trauma", trauma and not dangerous)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> Answers:
        """Validate a mapping against the contract; raise ContractError naming every bad field."""
        if not isinstance(data, Mapping):
            raise ContractError([("answers", "must be an object of answers keyed by field name")])
        errors: list[tuple[str, str]] = []
        values: dict[str, Any] = {}
        for spec in QUESTIONS:
            name = spec.name
            if name not in data:
                errors.append((name, "is missing (every question must be answered)"))
                continue
            problem = spec.problem(data[name])
            if problem:
                errors.append((name, problem))
            else:
                values[name] = data[name]
        if errors:
            raise ContractError(errors)
        return cls(**values)

    def as_mapping(self) -> dict[str, Any]:
        return {spec.name: getattr(self, spec.name) for spec in QUESTIONS}


@dataclass(frozen=True, slots=True)
class Question:
    """One answer of the contract, as the form and the validator need it."""

    name: str
    kind: type
    section: Section
    question: str
    choices: tuple[str, ...]
    minimum: int | None
    maximum: int | None

    def problem(self, value: Any) -> str:
        """What is wrong with `value` for this answer, or "" when nothing is."""
        if self.kind is bool:
            if type(value) is not bool:
                return f"must be true or false, not {_shown(value)}"
            return ""
        if self.kind is int:
            if type(value) is not int:
                return f"must be a whole number, not {_shown(value)}"
            if self.minimum is not None and value < self.minimum:
                return f"must be at least {self.minimum}, not {value}"
            if self.maximum is not None and value > self.maximum:
                return f"must be at most {self.maximum}, not {value}"
            return ""
        if value not in self.choices:
            return f"must be one of {', '.join(self.choices)}; not {_shown(value)}"
        return ""


SHOWN_CHARACTERS = 60


def _shown(value: Any) -> str:
    """A bad value as an error message quotes it: short, whatever was sent."""
    try:
        text = repr(value)
    except ValueError:  # an integer too long to print (Python's int-string limit)
        return "a number too long to show"
    if len(text) > SHOWN_CHARACTERS:
        return f"{text[:SHOWN_CHARACTERS]}… ({len(text)} characters)"
    return text


class ContractError(ValueError):
    """Answers that break the intake contract; `errors` pairs each field with what is wrong."""

    def __init__(self, errors: list[tuple[str, str]]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{name} {problem}" for name, problem in errors))


_KINDS = {"bool": bool, "int": int, "str": str}

QUESTIONS: tuple[Question, ...] = tuple(
    Question(
        name=f.name,
        kind=_KINDS[f.type] if isinstance(f.type, str) else f.type,
        section=f.metadata["section"],
        question=f.metadata["question"],
        choices=f.metadata["choices"],
        minimum=f.metadata["min"],
        maximum=f.metadata["max"],
    )
    for f in dataclasses.fields(Answers)
    if f.init
)
QUESTIONS_BY_NAME = {q.name: q for q in QUESTIONS}
