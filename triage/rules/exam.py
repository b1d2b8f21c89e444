"""The examination contract `exam/1`: a clinician's findings as typed values. No Django imports.

Beside the intake contract (`contract.py`, `intake/1`): the examination form, a JSON import and the
exam rules (`exam_rules.py`) all speak it, with these exact keys. `Findings.from_mapping` takes a
plain mapping (as stored, as posted) and refuses anything outside the contract with a message per
key; nothing is defaulted, so a finding nobody examined is the explicit answer "not_tested" (or
"not_assessed", "not_done"), never a missing key and never a "normal".

The shape, every key required (README, "The examination contract"):

    observation, posture                      free text ("" when nothing to note)
    range_of_movement.{cervical,thoracic}.{flexion, extension, rotation_left, rotation_right,
        lateral_flexion_left, lateral_flexion_right}
                                              "not_tested", {"degrees": int, "pain": bool} or
                                              {"grade": full|reduced|markedly_reduced|none,
                                               "pain": bool}
    palpation.{midline_cervical_tenderness, midline_thoracic_tenderness}
                                              present | absent | not_tested
    palpation.notes                           free text
    neurological.myotomes.{C5..T1, L2..S1}.{left,right}      MRC grade 0-5, or "not_tested"
    neurological.dermatomes.{C5..T1, L2..S1}.{left,right}    normal | altered | absent | not_tested
    neurological.reflexes.{biceps, brachioradialis, triceps, knee, ankle}.{left,right}
                                              NINDS grade 0-4, or "not_tested"
    neurological.motor_deficit                no_deficit | long_standing | new | progressing |
                                              not_tested
    neurological.nystagmus                    present | absent | not_tested
    upper_motor_neurone.{hoffmann, babinski, clonus}.{left,right}
                                              positive | negative | not_tested
    upper_motor_neurone.romberg               positive | negative | not_tested
    upper_motor_neurone.tandem_gait           normal | abnormal | not_tested
    canadian_c_spine.{simple_rear_end_collision, sitting_position, ambulatory_at_any_time,
        delayed_onset_of_neck_pain}           present | absent | not_assessed
    orthopaedic_tests                         a list of {"test": code, "side": left|right|null,
                                              "result": positive|negative|not_done}
    impression.category                       one of IMPRESSIONS; impression.notes free text
                                              (needed for "other")
    plan                                      free text, not empty

The orthopaedic tests come from the clinic's library (admin-editable data): the caller passes
the library as `TestSpec`s, so that a code is known, a side is asked where the test needs one,
and the rules know which positives are red flags and at which urgency.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from triage.rules.contract import ContractError
from triage.rules.engine import Urgency

EXAM_CONTRACT_VERSION = "exam/1"

NOT_TESTED = "not_tested"
NOT_ASSESSED = "not_assessed"
NOT_DONE = "not_done"
SIDES = ("left", "right")

# --- Range of movement ------------------------------------------------------------------------

REGIONS = ("cervical", "thoracic")
MOVEMENTS = (
    "flexion",
    "extension",
    "rotation_left",
    "rotation_right",
    "lateral_flexion_left",
    "lateral_flexion_right",
)
# The graded alternative to degrees, for a movement judged by eye rather than measured.
ROM_GRADES = ("full", "reduced", "markedly_reduced", "none")

# The largest active range, in whole degrees, that a measurement may record. These are bounds
# against a slip of the finger, not a judgement of normal: each sits well above the normal adult
# values tabulated (AAOS and AMA) in Norkin & White's goniometry manual (cervical flexion 45-50°,
# extension 45-60°, lateral flexion 45°, rotation 60-80°; thoracolumbar flexion about 80° and
# rotation about 45° by tape and inclinometer), so that a supple patient is never refused.
ROM_SOURCE = (
    "Norkin CC, White DJ. Measurement of Joint Motion: A Guide to Goniometry, 5th ed. "
    "(F.A. Davis, 2016): the cervical and thoracolumbar spine"
)
ROM_MAXIMUM: dict[tuple[str, str], int] = {
    ("cervical", "flexion"): 90,
    ("cervical", "extension"): 100,
    ("cervical", "rotation_left"): 100,
    ("cervical", "rotation_right"): 100,
    ("cervical", "lateral_flexion_left"): 70,
    ("cervical", "lateral_flexion_right"): 70,
    ("thoracic", "flexion"): 90,
    ("thoracic", "extension"): 50,
    ("thoracic", "rotation_left"): 80,
    ("thoracic", "rotation_right"): 80,
    ("thoracic", "lateral_flexion_left"): 60,
    ("thoracic", "lateral_flexion_right"): 60,
}

# --- Palpation ----------------------------------------------------------------------------------

TENDERNESS = ("present", "absent", NOT_TESTED)

# --- The neurological screen -------------------------------------------------------------------

# The key muscles and sensory points of the International Standards for Neurological
# Classification of Spinal Cord Injury (ISNCSCI, ASIA, revised 2019), graded on the MRC scale.
NEURO_SOURCE = (
    "ASIA International Standards for Neurological Classification of Spinal Cord Injury "
    "(ISNCSCI, revised 2019); Medical Research Council, Aids to the Examination of the "
    "Peripheral Nervous System (1976); NINDS myotatic reflex scale, Hallett, Neurology 1993"
)
UPPER_LIMB_LEVELS = ("C5", "C6", "C7", "C8", "T1")
LOWER_LIMB_LEVELS = ("L2", "L3", "L4", "L5", "S1")
LEVELS = (*UPPER_LIMB_LEVELS, *LOWER_LIMB_LEVELS)
MYOTOMES: dict[str, str] = {
    "C5": "elbow flexors",
    "C6": "wrist extensors",
    "C7": "elbow extensors",
    "C8": "finger flexors (middle finger)",
    "T1": "little finger abductors",
    "L2": "hip flexors",
    "L3": "knee extensors",
    "L4": "ankle dorsiflexors",
    "L5": "long toe extensors",
    "S1": "ankle plantar flexors",
}
DERMATOMES: dict[str, str] = {
    "C5": "lateral side of the antecubital fossa",
    "C6": "thumb, dorsal proximal phalanx",
    "C7": "middle finger, dorsal proximal phalanx",
    "C8": "little finger, dorsal proximal phalanx",
    "T1": "medial side of the antecubital fossa",
    "L2": "anterior-medial thigh",
    "L3": "medial femoral condyle",
    "L4": "medial malleolus",
    "L5": "dorsum of the foot at the third metatarsophalangeal joint",
    "S1": "lateral heel",
}
MRC_GRADES = (0, 1, 2, 3, 4, 5)  # 5 = normal power
SENSATION = ("normal", "altered", "absent", NOT_TESTED)
UPPER_LIMB_REFLEXES = ("biceps", "brachioradialis", "triceps")
LOWER_LIMB_REFLEXES = ("knee", "ankle")
REFLEXES: dict[str, str] = {
    "biceps": "C5-C6",
    "brachioradialis": "C6",
    "triceps": "C7",
    "knee": "L3-L4",
    "ankle": "S1",
}
NINDS_GRADES = (0, 1, 2, 3, 4)  # 0 absent, 1 reduced, 2-3 normal, 4 enhanced (clonus)
# Whether a weakness found is old, new, or getting worse: what the rules need to know about it.
MOTOR_DEFICIT = ("no_deficit", "long_standing", "new", "progressing", NOT_TESTED)
NYSTAGMUS = ("present", "absent", NOT_TESTED)

# --- Upper motor neurone signs -----------------------------------------------------------------

SIGN_RESULTS = ("positive", "negative", NOT_TESTED)
SIDED_SIGNS = ("hoffmann", "babinski", "clonus")
GAIT = ("normal", "abnormal", NOT_TESTED)

# --- The Canadian C-Spine Rule's low-risk factors (step 2; the fifth, no midline tenderness, is
# palpation's) [S4] ---------------------------------------------------------------------------

CCR_LOW_RISK_FACTORS = (
    "simple_rear_end_collision",
    "sitting_position",
    "ambulatory_at_any_time",
    "delayed_onset_of_neck_pain",
)
FACTOR_VALUES = ("present", "absent", NOT_ASSESSED)

# --- Orthopaedic tests, the impression and the plan --------------------------------------------

TEST_RESULTS = ("positive", "negative", NOT_DONE)
IMPRESSIONS = (
    "non_specific_neck_or_upper_back_pain",
    "radicular_pain",
    "suspected_myelopathy",
    "suspected_fracture",
    "inflammatory",
    "referred_visceral_pain",
    "other",
)
MAX_TESTS = 100
NOTE_LENGTH = 2000
PLAN_LENGTH = 4000

SECTIONS = (
    "observation",
    "posture",
    "range_of_movement",
    "palpation",
    "neurological",
    "upper_motor_neurone",
    "canadian_c_spine",
    "orthopaedic_tests",
    "impression",
    "plan",
)


# --- The typed findings ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Movement:
    """One active movement as examined: whole degrees or a grade, and whether it hurt."""

    degrees: int | None
    grade: str | None
    pain: bool

    def reaches(self, degrees: int) -> bool | None:
        """Whether the movement went at least `degrees`: None when the record cannot say (a
        "reduced" movement may or may not reach 45°)."""
        if self.degrees is not None:
            return self.degrees >= degrees
        if self.grade == "full":
            return True
        if self.grade == "none":
            return False
        return None

    def as_json(self) -> dict[str, Any]:
        if self.degrees is not None:
            return {"degrees": self.degrees, "pain": self.pain}
        return {"grade": self.grade, "pain": self.pain}


@dataclass(frozen=True, slots=True)
class TestSpec:
    """One test of the clinic's library, as the contract and the rules need it.

    `red_flag`: the urgency a positive result carries (None: a positive is no red flag)."""

    __test__ = False  # a test of the clinic's, not of pytest's

    code: str
    name: str
    needs_side: bool
    red_flag: Urgency | None
    source: str
    screens_for: str = ""

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "needs_side": self.needs_side,
            "red_flag": self.red_flag.name if self.red_flag is not None else None,
            "source": self.source,
            "screens_for": self.screens_for,
        }

    @classmethod
    def from_json(cls, code: str, data: Mapping[str, Any]) -> TestSpec:
        urgency = data.get("red_flag")
        return cls(
            code=code,
            name=str(data["name"]),
            needs_side=bool(data["needs_side"]),
            red_flag=Urgency[urgency] if urgency else None,
            source=str(data.get("source", "")),
            screens_for=str(data.get("screens_for", "")),
        )


def library_from_json(data: Mapping[str, Mapping[str, Any]]) -> dict[str, TestSpec]:
    """The library snapshot an examination keeps beside its findings, as specs again."""
    return {code: TestSpec.from_json(code, spec) for code, spec in data.items()}


@dataclass(frozen=True, slots=True)
class TestFinding:
    test: TestSpec
    side: str | None  # "left" / "right", or None for a test without sides
    result: str  # positive / negative / not_done

    @property
    def path(self) -> str:
        side = f".{self.side}" if self.side else ""
        return f"orthopaedic_tests.{self.test.code}{side}"


Sided = Mapping[str, Any]  # {"left": ..., "right": ...}


@dataclass(frozen=True, slots=True, kw_only=True)
class Findings:
    """A complete examination of `exam/1`. "Not tested" is None in the typed values (and the
    string "not_tested", "not_assessed" or "not_done" in the mapping): never a default."""

    observation: str
    posture: str
    # region -> movement -> Movement, or None when not tested
    range_of_movement: Mapping[str, Mapping[str, Movement | None]]
    midline_cervical_tenderness: str | None  # present / absent
    midline_thoracic_tenderness: str | None
    palpation_notes: str
    myotomes: Mapping[str, Sided]  # level -> side -> MRC grade or None
    dermatomes: Mapping[str, Sided]  # level -> side -> normal / altered / absent or None
    reflexes: Mapping[str, Sided]  # reflex -> side -> NINDS grade or None
    motor_deficit: str | None  # no_deficit / long_standing / new / progressing
    nystagmus: str | None  # present / absent
    hoffmann: Sided  # side -> positive / negative or None
    babinski: Sided
    clonus: Sided
    romberg: str | None  # positive / negative
    tandem_gait: str | None  # normal / abnormal
    ccr_low_risk: Mapping[str, str | None]  # factor -> present / absent, or None: not assessed
    tests: tuple[TestFinding, ...]
    impression: str
    impression_notes: str
    plan: str

    # --- What the rules read ----------------------------------------------------------------

    def movement(self, region: str, name: str) -> Movement | None:
        return self.range_of_movement[region][name]

    def weak_myotomes(self) -> list[tuple[str, str]]:
        """(level, side) of every myotome graded below full power (MRC 5)."""
        return [
            (level, side)
            for level in LEVELS
            for side in SIDES
            if (grade := self.myotomes[level][side]) is not None and grade < 5
        ]

    def weak_sides(self) -> set[str]:
        return {side for _level, side in self.weak_myotomes()}

    def sensory_changes(self) -> list[tuple[str, str]]:
        return [
            (level, side)
            for level in LEVELS
            for side in SIDES
            if self.dermatomes[level][side] in ("altered", "absent")
        ]

    def upper_motor_neurone_signs(self) -> list[str]:
        """The finding paths of every upper motor neurone sign found, in the form's order."""
        found = [
            f"upper_motor_neurone.{sign}.{side}"
            for sign in SIDED_SIGNS
            for side in SIDES
            if getattr(self, sign)[side] == "positive"
        ]
        if self.romberg == "positive":
            found.append("upper_motor_neurone.romberg")
        if self.tandem_gait == "abnormal":
            found.append("upper_motor_neurone.tandem_gait")
        return found

    def ataxia(self) -> list[str]:
        found = []
        if self.romberg == "positive":
            found.append("upper_motor_neurone.romberg")
        if self.tandem_gait == "abnormal":
            found.append("upper_motor_neurone.tandem_gait")
        return found

    def positive_tests(self) -> list[TestFinding]:
        return [t for t in self.tests if t.result == "positive"]

    def untested(self, paths: Sequence[str]) -> list[str]:
        """Which of `paths` (as `finding_value` reads them) were not examined."""
        return [path for path in paths if finding_value(self, path) is None]

    # --- Back to the contract's mapping ------------------------------------------------------

    def as_mapping(self) -> dict[str, Any]:
        """The findings in the contract's mapping (what `from_mapping` reads back to the same)."""

        def grade(value: Any, missing: str = NOT_TESTED) -> Any:
            return missing if value is None else value

        return {
            "observation": self.observation,
            "posture": self.posture,
            "range_of_movement": {
                region: {
                    name: NOT_TESTED
                    if (m := self.range_of_movement[region][name]) is None
                    else m.as_json()
                    for name in MOVEMENTS
                }
                for region in REGIONS
            },
            "palpation": {
                "midline_cervical_tenderness": grade(self.midline_cervical_tenderness),
                "midline_thoracic_tenderness": grade(self.midline_thoracic_tenderness),
                "notes": self.palpation_notes,
            },
            "neurological": {
                "myotomes": {
                    level: {side: grade(self.myotomes[level][side]) for side in SIDES}
                    for level in LEVELS
                },
                "dermatomes": {
                    level: {side: grade(self.dermatomes[level][side]) for side in SIDES}
                    for level in LEVELS
                },
                "reflexes": {
                    reflex: {side: grade(self.reflexes[reflex][side]) for side in SIDES}
                    for reflex in REFLEXES
                },
                "motor_deficit": grade(self.motor_deficit),
                "nystagmus": grade(self.nystagmus),
            },
            "upper_motor_neurone": {
                **{
                    sign: {side: grade(getattr(self, sign)[side]) for side in SIDES}
                    for sign in SIDED_SIGNS
                },
                "romberg": grade(self.romberg),
                "tandem_gait": grade(self.tandem_gait),
            },
            "canadian_c_spine": {
                factor: grade(self.ccr_low_risk[factor], NOT_ASSESSED)
                for factor in CCR_LOW_RISK_FACTORS
            },
            "orthopaedic_tests": [
                {"test": t.test.code, "side": t.side, "result": t.result} for t in self.tests
            ],
            "impression": {"category": self.impression, "notes": self.impression_notes},
            "plan": self.plan,
        }

    # --- Reading ------------------------------------------------------------------------------

    @classmethod
    def from_mapping(cls, data: Any, *, tests: Mapping[str, TestSpec]) -> Findings:
        """Validate a mapping against `exam/1`; raise ExamContractError naming every bad key.
        `tests`: the test library the orthopaedic tests are chosen from, by code."""
        reader = _Reader()
        findings = reader.findings(data, tests)
        if reader.problems or findings is None:
            raise ExamContractError(reader.problems)
        return findings


