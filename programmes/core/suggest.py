"""Which programme template triage suggests for a SELF_CARE case (no Django).

A suggestion is only a draft: a clinician approves it (one step from the queue) or prescribes
something else. The reasoning follows the evidence the clinic works from:
- Keep active rather than rest for non-specific neck and upper-back pain (NICE CKS Neck pain -
  non-specific, 2013 [red-flags.md S2]): everyone on self-care gets a programme to start with.
- From about four weeks of pain, exercise therapy helps (CKS [S2]; JOSPT neck pain CPG 2017
  [S29]): strength work for the upper back, starting light and building up (Andersen et al.,
  Arthritis Rheum 2008;59:84-91; Jay et al., Scand J Work Environ Health 2011;37:196-203).
- Fragile bone (osteoporosis, long-term oral steroids) or dizziness: no loaded, ballistic,
  overhead or end-range neck work without a clinician's choice (Royal Osteoporosis Society,
  Strong, Steady and Straight, 2018; IFOMPT cervical framework [S11]), so the unloaded mobility
  and posture programme.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from triage.rules.markers import gettext_noop

DESK_POSTURE = "desk-posture-mobility"
KETTLEBELL_FOUNDATIONS = "upper-back-kettlebell-foundations"
RETURN_TO_LIFTING = "return-to-lifting"

# CKS's subacute boundary (red-flags.md section 4): exercise therapy from about four weeks.
EXERCISE_THERAPY_FROM_DAYS = 28


@dataclass(frozen=True, slots=True)
class Suggestion:
    template: str
    reason: str


def suggest_template(answers: Mapping[str, Any], urgency: str) -> Suggestion | None:
    """The template to suggest for a case triaged `urgency` with these answers; None unless the
    case is SELF_CARE (anything more urgent is a clinician's decision from the start)."""
    if urgency != "SELF_CARE":
        return None
    if (
        answers.get("osteoporosis")
        or answers.get("long_term_steroids")
        or answers.get("dizziness_or_drop_attacks")
    ):
        return Suggestion(
            DESK_POSTURE,
            gettext_noop(
                "Bone fragility or dizziness: unloaded mobility and posture work, no loaded, "
                "ballistic, overhead or end-range neck exercises"
            ),
        )
    duration = int(answers.get("duration_days") or 0)
    if duration < EXERCISE_THERAPY_FROM_DAYS:
        return Suggestion(
            DESK_POSTURE,
            gettext_noop(
                "Pain of under four weeks: keep moving with gentle mobility and posture work"
            ),
        )
    if answers.get("trauma_mechanism") == "exertional_strain":
        return Suggestion(
            RETURN_TO_LIFTING,
            gettext_noop(
                "Four weeks or more after a gym or lifting strain: a graded return to lifting"
            ),
        )
    return Suggestion(
        KETTLEBELL_FOUNDATIONS,
        gettext_noop(
            "Four weeks or more of pain: exercise therapy helps; light kettlebell strength work "
            "for the upper back, built up slowly"
        ),
    )
