"""Every question of the intake contract `intake/1`, worded for the patient answering it alone.

The reception wording stays the contract's own (`triage.rules.contract`: the question a
receptionist reads aloud, in the clinic's words); this module is its twin for the patient, with
the same keys, in one place: second person, plain words, and an example wherever a term is
medical. Each entry keeps the clinical meaning of the contract's row (shared/intake-contract.md):
changing what a question asks here is changing the rule that reads it, so it is reviewed with the
clinical lead as a rule is. The contract module stays free of Django, so the words are here,
marked for translation (gettext_lazy).

`PATIENT_QUESTIONS` has an entry for every contract key, the derived ones (age, sex, the
psychosocial category) included, for the page that shows the patient their answers;
`tests/selfintake/test_wording.py` holds it to the contract's keys.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

from programmes.screen import TRAUMA_MECHANISM_LABELS
from triage.rules.contract import DANGEROUS_MECHANISMS, LOW_ENERGY_MECHANISMS

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@dataclass(frozen=True, slots=True)
class PatientQuestion:
    text: StrOrPromise
    hint: StrOrPromise = ""


def _q(text: StrOrPromise, hint: StrOrPromise = "") -> PatientQuestion:
    return PatientQuestion(text=text, hint=hint)


PATIENT_QUESTIONS: dict[str, PatientQuestion] = {
    # Derived, never asked: shown on the answers page only.
    "age": _q(_("Your age"), _("From your date of birth.")),
    "sex": _q(_("Your sex"), _("As the clinic has it on your record.")),
    # The pain.
    "pain_region": _q(_("Where is your main pain?")),
    "duration_days": _q(
        _("How many days ago did your pain start?"),
        _(
            "Enter 0 if it started today. A rough number is fine: about 14 for two weeks, 30 "
            "for a month, 365 for a year."
        ),
    ),
    "onset_sudden": _q(
        _("Did your pain come on suddenly, within seconds or minutes?"),
        _("Answer no if it built up over hours or days."),
    ),
    "pain_score_now": _q(
        _("How bad is your pain right now?"),
        _("0 means no pain at all, 10 the worst pain you can imagine."),
    ),
    "previous_similar_episodes": _q(_("Have you had neck or back pain like this before?")),
    "not_improving_after_4_weeks": _q(
        _(
            "If your pain started 4 weeks ago or more: is it no better, or worse, even though you "
            "have been looking after it as usual?"
        ),
        _(
            "Looking after it means things like keeping moving, resting or taking painkillers. "
            "If it started less than 4 weeks ago, answer no."
        ),
    ),
    "pain_worsening_progressively": _q(
        _("Is your pain steadily getting worse, day by day or week by week?")
    ),
    "pain_constant_non_mechanical": _q(
        _(
            "Is your pain there all the time, and the same whether you move, rest or change position?"
        )
    ),
    "night_pain_unrelieved_by_rest": _q(
        _(
            "Does pain wake you at night, or keep you awake, even when you lie still or change "
            "position?"
        )
    ),
    # Falls and accidents.
    "recent_significant_trauma": _q(
        _("Before the pain began, did you have a fall, a collision, a blow or an accident?"),
        _(
            "For example a fall, a car accident or a knock in sport. Answer no if it was a strain "
            "from exercising or lifting."
        ),
    ),
    "trauma_mechanism": _q(
        _("How did your fall, collision or accident happen?"),
        _("Choose the one closest to what happened."),
    ),
    # Your health.
    "osteoporosis": _q(
        _(
            "Have you been told you have osteoporosis (thin, weak bones), or have you broken a "
            "bone in a minor fall?"
        ),
        _("A minor fall means from standing height or lower, such as a trip or a slip."),
    ),
    "long_term_steroids": _q(
        _("Have you taken steroid tablets for 3 months or more?"),
        _("For example prednisolone. Steroid inhalers, creams and sprays do not count."),
    ),
    "history_of_cancer": _q(
        _("Have you ever had cancer?"),
        _(
            "Answer no if it was only a basal cell or squamous cell skin cancer (the common skin "
            "cancers that are not melanoma)."
        ),
    ),
    "unexplained_weight_loss": _q(
        _("Have you lost weight in the last 3 to 6 months without trying to?")
    ),
    "fever_or_chills": _q(
        _("Since this pain began, have you had a fever (a high temperature), sweats or shivering?")
    ),
    "systemically_unwell": _q(_("Do you feel generally unwell, run down or exhausted?")),
    "immunosuppressed": _q(
        _(
            "Do you have anything that weakens your immune system (your body's defence against "
            "infection)?"
        ),
        _(
            "For example chemotherapy, medicines taken after a transplant, biologic medicines or "
            "DMARDs for arthritis (such as methotrexate), HIV, or high-dose steroids."
        ),
    ),
    "iv_drug_use": _q(
        _("Do you inject drugs, now or in the recent past?"),
        _("Not counting medicines prescribed for you, such as insulin."),
    ),
    "recent_infection_or_spinal_procedure": _q(
        _(
            "In the last 3 months, have you had a bacterial infection, or an injection or an "
            "operation on your spine?"
        ),
        _(
            "For example a skin, urine or blood infection treated with antibiotics, or a "
            "steroid injection into your back."
        ),
    ),
    "previous_spinal_surgery": _q(_("Have you ever had an operation on your neck or back?")),
    # Numbness, weakness, bladder and bowels.
    "progressive_limb_weakness": _q(
        _("Is one of your arms or legs weak, with the weakness getting worse?")
    ),
    "numbness_or_tingling_arms": _q(
        _("Do you have numbness or pins and needles in an arm or a hand?")
    ),
    "bilateral_arm_symptoms": _q(
        _("Do you have numbness, tingling or weakness in both arms or both hands?")
    ),
    "hand_clumsiness": _q(
        _("Have you been dropping things, or had new trouble doing up buttons or writing?")
    ),
    "gait_disturbance": _q(
        _(
            "Have you become unsteady on your feet, do your legs feel stiff or heavy, or have you "
            "been tripping or falling?"
        )
    ),
    "electric_shock_on_neck_flexion": _q(
        _(
            "When you bend your head forward, do you feel something like an electric shock "
            "running down your back, arms or legs?"
        )
    ),
    "bladder_or_bowel_change": _q(
        _("Have you had any new problems with your bladder or your bowels?"),
        _(
            "For example trouble starting to pee, not being able to hold it in, suddenly needing "
            "to go, or not being able to control your bowels."
        ),
    ),
    "saddle_anaesthesia": _q(
        _("Do you have numbness around your bottom, your genitals or the inside of your thighs?"),
        _("For example, toilet paper feels different when you wipe."),
    ),
    "bilateral_leg_symptoms": _q(_("Do you have pain, numbness or weakness in both legs?")),
    # Head, chest and breathing.
    "dizziness_or_drop_attacks": _q(
        _("Have you had dizziness, a spinning feeling, or sudden falls without passing out?")
    ),
    "double_vision": _q(_("Have you had double vision, or other new problems with your sight?")),
    "difficulty_speaking_or_swallowing": _q(
        _("Have you had slurred speech, or trouble swallowing?")
    ),
    "facial_numbness_or_droop": _q(_("Is part of your face numb, or drooping?")),
    "severe_headache": _q(
        _("Have you had a new headache that came on suddenly, or is the worst you have ever had?"),
        _("A headache unlike any you have had before."),
    ),
    "jaw_claudication_or_scalp_tenderness": _q(
        _(
            "Does your jaw ache when you chew, or is your scalp sore to touch, for example when "
            "you brush your hair?"
        )
    ),
    "chest_pain": _q(
        _(
            "In the last 3 days, have you had new pain or tightness in your chest that you cannot "
            "explain?"
        )
    ),
    "chest_pressure_radiating_to_arm_or_jaw": _q(
        _("Have you had pressure or heaviness in your chest that spreads to your arm, neck or jaw?")
    ),
    "shortness_of_breath": _q(_("Have you become short of breath, in a way that is new for you?")),
    "sweating_or_nausea_with_pain": _q(
        _("With the pain, have you been sweating, clammy, feeling sick or being sick?")
    ),
    "exertional_pain_eases_with_rest": _q(
        _(
            "Does the pain come on when you walk, climb stairs or exert yourself, and ease within "
            "a few minutes of rest?"
        ),
        _("Not pain from moving the sore part of your neck or back."),
    ),
    "tearing_pain_radiating_to_back": _q(
        _(
            "Have you had a sudden, severe pain in your chest or back that feels like tearing or ripping?"
        )
    ),
    "pain_worse_on_deep_breath": _q(_("Do you get a sharp pain when you breathe in deeply?")),
    "coughing_blood": _q(_("Have you coughed up blood?")),
    "recent_surgery_immobility_or_leg_swelling": _q(
        _(
            "In the last 4 weeks, have you had an operation, been stuck in bed or a chair for a "
            "long time, or made a long journey? Or is one of your calves swollen?"
        ),
        _("A long journey means 4 hours or more sitting, for example a long flight."),
    ),
    "cardiovascular_risk_factors": _q(
        _(
            "Do any of these apply to you: you smoke; you have diabetes, high blood pressure, high "
            "cholesterol or heart disease; or heart disease runs in your family?"
        )
    ),
    "pain_related_to_eating_or_abdominal_symptoms": _q(
        _(
            "Is your pain linked to eating, indigestion or tummy pain, or has your skin or the "
            "white of your eyes turned yellow?"
        )
    ),
    # Joints and stiffness.
    "morning_stiffness_over_30_min": _q(
        _("When you wake up, does the stiffness last more than 30 minutes?")
    ),
    "improves_with_exercise_not_rest": _q(
        _("Does the pain get better when you exercise, but not when you rest?")
    ),
    "inflammatory_arthritis_history": _q(
        _(
            "Have you been told you have rheumatoid arthritis, ankylosing spondylitis (axial "
            "spondyloarthritis) or psoriatic arthritis?"
        ),
        _("These are kinds of arthritis in which the body's defences inflame the joints."),
    ),
    "psoriasis_ibd_or_uveitis_history": _q(
        _("Have you been told you have psoriasis, Crohn's disease, ulcerative colitis or uveitis?"),
        _(
            "Psoriasis is a skin condition with red, flaky patches. Crohn's disease and "
            "ulcerative colitis affect the gut. Uveitis (or iritis) is a painful, red eye."
        ),
    ),
    "family_history_spondyloarthritis": _q(
        _(
            "Does a parent, brother, sister or child of yours have ankylosing spondylitis or "
            "spondyloarthritis?"
        )
    ),
    "bilateral_shoulder_hip_girdle_aching": _q(
        _("Do you have aching and stiffness across both shoulders, or across both hips?")
    ),
    # Wellbeing: derived from the clinic's questionnaire, never asked as such.
    "psychosocial_risk_category": _q(
        _("How your pain affects your life"), _("From your answers to the clinic's questionnaire.")
    ),
}

# The patient's words for each coded answer.
PAIN_REGION_LABELS: dict[str, StrOrPromise] = {
    "neck": _("My neck"),
    "upper_back": _("My upper back"),
    "thoracic": _("The middle of my back"),
    "shoulder_blades": _("Between or around my shoulder blades"),
    "lower_back": _("My lower back"),
}
SEX_LABELS: dict[str, StrOrPromise] = {
    "F": _("Female"),
    "M": _("Male"),
    "X": _("Other, or not stated"),
}
# How an injury happened, in the check-in's words (programmes.screen: the patient's words for the
# same contract values). Asked only after a yes; "none" is what a no stores. The gym or lifting
# strain is left out, as on reception's form: the question before it already says that a strain
# is a no.
MECHANISM_VALUES: tuple[str, ...] = (
    *LOW_ENERGY_MECHANISMS,
    *(m for m in TRAUMA_MECHANISM_LABELS if m in DANGEROUS_MECHANISMS),
)
MECHANISM_LABELS: dict[str, StrOrPromise] = {
    "none": _("No fall, collision, blow or accident"),
    **{value: TRAUMA_MECHANISM_LABELS[value] for value in MECHANISM_VALUES},
}
PSYCHOSOCIAL_LABELS: dict[str, StrOrPromise] = {
    "low": _("Worked out from your answers"),
    "medium": _("Worked out from your answers"),
    "high": _("Worked out from your answers"),
    "not_assessed": _("Not asked"),
}
CODED_LABELS: dict[str, dict[str, StrOrPromise]] = {
    "pain_region": PAIN_REGION_LABELS,
    "sex": SEX_LABELS,
    "trauma_mechanism": MECHANISM_LABELS,
    "psychosocial_risk_category": PSYCHOSOCIAL_LABELS,
}
YES = _("Yes")
NO = _("No")
