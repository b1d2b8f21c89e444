"""The red-flag rule set for neck, upper-back and thoracic pain.

Each rule carries the ID, urgency and source of shared/clinical/red-flags.md sections 2 and 3;
the reason is a line a clinician reads. Change any rule and change RULESET_VERSION with it.
Where the reference leaves a reading open, the rule takes the safer one and says so.
"""

from __future__ import annotations

from triage.rules.contract import Answers
from triage.rules.engine import Guard, Rule, RuleSet, Urgency
from triage.rules.markers import gettext_noop

RULESET_VERSION = "2026.1"

E, U, S, R = Urgency.EMERGENCY, Urgency.URGENT, Urgency.SOON, Urgency.ROUTINE

# Sources, as listed in clinical/red-flags.md section 8.
S2 = "NICE CKS Neck pain - non-specific (2013) [S2]"
S3 = "NICE NG59 Low back pain and sciatica (2016, updated 2020) [S3]"
S4 = "Canadian C-Spine Rule, Stiell et al. JAMA 2001; NEJM 2003 [S4]"
# CG75 was replaced by NICE NG234 (Spinal metastases and metastatic spinal cord compression,
# 2023). The released versions keep this text: a source is part of a version's fingerprint, so
# naming NG234 (and checking the rules against it) is a new version (registry.py).
S5 = "NICE CG75 Metastatic spinal cord compression (2008); QS56 [S5]"
S6 = "NHS Dumfries & Galloway RefHelp spinal pathway (2024) [S6]"
S7 = "NHS Borders RefHelp MSK spinal [S7]"
S9 = "Scottish MSK pathways: serious cervical conditions; BNSSG Remedy spinal conditions [S9]"
S10 = "GIRFT National Suspected Cauda Equina Syndrome Pathway (2023) [S10]"
S11 = "IFOMPT Cervical Framework, JOSPT 2023; Barany Society cervical dizziness (2022) [S11]"
S12 = "NICE CG95 Recent-onset chest pain (2010, updated 2016); D&G chest-pain pathway [S12]"
S13 = "BNSSG Remedy aortic dissection; RCEM aortic dissection guideline (2024) [S13]"
S14 = "NICE NG158 VTE (2020); RCEM PE clinical features; Wells/PERC [S14]"
S15 = "Downie et al. BMJ 2013;347:f7095; Henschke fracture rule (2009) [S15]"
S16 = "Henschke et al. Cochrane 2013 CD008686 [S16]"
S17 = "Yusuf, Finucane, Selfe. BMC MSK 2019; AJEM 2019 ED cohort [S17]"
S18 = "NICE NG65 Spondyloarthritis in over 16s (2017) [S18]"
S19 = "NICE CKS Polymyalgia rheumatica; GCA urgent-referral features [S19]"
S20 = "GPonline, Neck pain red flag symptoms (2012) [S20]"
S21 = "Devon Formulary & Referral: neck pain [S21]"
S31 = "Murtagh's General Practice: thoracic back pain [S31]"


# --- Shared facts the rules read ------------------------------------------------------------


def _acs(a: Answers) -> bool:
    return (
        a.chest_pressure_radiating_to_arm_or_jaw
        or (a.chest_pain and (a.sweating_or_nausea_with_pain or a.shortness_of_breath))
        or (a.upper and a.sweating_or_nausea_with_pain and a.shortness_of_breath)
    )


def _pe(a: Answers) -> bool:
    return a.shortness_of_breath and (
        a.coughing_blood
        or (
            a.pain_worse_on_deep_breath
            and (a.onset_sudden or a.recent_surgery_immobility_or_leg_swelling)
        )
    )


def _vascular_neuro(a: Answers) -> bool:
    return (
        a.double_vision
        or a.difficulty_speaking_or_swallowing
        or a.facial_numbness_or_droop
        or (a.dizziness_or_drop_attacks and (a.severe_headache or a.trauma))
    )


