"""Exercise caution tags that clash with a patient's intake answers and examination findings.

An exercise in the library carries caution tags; a clinician prescribing a programme sees every
tag that clashes with a yes in the patient's `intake/1` answers, or with a positive finding of
the case's latest examination (`exam/1`, the facts of `exam_facts`, keys `exam.<fact>`), with
the reason and its source. A clash is a prompt to review or swap the exercise, not a ban: the
guidance below asks for care, gradual loading and good technique rather than blanket avoidance.

An examination's findings are facts only once a clinician has examined: a case never examined
has no `exam.` keys, and its exam clashes are not asked (an intake question missing from the
answers is still refused, as before). Once examined, every fact is there, a test not done
being no positive.

Deliberately left out: overhead load x arm numbness or tingling. Raising the arms can ease or
provoke cervical radicular symptoms, but no guideline in red-flags.md section 8 gives a rule for
loaded overhead exercise in radiculopathy, so it is left to the clinician's examination.

No Django imports here.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

TAGS: tuple[str, ...] = (
    "overhead_load",
    "ballistic",
    "loaded_spinal_flexion",
    "end_range_neck",
    "neural_tension",
)

# The examination's facts a clash may name, each from the positive results of the tests of the
# clinic's library (the codes the seeding migration gives them, examination/migrations/0003):
# a fact holds when any of its tests is positive, on either side.
EXAM_PREFIX = "exam."
EXAM_FACTS: dict[str, tuple[str, ...]] = {
    "exam.shoulder_impingement_test_positive": ("hawkins_kennedy", "neer"),
    "exam.cervical_arterial_screen_positive": ("cervical_arterial_positional",),
    "exam.lhermitte_sign_positive": ("lhermitte",),
    "exam.upper_limb_neurodynamic_test_positive": (
        "ulnt1_median",
        "ulnt2a_median",
        "ulnt2b_radial",
        "ulnt3_ulnar",
    ),
}

_BONE = (
    "Royal Osteoporosis Society, Strong, Steady and Straight consensus (2018); "
    "Brooke-Wavell K et al. Br J Sports Med 2022;56:837-46"
)
_IFOMPT = (
    "IFOMPT International Framework for Examination of the Cervical Region, Rushton A et al. "
    "JOSPT 2023;53(1):7-22 (red-flags.md [S11])"
)
# The 2020 IFOMPT document spoke of orthopaedic manual therapy; the 2023 paper of
# musculoskeletal intervention.
_IFOMPT_2020 = (
    "IFOMPT International Framework for Examination of the Cervical Region for potential of "
    "vascular pathologies of the neck prior to Orthopaedic Manual Therapy (OMT) Intervention "
    "(IFOMPT, 2020); updated as Rushton A et al. JOSPT 2023;53(1):7-22 (red-flags.md [S11])"
)
_SHOULDER = (
    "NICE Clinical Knowledge Summaries, Shoulder pain: rotator cuff disorders (avoid or modify "
    "activities that bring on the pain, overhead ones especially); Diercks R et al. Guideline "
    "for diagnosis and treatment of subacromial pain syndrome, Acta Orthop 2014;85(3):314-22; "
    "the tests: Hawkins RJ, Kennedy JC, Am J Sports Med 1980;8(3):151-8; Neer CS, Clin Orthop "
    "1983;(173):70-7"
)
_NEURODYNAMICS = (
    "Coppieters MW, Butler DS. Do 'sliders' slide and 'tensioners' tension? An analysis of "
    "neurodynamic techniques and considerations regarding their application. Man Ther "
    "2008;13(3):213-21; Butler DS. The Sensitive Nervous System (Noigroup, 2000)"
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
        Clash(
            field="exam.cervical_arterial_screen_positive",
            reason="Positive cervical arterial positional screen on examination: cervical "
            "arterial dysfunction not excluded; no end-range or sustained neck positions until "
            "it is assessed further",
            source=_IFOMPT_2020,
        ),
        Clash(
            field="exam.lhermitte_sign_positive",
            reason="Lhermitte's sign positive on examination: possible cervical myelopathy; no "
            "end-range neck flexion until assessed",
            source=_IFOMPT + "; NICE CKS neck pain, red-flags.md 2b [S2]",
        ),
    ),
    "neural_tension": (
        Clash(
            field="exam.upper_limb_neurodynamic_test_positive",
            reason="Positive upper limb neurodynamic test on examination: the arm's nerves are "
            "sensitised; take care with positions that tension them (shoulder held down, neck "
            "bent away): start gently, short of symptoms, and prefer a slider to a tensioner",
            source=_NEURODYNAMICS,
        ),
    ),
}
# Clashes with an examination finding on tags the intake also reads.
CLASHES["overhead_load"] = (
    *CLASHES["overhead_load"],
    Clash(
        field="exam.shoulder_impingement_test_positive",
        reason="Positive shoulder impingement test on examination (Hawkins-Kennedy or Neer): "
        "no loaded overhead work until the shoulder is assessed; load below shoulder height "
        "instead",
        source=_SHOULDER,
    ),
)


def exam_facts(findings: Mapping[str, Any]) -> dict[str, bool]:
    """The examination's facts the clashes read, from its findings as stored (the `exam/1`
    mapping): each True when one of its tests is positive on either side."""
    positive = {
        str(test.get("test"))
        for test in findings.get("orthopaedic_tests", [])
        if isinstance(test, Mapping) and test.get("result") == "positive"
    }
    return {fact: bool(positive & set(codes)) for fact, codes in EXAM_FACTS.items()}


def clashes_for(tags: Iterable[str], answers: Mapping[str, Any]) -> list[ClashFound]:
    """Every clash between the exercise's caution tags and a yes in the answers (with the
    examination's facts, when the case was examined), tag by tag."""
    examined = any(str(key).startswith(EXAM_PREFIX) for key in answers)
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
                if clash.field.startswith(EXAM_PREFIX) and not examined:
                    continue  # not examined: no finding to clash with
                # An unasked question is not a "no" (intake-contract.md): a clash could hide.
                raise ValueError(f"{clash.field} is missing from the answers")
            if answers[clash.field] is True:
                found.append(ClashFound(tag, clash.field, clash.reason, clash.source))
    return found
