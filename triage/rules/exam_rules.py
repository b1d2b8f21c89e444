"""The rules that read a clinician's examination (`exam/1`) together with the intake's answers,
and the imaging decision aid. Pure Python, no Django.

Each rule carries an ID, an urgency, a reason a clinician reads and its published source, as the
intake's rules do (clinical/red-flags.md names the rows they follow); `when` returns the findings
that made it fire (contract paths, `intake.<answer>` for an answer), so a page can highlight
them and a letter can quote them. The result's urgency is the highest of the rules that fired
(SELF_CARE when none did); a rule without an urgency (the neck cleared by the Canadian C-Spine
Rule) informs and never lowers anything: an examination never lowers a case (only a clinician's
override, with a reason, may). Change any rule and change EXAM_RULESET_VERSION with it.

Where the reference leaves a reading open, the rules take the safer one and say so:
- the C-Spine Rule clears a neck only with no midline tenderness *and* another low-risk factor
  (Stiell lets any one low-risk factor, no midline tenderness among them, open step 3; NEXUS
  images any midline tenderness [S4]);
- it is applied to neck injuries of the last 7 days, the reference's acute line
  (LOW_RISK_TRAUMA_ACUTE), not to later ones, nor to the groups Stiell excluded;
- nystagmus without dizziness is URGENT (the reference leaves it to the clinician; one of the
  "3 Ns" of cervical red flags [S6]), as isolated dizziness is.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from triage.rules.contract import Answers
from triage.rules.engine import Urgency
from triage.rules.exam import (
    LOWER_LIMB_LEVELS,
    LOWER_LIMB_REFLEXES,
    SIDES,
    UPPER_LIMB_LEVELS,
    UPPER_LIMB_REFLEXES,
    Findings,
)
from triage.rules.markers import gettext_noop
from triage.rules.ruleset import DEFAULT as INTAKE_RULES
from triage.rules.ruleset import S2, S4, S5, S6, S7, S9, S10, S11

EXAM_RULESET_VERSION = "exam-2026.1"

E, U = Urgency.EMERGENCY, Urgency.URGENT

# Sources beyond the intake's (clinical/red-flags.md section 8 names S1-S31).
S1 = "Finucane et al. International framework for red flags, JOSPT 2020 [S1]"
S3 = "NICE NG59 Low back pain and sciatica (2016, updated 2020) [S3]"
S8 = "NHS Lothian lumbar spine red flags for primary care [S8]"
COOK_2010 = (
    "Cook C et al. Clustered clinical findings for diagnosis of cervical spine myelopathy, "
    "J Man Manip Ther 2010;18(4):175-180"
)
DAVIES_2018 = "Davies BM et al. Degenerative cervical myelopathy, BMJ 2018;360:k186"

CCR_ROTATION_DEGREES = 45  # step 3: able to rotate actively 45° to the left and to the right [S4]
CCR_ACUTE_DAYS = 7  # the reference's acute line for injuries (LOW_RISK_TRAUMA_ACUTE)
CCR_MINIMUM_AGE = 16  # the rule was derived in adults of 16 and over [S4]

# Intake answers that, with a progressing weakness, mean possible cord compression (the
# reference's CORD_COMPRESSION_PROGRESSIVE row).
CORD_FEATURES = (
    "gait_disturbance",
    "hand_clumsiness",
    "bilateral_arm_symptoms",
    "electric_shock_on_neck_flexion",
    "bilateral_leg_symptoms",
    "bladder_or_bowel_change",
)


# --- The C-Spine Rule, completed ----------------------------------------------------------------

# Why the rule cannot be used for this neck injury (the groups Stiell excluded, and the acute
# line), as the reason of EXAM_CCR_NOT_APPLICABLE names them, joined by ", ".
CCR_EXCLUSIONS = (
    gettext_noop("under 16"),
    gettext_noop("injured more than 7 days ago"),
    gettext_noop("previous spinal surgery"),
    gettext_noop("inflammatory arthritis (known vertebral disease)"),
)


class Ccr(NamedTuple):
    """Where the Canadian C-Spine Rule stands for this patient [S4].

    `status`: "not_relevant" (no neck injury), "not_applicable" (the rule cannot be used: `why`),
    "imaging" (`evidence` says which step), "cleared", or "incomplete" (`missing` says what to
    examine)."""

    status: str
    high_risk: bool = False
    evidence: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    why: str = ""


def _ccr_high_risk(a: Answers) -> list[str]:
    found = []
    if a.age >= 65:
        found.append("intake.age")
    if a.dangerous_trauma:
        found.append("intake.trauma_mechanism")
    if a.numbness_or_tingling_arms:
        found.append("intake.numbness_or_tingling_arms")
    return found


def canadian_c_spine(f: Findings, a: Answers) -> Ccr:
    """Steps 1 to 3 of the rule for a neck injury: step 1 from the intake (high-risk factors),
    steps 2 and 3 from the examination (low-risk factors, midline tenderness, rotation).

    Findings that indicate imaging do so even where the rule cannot clear the neck (an injury
    more than 7 days ago, previous surgery): that the rule does not apply never makes a neck that
    cannot rotate safer."""
    if a.pain_region != "neck" or not a.trauma:
        return Ccr("not_relevant")
    high_risk = _ccr_high_risk(a)
    if high_risk:
        return Ccr("imaging", high_risk=True, evidence=tuple(high_risk))
    midline = f.midline_cervical_tenderness
    factors = f.ccr_low_risk
    rotations = {
        side: (
            f"range_of_movement.cervical.rotation_{side}",
            f.movement("cervical", f"rotation_{side}"),
        )
        for side in SIDES
    }
    imaging: list[str] = []
    if midline == "present":
        imaging.append("palpation.midline_cervical_tenderness")
    if all(value == "absent" for value in factors.values()):
        imaging += [f"canadian_c_spine.{factor}" for factor in factors]
    for path, movement in rotations.values():
        if movement is not None and movement.reaches(CCR_ROTATION_DEGREES) is False:
            imaging.append(path)
    if imaging:
        return Ccr("imaging", evidence=tuple(imaging))

    excluded = []
    if a.age < CCR_MINIMUM_AGE:
        excluded.append(CCR_EXCLUSIONS[0])
    if a.duration_days > CCR_ACUTE_DAYS:
        excluded.append(CCR_EXCLUSIONS[1])
    if a.previous_spinal_surgery:
        excluded.append(CCR_EXCLUSIONS[2])
    if a.inflammatory_arthritis_history:
        excluded.append(CCR_EXCLUSIONS[3])
    if excluded:
        return Ccr("not_applicable", why=", ".join(excluded))

    missing: list[str] = []
    if midline is None:
        missing.append("palpation.midline_cervical_tenderness")
    if not any(value == "present" for value in factors.values()):
        missing += [f"canadian_c_spine.{k}" for k, value in factors.items() if value is None]
    for path, movement in rotations.values():
        if movement is None or movement.reaches(CCR_ROTATION_DEGREES) is None:
            missing.append(path)
    if missing:
        return Ccr("incomplete", missing=tuple(missing))
    present = [f"canadian_c_spine.{k}" for k, value in factors.items() if value == "present"]
    evidence = (
        "palpation.midline_cervical_tenderness",
        *present,
        *(p for p, _m in rotations.values()),
    )
    return Ccr("cleared", evidence=evidence)


# --- What a rule reads ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Seen:
    """What the rules read: the findings, the intake's answers and the C-Spine Rule's state."""

    findings: Findings
    answers: Answers
    ccr: Ccr


def _vascular(s: Seen) -> list[str]:
    if not s.answers.dizziness_or_drop_attacks:
        return []
    found = s.findings.ataxia()
    if s.findings.nystagmus == "present":
        found.insert(0, "neurological.nystagmus")
    return [*found, "intake.dizziness_or_drop_attacks"] if found else []


def _mscc(s: Seen) -> list[str]:
    if not s.answers.history_of_cancer:
        return []
    f = s.findings
    found = f.upper_motor_neurone_signs()
    if f.motor_deficit != "long_standing":
        found += [f"neurological.myotomes.{level}.{side}" for level, side in f.weak_myotomes()]
    found += [f"neurological.dermatomes.{level}.{side}" for level, side in f.sensory_changes()]
    return [*found, "intake.history_of_cancer"] if found else []


def _motor_deficit(s: Seen) -> list[str]:
    f = s.findings
    if f.motor_deficit not in ("new", "progressing"):
        return []
    return [
        *(f"neurological.myotomes.{level}.{side}" for level, side in f.weak_myotomes()),
        "neurological.motor_deficit",
    ]


def _motor_deficit_cord(s: Seen) -> bool:
    f = s.findings
    return f.motor_deficit == "progressing" and (
        len(f.weak_sides()) == 2
        or bool(f.upper_motor_neurone_signs())
        or any(getattr(s.answers, name) for name in CORD_FEATURES)
    )


def _myelopathy_progressing(s: Seen) -> bool:
    a = s.answers
    return (
        s.findings.motor_deficit == "progressing"
        or a.progressive_limb_weakness
        or a.bladder_or_bowel_change
    )


def _nystagmus(s: Seen) -> list[str]:
    if s.findings.nystagmus != "present" or s.answers.dizziness_or_drop_attacks:
        return []
    return ["neurological.nystagmus"]


def _ccr(status: str) -> Callable[[Seen], list[str]]:
    def when(s: Seen) -> list[str]:
        if s.ccr.status != status:
            return []
        return list(s.ccr.evidence or s.ccr.missing) or [
            "intake.recent_significant_trauma",
            "intake.trauma_mechanism",
        ]

    return when


@dataclass(frozen=True, slots=True)
class ExamRule:
    """One rule over the examination and the intake. `when` returns the findings that make it
    fire (empty: it does not). `raised_to`/`raised_when`: a higher urgency when a further
    finding is present (myelopathy signs with a progressing weakness)."""

    id: str
    urgency: Urgency | None
    reason: str
    source: str
    when: Callable[[Seen], list[str]]
    raised_to: Urgency | None = None
    raised_when: Callable[[Seen], bool] | None = None
    # The particulars the reason names for this patient, e.g. why the C-Spine Rule cannot apply.
    detail: Callable[[Seen], str] | None = None

    def reason_for(self, seen: Seen) -> str:
        detail = self.detail(seen) if self.detail is not None else ""
        return f"{self.reason} ({detail})" if detail else self.reason


EXAM_RULES: tuple[ExamRule, ...] = (
    ExamRule(
        "EXAM_VASCULAR_SIGNS",
        E,
        gettext_noop(
            "Nystagmus or ataxia on examination with dizziness: possible cervical artery "
            "dissection or posterior circulation stroke"
        ),
        f"{S6}; {S11}; {S7}",
        _vascular,
    ),
    ExamRule(
        "EXAM_MSCC_SIGNS",
        E,
        gettext_noop(
            "History of cancer with neurological signs on examination: possible metastatic spinal "
            "cord compression"
        ),
        S5,
        _mscc,
    ),
    ExamRule(
        "EXAM_MYELOPATHY_SIGNS",
        U,
        gettext_noop(
            "Upper motor neurone signs on examination (Hoffmann's, Babinski, clonus, Romberg or "
            "tandem gait): suspected cervical myelopathy or cord compression"
        ),
        f"{S2}; {S6}; {S9}; {COOK_2010}",
        lambda s: s.findings.upper_motor_neurone_signs(),
        raised_to=E,
        raised_when=_myelopathy_progressing,
    ),
    ExamRule(
        "EXAM_MOTOR_DEFICIT",
        U,
        gettext_noop(
            "A new or progressing myotomal weakness on examination: possible progressive "
            "radiculopathy or cord compression"
        ),
        f"{S2}; {S8}; {S9}; {S6}",
        _motor_deficit,
        raised_to=E,
        raised_when=_motor_deficit_cord,
    ),
    ExamRule(
        "EXAM_NYSTAGMUS",
        U,
        gettext_noop(
            "Nystagmus on examination: assess for a central or vascular cause before any neck "
            "treatment"
        ),
        f"{S6}; {S11}",
        _nystagmus,
    ),
    ExamRule(
        "EXAM_CCR_IMAGING_INDICATED",
        U,
        gettext_noop(
            "Canadian C-Spine Rule not passed (a high-risk factor, no low-risk factor, midline "
            "tenderness or active rotation under 45° to a side): imaging of the cervical spine"
        ),
        S4,
        _ccr("imaging"),
        raised_to=E,
        raised_when=lambda s: s.ccr.high_risk,
    ),
    ExamRule(
        "EXAM_CCR_CLEARED",
        None,
        gettext_noop(
            "Neck clinically cleared by the Canadian C-Spine Rule: a low-risk factor, no midline "
            "tenderness and active rotation of 45° to both sides; no imaging for the injury"
        ),
        S4,
        _ccr("cleared"),
    ),
    ExamRule(
        "EXAM_CCR_INCOMPLETE",
        None,
        gettext_noop(
            "Canadian C-Spine Rule not completed: the neck is neither cleared nor sent for imaging "
            "until the missing findings are recorded"
        ),
        S4,
        _ccr("incomplete"),
    ),
    ExamRule(
        "EXAM_CCR_NOT_APPLICABLE",
        None,
        gettext_noop(
            "The Canadian C-Spine Rule does not apply to this neck injury, so it cannot clear the neck"
        ),
        S4,
        _ccr("not_applicable"),
        detail=lambda s: s.ccr.why,
    ),
)

# A positive test the library marks as a red flag fires this, once per test and side, at the
# urgency the library gives, with the test's own published source.
RED_FLAG_TEST = "EXAM_RED_FLAG_TEST"
# Its reason, with the test's name, its side and what it screens for (the library's words), by
# whether the test has sides and whether the library says what it screens for.
RED_FLAG_TEST_REASONS = {
    (False, True): gettext_noop(
        "Positive %(test)s, which the test library marks as a red flag: %(screens_for)s"
    ),
    (True, True): gettext_noop(
        "Positive %(test)s, %(side)s, which the test library marks as a red flag: %(screens_for)s"
    ),
    (False, False): gettext_noop("Positive %(test)s, which the test library marks as a red flag"),
    (True, False): gettext_noop(
        "Positive %(test)s, %(side)s, which the test library marks as a red flag"
    ),
}
# The sides as a reason names them (translated where a page shows the reason).
SIDE_WORDS = {"left": gettext_noop("left"), "right": gettext_noop("right")}


def red_flag_test_reason(
    name: str, side: str | None, screens_for: str, *, words: Callable[[str], str] = str
) -> str:
    """The reason of EXAM_RED_FLAG_TEST for one test and side. `words`: how a message is put
    into the reader's language (a page passes gettext; stored, it is English)."""
    message = RED_FLAG_TEST_REASONS[(bool(side), bool(screens_for))]
    return words(message) % {
        "test": name,
        "side": words(SIDE_WORDS[side]) if side else "",
        "screens_for": screens_for,
    }