def _cord_compression(a: Answers) -> bool:
    return a.progressive_limb_weakness and (
        a.gait_disturbance
        or a.hand_clumsiness
        or a.bilateral_arm_symptoms
        or a.electric_shock_on_neck_flexion
        or a.bilateral_leg_symptoms
        or a.bladder_or_bowel_change
    )


def _any_neuro(a: Answers) -> bool:
    # The neurological symptoms that make cancer history an MSCC emergency (CG75).
    return (
        a.progressive_limb_weakness
        or a.gait_disturbance
        or a.numbness_or_tingling_arms
        or a.bilateral_arm_symptoms
        or a.hand_clumsiness
        or a.bilateral_leg_symptoms
        or a.bladder_or_bowel_change
        or a.saddle_anaesthesia
    )


def _non_mechanical(a: Answers) -> bool:
    return (
        a.night_pain_unrelieved_by_rest
        or a.pain_constant_non_mechanical
        or a.pain_worsening_progressively
    )


def _infection_risk(a: Answers) -> bool:
    return a.immunosuppressed or a.iv_drug_use or a.recent_infection_or_spinal_procedure


def _ccr_high_risk(a: Answers) -> bool:
    return (
        a.pain_region == "neck"
        and a.trauma
        and (a.age >= 65 or a.dangerous_trauma or a.numbness_or_tingling_arms)
    )


def _inflammatory_features(a: Answers) -> int:
    return (
        a.morning_stiffness_over_30_min
        + a.improves_with_exercise_not_rest
        + a.psoriasis_ibd_or_uveitis_history
        + a.family_history_spondyloarthritis
    )


# --- 2g. Weak flags: counted; the counting rules carry the urgency ---------------------------

WEAK_FLAGS = (
    Rule(
        "NIGHT_PAIN",
        None,
        gettext_noop("Night pain not eased by rest or changing position"),
        f"{S2}; {S6}",
        ("night_pain_unrelieved_by_rest",),
        lambda a, n: a.night_pain_unrelieved_by_rest,
    ),
    Rule(
        "CONSTANT_OR_PROGRESSIVE_PAIN",
        None,
        gettext_noop("Constant non-mechanical or steadily worsening pain"),
        S2,
        ("pain_constant_non_mechanical", "pain_worsening_progressively"),
        lambda a, n: a.pain_constant_non_mechanical or a.pain_worsening_progressively,
    ),
    Rule(
        "NOT_IMPROVING_4_WEEKS",
        None,
        gettext_noop("No better after 4 weeks or more of self-care"),
        S16,
        ("not_improving_after_4_weeks", "duration_days"),
        lambda a, n: a.not_improving_after_4_weeks and a.duration_days >= 28,
    ),
    Rule(
        "SYSTEMICALLY_UNWELL",
        None,
        gettext_noop("Generally unwell, without fever"),
        S2,
        ("systemically_unwell",),
        lambda a, n: a.systemically_unwell and not a.fever_or_chills,
    ),
    Rule(
        "PREVIOUS_SPINAL_SURGERY",
        None,
        gettext_noop("Previous neck or back surgery"),
        S2,
        ("previous_spinal_surgery",),
        lambda a, n: a.previous_spinal_surgery,
    ),
    Rule(
        "INFLAMMATORY_ARTHRITIS_HISTORY",
        None,
        gettext_noop("History of inflammatory arthritis"),
        S2,
        ("inflammatory_arthritis_history",),
        lambda a, n: a.inflammatory_arthritis_history,
    ),
)


def _any_weak_flag(a: Answers) -> bool:
    return (
        a.night_pain_unrelieved_by_rest
        or a.pain_constant_non_mechanical
        or a.pain_worsening_progressively
        or a.not_improving_after_4_weeks
        or a.systemically_unwell
        or a.previous_spinal_surgery
        or a.inflammatory_arthritis_history
    )


