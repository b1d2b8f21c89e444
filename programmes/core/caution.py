"""Exercise caution tags that clash with a patient's intake answers.

An exercise in the library carries caution tags; a clinician prescribing a programme sees every
tag that clashes with a yes in the patient's `intake/1` answers, with the reason and its source.
A clash is a prompt to review or swap the exercise, not a ban: the guidance below asks for care,
gradual loading and good technique rather than blanket avoidance.

Deliberately left out: overhead load x arm numbness or tingling. Raising the arms can ease or
provoke cervical radicular symptoms, but no guideline in red-flags.md section 8 gives a rule for
loaded overhead exercise in radiculopathy, so it is left to the clinician's examination.

No Django imports here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

TAGS: tuple[str, ...] = ("overhead_load", "ballistic", "loaded_spinal_flexion", "end_range_neck")

_BONE = (
    "Royal Osteoporosis Society, Strong, Steady and Straight consensus (2018); "
    "Brooke-Wavell K et al. Br J Sports Med 2022;56:837-46"
)
_IFOMPT = (
    "IFOMPT International Framework for Examination of the Cervical Region, Rushton A et al. "
    "JOSPT 2023;53(1):7-22 (red-flags.md [S11])"
)


@dataclass(frozen=True, slots=True)
class Clash:
    """A yes to `field` makes exercises with the tag a concern, for `reason` (per `source`)."""

    field: str
    reason: str
    source: str


@dataclass(frozen=True, slots=True)
class ClashFound:
    tag: str
    field: str
    reason: str
    source: str


_FRAGILE_BONE_OVERHEAD = (
    Clash(
        field="osteoporosis",
        reason="Osteoporosis or fragility fracture: heavy overhead load compresses the spine; "
        "start light and progress gradually with good technique",
        source=_BONE,
    ),
    Clash(
        field="long_term_steroids",
        reason="Long-term oral steroids (fracture risk): heavy overhead load compresses the "
        "spine; start light and progress gradually with good technique",
        source=_BONE,
    ),
)

CLASHES: dict[str, tuple[Clash, ...]] = {
    "overhead_load": _FRAGILE_BONE_OVERHEAD,
    "ballistic": (
        Clash(
            field="osteoporosis",
            reason="Osteoporosis or fragility fracture: fast, jerky or high-impact loading needs "
            "care, especially after a vertebral fracture",
            source=_BONE,
        ),
        Clash(
            field="long_term_steroids",
            reason="Long-term oral steroids (fracture risk): fast, jerky or high-impact loading "
            "needs care",
            source=_BONE,
        ),
    ),
    "loaded_spinal_flexion": (
        Clash(
            field="osteoporosis",
            reason="Osteoporosis or fragility fracture: loaded or repeated spinal flexion raises "
            "vertebral fracture risk; use a hip hinge with a straight back instead",
            source=_BONE,
        ),
        Clash(
            field="long_term_steroids",
            reason="Long-term oral steroids (vertebral fracture risk): avoid loaded or repeated "
            "spinal flexion; use a hip hinge with a straight back instead",
            source=_BONE,
        ),
    ),
    "end_range_neck": (
        Clash(
            field="dizziness_or_drop_attacks",
            reason="Dizziness or drop attacks: cervical arterial dysfunction not yet excluded; "
            "no end-range or sustained neck positions until assessed",
            source=_IFOMPT,
        ),
        Clash(
            field="inflammatory_arthritis_history",
            reason="Inflammatory arthritis (e.g. rheumatoid): risk of upper cervical "
            "(atlanto-axial) instability; no end-range neck movement until assessed",
            source=_IFOMPT + "; red-flags.md 2f [S9]",
        ),
        Clash(
            field="electric_shock_on_neck_flexion",
            reason="Electric-shock feeling on neck flexion (Lhermitte): possible cervical "
            "myelopathy; no end-range neck flexion until assessed",
            source=_IFOMPT + "; NICE CKS neck pain, red-flags.md 2b [S2]",
        ),
    ),
}


def clashes_for(tags: Iterable[str], answers: Mapping[str, Any]) -> list[ClashFound]:
    """Every clash between the exercise's caution tags and a yes in the answers, tag by tag."""
    found: list[ClashFound] = []
    seen: set[str] = set()
    for tag in tags:
        if tag not in CLASHES:
            raise ValueError(f"unknown caution tag {tag!r}; known tags: {', '.join(TAGS)}")
        if tag in seen:
            continue
        seen.add(tag)
        for clash in CLASHES[tag]:
            if clash.field not in answers:
                # An unasked question is not a "no" (intake-contract.md): a clash could hide.
                raise ValueError(f"{clash.field} is missing from the answers")
            if answers[clash.field] is True:
                found.append(ClashFound(tag, clash.field, clash.reason, clash.source))
    return found