def finding_value(findings: Findings, path: str) -> Any:
    """The typed value at a contract path ("upper_motor_neurone.hoffmann.left"), None when it
    was not examined: what the rules cite and the pages highlight."""
    parts = path.split(".")
    head = parts[0]
    if head == "range_of_movement":
        return findings.range_of_movement[parts[1]][parts[2]]
    if head == "palpation":
        return getattr(findings, parts[1] if parts[1] != "notes" else "palpation_notes")
    if head == "neurological":
        if parts[1] in ("myotomes", "dermatomes", "reflexes"):
            return getattr(findings, parts[1])[parts[2]][parts[3]]
        return getattr(findings, parts[1])
    if head == "upper_motor_neurone":
        value = getattr(findings, parts[1])
        return value[parts[2]] if len(parts) > 2 else value
    if head == "canadian_c_spine":
        return findings.ccr_low_risk[parts[1]]
    if head == "orthopaedic_tests":
        side = parts[2] if len(parts) > 2 else None
        for test in findings.tests:
            if test.test.code == parts[1] and test.side == side:
                return None if test.result == NOT_DONE else test.result
        return None
    raise KeyError(path)


# --- Problems -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Problem:
    """One key that breaks the contract: where (a dotted path), what kind of problem (`code`, for
    a page to word it in its own language) and its particulars; `text` says it in English."""

    path: str
    code: str
    params: Mapping[str, Any]

    @property
    def text(self) -> str:
        return _TEXTS[self.code].format(**self.params)