AGE_NEW_ONSET = Rule(
    "AGE_NEW_ONSET",
    None,
    gettext_noop(
        "First episode of spinal pain over 55 or under 20 (counts only beside another weak flag or "
        "weight loss)"
    ),
    f"{S2}; {S6}; {S16}",
    ("age", "previous_similar_episodes"),
    lambda a, n: (a.age > 55 or a.age < 20) and not a.previous_similar_episodes,
)

# --- Every other rule, most urgent first ----------------------------------------------------

RULES = (
    # 2a. Non-spinal emergencies presenting as neck, upper-back or interscapular pain
    Rule(
        "ACS_SUSPECTED",
        E,
        gettext_noop(
            "Possible heart attack: chest pressure spreading to arm or jaw, or chest/upper-back pain "
            "with sweating, nausea or breathlessness"
        ),
        S12,
        (
            "chest_pressure_radiating_to_arm_or_jaw",
            "chest_pain",
            "sweating_or_nausea_with_pain",
            "shortness_of_breath",
            "pain_region",
        ),
        lambda a, n: _acs(a),
    ),
    Rule(
        "AORTIC_DISSECTION_SUSPECTED",
        E,
        gettext_noop("Sudden severe tearing pain in chest or back: possible aortic dissection"),
        S13,
        ("tearing_pain_radiating_to_back",),
        lambda a, n: a.tearing_pain_radiating_to_back,
    ),
    Rule(
        "PE_SUSPECTED",
        E,
        gettext_noop(
            "Breathlessness with coughing blood, or with pleuritic pain after sudden onset or "
            "surgery/immobility: possible pulmonary embolism or pneumothorax"
        ),
        S14,
        (
            "shortness_of_breath",
            "coughing_blood",
            "pain_worse_on_deep_breath",
            "onset_sudden",
            "recent_surgery_immobility_or_leg_swelling",
        ),
        lambda a, n: _pe(a),
    ),
    Rule(
        "CERVICAL_ARTERIAL_OR_STROKE_SIGNS",
        E,
        gettext_noop(
            "Diplopia, dysarthria/dysphagia or facial numbness, or dizziness with severe headache or "
            "trauma: possible cervical artery dissection or stroke"
        ),
        f"{S6}; {S11}; {S7}",
        (
            "double_vision",
            "difficulty_speaking_or_swallowing",
            "facial_numbness_or_droop",
            "dizziness_or_drop_attacks",
            "severe_headache",
            "recent_significant_trauma",
            "trauma_mechanism",
        ),
        lambda a, n: _vascular_neuro(a),
    ),
    Rule(
        "SEVERE_NEW_HEADACHE",
        E,
        gettext_noop(
            "New, sudden or worst-ever headache with neck pain: possible bleed, meningitis or "
            "dissection"
        ),
        f"{S20}; {S2}",
        ("severe_headache",),
        lambda a, n: a.severe_headache,
    ),
    # 2b. Spinal cord / cauda equina
    Rule(
        "SPHINCTER_OR_SADDLE_SYMPTOMS",
        E,
        gettext_noop(
            "New bladder/bowel change or saddle numbness: possible cauda equina or cord compression"
        ),
        f"{S10}; {S6}",
        ("bladder_or_bowel_change", "saddle_anaesthesia"),
        lambda a, n: a.bladder_or_bowel_change or a.saddle_anaesthesia,
    ),
    Rule(
        "CORD_COMPRESSION_PROGRESSIVE",
        E,
        gettext_noop(
            "Worsening limb weakness with cord features: possible progressive cord compression"
        ),
        f"{S9}; {S6}",
        (
            "progressive_limb_weakness",
            "gait_disturbance",
            "hand_clumsiness",
            "bilateral_arm_symptoms",
            "electric_shock_on_neck_flexion",
            "bilateral_leg_symptoms",
            "bladder_or_bowel_change",
        ),
        lambda a, n: _cord_compression(a),
    ),
    # 2c. Malignancy
    Rule(
        "MSCC_SUSPECTED",
        E,
        gettext_noop(
            "History of cancer with neurological symptoms: possible metastatic spinal cord compression"
        ),
        S5,
        (
            "history_of_cancer",
            "progressive_limb_weakness",
            "gait_disturbance",
            "numbness_or_tingling_arms",
            "bilateral_arm_symptoms",
            "hand_clumsiness",
            "bilateral_leg_symptoms",
            "bladder_or_bowel_change",
            "saddle_anaesthesia",
        ),
        lambda a, n: a.history_of_cancer and _any_neuro(a),
    ),
    # 2d. Infection
    Rule(
        "SPINAL_INFECTION_SUSPECTED",
        E,
        gettext_noop(
            "Fever with immunosuppression, injecting drug use or recent infection/spinal procedure: "
            "possible spinal infection"
        ),
        f"{S6}; {S7}; {S17}",
        (
            "fever_or_chills",
            "immunosuppressed",
            "iv_drug_use",
            "recent_infection_or_spinal_procedure",
        ),
        lambda a, n: a.fever_or_chills and _infection_risk(a),
    ),
    # 2e. Fracture and trauma
    Rule(
        "CCR_HIGH_RISK",
        E,
        gettext_noop(
            "Neck injury with a Canadian C-Spine high-risk factor (age 65+, dangerous mechanism or "
            "arm paraesthesia)"
        ),
        S4,
        (
            "pain_region",
            "recent_significant_trauma",
            "trauma_mechanism",
            "age",
            "numbness_or_tingling_arms",
        ),
        lambda a, n: _ccr_high_risk(a),
    ),
    Rule(
        "MAJOR_TRAUMA_MECHANISM",
        E,
        gettext_noop("Injury by a dangerous mechanism: possible spinal fracture"),
        f"{S15}; {S4}",
        ("recent_significant_trauma", "trauma_mechanism"),
        lambda a, n: a.dangerous_trauma,
    ),
    # GCA: URGENT, raised to EMERGENCY with visual symptoms (sight can be lost within days).
    Rule(
        "GCA_POSSIBLE",
        U,
        gettext_noop(
            "Age 50+ with jaw claudication or scalp tenderness: possible giant cell arteritis"
        ),
        S19,
        ("age", "jaw_claudication_or_scalp_tenderness", "double_vision"),
        lambda a, n: a.age >= 50 and a.jaw_claudication_or_scalp_tenderness,
        raised_to=E,
        raised_when=lambda a: a.double_vision,
    ),
    # URGENT
    Rule(
        "CHEST_PAIN_UNEXPLAINED",
        U,
        gettext_noop("New or unexplained chest pain in the last 72 hours: same-day assessment"),
        S12,
        ("chest_pain",),
        lambda a, n: a.chest_pain and not _acs(a),
    ),
    Rule(
        "EXERTIONAL_UPPER_BODY_PAIN",
        U,
        gettext_noop(
            "Upper-body pain brought on by exertion and eased by rest, with cardiovascular risk or "
            "age 40+: possible angina"
        ),
        S12,
        ("exertional_pain_eases_with_rest", "pain_region", "cardiovascular_risk_factors", "age"),
        lambda a, n: (
            a.exertional_pain_eases_with_rest
            and a.upper
            and (a.cardiovascular_risk_factors or a.age >= 40)
        ),
    ),
    Rule(
        "BREATHLESSNESS_UNEXPLAINED",
        U,
        gettext_noop(
            "New breathlessness without features of PE or ACS: cardiorespiratory cause to exclude"
        ),
        f"{S12}; {S14}",
        ("shortness_of_breath",),
        lambda a, n: a.shortness_of_breath and not _pe(a) and not _acs(a),
    ),
    Rule(
        "ISOLATED_DIZZINESS_WITH_NECK_PAIN",
        U,
        gettext_noop(
            "Dizziness or drop attacks with neck pain: assess before any neck exercise or manual "
            "therapy"
        ),
        S11,
        ("dizziness_or_drop_attacks",),
        lambda a, n: a.dizziness_or_drop_attacks and not _vascular_neuro(a),
    ),
    Rule(
        "MYELOPATHY_FEATURES",
        U,
        gettext_noop(
            "Hand clumsiness, gait change, Lhermitte's sign or both-arm symptoms: possible "
            "cervical myelopathy"
        ),
        f"{S2}; {S6}; {S9}",
        (
            "hand_clumsiness",
            "gait_disturbance",
            "electric_shock_on_neck_flexion",
            "bilateral_arm_symptoms",
        ),
        lambda a, n: (
            a.hand_clumsiness
            or a.gait_disturbance
            or a.electric_shock_on_neck_flexion
            or a.bilateral_arm_symptoms
        ),
    ),
    Rule(
        "PROGRESSIVE_WEAKNESS",
        U,
        gettext_noop("Worsening limb weakness: possible progressive radiculopathy"),
        f"{S2}; Lothian [S8]",
        ("progressive_limb_weakness",),
        lambda a, n: a.progressive_limb_weakness and not _cord_compression(a),
    ),
    Rule(
        "CANCER_HISTORY_WITH_UPPER_SPINAL_PAIN",
        U,
        gettext_noop(
            "History of cancer with neck or thoracic pain: possible spinal metastasis (MRI within "
            "a week, MSCC coordinator within 24 h)"
        ),
        f"{S5}; {S15}; {S16}",
        ("history_of_cancer", "pain_region"),
        lambda a, n: a.history_of_cancer and a.upper,
    ),
    Rule(
        "CANCER_HISTORY_WITH_SINISTER_LOW_BACK_PAIN",
        U,
        gettext_noop(
            "History of cancer with night, constant or progressive low-back pain: possible spinal "
            "metastasis"
        ),
        S5,
        (
            "history_of_cancer",
            "pain_region",
            "night_pain_unrelieved_by_rest",
            "pain_constant_non_mechanical",
            "pain_worsening_progressively",
        ),
        lambda a, n: a.history_of_cancer and a.pain_region == "lower_back" and _non_mechanical(a),
    ),
    Rule(
        "MALIGNANCY_CLUSTER",
        U,
        gettext_noop("Unexplained weight loss with another weak flag: malignancy to exclude"),
        S16,
        ("unexplained_weight_loss",),
        lambda a, n: a.unexplained_weight_loss and n >= 1,
    ),
    Rule(
        "FEVER_WITH_SPINAL_PAIN",
        U,
        gettext_noop("Fever or chills with spinal pain: possible infection"),
        S2,
        ("fever_or_chills",),
        lambda a, n: a.fever_or_chills and not _infection_risk(a),
    ),
    Rule(
        "INFECTION_RISK_WITH_NONMECHANICAL_PAIN",
        U,
        gettext_noop(
            "Infection risk factor with night, constant or progressive pain (fever is absent in ~45% "
            "of spinal infections)"
        ),
        f"{S17}; {S6}",
        (
            "immunosuppressed",
            "iv_drug_use",
            "recent_infection_or_spinal_procedure",
            "night_pain_unrelieved_by_rest",
            "pain_constant_non_mechanical",
            "pain_worsening_progressively",
        ),
        lambda a, n: not a.fever_or_chills and _infection_risk(a) and _non_mechanical(a),
    ),
    Rule(
        "LOW_RISK_TRAUMA_ACUTE",
        U,
        gettext_noop(
            "Low-energy injury in the last 7 days: a clinician must examine (reception cannot clear "
            "the spine)"
        ),
        S4,
        ("recent_significant_trauma", "trauma_mechanism", "duration_days"),
        lambda a, n: a.low_energy_trauma and a.duration_days <= 7 and not _ccr_high_risk(a),
    ),
    Rule(
        "FRAGILITY_FRACTURE_SUSPECTED",
        U,
        gettext_noop(
            "Osteoporosis or long-term steroids with minor injury or sudden onset, or age 70+ with "
            "minor injury: possible fragility fracture"
        ),
        f"{S15}; {S7}",
        (
            "osteoporosis",
            "long_term_steroids",
            "recent_significant_trauma",
            "trauma_mechanism",
            "onset_sudden",
            "age",
        ),
        lambda a, n: (
            ((a.osteoporosis or a.long_term_steroids) and (a.low_energy_trauma or a.onset_sudden))
            or (a.age >= 70 and a.low_energy_trauma)
        ),
    ),
    # SOON
    Rule(
        "CANCER_HISTORY_MECHANICAL_LOW_BACK",
        S,
        gettext_noop("History of cancer with mechanical low-back pain: review within a week"),
        S5,
        ("history_of_cancer", "pain_region"),
        lambda a, n: (
            a.history_of_cancer and a.pain_region == "lower_back" and not _non_mechanical(a)
        ),
    ),
    Rule(
        "UNEXPLAINED_WEIGHT_LOSS",
        S,
        gettext_noop("Unexplained weight loss: systemic cause to exclude"),
        f"{S16}; {S6}",
        ("unexplained_weight_loss",),
        lambda a, n: a.unexplained_weight_loss and n == 0,
    ),
    Rule(
        "INFECTION_RISK_FACTOR",
        S,
        gettext_noop(
            "Infection risk factor (immunosuppression, injecting drugs or recent infection/procedure) "
            "with mechanical pain and no fever"
        ),
        S2,
        ("immunosuppressed", "iv_drug_use", "recent_infection_or_spinal_procedure"),
        lambda a, n: not a.fever_or_chills and _infection_risk(a) and not _non_mechanical(a),
    ),
    Rule(
        "LOW_RISK_TRAUMA_SUBACUTE",
        S,
        gettext_noop(
            "Low-energy injury more than 7 days ago: clinician assessment before exercise"
        ),
        S4,
        ("recent_significant_trauma", "trauma_mechanism", "duration_days"),
        lambda a, n: a.low_energy_trauma and a.duration_days > 7 and not _ccr_high_risk(a),
    ),
    Rule(
        "PMR_POSSIBLE",
        S,
        gettext_noop(
            "Age 50+ with aching across both shoulder/hip girdles and morning stiffness: possible "
            "polymyalgia rheumatica"
        ),
        S19,
        ("age", "bilateral_shoulder_hip_girdle_aching", "morning_stiffness_over_30_min"),
        lambda a, n: (
            a.age >= 50
            and a.bilateral_shoulder_hip_girdle_aching
            and a.morning_stiffness_over_30_min
        ),
    ),
    Rule(
        "INFLAMMATORY_ARTHRITIS_NECK",
        S,
        gettext_noop(
            "Inflammatory arthritis with neck pain: atlanto-axial instability to consider"
        ),
        f"{S2}; {S9}",
        ("inflammatory_arthritis_history", "pain_region"),
        lambda a, n: a.inflammatory_arthritis_history and a.pain_region == "neck",
    ),
    Rule(
        "VISCERAL_SOURCE_POSSIBLE",
        S,
        gettext_noop(
            "Pain linked to meals or abdominal symptoms: possible referred visceral pain (GP)"
        ),
        S31,
        ("pain_related_to_eating_or_abdominal_symptoms",),
        lambda a, n: a.pain_related_to_eating_or_abdominal_symptoms,
    ),
    # ROUTINE
    Rule(
        "UNILATERAL_ARM_NEURO_SYMPTOMS",
        R,
        gettext_noop("Pins and needles or numbness in one arm: probable cervical radiculopathy"),
        S2,
        ("numbness_or_tingling_arms",),
        lambda a, n: (
            a.numbness_or_tingling_arms
            and not a.bilateral_arm_symptoms
            and not a.progressive_limb_weakness
        ),
    ),
    Rule(
        "INFLAMMATORY_BACK_PAIN_PATTERN",
        R,
        gettext_noop(
            "Onset before 45, over 3 months, with 2+ inflammatory features: assess against NICE NG65"
        ),
        S18,
        (
            "age",
            "duration_days",
            "morning_stiffness_over_30_min",
            "improves_with_exercise_not_rest",
            "psoriasis_ibd_or_uveitis_history",
            "family_history_spondyloarthritis",
        ),
        lambda a, n: a.onset_age < 45 and a.duration_days > 90 and _inflammatory_features(a) >= 2,
    ),
    Rule(
        "HIGH_PSYCHOSOCIAL_RISK",
        R,
        gettext_noop(
            "High psychosocial risk of a poor outcome: clinician-led, psychologically informed care"
        ),
        S3,
        ("psychosocial_risk_category",),
        lambda a, n: a.psychosocial_risk_category == "high",
    ),
    Rule(
        "MINOR_UNDER_18",
        R,
        gettext_noop(
            "Under 18: paediatric assessment (the C-Spine Rule is not validated under 16)"
        ),
        f"{S6}; {S4}",
        ("age",),
        lambda a, n: a.age < 18,
    ),
)