# --- The result ----------------------------------------------------------------------------------


class ExamFired(NamedTuple):
    id: str
    urgency: Urgency | None
    reason: str
    source: str
    findings: tuple[str, ...]

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "urgency": self.urgency.name if self.urgency is not None else None,
            "reason": self.reason,
            "source": self.source,
            "findings": list(self.findings),
        }


class ImagingRule(NamedTuple):
    id: str
    decision: str  # "mri", "xray", "none" or "undetermined"
    reason: str
    source: str


DECISIONS = ("xray", "mri", "none", "undetermined")


@dataclass(frozen=True, slots=True)
class Imaging:
    """The imaging decision aid: whether imaging is indicated and which, with the rule that says
    so. `also`: every other imaging rule that applied; `missing`: what to examine before the aid
    can say (for "undetermined")."""

    decision: str
    rule: ImagingRule
    also: tuple[ImagingRule, ...] = ()
    missing: tuple[str, ...] = ()

    def as_json(self) -> dict[str, Any]:
        return {
            "decision": self.decision,
            "id": self.rule.id,
            "reason": self.rule.reason,
            "source": self.rule.source,
            "also": [
                {"id": r.id, "decision": r.decision, "reason": r.reason, "source": r.source}
                for r in self.also
            ],
            "missing": list(self.missing),
        }


