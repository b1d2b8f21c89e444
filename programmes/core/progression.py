"""What a check-in means for the programme: move on, add load, hold, reduce, or ask.

`decide` is a pure decision over the check-in's plain values. The rules, first match wins:

1. Pain worse than at the start by WORSE_PAIN_POINTS (2) or more -> "hold". The caller sends the
   check-in back through triage separately (programmes.screen.needs_triage); nothing is added.
2. The patient logged that form broke, or the body twisted to make up, since the last check-in
   -> "reduce_load": drop the weight one step so every repetition is done with good form
   (ACSM position stand on progression models in resistance training, 2009; clinic advice).
3. Steady improvement (pain now no higher than at the start, and no higher than at the previous
   check-in) with adherence >= MIN_ADHERENCE:
   * the phase's weeks are done and there is a next phase -> "next_phase" when the programme
     advances automatically, "ask_clinician" when the clinician advances it;
   * otherwise -> "add_load": one step up within the phase.
4. Anything else -> "hold" with an encouraging reason: same exercises, same dose.

So load never goes up when pain is above the start or when form broke.

No Django imports here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from programmes.core.thresholds import WORSE_PAIN_POINTS

Action = Literal["next_phase", "add_load", "ask_clinician", "hold", "reduce_load"]
Advance = Literal["auto", "clinician"]

# Sessions done / sessions planned below which the dose is held rather than progressed: three
# of four planned sessions. Clinic policy, a commonly used cut-off with no single published
# source: the adherence trial the library cites (Lambert TE et al. J Physiother 2017;63(3):161-7)
# rated adherence 0-10 and set no threshold. For the clinical lead to confirm.
MIN_ADHERENCE = 0.75
PAIN_MIN, PAIN_MAX = 0, 10
ADVANCES: tuple[Advance, ...] = ("auto", "clinician")


@dataclass(frozen=True, slots=True)
class Decision:
    action: Action
    # Shown to the patient with their check-in result.
    reason: str
    # Shown to the clinician on the programme's timeline.
    clinician_reason: str


def adherence(done: int, planned: int) -> float:
    """Sessions done as a share of sessions planned: 0 when none were planned, at most 1."""
    if done < 0 or planned < 0:
        raise ValueError(f"sessions cannot be negative: done={done}, planned={planned}")
    if planned == 0:
        return 0.0
    return min(1.0, done / planned)


def _check_pain(name: str, value: int) -> None:
    if type(value) is not int or not PAIN_MIN <= value <= PAIN_MAX:
        raise ValueError(f"{name} must be a whole number {PAIN_MIN} to {PAIN_MAX}, not {value!r}")


def decide(
    *,
    adherence: float,
    pain_baseline: int,
    pain_previous: int | None,
    pain_now: int,
    form_broke: bool,
    phase_weeks_done: bool,
    has_next_phase: bool,
    advance: str,
) -> Decision:
    """The programme's next step after a check-in (rules in the module docstring)."""
    if math.isnan(adherence) or not 0.0 <= adherence <= 1.0:
        raise ValueError(f"adherence must be between 0 and 1, not {adherence!r}")
    _check_pain("pain_baseline", pain_baseline)
    _check_pain("pain_now", pain_now)
    if pain_previous is not None:
        _check_pain("pain_previous", pain_previous)
    if advance not in ADVANCES:
        raise ValueError(f"advance must be one of {', '.join(ADVANCES)}, not {advance!r}")

    done = f"{round(adherence * 100)}% of planned sessions done"
    previous = "none" if pain_previous is None else f"{pain_previous}/10"
    pains = f"pain {pain_now}/10 (start {pain_baseline}/10, last check-in {previous})"

    if pain_now - pain_baseline >= WORSE_PAIN_POINTS:
        return Decision(
            action="hold",
            reason="Your pain is higher than when you started, so keep your exercises as they "
            "are for now and do not add any weight. The clinic team will look at your answers.",
            clinician_reason=f"Held: {pains}, worse by {WORSE_PAIN_POINTS}+ points; "
            "check-in re-enters triage",
        )
    if form_broke:
        return Decision(
            action="reduce_load",
            reason="You noted that your form slipped or your body twisted to help. Make the "
            "exercise one step easier (for example a lighter weight) so that you can do every "
            "repetition with good form.",
            clinician_reason=f"Load reduced one step: form broke or compensation logged; {pains}",
        )

    steady = pain_now <= pain_baseline and (pain_previous is None or pain_now <= pain_previous)
    if steady and adherence >= MIN_ADHERENCE:
        if phase_weeks_done and has_next_phase:
            if advance == "auto":
                return Decision(
                    action="next_phase",
                    reason="Well done: your pain is steady or easing and you have kept up your "
                    "sessions, so you are moving on to the next stage of your programme.",
                    clinician_reason=f"Advanced to the next phase: {done}; {pains}",
                )
            return Decision(
                action="ask_clinician",
                reason="Well done: you have finished this stage. Your clinician will check your "
                "progress before you move on; until then, keep going with the same exercises.",
                clinician_reason=f"Phase complete, ready to advance (clinician decides): {done}; "
                f"{pains}",
            )
        return Decision(
            action="add_load",
            reason="Your pain is steady or easing and you have kept up your sessions, so you can "
            "make your exercises one step harder, as shown in your programme.",
            clinician_reason=f"Load up one step within the phase: {done}; {pains}",
        )

    if not steady:
        return Decision(
            action="hold",
            reason="Your pain is a little higher than before, so keep the same exercises and "
            "weight for now rather than adding more. Small ups and downs are normal.",
            clinician_reason=f"Held: pain up slightly; {pains}; {done}",
        )
    return Decision(
        action="hold",
        reason="Keep the same exercises and weight for now, and aim for all your planned days "
        "before the next check-in. Once they are a habit, you will be ready to step up.",
        clinician_reason=f"Held: adherence below {round(MIN_ADHERENCE * 100)}% ({done}); {pains}",
    )