# 2g counting: n weak flags (AGE_NEW_ONSET counted only beside another or weight loss).
COUNTING = (
    Rule("SINGLE_WEAK_FLAG", R, gettext_noop("One weak red flag"), S2, (), lambda a, n: n == 1),
    Rule(
        "TWO_WEAK_FLAGS", S,
        gettext_noop("Two weak red flags together: serious pathology more likely"), S21, (),
        lambda a, n: n == 2,
    ),
    Rule(
        "MULTIPLE_WEAK_FLAGS", U, gettext_noop("Three or more weak red flags together"), f"{S21}; {S16}", (),
        lambda a, n: n >= 3,
    ),
)  # fmt: skip

# Which answers each family of rules needs at least one of. Most intakes answer "no" to most
# questions, so most families are passed over after one test (bench/triage_speed.py).
GUARDS = (
    Guard(
        "chest and breathing",
        lambda a, n: (
            a.chest_pain
            or a.chest_pressure_radiating_to_arm_or_jaw
            or a.shortness_of_breath
            or a.sweating_or_nausea_with_pain
        ),
        ("ACS_SUSPECTED", "CHEST_PAIN_UNEXPLAINED", "PE_SUSPECTED", "BREATHLESSNESS_UNEXPLAINED"),
    ),
    Guard(
        "head, eyes and vessels",
        lambda a, n: (
            a.dizziness_or_drop_attacks
            or a.double_vision
            or a.difficulty_speaking_or_swallowing
            or a.facial_numbness_or_droop
            or a.severe_headache
            or a.jaw_claudication_or_scalp_tenderness
        ),
        (
            "CERVICAL_ARTERIAL_OR_STROKE_SIGNS",
            "ISOLATED_DIZZINESS_WITH_NECK_PAIN",
            "SEVERE_NEW_HEADACHE",
            "GCA_POSSIBLE",
        ),
    ),
    Guard(
        "cord and nerves",
        lambda a, n: (
            a.progressive_limb_weakness
            or a.numbness_or_tingling_arms
            or a.bilateral_arm_symptoms
            or a.hand_clumsiness
            or a.gait_disturbance
            or a.electric_shock_on_neck_flexion
            or a.bladder_or_bowel_change
            or a.saddle_anaesthesia
        ),
        (
            "SPHINCTER_OR_SADDLE_SYMPTOMS",
            "CORD_COMPRESSION_PROGRESSIVE",
            "MYELOPATHY_FEATURES",
            "PROGRESSIVE_WEAKNESS",
            "UNILATERAL_ARM_NEURO_SYMPTOMS",
        ),
    ),
    Guard(
        "history of cancer",
        lambda a, n: a.history_of_cancer,
        (
            "MSCC_SUSPECTED",
            "CANCER_HISTORY_WITH_UPPER_SPINAL_PAIN",
            "CANCER_HISTORY_WITH_SINISTER_LOW_BACK_PAIN",
            "CANCER_HISTORY_MECHANICAL_LOW_BACK",
        ),
    ),
    Guard(
        "infection",
        lambda a, n: a.fever_or_chills or _infection_risk(a),
        (
            "SPINAL_INFECTION_SUSPECTED",
            "FEVER_WITH_SPINAL_PAIN",
            "INFECTION_RISK_WITH_NONMECHANICAL_PAIN",
            "INFECTION_RISK_FACTOR",
        ),
    ),
    Guard(
        "injury and bone fragility",
        lambda a, n: a.trauma or a.osteoporosis or a.long_term_steroids,
        (
            "CCR_HIGH_RISK",
            "MAJOR_TRAUMA_MECHANISM",
            "LOW_RISK_TRAUMA_ACUTE",
            "LOW_RISK_TRAUMA_SUBACUTE",
            "FRAGILITY_FRACTURE_SUSPECTED",
        ),
    ),
    Guard(
        "weight loss",
        lambda a, n: a.unexplained_weight_loss,
        ("MALIGNANCY_CLUSTER", "UNEXPLAINED_WEIGHT_LOSS"),
    ),
    Guard(
        "joints and stiffness",
        lambda a, n: (
            a.morning_stiffness_over_30_min
            or a.improves_with_exercise_not_rest
            or a.psoriasis_ibd_or_uveitis_history
            or a.family_history_spondyloarthritis
            or a.bilateral_shoulder_hip_girdle_aching
            or a.inflammatory_arthritis_history
        ),
        ("INFLAMMATORY_BACK_PAIN_PATTERN", "PMR_POSSIBLE", "INFLAMMATORY_ARTHRITIS_NECK"),
    ),
    Guard(
        "rarer findings",
        lambda a, n: (
            a.tearing_pain_radiating_to_back
            or a.exertional_pain_eases_with_rest
            or a.pain_related_to_eating_or_abdominal_symptoms
            or a.age < 18
        ),
        (
            "AORTIC_DISSECTION_SUSPECTED",
            "EXERTIONAL_UPPER_BODY_PAIN",
            "VISCERAL_SOURCE_POSSIBLE",
            "MINOR_UNDER_18",
        ),
    ),
)