@dataclass(frozen=True, slots=True)
class ExamResult:
    urgency: Urgency
    fired: tuple[ExamFired, ...]
    imaging: Imaging
    ruleset: str = EXAM_RULESET_VERSION
    intake_rule_ids: tuple[str, ...] = field(default=(), compare=False)

    @property
    def rule_ids(self) -> list[str]:
        return [f.id for f in self.fired]

    def as_json(self) -> dict[str, Any]:
        return {
            "urgency": self.urgency.name,
            "rules": [f.as_json() for f in self.fired],
            "imaging": self.imaging.as_json(),
            "ruleset": self.ruleset,
        }


def evaluate_examination(findings: Findings, answers: Answers) -> ExamResult:
    """The examination's triage result with the intake's answers: the same findings, answers
    and rule-set version always give the same result."""
    seen = Seen(findings, answers, canadian_c_spine(findings, answers))
    fired: list[ExamFired] = []
    for rule in EXAM_RULES:
        evidence = rule.when(seen)
        if not evidence:
            continue
        urgency = rule.urgency
        if rule.raised_when is not None and rule.raised_when(seen):
            urgency = rule.raised_to
        fired.append(
            ExamFired(rule.id, urgency, rule.reason_for(seen), rule.source, tuple(evidence))
        )
    for test in findings.positive_tests():
        if test.test.red_flag is not None:
            fired.append(
                ExamFired(
                    RED_FLAG_TEST,
                    test.test.red_flag,
                    red_flag_test_reason(test.test.name, test.side, test.test.screens_for),
                    test.test.source,
                    (test.path,),
                )
            )
    # Most urgent first (stable: the rules' order within a level), those without urgency last.
    fired.sort(key=lambda f: -f.urgency if f.urgency is not None else 0)
    urgency = max((f.urgency for f in fired if f.urgency is not None), default=Urgency.SELF_CARE)
    intake = INTAKE_RULES.evaluate(answers)
    intake_fired = {f.rule.id: f.urgency for f in intake.fired}
    return ExamResult(
        urgency=urgency,
        fired=tuple(fired),
        imaging=imaging_decision(seen, {f.id for f in fired}, intake_fired),
        intake_rule_ids=tuple(intake_fired),
    )


