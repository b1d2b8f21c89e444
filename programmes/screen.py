"""The check-in's red-flag screen, and the intake a check-in re-enters triage with.

A patient on a home-exercise programme answers a check-in at home: pain now (0-10) and the
questions below. Any red flag, or pain 2 or more points worse than at the start, sends the
patient back through triage as a new `intake/1` intake (shared/intake-contract.md) built by
`reentry_answers` from the previous intake and the screen.

Every contract field is in exactly one of three sets:

* `SCREEN_FIELDS`: asked again. Symptom questions keep the contract's clinical meaning and ask
  about the time since the last check-in, ongoing symptoms included, so the re-entry intake
  describes the patient as they are now. The medical-news questions (osteoporosis, steroids,
  cancer, immunosuppression) ask only what is new since the programme started and are OR-ed with
  the previous intake: a yes never turns into a no.
* `CARRIED_FIELDS`: background that a programme does not change, copied from the previous intake.
* `DERIVED_FIELDS`: computed from the check-in (age, duration, pain, not improving, mechanism).

No Django here but its translation: every question the patient reads is marked (gettext_lazy).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext_lazy as _

from programmes.core.thresholds import WORSE_PAIN_POINTS
from triage.rules.contract import QUESTIONS, TRAUMA_MECHANISMS, Answers

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

# The contract's own window for "not improving after 4 weeks" (red-flags.md 2g [S16]).
NOT_IMPROVING_DAYS = 28
PAIN_MIN, PAIN_MAX = 0, 10

SCREEN_INTRO = _(
    "These questions are about the time since your last check-in, or since you started your "
    "programme if this is your first check-in. Answer yes if it has happened at any time in "
    "that period, even if it was there before."
)


@dataclass(frozen=True, slots=True)
class ScreenQuestion:
    """One check-in question: the contract field it answers, worded for a patient at home."""

    field: str
    question: StrOrPromise
    group: StrOrPromise
    # What a "yes" means, for the clinician reading the reasons ("New: <finding>"): stored with
    # the check-in's re-entry in the clinic's record, so kept in the clinic's words, untranslated.
    finding: str


def _q(field: str, group: StrOrPromise, question: StrOrPromise, finding: str) -> ScreenQuestion:
    return ScreenQuestion(field=field, question=question, group=group, finding=finding)


_PAIN = _("Your pain")
_INJURY = _("Falls and accidents")
_NERVES = _("Nerves")
_BLADDER = _("Bladder and bowel")
_HEAD = _("Head and face")
_HEART = _("Heart and breathing")
_GENERAL = _("General health")
_JOINTS = _("Joints and stiffness")
_NEWS = _("Medical news")

SCREEN_QUESTIONS: tuple[ScreenQuestion, ...] = (
    _q(
        "pain_worsening_progressively",
        _PAIN,
        _(
            "Since your last check-in, has your pain been getting steadily worse, day by day or "
            "week by week?"
        ),
        "pain steadily getting worse",
    ),
    _q(
        "pain_constant_non_mechanical",
        _PAIN,
        _(
            "Since your last check-in, has your pain been there all the time, and not changed by "
            "moving, resting or changing position?"
        ),
        "constant pain, unchanged by movement, rest or position",
    ),
    _q(
        "night_pain_unrelieved_by_rest",
        _PAIN,
        _(
            "Since your last check-in, has pain at night woken you or kept you awake, even when "
            "lying still or changing position?"
        ),
        "night pain not eased by lying still or changing position",
    ),
    _q(
        "recent_significant_trauma",
        _INJURY,
        _(
            "Since your last check-in, have you had a fall, collision, blow or accident? (Not a "
            "strain from exercising or lifting.)"
        ),
        "fall, collision, blow or accident",
    ),
    _q(
        "progressive_limb_weakness",
        _NERVES,
        _(
            "Since your last check-in, has an arm or leg become weak, with the weakness getting worse?"
        ),
        "weakness in an arm or leg that is getting worse",
    ),
    _q(
        "numbness_or_tingling_arms",
        _NERVES,
        _("Since your last check-in, have you had numbness or pins and needles in an arm or hand?"),
        "numbness or pins and needles in an arm or hand",
    ),
    _q(
        "bilateral_arm_symptoms",
        _NERVES,
        _(
            "Since your last check-in, have you had numbness, tingling or weakness in both arms or "
            "both hands?"
        ),
        "numbness, tingling or weakness in both arms or hands",
    ),
    _q(
        "hand_clumsiness",
        _NERVES,
        _(
            "Since your last check-in, have you been dropping things, or had new trouble with "
            "buttons or writing?"
        ),
        "clumsy hands: dropping things, trouble with buttons or writing",
    ),
    _q(
        "gait_disturbance",
        _NERVES,
        _(
            "Since your last check-in, have you felt newly unsteady on your feet, had stiff or heavy "
            "legs, or been tripping or falling?"
        ),
        "new unsteadiness, stiff or heavy legs, tripping or falling",
    ),
    _q(
        "electric_shock_on_neck_flexion",
        _NERVES,
        _(
            "Since your last check-in, have you had an electric-shock feeling down your spine, arms "
            "or legs when you bend your head forward?"
        ),
        "electric-shock feeling on bending the head forward (Lhermitte)",
    ),
    _q(
        "bilateral_leg_symptoms",
        _NERVES,
        _("Since your last check-in, have you had pain, numbness or weakness in both legs?"),
        "pain, numbness or weakness in both legs",
    ),
    _q(
        "bladder_or_bowel_change",
        _BLADDER,
        _(
            "Since your last check-in, have you had any new difficulty passing urine, any loss of "
            "control of your bladder or bowels, or a new urgent need to go?"
        ),
        "new bladder or bowel difficulty, loss of control or urgency",
    ),
    _q(
        "saddle_anaesthesia",
        _BLADDER,
        _(
            "Since your last check-in, have you had numbness around your back passage, genitals or "
            "inner thighs?"
        ),
        "numbness around the back passage, genitals or inner thighs",
    ),
    _q(
        "dizziness_or_drop_attacks",
        _HEAD,
        _(
            "Since your last check-in, have you felt dizzy or as if the room is spinning, or "
            "suddenly fallen without blacking out?"
        ),
        "dizziness, vertigo or drop attacks",
    ),
    _q(
        "double_vision",
        _HEAD,
        _("Since your last check-in, have you had double vision or disturbed eyesight?"),
        "double or disturbed vision",
    ),
    _q(
        "difficulty_speaking_or_swallowing",
        _HEAD,
        _(
            "Since your last check-in, has your speech been slurred, or have you had trouble "
            "swallowing?"
        ),
        "slurred speech or trouble swallowing",
    ),
    _q(
        "facial_numbness_or_droop",
        _HEAD,
        _("Since your last check-in, has any part of your face gone numb or drooped?"),
        "facial numbness or droop",
    ),
    _q(
        "severe_headache",
        _HEAD,
        _(
            "Since your last check-in, have you had a new, sudden or 'worst ever' headache, unlike "
            "any you have had before?"
        ),
        "new, sudden or worst-ever headache",
    ),
    _q(
        "jaw_claudication_or_scalp_tenderness",
        _HEAD,
        _(
            "Since your last check-in, has your jaw ached when chewing, or your scalp felt tender "
            "(for example when brushing your hair)?"
        ),
        "jaw ache on chewing or scalp tenderness",
    ),
    _q(
        "chest_pain",
        _HEART,
        _("In the last 3 days, have you had new or unexplained chest pain or tightness?"),
        "new or unexplained chest pain or tightness in the last 72 hours",
    ),
    _q(
        "chest_pressure_radiating_to_arm_or_jaw",
        _HEART,
        _(
            "Since your last check-in, have you had pressure or heaviness in your chest that spread "
            "to your arm, neck or jaw?"
        ),
        "chest pressure spreading to the arm, neck or jaw",
    ),
    _q(
        "shortness_of_breath",
        _HEART,
        _("Since your last check-in, have you become breathless in a way that is new for you?"),
        "new breathlessness",
    ),
    _q(
        "sweating_or_nausea_with_pain",
        _HEART,
        _(
            "Since your last check-in, has your pain come with sweating, clamminess, feeling sick or "
            "being sick?"
        ),
        "sweating, clamminess, nausea or vomiting with the pain",
    ),
    _q(
        "exertional_pain_eases_with_rest",
        _HEART,
        _(
            "Since your last check-in, has walking, climbing stairs or other exertion brought on "
            "pain or tightness (not from moving the sore area) that eased within minutes of "
            "resting?"
        ),
        "pain brought on by exertion and eased by rest",
    ),
    _q(
        "tearing_pain_radiating_to_back",
        _HEART,
        _(
            "Since your last check-in, have you had a sudden, severe tearing or ripping pain in your "
            "chest or back?"
        ),
        "sudden severe tearing pain in the chest or back",
    ),
    _q(
        "pain_worse_on_deep_breath",
        _HEART,
        _("Since your last check-in, have you had a sharp pain when breathing in deeply?"),
        "sharp pain on breathing in deeply",
    ),
    _q(
        "coughing_blood",
        _HEART,
        _("Since your last check-in, have you coughed up blood?"),
        "coughing up blood",
    ),
    _q(
        "recent_surgery_immobility_or_leg_swelling",
        _HEART,
        _(
            "In the last 4 weeks, have you had an operation, been laid up in bed or a chair, or made "
            "a long-haul journey; or has one calf become swollen?"
        ),
        "surgery, immobility or long-haul travel in the last 4 weeks, or one swollen calf",
    ),
    _q(
        "unexplained_weight_loss",
        _GENERAL,
        _("In the last 3 to 6 months, have you lost weight without trying?"),
        "weight loss without trying in the last 3 to 6 months",
    ),
    _q(
        "fever_or_chills",
        _GENERAL,
        _("Since your last check-in, have you had a fever, sweats or shivering fits?"),
        "fever, sweats or shivering fits",
    ),
    _q(
        "systemically_unwell",
        _GENERAL,
        _("Since your last check-in, have you felt generally unwell, run down or exhausted?"),
        "generally unwell, run down or exhausted",
    ),
    _q(
        "recent_infection_or_spinal_procedure",
        _GENERAL,
        _(
            "In the last 3 months, have you had a bacterial infection (of the skin, urine or "
            "blood), or an injection or operation on your spine?"
        ),
        "bacterial infection or spinal injection or operation in the last 3 months",
    ),
    _q(
        "pain_related_to_eating_or_abdominal_symptoms",
        _GENERAL,
        _(
            "Since your last check-in, has your pain been linked to meals, indigestion or tummy "
            "pain, or has your skin or the whites of your eyes turned yellow?"
        ),
        "pain linked to meals, indigestion or tummy pain, or jaundice",
    ),
    _q(
        "morning_stiffness_over_30_min",
        _JOINTS,
        _(
            "Since your last check-in, have you woken up stiff, with the stiffness lasting more "
            "than 30 minutes?"
        ),
        "morning stiffness lasting more than 30 minutes",
    ),
    _q(
        "improves_with_exercise_not_rest",
        _JOINTS,
        _("At the moment, does your pain get better when you exercise, but not when you rest?"),
        "pain better with exercise, not with rest",
    ),
    _q(
        "bilateral_shoulder_hip_girdle_aching",
        _JOINTS,
        _(
            "Since your last check-in, have you had aching and stiffness across both shoulders, "
            "both hips, or both?"
        ),
        "aching and stiffness across both shoulders and/or both hips",
    ),
    _q(
        "osteoporosis",
        _NEWS,
        _(
            "Since you started the programme, have you been told you have osteoporosis (thin "
            "bones), or broken a bone in a minor fall?"
        ),
        "told they have osteoporosis, or a fracture from a minor fall",
    ),
    _q(
        "long_term_steroids",
        _NEWS,
        _(
            "Since you started the programme, have you been taking steroid tablets (such as "
            "prednisolone), so that you have now taken them for 3 months or more?"
        ),
        "steroid tablets, now taken for 3 months or more",
    ),
    _q(
        "history_of_cancer",
        _NEWS,
        _(
            "Since you started the programme, have you been told you have cancer? (Not counting "
            "basal cell or squamous cell skin cancer.)"
        ),
        "diagnosed with cancer (other than basal or squamous cell skin cancer)",
    ),
    _q(
        "immunosuppressed",
        _NEWS,
        _(
            "Since you started the programme, have you started anything that weakens your immune "
            "system (chemotherapy, transplant or biologic drugs, high-dose steroids), or been told "
            "you have HIV?"
        ),
        "started immunosuppressing treatment, or diagnosed with HIV",
    ),
)
SCREEN_QUESTIONS_BY_FIELD: dict[str, ScreenQuestion] = {q.field: q for q in SCREEN_QUESTIONS}
SCREEN_FIELDS: frozenset[str] = frozenset(SCREEN_QUESTIONS_BY_FIELD)
# Diagnoses and treatments that can be new since the programme started; once yes, always yes.
HISTORY_NEWS_FIELDS: frozenset[str] = frozenset(
    {"osteoporosis", "long_term_steroids", "history_of_cancer", "immunosuppressed"}
)
CARRIED_FIELDS: frozenset[str] = frozenset(
    {
        "sex",
        "pain_region",
        "onset_sudden",
        "previous_similar_episodes",
        "iv_drug_use",
        "previous_spinal_surgery",
        "cardiovascular_risk_factors",
        "inflammatory_arthritis_history",
        "psoriasis_ibd_or_uveitis_history",
        "family_history_spondyloarthritis",
        "psychosocial_risk_category",
    }
)
DERIVED_FIELDS: frozenset[str] = frozenset(
    {"age", "duration_days", "pain_score_now", "not_improving_after_4_weeks", "trauma_mechanism"}
)

# Asked only after a yes to the fall/accident question. "none" is what a no stores.
TRAUMA_MECHANISM_LABELS: dict[str, StrOrPromise] = {
    "exertional_strain": _("A strain while exercising or lifting (no fall, blow or collision)"),
    "minor_fall_standing_height": _("A fall from standing height or lower, such as a trip or slip"),
    "simple_rear_end_collision": _("A low-speed car collision where I was hit from behind"),
    "contact_sport_collision": _("A collision or tackle while playing sport"),
    "other": _("Another minor accident, knock or blow"),
    "fall_from_height_over_1m_or_5_stairs": _(
        "A fall from 1 metre (about 3 feet) or higher, or down 5 or more stairs"
    ),
    "axial_load_diving_or_head_impact": _(
        "A diving accident, or a heavy blow to the top of the head"
    ),
    "high_speed_or_rollover_collision": _(
        "A road accident at high speed, or where the vehicle rolled over or I was thrown out"
    ),
    "bicycle_or_motorised_recreational_vehicle": _(
        "A bicycle crash, or a crash on a quad bike, jet ski or other motorised leisure vehicle"
    ),
}
TRAUMA_MECHANISM_CHOICES: tuple[tuple[str, StrOrPromise], ...] = tuple(
    (value, TRAUMA_MECHANISM_LABELS[value]) for value in TRAUMA_MECHANISMS if value != "none"
)


def _check_screen(screen: Mapping[str, bool]) -> None:
    unknown = sorted(set(screen) - SCREEN_FIELDS)
    if unknown:
        raise ValueError(f"not check-in screen questions: {', '.join(unknown)}")
    for question in SCREEN_QUESTIONS:
        if question.field not in screen:
            # A red-flag question nobody answered is not a "no" (intake-contract.md).
            raise ValueError(f"{question.field} was not answered (every question must be)")
        if type(screen[question.field]) is not bool:
            raise ValueError(
                f"{question.field} must be true or false, not {screen[question.field]!r}"
            )


def _check_pain(name: str, value: int) -> None:
    if type(value) is not int or not PAIN_MIN <= value <= PAIN_MAX:
        raise ValueError(f"{name} must be a whole number {PAIN_MIN} to {PAIN_MAX}, not {value!r}")


def _previous(previous: Mapping[str, Any]) -> dict[str, Any]:
    # Validating the whole previous intake catches a stored answer set from another contract.
    return Answers.from_mapping(previous).as_mapping()


def pain_worse(*, baseline: int, now: int) -> bool:
    """Pain now is worse than at the start by at least the clinically meaningful 2 points."""
    _check_pain("baseline", baseline)
    _check_pain("now", now)
    return now - baseline >= WORSE_PAIN_POINTS


def red_flags_reported(screen: Mapping[str, bool], previous: Mapping[str, Any]) -> list[str]:
    """The screen fields answered yes, in screen order; medical news only when newly yes."""
    _check_screen(screen)
    before = _previous(previous)
    return [
        q.field
        for q in SCREEN_QUESTIONS
        if screen[q.field] and not (q.field in HISTORY_NEWS_FIELDS and before[q.field])
    ]


def needs_triage(
    *,
    screen: Mapping[str, bool],
    previous: Mapping[str, Any],
    baseline_pain: int,
    pain_now: int,
) -> tuple[bool, list[str]]:
    """Whether the check-in re-enters triage, and why, in words a clinician reads."""
    before = _previous(previous)
    reasons: list[str] = []
    if pain_worse(baseline=baseline_pain, now=pain_now):
        reasons.append(f"Pain {pain_now}/10, up from {baseline_pain}/10 at the start")
    for field in red_flags_reported(screen, previous):
        finding = SCREEN_QUESTIONS_BY_FIELD[field].finding
        # A symptom already recorded at the previous intake is still re-triaged (the rules decide
        # whether it matters now), but the clinician should see it is not new.
        prefix = "Still reported (also at the previous intake)" if before[field] else "New"
        reasons.append(f"{prefix}: {finding}")
    return bool(reasons), reasons


def reentry_answers(
    *,
    previous: Mapping[str, Any],
    screen: Mapping[str, bool],
    pain_now: int,
    age_now: int,
    days_since_previous: int,
    baseline_pain: int,
    trauma_mechanism: str | None = None,
) -> dict[str, Any]:
    """A complete `intake/1` answers mapping for the check-in, validated against the contract."""
    before = _previous(previous)
    _check_screen(screen)
    _check_pain("pain_now", pain_now)
    _check_pain("baseline_pain", baseline_pain)
    if type(days_since_previous) is not int or days_since_previous < 0:
        raise ValueError(f"days_since_previous must be 0 or more, not {days_since_previous!r}")

    if screen["recent_significant_trauma"]:
        if trauma_mechanism not in TRAUMA_MECHANISM_LABELS:
            raise ValueError(
                "trauma_mechanism must say how the fall or accident happened: one of "
                f"{', '.join(TRAUMA_MECHANISM_LABELS)}; not {trauma_mechanism!r}"
            )
        mechanism = trauma_mechanism
    else:
        # A mechanism with no accident is contradictory; refuse it rather than guess which
        # answer the patient meant (the form clears the mechanism when the answer is no).
        if trauma_mechanism not in (None, "none"):
            raise ValueError(
                f"trauma_mechanism {trauma_mechanism!r} given, but recent_significant_trauma "
                "was answered no"
            )
        mechanism = "none"

    answers: dict[str, Any] = {field: before[field] for field in CARRIED_FIELDS}
    for field in SCREEN_FIELDS:
        answers[field] = screen[field] or (field in HISTORY_NEWS_FIELDS and before[field])
    duration = before["duration_days"] + days_since_previous
    answers.update(
        age=age_now,
        duration_days=duration,
        pain_score_now=pain_now,
        not_improving_after_4_weeks=duration >= NOT_IMPROVING_DAYS and pain_now >= baseline_pain,
        trauma_mechanism=mechanism,
    )
    # Raises ContractError (a ValueError) naming any field out of range, e.g. age over 125.
    Answers.from_mapping(answers)
    return {q.name: answers[q.name] for q in QUESTIONS}


# The least a check-in's screen can mean on its own, for when the patient's earlier intake cannot
# be read (the database is down, programmes/offline.py): a background with nothing on it (an
# adult of 18 with ordinary neck pain, no history, no risk factors). A "yes" never lowers the
# urgency (tests/rules/test_properties.py), so what the rules grade these answers is a floor:
# when it is EMERGENCY, the patient needs 999 whatever their history.
_NO_BACKGROUND: dict[str, Any] = {
    **{q.name: False for q in QUESTIONS if q.kind is bool},
    "age": 18,
    "sex": "F",
    "pain_region": "neck",
    "duration_days": 0,
    "pain_score_now": 0,
    "previous_similar_episodes": True,
    "trauma_mechanism": "none",
    "psychosocial_risk_category": "low",
}


def screen_alone_answers(
    screen: Mapping[str, bool], *, pain_now: int | None, trauma_mechanism: str | None
) -> dict[str, Any]:
    """An `intake/1` answers mapping from the screen alone (unanswered questions as no) on a
    background with nothing on it, for the rules' floor when nothing else can be read."""
    answered = {q.field: bool(screen.get(q.field, False)) for q in SCREEN_QUESTIONS}
    pain = pain_now if pain_now is not None and PAIN_MIN <= pain_now <= PAIN_MAX else PAIN_MIN
    mechanism = None
    if answered["recent_significant_trauma"]:
        # The mildest mechanism when the patient has not said which: the floor, never a guess up.
        mechanism = (
            trauma_mechanism if trauma_mechanism in TRAUMA_MECHANISM_LABELS else "exertional_strain"
        )
    return reentry_answers(
        previous=_NO_BACKGROUND,
        screen=answered,
        pain_now=pain,
        age_now=18,
        days_since_previous=0,
        baseline_pain=pain,
        trauma_mechanism=mechanism,
    )
