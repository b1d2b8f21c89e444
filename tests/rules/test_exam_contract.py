"""The examination contract `exam/1`: what it accepts, and what it refuses with a message naming
the key. No finding is defaulted: a key left out is refused, "not tested" is said."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from tests.rules.exam_findings import LIBRARY, NORMAL, exam, exam_mapping, ortho
from triage.rules.exam import (
    EXAM_CONTRACT_VERSION,
    ROM_MAXIMUM,
    ROM_SOURCE,
    ExamContractError,
    Findings,
    Movement,
    finding_value,
)


def problems(mapping: Any) -> dict[str, str]:
    with pytest.raises(ExamContractError) as refused:
        Findings.from_mapping(mapping, tests=LIBRARY)
    return {p.path: p.code for p in refused.value.problems}


def test_the_contract_has_a_version_of_its_own() -> None:
    assert EXAM_CONTRACT_VERSION == "exam/1"


def test_a_complete_examination_reads_into_typed_findings() -> None:
    findings = exam()
    assert findings.movement("cervical", "rotation_left") == Movement(60, None, False)
    assert findings.myotomes["C5"]["left"] == 5
    assert findings.reflexes["ankle"]["right"] == 2
    assert findings.upper_motor_neurone_signs() == []
    assert findings.weak_myotomes() == []


def test_the_findings_go_back_to_the_same_mapping() -> None:
    mapping = exam_mapping(
        {
            "range_of_movement.cervical.flexion": {"grade": "reduced", "pain": True},
            "range_of_movement.thoracic.extension": "not_tested",
            "neurological.myotomes.C6": {"left": 4, "right": "not_tested"},
            "neurological.motor_deficit": "new",
            "orthopaedic_tests": [ortho("spurling", side="left"), ortho("distraction", "negative")],
        }
    )
    findings = Findings.from_mapping(mapping, tests=LIBRARY)
    assert findings.as_mapping() == mapping
    assert json.loads(json.dumps(findings.as_mapping())) == mapping


def test_not_tested_is_said_and_read_as_nothing_examined() -> None:
    findings = exam(
        {
            "range_of_movement.cervical.rotation_right": "not_tested",
            "upper_motor_neurone.hoffmann.left": "not_tested",
            "palpation.midline_cervical_tenderness": "not_tested",
        }
    )
    assert findings.movement("cervical", "rotation_right") is None
    assert finding_value(findings, "upper_motor_neurone.hoffmann.left") is None
    assert findings.midline_cervical_tenderness is None


@pytest.mark.parametrize(
    "path",
    [
        "observation",
        "plan",
        "range_of_movement",
        "range_of_movement.cervical",
        "range_of_movement.thoracic.rotation_left",
        "palpation.midline_cervical_tenderness",
        "neurological.myotomes.C7",
        "neurological.myotomes.S1.left",
        "neurological.reflexes.triceps.right",
        "neurological.motor_deficit",
        "neurological.nystagmus",
        "upper_motor_neurone.babinski.right",
        "upper_motor_neurone.romberg",
        "canadian_c_spine.ambulatory_at_any_time",
        "impression.category",
        "orthopaedic_tests",
    ],
)
def test_a_finding_left_out_is_refused_by_its_key(path: str) -> None:
    mapping = copy.deepcopy(NORMAL)
    *parents, last = path.split(".")
    target = mapping
    for key in parents:
        target = target[key]
    del target[last]
    found = problems(mapping)
    assert found.get(path) == "missing", found


@pytest.mark.parametrize(
    ("changes", "path", "code"),
    [
        ({"extra": 1}, "extra", "unknown_key"),
        ({"neurological.power": {}}, "neurological.power", "unknown_key"),
        ({"neurological.myotomes.C4": {"left": 5, "right": 5}}, "neurological.myotomes.C4", "unknown_key"),
        ({"neurological.myotomes.C5.middle": 5}, "neurological.myotomes.C5.middle", "unknown_key"),
        ({"neurological.myotomes.C5.left": 6}, "neurological.myotomes.C5.left", "grade"),
        ({"neurological.myotomes.C5.left": "5"}, "neurological.myotomes.C5.left", "grade"),
        ({"neurological.myotomes.C5.left": True}, "neurological.myotomes.C5.left", "grade"),
        ({"neurological.reflexes.knee.left": 5}, "neurological.reflexes.knee.left", "reflex"),
        ({"neurological.dermatomes.L4.right": "numb"}, "neurological.dermatomes.L4.right", "choice"),
        ({"neurological.nystagmus": None}, "neurological.nystagmus", "choice"),
        ({"upper_motor_neurone.hoffmann.left": "yes"}, "upper_motor_neurone.hoffmann.left", "choice"),
        ({"upper_motor_neurone.tandem_gait": "positive"}, "upper_motor_neurone.tandem_gait", "choice"),
        ({"palpation.midline_cervical_tenderness": ""}, "palpation.midline_cervical_tenderness", "choice"),
        ({"canadian_c_spine.sitting_position": "not_tested"}, "canadian_c_spine.sitting_position", "choice"),
        ({"impression.category": "whiplash"}, "impression.category", "choice"),
        ({"impression.category": "other"}, "impression.notes", "notes_needed"),
        ({"plan": "   "}, "plan", "text_needed"),
        ({"plan": "x" * 4001}, "plan", "text_too_long"),
        ({"observation": 7}, "observation", "not_text"),
        ({"posture": "tilted \u202eevil"}, "posture", "unsafe_text"),
        ({"palpation.notes": "bad\x00byte"}, "palpation.notes", "unsafe_text"),
        ({"range_of_movement.cervical.flexion": {"degrees": 45}}, "range_of_movement.cervical.flexion", "movement"),
        ({"range_of_movement.cervical.flexion": 45}, "range_of_movement.cervical.flexion", "movement"),
        ({"range_of_movement.cervical.flexion": {"degrees": 45, "grade": "full", "pain": False}}, "range_of_movement.cervical.flexion", "degrees_and_grade"),
        ({"range_of_movement.cervical.flexion": {"degrees": 45, "pain": "no"}}, "range_of_movement.cervical.flexion.pain", "pain"),
        ({"range_of_movement.cervical.flexion": {"degrees": 45.5, "pain": False}}, "range_of_movement.cervical.flexion.degrees", "degrees"),
        ({"range_of_movement.cervical.flexion": {"degrees": -5, "pain": False}}, "range_of_movement.cervical.flexion.degrees", "degrees"),
        ({"range_of_movement.cervical.rotation_left": {"degrees": 101, "pain": False}}, "range_of_movement.cervical.rotation_left.degrees", "degrees"),
        ({"range_of_movement.thoracic.extension": {"degrees": 51, "pain": False}}, "range_of_movement.thoracic.extension.degrees", "degrees"),
        ({"range_of_movement.cervical.flexion": {"grade": "half", "pain": False}}, "range_of_movement.cervical.flexion.grade", "choice"),
        ({"range_of_movement.cervical.flexion": {"degrees": 40, "pain": False, "note": ""}}, "range_of_movement.cervical.flexion.note", "unknown_key"),
        ({"orthopaedic_tests": {}}, "orthopaedic_tests", "not_list"),
        ({"orthopaedic_tests": [ortho("sharp_purser")]}, "orthopaedic_tests.0.test", "unknown_test"),
        ({"orthopaedic_tests": [ortho("spurling")]}, "orthopaedic_tests.0.side", "side_needed"),
        ({"orthopaedic_tests": [ortho("spurling", side="both")]}, "orthopaedic_tests.0.side", "side_needed"),
        ({"orthopaedic_tests": [ortho("distraction", side="left")]}, "orthopaedic_tests.0.side", "side_not_used"),
        ({"orthopaedic_tests": [ortho("distraction", "maybe")]}, "orthopaedic_tests.0.result", "choice"),
        ({"orthopaedic_tests": [{"test": "distraction", "result": "positive"}]}, "orthopaedic_tests.0.side", "missing"),
        ({"orthopaedic_tests": [ortho("spurling", side="left"), ortho("spurling", "negative", side="left")]}, "orthopaedic_tests.1", "duplicate_test"),
        ({"neurological.myotomes.C6.left": 4}, "neurological.motor_deficit", "weakness_without_deficit"),
        ({"neurological.motor_deficit": "new"}, "neurological.motor_deficit", "deficit_without_weakness"),
        ({"neurological.motor_deficit": "not_tested"}, "neurological.motor_deficit", "deficit_not_recorded"),
    ],
)  # fmt: skip
def test_a_finding_out_of_contract_is_refused_by_its_key(
    changes: dict[str, Any], path: str, code: str
) -> None:
    found = problems(exam_mapping(changes))
    assert found.get(path) == code, found


def test_every_movement_has_a_bound_and_the_bound_names_its_source() -> None:
    with pytest.raises(ExamContractError) as refused:
        exam({"range_of_movement.cervical.extension": {"degrees": 150, "pain": False}})
    (problem,) = refused.value.problems
    assert str(ROM_MAXIMUM[("cervical", "extension")]) in problem.text
    assert ROM_SOURCE in problem.text
    assert "Norkin" in ROM_SOURCE


def test_the_largest_movement_allowed_is_accepted() -> None:
    changes = {
        f"range_of_movement.{region}.{name}": {"degrees": maximum, "pain": True}
        for (region, name), maximum in ROM_MAXIMUM.items()
    }
    assert exam(changes).movement("cervical", "rotation_left") == Movement(100, None, True)


def test_every_problem_is_reported_at_once() -> None:
    found = problems(
        exam_mapping(
            {
                "neurological.myotomes.C5.left": 9,
                "upper_motor_neurone.romberg": "maybe",
                "plan": "",
            }
        )
    )
    assert set(found) >= {"neurological.myotomes.C5.left", "upper_motor_neurone.romberg", "plan"}


def test_a_mapping_that_is_not_an_object_is_refused() -> None:
    assert problems([1, 2]) == {"": "not_object"}


def test_a_weakness_is_placed_in_time() -> None:
    findings = exam(
        {"neurological.myotomes.C7.right": 3, "neurological.motor_deficit": "progressing"}
    )
    assert findings.weak_myotomes() == [("C7", "right")]
    assert findings.motor_deficit == "progressing"


def test_a_test_done_on_both_sides_is_two_entries() -> None:
    findings = exam(
        {
            "orthopaedic_tests": [
                ortho("spurling", side="left"),
                ortho("spurling", "negative", side="right"),
                ortho("lhermitte", "not_done"),
            ]
        }
    )
    assert [t.path for t in findings.positive_tests()] == ["orthopaedic_tests.spurling.left"]
    assert finding_value(findings, "orthopaedic_tests.spurling.right") == "negative"
    assert finding_value(findings, "orthopaedic_tests.lhermitte") is None


def test_the_contract_module_imports_no_django() -> None:
    import subprocess
    import sys

    code = (
        "import sys; import triage.rules.exam, triage.rules.exam_rules; "
        "assert not any(m == 'django' or m.startswith('django.') for m in sys.modules), "
        "sorted(m for m in sys.modules if m.startswith('django'))"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