_TEXTS = {
    "missing": "is missing (record it, or say it was not tested)",
    "unknown_key": "is not a key of the examination contract",
    "not_object": "must be an object of findings",
    "not_list": "must be a list of tests",
    "not_text": "must be text",
    "text_too_long": "must be at most {limit} characters, not {length}",
    "unsafe_text": "has a control or text-direction character that cannot be shown",
    "text_needed": "must not be empty",
    "choice": "must be one of {choices}; not {value}",
    "movement": 'must be "not_tested", or an object with "degrees" or "grade" and "pain"',
    "degrees_and_grade": 'must have "degrees" or "grade", not both',
    "degrees": "must be whole degrees from 0 to {maximum} (above {maximum} is beyond any "
    "adult's active range: {source}); not {value}",
    "pain": "must be true or false (did the movement hurt?), not {value}",
    "grade": "must be an MRC grade from 0 to 5, or not_tested; not {value}",
    "reflex": "must be a NINDS grade from 0 to 4, or not_tested; not {value}",
    "unknown_test": "is not a test of the library; not {value}",
    "side_needed": "needs a side (left or right): {test} is done on each side",
    "side_not_used": "must be null: {test} has no side",
    "duplicate_test": "records {test}{side} twice",
    "too_many_tests": "must list at most {limit} tests",
    "weakness_without_deficit": "must say whether the weakness recorded (MRC below 5) is "
    "long-standing, new or progressing; not {value}",
    "deficit_without_weakness": "says {value}, but no myotome is graded below 5",
    "deficit_untested": "cannot be {value} when no myotome was tested",
    "deficit_not_recorded": "must be no_deficit: myotomes were tested and none is weak",
    "notes_needed": "must say what the impression is when it is \u201cother\u201d",
}


