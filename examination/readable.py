"""The examination's findings in words a clinician reads: a label for every key of `exam/1` and its
value, each marked when it is a positive (abnormal) finding. The form's labels, the case page's
panel, the error summary and the "not enough examined" lists all read these words; a letter or an
export that wants the findings in prose can read them too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from triage.rules import exam_rules
from triage.rules.exam import (
    CCR_LOW_RISK_FACTORS,
    LEVELS,
    MOVEMENTS,
    REFLEXES,
    REGIONS,
    SIDED_SIGNS,
    SIDES,
    Findings,
    Movement,
    TestSpec,
)

Text = str | Promise

SECTION_TITLES: dict[str, Text] = {
    "observation": _("Observation and posture"),
    "range_of_movement": _("Active range of movement"),
    "palpation": _("Palpation"),
    "neurological": _("Neurological screen"),
    "upper_motor_neurone": _("Upper motor neurone signs"),
    "canadian_c_spine": _("Canadian C-Spine Rule"),
    "orthopaedic_tests": _("Orthopaedic tests"),
    "impression": _("Impression and plan"),
}
REGION_LABELS: dict[str, Text] = {"cervical": _("Cervical"), "thoracic": _("Thoracic")}
MOVEMENT_LABELS: dict[str, Text] = {
    "flexion": _("flexion"),
    "extension": _("extension"),
    "rotation_left": _("rotation to the left"),
    "rotation_right": _("rotation to the right"),
    "lateral_flexion_left": _("side-bending to the left"),
    "lateral_flexion_right": _("side-bending to the right"),
}
SIDE_LABELS: dict[str, Text] = {"left": _("left"), "right": _("right")}
MUSCLES: dict[str, Text] = {
    "C5": _("elbow flexors"),
    "C6": _("wrist extensors"),
    "C7": _("elbow extensors"),
    "C8": _("finger flexors"),
    "T1": _("little finger abductors"),
    "L2": _("hip flexors"),
    "L3": _("knee extensors"),
    "L4": _("ankle dorsiflexors"),
    "L5": _("long toe extensors"),
    "S1": _("ankle plantar flexors"),
}
SENSORY_POINTS: dict[str, Text] = {
    "C5": _("lateral elbow crease"),
    "C6": _("thumb"),
    "C7": _("middle finger"),
    "C8": _("little finger"),
    "T1": _("medial elbow crease"),
    "L2": _("anterior-medial thigh"),
    "L3": _("medial knee"),
    "L4": _("medial malleolus"),
    "L5": _("dorsum of the foot"),
    "S1": _("lateral heel"),
}
REFLEX_LABELS: dict[str, Text] = {
    "biceps": _("biceps (C5-C6)"),
    "brachioradialis": _("brachioradialis (C6)"),
    "triceps": _("triceps (C7)"),
    "knee": _("knee (L3-L4)"),
    "ankle": _("ankle (S1)"),
}
SIGN_LABELS: dict[str, Text] = {
    "hoffmann": _("Hoffmann's sign"),
    "babinski": _("Babinski (plantar response)"),
    "clonus": _("Clonus (sustained)"),
    "romberg": _("Romberg's test"),
    "tandem_gait": _("Tandem gait"),
}
CCR_LABELS: dict[str, Text] = {
    "simple_rear_end_collision": _("Simple rear-end collision"),
    "sitting_position": _("Sitting comfortably"),
    "ambulatory_at_any_time": _("Walking at any time since the injury"),
    "delayed_onset_of_neck_pain": _("Delayed onset of neck pain"),
}
IMPRESSION_LABELS: dict[str, Text] = {
    "non_specific_neck_or_upper_back_pain": _("Non-specific neck or upper-back pain"),
    "radicular_pain": _("Radicular pain"),
    "suspected_myelopathy": _("Suspected myelopathy"),
    "suspected_fracture": _("Suspected fracture"),
    "inflammatory": _("Inflammatory"),
    "referred_visceral_pain": _("Referred visceral pain"),
    "other": _("Other"),
}
VALUE_LABELS: dict[str, Text] = {
    "not_tested": _("Not tested"),
    "not_assessed": _("Not assessed"),
    "not_done": _("Not done"),
    "present": _("Present"),
    "absent": _("Absent"),
    "positive": _("Positive"),
    "negative": _("Negative"),
    "normal": _("Normal"),
    "abnormal": _("Abnormal"),
    "altered": _("Altered"),
    "full": _("Full"),
    "reduced": _("Reduced"),
    "markedly_reduced": _("Markedly reduced"),
    "none": _("None (unable)"),
    "no_deficit": _("No deficit"),
    "long_standing": _("Long-standing"),
    "new": _("New"),
    "progressing": _("Progressing"),
}
MRC_LABELS: dict[int, Text] = {
    5: _("5 normal power"),
    4: _("4 against some resistance"),
    3: _("3 against gravity"),
    2: _("2 with gravity eliminated"),
    1: _("1 a flicker"),
    0: _("0 no contraction"),
}
NINDS_LABELS: dict[int, Text] = {
    0: _("0 absent"),
    1: _("1 reduced"),
    2: _("2 normal"),
    3: _("3 brisk normal"),
    4: _("4 enhanced (clonus)"),
}
DECISION_LABELS: dict[str, Text] = {
    "mri": _("MRI"),
    "xray": _("X-ray"),
    "none": _("No imaging"),
    "undetermined": _("Not enough examined to say"),
}


def movement_label(region: str, name: str) -> str:
    return str(
        _("%(region)s %(movement)s")
        % {"region": REGION_LABELS[region], "movement": MOVEMENT_LABELS[name]}
    )


def sided(label: Text, side: str) -> str:
    return str(_("%(finding)s, %(side)s") % {"finding": label, "side": SIDE_LABELS[side]})


def myotome_label(level: str) -> str:
    return f"{level} ({MUSCLES[level]})"


def dermatome_label(level: str) -> str:
    return f"{level} ({SENSORY_POINTS[level]})"


def path_label(path: str, library: dict[str, TestSpec] | None = None) -> str:
    """A contract path as a clinician reads it: "C5 (elbow flexors), left"."""
    parts = path.split(".")
    head = parts[0]
    if head == "intake":
        return str(_("the intake's answer %(name)s") % {"name": parts[1]})
    if head == "range_of_movement":
        return movement_label(parts[1], parts[2])
    if head == "palpation":
        return {
            "midline_cervical_tenderness": str(_("Midline cervical tenderness")),
            "midline_thoracic_tenderness": str(_("Midline thoracic tenderness")),
        }.get(parts[1], str(_("Palpation notes")))
    if head == "neurological":
        if parts[1] == "myotomes":
            return sided(myotome_label(parts[2]), parts[3])
        if parts[1] == "dermatomes":
            return sided(
                str(_("sensation %(level)s") % {"level": dermatome_label(parts[2])}), parts[3]
            )
        if parts[1] == "reflexes":
            return sided(
                str(_("%(reflex)s reflex") % {"reflex": REFLEX_LABELS[parts[2]]}), parts[3]
            )
        if parts[1] == "motor_deficit":
            return str(_("Motor deficit"))
        return str(_("Nystagmus"))
    if head == "upper_motor_neurone":
        label = SIGN_LABELS[parts[1]]
        return sided(label, parts[2]) if len(parts) > 2 else str(label)
    if head == "canadian_c_spine":
        return str(CCR_LABELS[parts[1]])
    if head == "orthopaedic_tests":
        spec = (library or {}).get(parts[1])
        name = spec.name if spec is not None else parts[1]
        return sided(name, parts[2]) if len(parts) > 2 else name
    return path


def value_label(value: Any) -> str:
    if value is None:
        return str(VALUE_LABELS["not_tested"])
    if isinstance(value, Movement):
        shown = (
            str(_("%(degrees)s°") % {"degrees": value.degrees})
            if value.degrees is not None
            else str(VALUE_LABELS[value.grade or "none"])
        )
        return str(_("%(range)s, painful") % {"range": shown}) if value.pain else shown
    return str(VALUE_LABELS.get(str(value), str(value)))


@dataclass(slots=True)
class FindingRow:
    path: str
    label: str
    value: str
    positive: bool


@dataclass(slots=True)
class FindingSection:
    key: str
    title: Text
    rows: list[FindingRow] = field(default_factory=list)

    @property
    def positives(self) -> list[FindingRow]:
        return [row for row in self.rows if row.positive]


def _movement_positive(movement: Movement | None) -> bool:
    if movement is None:
        return False
    return movement.pain or movement.grade in ("reduced", "markedly_reduced", "none")


def finding_sections(findings: Findings) -> list[FindingSection]:
    """Every finding in the form's sections, each with its words and whether it is positive (an
    abnormal finding: a sign found, weakness, a sensory change, a reflex absent, reduced or
    enhanced, a painful or reduced movement, tenderness, a positive test)."""
    library = {t.test.code: t.test for t in findings.tests}
    sections: list[FindingSection] = []

    rom = FindingSection("range_of_movement", SECTION_TITLES["range_of_movement"])
    for region in REGIONS:
        for name in MOVEMENTS:
            m = findings.movement(region, name)
            path = f"range_of_movement.{region}.{name}"
            rom.rows.append(
                FindingRow(path, path_label(path), value_label(m), _movement_positive(m))
            )
    sections.append(rom)

    palpation = FindingSection("palpation", SECTION_TITLES["palpation"])
    for key in ("midline_cervical_tenderness", "midline_thoracic_tenderness"):
        value = getattr(findings, key)
        path = f"palpation.{key}"
        palpation.rows.append(
            FindingRow(path, path_label(path), value_label(value), value == "present")
        )
    sections.append(palpation)

    neuro = FindingSection("neurological", SECTION_TITLES["neurological"])
    for level in LEVELS:
        for side in SIDES:
            grade = findings.myotomes[level][side]
            path = f"neurological.myotomes.{level}.{side}"
            shown = str(MRC_LABELS[grade]) if grade is not None else value_label(None)
            neuro.rows.append(
                FindingRow(path, path_label(path), shown, grade is not None and grade < 5)
            )
    for level in LEVELS:
        for side in SIDES:
            value = findings.dermatomes[level][side]
            path = f"neurological.dermatomes.{level}.{side}"
            neuro.rows.append(
                FindingRow(
                    path, path_label(path), value_label(value), value in ("altered", "absent")
                )
            )
    for reflex in REFLEXES:
        for side in SIDES:
            grade = findings.reflexes[reflex][side]
            path = f"neurological.reflexes.{reflex}.{side}"
            shown = str(NINDS_LABELS[grade]) if grade is not None else value_label(None)
            neuro.rows.append(
                FindingRow(path, path_label(path), shown, grade is not None and grade in (0, 1, 4))
            )
    for key in ("motor_deficit", "nystagmus"):
        value = getattr(findings, key)
        path = f"neurological.{key}"
        positive = value in ("new", "progressing", "present")
        neuro.rows.append(FindingRow(path, path_label(path), value_label(value), positive))
    sections.append(neuro)

    umn = FindingSection("upper_motor_neurone", SECTION_TITLES["upper_motor_neurone"])
    for sign in SIDED_SIGNS:
        for side in SIDES:
            value = getattr(findings, sign)[side]
            path = f"upper_motor_neurone.{sign}.{side}"
            umn.rows.append(
                FindingRow(path, path_label(path), value_label(value), value == "positive")
            )
    for key, bad in (("romberg", "positive"), ("tandem_gait", "abnormal")):
        value = getattr(findings, key)
        path = f"upper_motor_neurone.{key}"
        umn.rows.append(FindingRow(path, path_label(path), value_label(value), value == bad))
    sections.append(umn)

    ccr = FindingSection("canadian_c_spine", SECTION_TITLES["canadian_c_spine"])
    for factor in CCR_LOW_RISK_FACTORS:
        value = findings.ccr_low_risk[factor]
        path = f"canadian_c_spine.{factor}"
        ccr.rows.append(
            FindingRow(
                path, path_label(path), value_label(value if value else "not_assessed"), False
            )
        )
    sections.append(ccr)

    tests = FindingSection("orthopaedic_tests", SECTION_TITLES["orthopaedic_tests"])
    for test in findings.tests:
        tests.rows.append(
            FindingRow(
                test.path,
                path_label(test.path, library),
                value_label(test.result),
                test.result == "positive",
            )
        )
    sections.append(tests)
    return sections


def impression_label(findings: Findings) -> str:
    return str(IMPRESSION_LABELS.get(findings.impression, findings.impression))


def rule_reason(
    rule_id: str, reason: str, findings: list[str], library: dict[str, TestSpec] | None = None
) -> str:
    """A stored exam rule's (or imaging rule's) reason in the reader's language. The rules mark
    their reasons for translation (triage/rules/exam_rules.py); a reason with particulars is
    rebuilt from its parts: the C-Spine Rule's exclusions, a red-flag test (from the library
    snapshot and the finding it fired on), the red flags named by their IDs. A reason an older
    rule set wrote that matches no message shows as it was stored."""
    translated = gettext(reason)
    if translated != reason:
        return translated
    if rule_id == exam_rules.RED_FLAG_TEST and findings:
        parts = findings[0].split(".")
        spec = (library or {}).get(parts[1]) if len(parts) > 1 else None
        if spec is not None:
            side = parts[2] if len(parts) > 2 else None
            return exam_rules.red_flag_test_reason(spec.name, side, spec.screens_for, words=gettext)
    for rule in exam_rules.EXAM_RULES:
        head = f"{rule.reason} ("
        if rule.detail is not None and reason.startswith(head) and reason.endswith(")"):
            details = reason[len(head) : -1].split(", ")
            return f"{gettext(rule.reason)} ({', '.join(gettext(d) for d in details)})"
    head = f"{exam_rules.UNDETERMINED_RED_FLAGS.reason}: "
    if reason.startswith(head):
        return f"{gettext(exam_rules.UNDETERMINED_RED_FLAGS.reason)}: {reason[len(head) :]}"
    return reason
