"""How fast the rule engine triages, beside a floor: the same checks written inline as one function.

Evaluates at least 100,000 varied generated intakes on one core with the real engine, then with
the floor, checks that both agree on every intake (urgency and rules), and prints as its last line:
{"per_second": ..., "floor_per_second": ..., "ratio": ...}. Target: >= 100,000/s and ratio >= 0.3.
"""

from __future__ import annotations

import gc
import json
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from triage.rules import QUESTIONS, Answers, evaluate
from triage.rules.contract import TRAUMA_MECHANISMS

N = int(sys.argv[1]) if len(sys.argv) > 1 else 120_000
ROUNDS = 7


# Questions about the pain's pattern and the history, answered "yes" by many patients; the rest
# are red-flag questions, answered "yes" by a minority of a musculoskeletal clinic's patients.
COMMON = {
    "onset_sudden", "previous_similar_episodes", "not_improving_after_4_weeks",
    "pain_worsening_progressively", "pain_constant_non_mechanical",
    "night_pain_unrelieved_by_rest", "morning_stiffness_over_30_min",
    "improves_with_exercise_not_rest", "cardiovascular_risk_factors", "previous_spinal_surgery",
    "numbness_or_tingling_arms", "systemically_unwell",
}  # fmt: skip


def generate(n: int, seed: int = 2026) -> list[Answers]:
    """A clinic's spread: common pattern questions answered yes 15% of the time; 40% of patients
    say yes to one to three red-flag questions (any of them, at random); every region, age,
    duration and injury mechanism."""
    rng = random.Random(seed)
    booleans = [q.name for q in QUESTIONS if q.kind is bool]
    red_flags = [name for name in booleans if name not in COMMON]
    intakes = []
    for _ in range(n):
        values: dict[str, object] = {
            name: name in COMMON and rng.random() < 0.15 for name in booleans
        }
        if rng.random() < 0.4:
            for name in rng.sample(red_flags, rng.randint(1, 3)):
                values[name] = True
        values.update(
            age=rng.randint(12, 92),
            sex=rng.choice("FMX"),
            pain_region=rng.choice(
                ["neck", "upper_back", "thoracic", "shoulder_blades", "lower_back"]
            ),
            duration_days=rng.choice([0, 1, 3, 7, 8, 14, 27, 28, 45, 91, 200, 400]),
            pain_score_now=rng.randint(0, 10),
            trauma_mechanism=rng.choice(TRAUMA_MECHANISMS) if rng.random() < 0.15 else "none",
            psychosocial_risk_category=rng.choice(["low", "low", "medium", "high", "not_assessed"]),
        )
        if values["trauma_mechanism"] not in ("none", "exertional_strain"):
            values["recent_significant_trauma"] = True
        intakes.append(Answers.from_mapping(values))
    return intakes


