"""The examination's rules as a clinical table: for every rule, examinations that fire it and near
misses that do not, each with the intake it is read beside. Read it with
shared/clinical/red-flags.md (2b cord, 2e the Canadian C-Spine Rule, section 3's 5 Ds and 3 Ns,
section 7.4 myelopathy) and triage/rules/exam_rules.py.

Each row: the rule, whether it fires, the intake's answers that differ from a patient with no
flags (35, ten days of mechanical neck pain), the findings that differ from an unremarkable
examination, and why. Then the imaging decision aid as a table of its own.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import pytest

from tests.rules.answers import answers
from tests.rules.exam_findings import exam, ortho
from triage.rules import Urgency
from triage.rules.exam_rules import (
    EXAM_RULES,
    IMAGING_RULES,
    RED_FLAG_TEST,
    evaluate_examination,
)

E, U = Urgency.EMERGENCY, Urgency.URGENT

# A rear-end shunt two days ago, the neck the main pain: the C-Spine Rule applies.
SHUNT = {
    "recent_significant_trauma": True,
    "trauma_mechanism": "simple_rear_end_collision",
    "duration_days": 2,
}
# The C-Spine Rule passed: walking since, no midline tenderness, rotation of 60° each way.
CLEARED = {
    "canadian_c_spine.ambulatory_at_any_time": "present",
    "canadian_c_spine.sitting_position": "present",
}
NO_LOW_RISK_FACTOR = {
    f"canadian_c_spine.{factor}": "absent"
    for factor in (
        "simple_rear_end_collision",
        "sitting_position",
        "ambulatory_at_any_time",
        "delayed_onset_of_neck_pain",
    )
}
HOFFMANN = {"upper_motor_neurone.hoffmann.right": "positive"}
NEW_C6_WEAKNESS = {"neurological.myotomes.C6.left": 4, "neurological.motor_deficit": "new"}


class Row(NamedTuple):
    rule: str
    fires: bool
    intake: dict[str, Any]
    findings: dict[str, Any]
    why: str
    urgency: Urgency | None = None


def fires(
    rule: str, urgency: Urgency | None, why: str, findings: dict[str, Any], **intake: Any
) -> Row:
    return Row(rule, True, intake, findings, why, urgency)


def misses(rule: str, why: str, findings: dict[str, Any], **intake: Any) -> Row:
    return Row(rule, False, intake, findings, why)


TABLE = [
    # Upper motor neurone signs: suspected myelopathy, URGENT; EMERGENCY when progressing or
    # with sphincter change or progressive weakness (red-flags.md 2b, section 7.4).
    fires("EXAM_MYELOPATHY_SIGNS", U, "Hoffmann's sign on the right", HOFFMANN),
    fires("EXAM_MYELOPATHY_SIGNS", U, "Babinski on the left", {"upper_motor_neurone.babinski.left": "positive"}),
    fires("EXAM_MYELOPATHY_SIGNS", U, "sustained clonus", {"upper_motor_neurone.clonus.left": "positive"}),
    fires("EXAM_MYELOPATHY_SIGNS", U, "Romberg's test positive", {"upper_motor_neurone.romberg": "positive"}),
    fires("EXAM_MYELOPATHY_SIGNS", U, "cannot walk heel to toe", {"upper_motor_neurone.tandem_gait": "abnormal"}),
    fires(
        "EXAM_MYELOPATHY_SIGNS", U, "Hoffmann's sign and gait ataxia",
        {**HOFFMANN, "upper_motor_neurone.tandem_gait": "abnormal"}, gait_disturbance=True,
    ),
    fires(
        "EXAM_MYELOPATHY_SIGNS", E, "Hoffmann's with a weakness getting worse",
        {**HOFFMANN, "neurological.myotomes.C8.right": 4, "neurological.motor_deficit": "progressing"},
    ),
    fires("EXAM_MYELOPATHY_SIGNS", E, "Hoffmann's with new bladder change", HOFFMANN, bladder_or_bowel_change=True),
    fires("EXAM_MYELOPATHY_SIGNS", E, "Hoffmann's with progressive weakness reported", HOFFMANN, progressive_limb_weakness=True),
    misses("EXAM_MYELOPATHY_SIGNS", "every sign negative", {}),
    misses("EXAM_MYELOPATHY_SIGNS", "not tested is not positive", {"upper_motor_neurone.hoffmann.right": "not_tested"}),
    misses("EXAM_MYELOPATHY_SIGNS", "unsustained few beats recorded as negative", {"upper_motor_neurone.clonus.right": "negative"}),
    # A new or progressing myotomal weakness (2b PROGRESSIVE_WEAKNESS, CORD_COMPRESSION_PROGRESSIVE).
    fires("EXAM_MOTOR_DEFICIT", U, "a new C6 weakness", NEW_C6_WEAKNESS),
    fires(
        "EXAM_MOTOR_DEFICIT", U, "a progressing weakness on one side",
        {"neurological.myotomes.C7.right": 3, "neurological.motor_deficit": "progressing"},
    ),
    fires(
        "EXAM_MOTOR_DEFICIT", E, "a progressing weakness of both arms",
        {
            "neurological.myotomes.C7.right": 4,
            "neurological.myotomes.C7.left": 4,
            "neurological.motor_deficit": "progressing",
        },
    ),
    fires(
        "EXAM_MOTOR_DEFICIT", E, "a progressing weakness with unsteadiness reported",
        {"neurological.myotomes.L4.left": 4, "neurological.motor_deficit": "progressing"},
        gait_disturbance=True,
    ),
    misses(
        "EXAM_MOTOR_DEFICIT", "a long-standing weakness (an old root injury)",
        {"neurological.myotomes.C6.left": 4, "neurological.motor_deficit": "long_standing"},
    ),
    misses("EXAM_MOTOR_DEFICIT", "full power", {}),
    # Nystagmus or ataxia with dizziness: the vascular row (2a, section 3's 5 Ds and 3 Ns).
    fires("EXAM_VASCULAR_SIGNS", E, "nystagmus with dizziness", {"neurological.nystagmus": "present"}, dizziness_or_drop_attacks=True),
    fires("EXAM_VASCULAR_SIGNS", E, "gait ataxia with dizziness", {"upper_motor_neurone.tandem_gait": "abnormal"}, dizziness_or_drop_attacks=True),
    fires("EXAM_VASCULAR_SIGNS", E, "Romberg's with drop attacks", {"upper_motor_neurone.romberg": "positive"}, dizziness_or_drop_attacks=True),
    misses("EXAM_VASCULAR_SIGNS", "nystagmus without dizziness", {"neurological.nystagmus": "present"}),
    misses("EXAM_VASCULAR_SIGNS", "dizziness with nothing found", {}, dizziness_or_drop_attacks=True),
    fires("EXAM_NYSTAGMUS", U, "nystagmus alone", {"neurological.nystagmus": "present"}),
    misses("EXAM_NYSTAGMUS", "nystagmus with dizziness is the vascular rule's", {"neurological.nystagmus": "present"}, dizziness_or_drop_attacks=True),
    misses("EXAM_NYSTAGMUS", "nystagmus not tested", {"neurological.nystagmus": "not_tested"}),
    # A history of cancer with neurological signs: MSCC (2c).
    fires("EXAM_MSCC_SIGNS", E, "cancer and Hoffmann's", HOFFMANN, history_of_cancer=True),
    fires("EXAM_MSCC_SIGNS", E, "cancer and a new weakness", NEW_C6_WEAKNESS, history_of_cancer=True),
    fires("EXAM_MSCC_SIGNS", E, "cancer and a sensory change", {"neurological.dermatomes.L5.right": "altered"}, history_of_cancer=True),
    misses(
        "EXAM_MSCC_SIGNS", "cancer and a long-standing weakness",
        {"neurological.myotomes.C6.left": 4, "neurological.motor_deficit": "long_standing"},
        history_of_cancer=True,
    ),
    misses("EXAM_MSCC_SIGNS", "cancer with a normal examination", {}, history_of_cancer=True),
    misses("EXAM_MSCC_SIGNS", "signs without cancer", HOFFMANN),
    # A positive test the library marks as a red flag, at the library's urgency.
    fires(RED_FLAG_TEST, U, "Lhermitte's sign positive", {"orthopaedic_tests": [ortho("lhermitte")]}),
    fires(
        RED_FLAG_TEST, U, "positional screen reproduces dizziness",
        {"orthopaedic_tests": [ortho("cervical_arterial_positional", side="left")]},
    ),
    misses(RED_FLAG_TEST, "Spurling's positive is no red flag", {"orthopaedic_tests": [ortho("spurling", side="right")]}),
    misses(RED_FLAG_TEST, "Lhermitte's negative", {"orthopaedic_tests": [ortho("lhermitte", "negative")]}),
    misses(RED_FLAG_TEST, "Lhermitte's not done", {"orthopaedic_tests": [ortho("lhermitte", "not_done")]}),
    # The Canadian C-Spine Rule, steps 2 and 3 (2e) [S4].
    fires("EXAM_CCR_CLEARED", None, "walking since, no midline tenderness, rotates 60° each way", CLEARED, **SHUNT),
    fires(
        "EXAM_CCR_CLEARED", None, "full rotation judged by eye",
        {
            **CLEARED,
            "range_of_movement.cervical.rotation_left": {"grade": "full", "pain": True},
            "range_of_movement.cervical.rotation_right": {"grade": "full", "pain": False},
        },
        **SHUNT,
    ),
    fires(
        "EXAM_CCR_CLEARED", None, "exactly 45° each way",
        {
            **CLEARED,
            "range_of_movement.cervical.rotation_left": {"degrees": 45, "pain": True},
            "range_of_movement.cervical.rotation_right": {"degrees": 45, "pain": True},
        },
        **SHUNT,
    ),
    misses(
        "EXAM_CCR_CLEARED", "44° to the left",
        {**CLEARED, "range_of_movement.cervical.rotation_left": {"degrees": 44, "pain": True}},
        **SHUNT,
    ),
    misses("EXAM_CCR_CLEARED", "no injury: nothing to clear", CLEARED),
    misses("EXAM_CCR_CLEARED", "the injury is to the thoracic spine", CLEARED, pain_region="thoracic", **{k: v for k, v in SHUNT.items()}),
    fires(
        "EXAM_CCR_IMAGING_INDICATED", U, "cannot rotate 45° to the left",
        {**CLEARED, "range_of_movement.cervical.rotation_left": {"degrees": 30, "pain": True}},
        **SHUNT,
    ),
    fires(
        "EXAM_CCR_IMAGING_INDICATED", U, "unable to rotate to the right at all",
        {**CLEARED, "range_of_movement.cervical.rotation_right": {"grade": "none", "pain": True}},
        **SHUNT,
    ),
    fires(
        "EXAM_CCR_IMAGING_INDICATED", U, "midline tenderness, although walking and rotating",
        {**CLEARED, "palpation.midline_cervical_tenderness": "present"},
        **SHUNT,
    ),
    fires("EXAM_CCR_IMAGING_INDICATED", U, "no low-risk factor at all", NO_LOW_RISK_FACTOR, **SHUNT),
    fires("EXAM_CCR_IMAGING_INDICATED", E, "aged 70 (a high-risk factor)", CLEARED, age=70, **SHUNT),
    fires(
        "EXAM_CCR_IMAGING_INDICATED", E, "a dive into shallow water",
        CLEARED, **{**SHUNT, "trauma_mechanism": "axial_load_diving_or_head_impact"},
    ),
    fires(
        "EXAM_CCR_IMAGING_INDICATED", U, "cannot rotate, injured 10 days ago",
        {**CLEARED, "range_of_movement.cervical.rotation_left": {"degrees": 20, "pain": True}},
        **{**SHUNT, "duration_days": 10},
    ),
    misses("EXAM_CCR_IMAGING_INDICATED", "cleared", CLEARED, **SHUNT),
    misses(
        "EXAM_CCR_IMAGING_INDICATED", "no injury, however stiff",
        {"range_of_movement.cervical.rotation_left": {"degrees": 20, "pain": True}},
    ),
    fires(
        "EXAM_CCR_INCOMPLETE", None, "rotation not tested",
        {**CLEARED, "range_of_movement.cervical.rotation_right": "not_tested"},
        **SHUNT,
    ),
    fires(
        "EXAM_CCR_INCOMPLETE", None, "rotation only 'reduced'",
        {**CLEARED, "range_of_movement.cervical.rotation_right": {"grade": "reduced", "pain": True}},
        **SHUNT,
    ),
    fires(
        "EXAM_CCR_INCOMPLETE", None, "midline not palpated",
        {**CLEARED, "palpation.midline_cervical_tenderness": "not_tested"},
        **SHUNT,
    ),
    fires("EXAM_CCR_INCOMPLETE", None, "no low-risk factor assessed", {}, **SHUNT),
    misses("EXAM_CCR_INCOMPLETE", "cleared", CLEARED, **SHUNT),
    fires("EXAM_CCR_NOT_APPLICABLE", None, "injured 10 days ago", CLEARED, **{**SHUNT, "duration_days": 10}),
    fires("EXAM_CCR_NOT_APPLICABLE", None, "aged 15", CLEARED, age=15, **SHUNT),
    fires("EXAM_CCR_NOT_APPLICABLE", None, "previous spinal surgery", CLEARED, previous_spinal_surgery=True, **SHUNT),
    fires("EXAM_CCR_NOT_APPLICABLE", None, "ankylosing spondylitis", CLEARED, inflammatory_arthritis_history=True, **SHUNT),
    misses("EXAM_CCR_NOT_APPLICABLE", "an adult injured 2 days ago", CLEARED, **SHUNT),
]  # fmt: skip


@pytest.mark.parametrize(
    "row", TABLE, ids=[f"{r.rule}:{'fires' if r.fires else 'misses'}:{r.why}" for r in TABLE]
)
def test_exam_rule_table(row: Row) -> None:
    result = evaluate_examination(exam(row.findings), answers(**row.intake))
    fired = {f.id: f.urgency for f in result.fired}
    if row.fires:
        assert row.rule in fired, f"{row.rule} should fire for: {row.why}"
        assert fired[row.rule] == row.urgency
        assert result.urgency >= (row.urgency or Urgency.SELF_CARE)
    else:
        assert row.rule not in fired, f"{row.rule} should not fire for: {row.why}"


def test_every_exam_rule_has_a_firing_row_and_a_near_miss() -> None:
    rule_ids = {rule.id for rule in EXAM_RULES} | {RED_FLAG_TEST}
    assert rule_ids - {row.rule for row in TABLE if row.fires} == set()
    assert rule_ids - {row.rule for row in TABLE if not row.fires} == set()


def test_every_exam_rule_names_its_source_and_a_reason() -> None:
    for rule in EXAM_RULES:
        assert rule.reason and len(rule.reason) < 240, rule.id
        assert rule.source, rule.id
    for imaging in IMAGING_RULES:
        assert imaging.reason and imaging.source, imaging.id


def test_a_fired_rule_names_the_findings_that_fired_it() -> None:
    result = evaluate_examination(
        exam({**HOFFMANN, "upper_motor_neurone.tandem_gait": "abnormal"}), answers()
    )
    (myelopathy,) = [f for f in result.fired if f.id == "EXAM_MYELOPATHY_SIGNS"]
    assert myelopathy.findings == (
        "upper_motor_neurone.hoffmann.right",
        "upper_motor_neurone.tandem_gait",
    )
    assert result.as_json()["rules"][0]["findings"] == list(myelopathy.findings)


def test_a_red_flag_test_fires_with_its_own_name_side_and_source() -> None:
    result = evaluate_examination(
        exam({"orthopaedic_tests": [ortho("cervical_arterial_positional", side="right")]}),
        answers(),
    )
    (flag,) = result.fired
    assert flag.id == RED_FLAG_TEST
    assert "Cervical arterial positional screen, right" in flag.reason
    assert flag.source == "IFOMPT [S11]"
    assert flag.findings == ("orthopaedic_tests.cervical_arterial_positional.right",)


def test_an_unremarkable_examination_fires_nothing() -> None:
    result = evaluate_examination(exam(), answers())
    assert result.fired == ()
    assert result.urgency == Urgency.SELF_CARE


def test_the_result_is_most_urgent_first_and_says_its_version() -> None:
    result = evaluate_examination(
        exam({**HOFFMANN, "neurological.nystagmus": "present"}),
        answers(dizziness_or_drop_attacks=True),
    )
    assert result.rule_ids[0] == "EXAM_VASCULAR_SIGNS"
    assert result.urgency == E
    assert result.as_json()["ruleset"] == "exam-2026.1"


def test_the_not_applicable_reason_says_why() -> None:
    result = evaluate_examination(exam(CLEARED), answers(**{**SHUNT, "duration_days": 12}))
    (rule,) = [f for f in result.fired if f.id == "EXAM_CCR_NOT_APPLICABLE"]
    assert "injured more than 7 days ago" in rule.reason


# --- The imaging decision aid ----------------------------------------------------------------


class Aid(NamedTuple):
    decision: str
    rule: str
    intake: dict[str, Any]
    findings: dict[str, Any]
    why: str


IMAGING_TABLE = [
    Aid("mri", "IMAGING_MRI_CORD", {}, HOFFMANN, "an upper motor neurone sign"),
    Aid("mri", "IMAGING_MRI_MOTOR_DEFICIT", {}, NEW_C6_WEAKNESS, "a new myotomal weakness"),
    Aid("mri", "IMAGING_MRI_CAUDA_EQUINA", {"bladder_or_bowel_change": True}, HOFFMANN, "sphincter change comes first"),
    Aid("mri", "IMAGING_MRI_MSCC", {"history_of_cancer": True}, HOFFMANN, "cancer with cord signs"),
    Aid("mri", "IMAGING_MRI_CANCER_HISTORY", {"history_of_cancer": True}, {}, "cancer with neck pain, a normal examination"),
    Aid("xray", "IMAGING_XRAY_CCR", SHUNT, {**CLEARED, "range_of_movement.cervical.rotation_left": {"degrees": 30, "pain": True}}, "cannot rotate 45°"),
    Aid("xray", "IMAGING_XRAY_CCR", {**SHUNT, "age": 68}, CLEARED, "a C-Spine Rule high-risk factor"),
    Aid("mri", "IMAGING_MRI_CORD", SHUNT, {**NO_LOW_RISK_FACTOR, **HOFFMANN}, "cord signs before the X-ray"),
    Aid("none", "IMAGING_NONE_CCR", SHUNT, CLEARED, "cleared by the C-Spine Rule"),
    Aid("undetermined", "IMAGING_UNDETERMINED_CCR", SHUNT, {**CLEARED, "range_of_movement.cervical.rotation_left": "not_tested"}, "rotation not measured"),
    Aid("undetermined", "IMAGING_UNDETERMINED_CCR_NOT_APPLICABLE", {**SHUNT, "duration_days": 20}, CLEARED, "a late presentation"),
    Aid("undetermined", "IMAGING_UNDETERMINED_RED_FLAGS", {**SHUNT, "osteoporosis": True}, CLEARED, "cleared, but a fragility fracture is possible"),
    Aid("undetermined", "IMAGING_UNDETERMINED_RED_FLAGS", {"chest_pain": True}, {}, "chest pain has a pathway of its own"),
    Aid("undetermined", "IMAGING_UNDETERMINED_RED_FLAGS", {}, {"neurological.nystagmus": "present"}, "nystagmus"),
    Aid("undetermined", "IMAGING_UNDETERMINED_IMPRESSION", {}, {"impression.category": "suspected_fracture"}, "the clinician suspects a fracture"),
    Aid("none", "IMAGING_NONE", {}, {}, "non-specific neck pain, normal screen"),
    Aid("none", "IMAGING_NONE", {"numbness_or_tingling_arms": True}, {"orthopaedic_tests": [ortho("spurling", side="left")], "impression.category": "radicular_pain"}, "radicular pain without a deficit"),
    Aid("none", "IMAGING_NONE", {"pain_region": "lower_back"}, {"upper_motor_neurone.hoffmann.left": "not_tested"}, "low back: the arms need not be tested"),
    Aid("undetermined", "IMAGING_UNDETERMINED_SCREEN", {}, {"upper_motor_neurone.hoffmann.left": "not_tested"}, "neck pain: Hoffmann's not tested"),
    Aid("undetermined", "IMAGING_UNDETERMINED_SCREEN", {"pain_region": "thoracic"}, {"upper_motor_neurone.babinski.right": "not_tested"}, "thoracic pain: Babinski not tested"),
    Aid("undetermined", "IMAGING_UNDETERMINED_SCREEN", {"pain_region": "lower_back"}, {"neurological.reflexes.ankle.left": "not_tested"}, "low back: ankle reflex not tested"),
]  # fmt: skip


@pytest.mark.parametrize("row", IMAGING_TABLE, ids=[f"{r.decision}:{r.why}" for r in IMAGING_TABLE])
def test_imaging_decision_table(row: Aid) -> None:
    imaging = evaluate_examination(exam(row.findings), answers(**row.intake)).imaging
    assert (imaging.decision, imaging.rule.id) == (row.decision, row.rule), row.why


def test_every_imaging_rule_has_a_row() -> None:
    assert {r.id for r in IMAGING_RULES} == {row.rule for row in IMAGING_TABLE}


def test_imaging_lists_every_indication_and_what_is_missing() -> None:
    both = evaluate_examination(exam({**NO_LOW_RISK_FACTOR, **HOFFMANN}), answers(**SHUNT))
    assert [r.id for r in both.imaging.also] == ["IMAGING_XRAY_CCR"]
    incomplete = evaluate_examination(
        exam({"range_of_movement.cervical.rotation_right": "not_tested"}), answers(**SHUNT)
    )
    assert set(incomplete.imaging.missing) >= {
        "range_of_movement.cervical.rotation_right",
        "canadian_c_spine.ambulatory_at_any_time",
    }
    assert incomplete.as_json()["imaging"]["decision"] == "undetermined"