def _shown(value: Any) -> str:
    try:
        text = repr(value)
    except ValueError:
        return "a number too long to show"
    return text if len(text) <= 60 else f"{text[:60]}… ({len(text)} characters)"


class ExamContractError(ContractError):
    """Findings that break `exam/1`: `problems` says where and what, `errors` pairs each path
    with the English text (as the intake contract's errors do)."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__([(p.path, p.text) for p in self.problems])


# --- The reader ---------------------------------------------------------------------------------

_BIDI = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def text_is_unsafe(value: str) -> bool:
    """A control or text-direction character (clinic/text.py refuses the same in forms)."""
    for ch in value:
        if ch in _BIDI:
            return True
        category = unicodedata.category(ch)
        if category == "Cc" and ch not in "\n\r\t":
            return True
        if category in ("Cs", "Co", "Cn"):
            return True
    return False


class _Reader:
    """Reads a mapping into Findings, collecting every problem rather than stopping at one."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def problem(self, path: str, code: str, **params: Any) -> None:
        self.problems.append(Problem(path, code, params))

    def obj(self, value: Any, path: str, keys: Sequence[str]) -> dict[str, Any] | None:
        """`value` as an object with exactly `keys`: each missing and each unknown key named."""
        if not isinstance(value, Mapping):
            self.problem(path, "not_object")
            return None
        for key in value:
            if key not in keys:
                self.problem(f"{path}.{key}" if path else str(key), "unknown_key")
        found = {}
        for key in keys:
            if key not in value:
                self.problem(f"{path}.{key}" if path else key, "missing")
            else:
                found[key] = value[key]
        return found

    def text(self, value: Any, path: str, *, limit: int = NOTE_LENGTH, needed: bool = False) -> str:
        if not isinstance(value, str):
            self.problem(path, "not_text")
            return ""
        if len(value) > limit:
            self.problem(path, "text_too_long", limit=limit, length=len(value))
        elif text_is_unsafe(value):
            self.problem(path, "unsafe_text")
        elif needed and not value.strip():
            self.problem(path, "text_needed")
        return value

    def choice(
        self, value: Any, path: str, choices: Sequence[str], *, none: str = ""
    ) -> str | None:
        """`value` if it is one of `choices`; None for `none` (the "not tested" answer)."""
        if type(value) is str and value in choices:
            chosen: str = value
            return None if none and chosen == none else chosen
        self.problem(
            path, "choice", choices=", ".join(str(c) for c in choices), value=_shown(value)
        )
        return None

    def grade(self, value: Any, path: str, grades: Sequence[int], code: str) -> int | None:
        if value == NOT_TESTED:
            return None
        if type(value) is int and value in grades:
            return value
        self.problem(path, code, value=_shown(value))
        return None

    def sided(self, value: Any, path: str, read: Any) -> dict[str, Any]:
        found = self.obj(value, path, SIDES)
        if found is None:
            return dict.fromkeys(SIDES)
        return {
            side: read(found[side], f"{path}.{side}") if side in found else None for side in SIDES
        }

    # --- Sections ---------------------------------------------------------------------------

    def findings(self, data: Any, tests: Mapping[str, TestSpec]) -> Findings | None:
        top = self.obj(data, "", SECTIONS)
        if top is None:
            return None
        rom = self.range_of_movement(top.get("range_of_movement", {}), "range_of_movement")
        palpation = (
            self.obj(
                top.get("palpation", {}),
                "palpation",
                ("midline_cervical_tenderness", "midline_thoracic_tenderness", "notes"),
            )
            or {}
        )
        neuro = self.neurological(top.get("neurological", {}))
        umn = self.upper_motor_neurone(top.get("upper_motor_neurone", {}))
        ccr = self.obj(top.get("canadian_c_spine", {}), "canadian_c_spine", CCR_LOW_RISK_FACTORS)
        impression = self.obj(top.get("impression", {}), "impression", ("category", "notes")) or {}
        category = (
            self.choice(impression["category"], "impression.category", IMPRESSIONS)
            if "category" in impression
            else None
        )
        notes = self.text(impression.get("notes", ""), "impression.notes")
        if category == "other" and not notes.strip() and "notes" in impression:
            self.problem("impression.notes", "notes_needed")
        plan = (
            self.text(top["plan"], "plan", limit=PLAN_LENGTH, needed=True) if "plan" in top else ""
        )
        findings = Findings(
            observation=self.text(top.get("observation", ""), "observation"),
            posture=self.text(top.get("posture", ""), "posture"),
            range_of_movement=rom,
            midline_cervical_tenderness=self.tenderness(palpation, "midline_cervical_tenderness"),
            midline_thoracic_tenderness=self.tenderness(palpation, "midline_thoracic_tenderness"),
            palpation_notes=self.text(palpation.get("notes", ""), "palpation.notes"),
            myotomes=neuro["myotomes"],
            dermatomes=neuro["dermatomes"],
            reflexes=neuro["reflexes"],
            motor_deficit=neuro["motor_deficit"],
            nystagmus=neuro["nystagmus"],
            hoffmann=umn["hoffmann"],
            babinski=umn["babinski"],
            clonus=umn["clonus"],
            romberg=umn["romberg"],
            tandem_gait=umn["tandem_gait"],
            ccr_low_risk={
                factor: self.choice(
                    (ccr or {}).get(factor, NOT_ASSESSED),
                    f"canadian_c_spine.{factor}",
                    FACTOR_VALUES,
                    none=NOT_ASSESSED,
                )
                for factor in CCR_LOW_RISK_FACTORS
            },
            tests=self.tests(top.get("orthopaedic_tests", []), tests),
            impression=category or "",
            impression_notes=notes,
            plan=plan,
        )
        self.check_motor_deficit(findings, neuro_given="motor_deficit" in neuro["given"])
        return findings

    def tenderness(self, palpation: Mapping[str, Any], key: str) -> str | None:
        if key not in palpation:
            return None
        return self.choice(palpation[key], f"palpation.{key}", TENDERNESS, none=NOT_TESTED)

    def range_of_movement(self, value: Any, path: str) -> dict[str, dict[str, Movement | None]]:
        top = self.obj(value, path, REGIONS) or {}
        found: dict[str, dict[str, Movement | None]] = {}
        for region in REGIONS:
            moves = self.obj(top[region], f"{path}.{region}", MOVEMENTS) if region in top else {}
            found[region] = {
                name: self.movement((moves or {})[name], f"{path}.{region}.{name}", region, name)
                if name in (moves or {})
                else None
                for name in MOVEMENTS
            }
        return found

    def movement(self, value: Any, path: str, region: str, name: str) -> Movement | None:
        if value == NOT_TESTED:
            return None
        if (
            not isinstance(value, Mapping)
            or "pain" not in value
            or not ("degrees" in value or "grade" in value)
        ):
            self.problem(path, "movement")
            return None
        for key in value:
            if key not in ("degrees", "grade", "pain"):
                self.problem(f"{path}.{key}", "unknown_key")
        if "degrees" in value and "grade" in value:
            self.problem(path, "degrees_and_grade")
            return None
        pain = value["pain"]
        if type(pain) is not bool:
            self.problem(f"{path}.pain", "pain", value=_shown(pain))
            pain = False
        if "degrees" in value:
            degrees = value["degrees"]
            maximum = ROM_MAXIMUM[(region, name)]
            if type(degrees) is not int or not 0 <= degrees <= maximum:
                self.problem(
                    f"{path}.degrees",
                    "degrees",
                    maximum=maximum,
                    source=ROM_SOURCE,
                    value=_shown(degrees),
                )
                return None
            return Movement(degrees=degrees, grade=None, pain=pain)
        grade = self.choice(value["grade"], f"{path}.grade", ROM_GRADES)
        if grade is None:
            return None
        return Movement(degrees=None, grade=grade, pain=pain)

    def neurological(self, value: Any) -> dict[str, Any]:
        path = "neurological"
        top = (
            self.obj(
                value, path, ("myotomes", "dermatomes", "reflexes", "motor_deficit", "nystagmus")
            )
            or {}
        )

        def table(name: str, rows: Sequence[str], read: Any) -> dict[str, dict[str, Any]]:
            found = self.obj(top[name], f"{path}.{name}", rows) if name in top else {}
            return {
                row: self.sided((found or {})[row], f"{path}.{name}.{row}", read)
                if row in (found or {})
                else dict.fromkeys(SIDES)
                for row in rows
            }

        return {
            "myotomes": table(
                "myotomes", LEVELS, lambda v, p: self.grade(v, p, MRC_GRADES, "grade")
            ),
            "dermatomes": table(
                "dermatomes", LEVELS, lambda v, p: self.choice(v, p, SENSATION, none=NOT_TESTED)
            ),
            "reflexes": table(
                "reflexes", tuple(REFLEXES), lambda v, p: self.grade(v, p, NINDS_GRADES, "reflex")
            ),
            "motor_deficit": self.choice(
                top["motor_deficit"], f"{path}.motor_deficit", MOTOR_DEFICIT, none=NOT_TESTED
            )
            if "motor_deficit" in top
            else None,
            "nystagmus": self.choice(
                top["nystagmus"], f"{path}.nystagmus", NYSTAGMUS, none=NOT_TESTED
            )
            if "nystagmus" in top
            else None,
            "given": top,
        }

    def upper_motor_neurone(self, value: Any) -> dict[str, Any]:
        path = "upper_motor_neurone"
        top = self.obj(value, path, (*SIDED_SIGNS, "romberg", "tandem_gait")) or {}
        found: dict[str, Any] = {
            sign: self.sided(
                top[sign],
                f"{path}.{sign}",
                lambda v, p: self.choice(v, p, SIGN_RESULTS, none=NOT_TESTED),
            )
            if sign in top
            else dict.fromkeys(SIDES)
            for sign in SIDED_SIGNS
        }
        found["romberg"] = (
            self.choice(top["romberg"], f"{path}.romberg", SIGN_RESULTS, none=NOT_TESTED)
            if "romberg" in top
            else None
        )
        found["tandem_gait"] = (
            self.choice(top["tandem_gait"], f"{path}.tandem_gait", GAIT, none=NOT_TESTED)
            if "tandem_gait" in top
            else None
        )
        return found

    def tests(self, value: Any, library: Mapping[str, TestSpec]) -> tuple[TestFinding, ...]:
        path = "orthopaedic_tests"
        if not isinstance(value, list):
            self.problem(path, "not_list")
            return ()
        if len(value) > MAX_TESTS:
            self.problem(path, "too_many_tests", limit=MAX_TESTS)
            return ()
        found: list[TestFinding] = []
        seen: set[tuple[str, str | None]] = set()
        for n, entry in enumerate(value):
            where = f"{path}.{n}"
            item = self.obj(entry, where, ("test", "side", "result"))
            if item is None or len(item) < 3:
                continue
            code = item["test"]
            spec = library.get(code) if isinstance(code, str) else None
            if spec is None:
                self.problem(f"{where}.test", "unknown_test", value=_shown(code))
                continue
            side = item["side"]
            if spec.needs_side:
                if side not in SIDES:
                    self.problem(f"{where}.side", "side_needed", test=spec.name)
                    continue
            elif side is not None:
                self.problem(f"{where}.side", "side_not_used", test=spec.name)
                continue
            result = self.choice(item["result"], f"{where}.result", TEST_RESULTS)
            if result is None:
                continue
            if (code, side) in seen:
                self.problem(
                    where, "duplicate_test", test=spec.name, side=f" ({side})" if side else ""
                )
                continue
            seen.add((code, side))
            found.append(TestFinding(test=spec, side=side, result=result))
        return tuple(found)

    def check_motor_deficit(self, findings: Findings, *, neuro_given: bool) -> None:
        """Whether a motor deficit is old, new or progressing must agree with the grades: a
        weakness needs to be placed in time, and a deficit needs a weakness."""
        if not neuro_given:
            return
        path = "neurological.motor_deficit"
        status = findings.motor_deficit
        tested = any(
            findings.myotomes[level][side] is not None for level in LEVELS for side in SIDES
        )
        weak = bool(findings.weak_myotomes())
        shown = _shown(status if status is not None else NOT_TESTED)
        if any(p.path == path or p.path.startswith("neurological.myotomes") for p in self.problems):
            return  # the grades themselves are wrong: say that first
        if weak and status not in ("long_standing", "new", "progressing"):
            self.problem(path, "weakness_without_deficit", value=shown)
        elif not weak and status in ("long_standing", "new", "progressing"):
            self.problem(path, "deficit_without_weakness", value=shown)
        elif not tested and status == "no_deficit":
            self.problem(path, "deficit_untested", value=shown)
        elif tested and not weak and status is None:
            self.problem(path, "deficit_not_recorded")