# --- The imaging decision aid --------------------------------------------------------------------

# MRI first, most pressing first; then X-ray; the first that applies decides.
MRI_CAUDA_EQUINA = ImagingRule(
    "IMAGING_MRI_CAUDA_EQUINA",
    "mri",
    gettext_noop(
        "Bladder, bowel or saddle symptoms: MRI at once, through the emergency department"
    ),
    S10,
)
MRI_MSCC = ImagingRule(
    "IMAGING_MRI_MSCC",
    "mri",
    gettext_noop(
        "Possible metastatic spinal cord compression: MRI of the whole spine within 24 hours "
        "(contact the MSCC coordinator)"
    ),
    S5,
)
MRI_CORD = ImagingRule(
    "IMAGING_MRI_CORD",
    "mri",
    gettext_noop(
        "Suspected myelopathy or cord compression: MRI of the spine is the imaging for it"
    ),
    f"{DAVIES_2018}; {S9}",
)
MRI_MOTOR_DEFICIT = ImagingRule(
    "IMAGING_MRI_MOTOR_DEFICIT",
    "mri",
    gettext_noop(
        "A new or progressing motor deficit: MRI of the spine at its level, with the spinal team"
    ),
    f"{S2}; {S8}",
)
MRI_CANCER_HISTORY = ImagingRule(
    "IMAGING_MRI_CANCER_HISTORY",
    "mri",
    gettext_noop(
        "History of cancer with neck or thoracic pain: MRI of the spine within a week (within "
        "24 hours with neurological signs)"
    ),
    S5,
)
XRAY_CCR = ImagingRule(
    "IMAGING_XRAY_CCR",
    "xray",
    gettext_noop(
        "The Canadian C-Spine Rule indicates imaging of the cervical spine (it was derived for "
        "plain radiography; a trauma pathway may take CT first)"
    ),
    S4,
)
UNDETERMINED_CCR = ImagingRule(
    "IMAGING_UNDETERMINED_CCR",
    "undetermined",
    gettext_noop("Not enough examined to say: the Canadian C-Spine Rule needs the findings listed"),
    S4,
)
UNDETERMINED_CCR_NOT_APPLICABLE = ImagingRule(
    "IMAGING_UNDETERMINED_CCR_NOT_APPLICABLE",
    "undetermined",
    gettext_noop(
        "The Canadian C-Spine Rule does not apply to this neck injury: decide on imaging clinically"
    ),
    S4,
)
UNDETERMINED_RED_FLAGS = ImagingRule(
    "IMAGING_UNDETERMINED_RED_FLAGS",
    "undetermined",
    gettext_noop("Red flags this aid does not decide imaging for: follow their own pathway"),
    S1,
)
UNDETERMINED_IMPRESSION = ImagingRule(
    "IMAGING_UNDETERMINED_IMPRESSION",
    "undetermined",
    gettext_noop(
        "The working impression is not non-specific or radicular pain: decide the imaging for it"
    ),
    S1,
)
UNDETERMINED_SCREEN = ImagingRule(
    "IMAGING_UNDETERMINED_SCREEN",
    "undetermined",
    gettext_noop("Not enough examined to say: record the neurological screen listed"),
    f"{S2}; {S3}",
)
NONE_CCR = ImagingRule(
    "IMAGING_NONE_CCR",
    "none",
    gettext_noop("Cleared by the Canadian C-Spine Rule and no other red flag: no imaging"),
    S4,
)
NONE_UPPER = ImagingRule(
    "IMAGING_NONE",
    "none",
    gettext_noop(
        "No red flag in the intake or the examination and a normal neurological screen: imaging "
        "is not indicated for non-specific neck or upper-back pain"
    ),
    S2,
)
NONE_LOWER = ImagingRule(
    "IMAGING_NONE",
    "none",
    gettext_noop(
        "No red flag in the intake or the examination and a normal neurological screen: imaging "
        "is not indicated for non-specific low back pain"
    ),
    S3,
)
IMAGING_RULES = (
    MRI_CAUDA_EQUINA,
    MRI_MSCC,
    MRI_CORD,
    MRI_MOTOR_DEFICIT,
    MRI_CANCER_HISTORY,
    XRAY_CCR,
    UNDETERMINED_CCR,
    UNDETERMINED_CCR_NOT_APPLICABLE,
    UNDETERMINED_RED_FLAGS,
    UNDETERMINED_IMPRESSION,
    UNDETERMINED_SCREEN,
    NONE_CCR,
    NONE_UPPER,
    NONE_LOWER,
)