def floor(a: Answers) -> tuple[int, list[str]]:
    """Every rule of the rule set as plain inline conditions: what a hand-written triage costs."""
    ids: list[str] = []
    u = 1
    n = 0
    if a.night_pain_unrelieved_by_rest:
        ids.append("NIGHT_PAIN")
        n += 1
    if a.pain_constant_non_mechanical or a.pain_worsening_progressively:
        ids.append("CONSTANT_OR_PROGRESSIVE_PAIN")
        n += 1
    if a.not_improving_after_4_weeks and a.duration_days >= 28:
        ids.append("NOT_IMPROVING_4_WEEKS")
        n += 1
    if a.systemically_unwell and not a.fever_or_chills:
        ids.append("SYSTEMICALLY_UNWELL")
        n += 1
    if a.previous_spinal_surgery:
        ids.append("PREVIOUS_SPINAL_SURGERY")
        n += 1
    if a.inflammatory_arthritis_history:
        ids.append("INFLAMMATORY_ARTHRITIS_HISTORY")
        n += 1
    if (a.age > 55 or a.age < 20) and not a.previous_similar_episodes:
        ids.append("AGE_NEW_ONSET")
        if n or a.unexplained_weight_loss:
            n += 1
    acs = (
        a.chest_pressure_radiating_to_arm_or_jaw
        or (a.chest_pain and (a.sweating_or_nausea_with_pain or a.shortness_of_breath))
        or (a.upper and a.sweating_or_nausea_with_pain and a.shortness_of_breath)
    )
    pe = a.shortness_of_breath and (
        a.coughing_blood
        or (
            a.pain_worse_on_deep_breath
            and (a.onset_sudden or a.recent_surgery_immobility_or_leg_swelling)
        )
    )
    vascular = (
        a.double_vision
        or a.difficulty_speaking_or_swallowing
        or a.facial_numbness_or_droop
        or (a.dizziness_or_drop_attacks and (a.severe_headache or a.trauma))
    )
    cord = a.progressive_limb_weakness and (
        a.gait_disturbance
        or a.hand_clumsiness
        or a.bilateral_arm_symptoms
        or a.electric_shock_on_neck_flexion
        or a.bilateral_leg_symptoms
        or a.bladder_or_bowel_change
    )
    neuro = (
        a.progressive_limb_weakness
        or a.gait_disturbance
        or a.numbness_or_tingling_arms
        or a.bilateral_arm_symptoms
        or a.hand_clumsiness
        or a.bilateral_leg_symptoms
        or a.bladder_or_bowel_change
        or a.saddle_anaesthesia
    )
    nonmech = (
        a.night_pain_unrelieved_by_rest
        or a.pain_constant_non_mechanical
        or a.pain_worsening_progressively
    )
    risk = a.immunosuppressed or a.iv_drug_use or a.recent_infection_or_spinal_procedure
    ccr = (
        a.pain_region == "neck"
        and a.trauma
        and (a.age >= 65 or a.dangerous_trauma or a.numbness_or_tingling_arms)
    )
    low_back = a.pain_region == "lower_back"
    if acs:
        ids.append("ACS_SUSPECTED")
        u = 5
    if a.tearing_pain_radiating_to_back:
        ids.append("AORTIC_DISSECTION_SUSPECTED")
        u = 5
    if pe:
        ids.append("PE_SUSPECTED")
        u = 5
    if vascular:
        ids.append("CERVICAL_ARTERIAL_OR_STROKE_SIGNS")
        u = 5
    if a.severe_headache:
        ids.append("SEVERE_NEW_HEADACHE")
        u = 5
    if a.bladder_or_bowel_change or a.saddle_anaesthesia:
        ids.append("SPHINCTER_OR_SADDLE_SYMPTOMS")
        u = 5
    if cord:
        ids.append("CORD_COMPRESSION_PROGRESSIVE")
        u = 5
    if a.history_of_cancer and neuro:
        ids.append("MSCC_SUSPECTED")
        u = 5
    if a.fever_or_chills and risk:
        ids.append("SPINAL_INFECTION_SUSPECTED")
        u = 5
    if ccr:
        ids.append("CCR_HIGH_RISK")
        u = 5
    if a.dangerous_trauma:
        ids.append("MAJOR_TRAUMA_MECHANISM")
        u = 5
    if a.age >= 50 and a.jaw_claudication_or_scalp_tenderness:
        ids.append("GCA_POSSIBLE")
        u = max(u, 5 if a.double_vision else 4)
    if a.chest_pain and not acs:
        ids.append("CHEST_PAIN_UNEXPLAINED")
        u = max(u, 4)
    if (
        a.exertional_pain_eases_with_rest
        and a.upper
        and (a.cardiovascular_risk_factors or a.age >= 40)
    ):
        ids.append("EXERTIONAL_UPPER_BODY_PAIN")
        u = max(u, 4)
    if a.shortness_of_breath and not pe and not acs:
        ids.append("BREATHLESSNESS_UNEXPLAINED")
        u = max(u, 4)
    if a.dizziness_or_drop_attacks and not vascular:
        ids.append("ISOLATED_DIZZINESS_WITH_NECK_PAIN")
        u = max(u, 4)
    if (
        a.hand_clumsiness
        or a.gait_disturbance
        or a.electric_shock_on_neck_flexion
        or a.bilateral_arm_symptoms
    ):
        ids.append("MYELOPATHY_FEATURES")
        u = max(u, 4)
    if a.progressive_limb_weakness and not cord:
        ids.append("PROGRESSIVE_WEAKNESS")
        u = max(u, 4)
    if a.history_of_cancer and a.upper:
        ids.append("CANCER_HISTORY_WITH_UPPER_SPINAL_PAIN")
        u = max(u, 4)
    if a.history_of_cancer and low_back and nonmech:
        ids.append("CANCER_HISTORY_WITH_SINISTER_LOW_BACK_PAIN")
        u = max(u, 4)
    if a.unexplained_weight_loss and n >= 1:
        ids.append("MALIGNANCY_CLUSTER")
        u = max(u, 4)
    if a.fever_or_chills and not risk:
        ids.append("FEVER_WITH_SPINAL_PAIN")
        u = max(u, 4)
    if not a.fever_or_chills and risk and nonmech:
        ids.append("INFECTION_RISK_WITH_NONMECHANICAL_PAIN")
        u = max(u, 4)
    if a.low_energy_trauma and a.duration_days <= 7 and not ccr:
        ids.append("LOW_RISK_TRAUMA_ACUTE")
        u = max(u, 4)
    if ((a.osteoporosis or a.long_term_steroids) and (a.low_energy_trauma or a.onset_sudden)) or (
        a.age >= 70 and a.low_energy_trauma
    ):
        ids.append("FRAGILITY_FRACTURE_SUSPECTED")
        u = max(u, 4)
    if n >= 3:
        ids.append("MULTIPLE_WEAK_FLAGS")
        u = max(u, 4)
    if a.history_of_cancer and low_back and not nonmech:
        ids.append("CANCER_HISTORY_MECHANICAL_LOW_BACK")
        u = max(u, 3)
    if a.unexplained_weight_loss and n == 0:
        ids.append("UNEXPLAINED_WEIGHT_LOSS")
        u = max(u, 3)
    if not a.fever_or_chills and risk and not nonmech:
        ids.append("INFECTION_RISK_FACTOR")
        u = max(u, 3)
    if a.low_energy_trauma and a.duration_days > 7 and not ccr:
        ids.append("LOW_RISK_TRAUMA_SUBACUTE")
        u = max(u, 3)
    if a.age >= 50 and a.bilateral_shoulder_hip_girdle_aching and a.morning_stiffness_over_30_min:
        ids.append("PMR_POSSIBLE")
        u = max(u, 3)
    if a.inflammatory_arthritis_history and a.pain_region == "neck":
        ids.append("INFLAMMATORY_ARTHRITIS_NECK")
        u = max(u, 3)
    if a.pain_related_to_eating_or_abdominal_symptoms:
        ids.append("VISCERAL_SOURCE_POSSIBLE")
        u = max(u, 3)
    if n == 2:
        ids.append("TWO_WEAK_FLAGS")
        u = max(u, 3)
    if (
        a.numbness_or_tingling_arms
        and not a.bilateral_arm_symptoms
        and not a.progressive_limb_weakness
    ):
        ids.append("UNILATERAL_ARM_NEURO_SYMPTOMS")
        u = max(u, 2)
    features = (
        a.morning_stiffness_over_30_min
        + a.improves_with_exercise_not_rest
        + a.psoriasis_ibd_or_uveitis_history
        + a.family_history_spondyloarthritis
    )
    if a.onset_age < 45 and a.duration_days > 90 and features >= 2:
        ids.append("INFLAMMATORY_BACK_PAIN_PATTERN")
        u = max(u, 2)
    if a.psychosocial_risk_category == "high":
        ids.append("HIGH_PSYCHOSOCIAL_RISK")
        u = max(u, 2)
    if a.age < 18:
        ids.append("MINOR_UNDER_18")
        u = max(u, 2)
    if n == 1:
        ids.append("SINGLE_WEAK_FLAG")
        u = max(u, 2)
    return u, ids