def _with_medium_psychosocial_routine(rules: tuple[Rule, ...]) -> tuple[Rule, ...]:
    """The clinic's optional policy (red-flags.md section 5): medium risk also goes clinician-led."""
    return tuple(
        Rule(
            r.id,
            r.urgency,
            gettext_noop(
                "Medium or high psychosocial risk of a poor outcome: clinician-led care (clinic policy)"
            ),
            r.source,
            r.fields,
            lambda a, n: a.psychosocial_risk_category in ("medium", "high"),
        )
        if r.id == "HIGH_PSYCHOSOCIAL_RISK"
        else r
        for r in rules
    )


DEFAULT = RuleSet(
    RULESET_VERSION, WEAK_FLAGS, AGE_NEW_ONSET, RULES, COUNTING, GUARDS, _any_weak_flag
)
MEDIUM_PSYCHOSOCIAL_IS_ROUTINE = RuleSet(
    f"{RULESET_VERSION}+psychosocial-medium-routine",
    WEAK_FLAGS,
    AGE_NEW_ONSET,
    _with_medium_psychosocial_routine(RULES),
    COUNTING,
    GUARDS,
    _any_weak_flag,
)


def ruleset_for(*, medium_psychosocial_risk_is_routine: bool = False) -> RuleSet:
    return MEDIUM_PSYCHOSOCIAL_IS_ROUTINE if medium_psychosocial_risk_is_routine else DEFAULT