# Exam rules whose imaging the aid decides (the others' pathways decide theirs).
_EXAM_MRI = {
    "EXAM_MSCC_SIGNS": MRI_MSCC,
    "EXAM_MYELOPATHY_SIGNS": MRI_CORD,
    "EXAM_MOTOR_DEFICIT": MRI_MOTOR_DEFICIT,
}
_INTAKE_MRI = {
    "SPHINCTER_OR_SADDLE_SYMPTOMS": MRI_CAUDA_EQUINA,
    "MSCC_SUSPECTED": MRI_MSCC,
    "CORD_COMPRESSION_PROGRESSIVE": MRI_CORD,
    "CANCER_HISTORY_WITH_UPPER_SPINAL_PAIN": MRI_CANCER_HISTORY,
}
# Intake rules about a neck injury: the C-Spine Rule decides their imaging when it applies.
_NECK_INJURY = {
    "CCR_HIGH_RISK",
    "MAJOR_TRAUMA_MECHANISM",
    "LOW_RISK_TRAUMA_ACUTE",
    "LOW_RISK_TRAUMA_SUBACUTE",
}
# The impressions for which "no imaging" can follow from the findings.
_NO_IMAGING_IMPRESSIONS = {"non_specific_neck_or_upper_back_pain", "radicular_pain"}