def rates(functions: list, intakes: list[Answers]) -> list[float]:
    """Intakes per second for each function: rounds interleaved so that both see the same machine,
    and the best round of each kept (the one least disturbed by anything else running)."""
    best = [0.0] * len(functions)
    for _ in range(ROUNDS):
        for i, function in enumerate(functions):
            gc.collect()
            start = time.perf_counter()
            for answers in intakes:
                function(answers)
            best[i] = max(best[i], len(intakes) / (time.perf_counter() - start))
    return best


def main() -> None:
    intakes = generate(N)
    disagreements = 0
    levels: dict[str, int] = {}
    for answers in intakes:
        result = evaluate(answers)
        urgency, ids = floor(answers)
        if int(result.urgency) != urgency or sorted(result.rule_ids) != sorted(ids):
            disagreements += 1
        levels[result.urgency.name] = levels.get(result.urgency.name, 0) + 1
    if disagreements:
        raise SystemExit(f"the floor and the engine disagree on {disagreements} intakes")
    print(f"{len(intakes)} intakes, urgencies: {levels}", file=sys.stderr)
    per_second, floor_per_second = rates([evaluate, floor], intakes)
    print(
        json.dumps(
            {
                "per_second": round(per_second),
                "floor_per_second": round(floor_per_second),
                "ratio": round(per_second / floor_per_second, 3),
            }
        )
    )


if __name__ == "__main__":
    main()