_UPPER_SCREEN = (
    *(f"neurological.myotomes.{lvl}.{side}" for lvl in UPPER_LIMB_LEVELS for side in SIDES),
    *(f"neurological.reflexes.{r}.{side}" for r in UPPER_LIMB_REFLEXES for side in SIDES),
    *(f"upper_motor_neurone.hoffmann.{side}" for side in SIDES),
)
_LOWER_SCREEN = (
    *(f"neurological.myotomes.{lvl}.{side}" for lvl in LOWER_LIMB_LEVELS for side in SIDES),
    *(f"neurological.reflexes.{r}.{side}" for r in LOWER_LIMB_REFLEXES for side in SIDES),
)
# The neurological screen that must be recorded before the aid says "no imaging", by region: the
# arms for the neck and upper back, the legs with their cord signs for the thoracic spine, the
# legs for the low back.
SCREEN_BY_REGION: dict[str, tuple[str, ...]] = {
    "neck": _UPPER_SCREEN,
    "upper_back": _UPPER_SCREEN,
    "shoulder_blades": _UPPER_SCREEN,
    "thoracic": (
        *_LOWER_SCREEN,
        *(
            f"upper_motor_neurone.{sign}.{side}"
            for sign in ("babinski", "clonus")
            for side in SIDES
        ),
    ),
    "lower_back": _LOWER_SCREEN,
}


def imaging_decision(
    seen: Seen, exam_ids: set[str], intake_fired: dict[str, Urgency | None]
) -> Imaging:
    """Whether imaging is indicated and which, with the rule that says so: MRI where a cord,
    cauda equina, metastasis or motor deficit is suspected; X-ray (cervical spine imaging) where
    the C-Spine Rule indicates it; "undetermined" where the findings cannot say (what is
    missing is listed); "none" only with nothing of the kind and the region's screen recorded."""
    f, a, ccr = seen.findings, seen.answers, seen.ccr
    applies: list[ImagingRule] = []
    for rule_id, rule in _INTAKE_MRI.items():
        if rule_id in intake_fired and rule not in applies:
            applies.append(rule)
    for rule_id, rule in _EXAM_MRI.items():
        if rule_id in exam_ids and rule not in applies:
            applies.append(rule)
    applies.sort(key=IMAGING_RULES.index)
    if "EXAM_CCR_IMAGING_INDICATED" in exam_ids:
        applies.append(XRAY_CCR)
    if applies:
        return Imaging(applies[0].decision, applies[0], tuple(applies[1:]))

    if ccr.status == "incomplete":
        return Imaging("undetermined", UNDETERMINED_CCR, missing=ccr.missing)
    if ccr.status == "not_applicable":
        return Imaging("undetermined", UNDETERMINED_CCR_NOT_APPLICABLE)
    handled = _NECK_INJURY if ccr.status != "not_relevant" else set()
    unhandled = [
        rule_id
        for rule_id, urgency in intake_fired.items()
        if urgency is not None and urgency >= Urgency.SOON and rule_id not in handled
    ]
    unhandled += [
        rule_id
        for rule_id in ("EXAM_VASCULAR_SIGNS", "EXAM_NYSTAGMUS", RED_FLAG_TEST)
        if rule_id in exam_ids
    ]
    if unhandled:
        return Imaging(
            "undetermined",
            UNDETERMINED_RED_FLAGS._replace(
                reason=f"{UNDETERMINED_RED_FLAGS.reason}: {', '.join(unhandled)}"
            ),
        )
    if f.impression not in _NO_IMAGING_IMPRESSIONS:
        return Imaging("undetermined", UNDETERMINED_IMPRESSION)
    if ccr.status == "cleared":
        return Imaging("none", NONE_CCR)
    missing = f.untested(SCREEN_BY_REGION[a.pain_region])
    if missing:
        return Imaging("undetermined", UNDETERMINED_SCREEN, missing=tuple(missing))
    return Imaging("none", NONE_LOWER if a.pain_region == "lower_back" else NONE_UPPER)
