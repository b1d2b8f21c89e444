"""The examination's relevant findings in prose, as a referral letter quotes them: abnormal
findings and cervical rotation, each side said as a person says it; nothing normal, nothing
untested."""

from __future__ import annotations

import pytest

from examination.prose import findings_in_prose, relevant_findings
from tests.rules.exam_findings import exam, ortho


def test_the_issues_example_reads_as_one_clause() -> None:
    findings = exam(
        {
            "upper_motor_neurone.hoffmann.right": "positive",
            "upper_motor_neurone.tandem_gait": "abnormal",
            "range_of_movement.cervical.rotation_left": {"degrees": 30, "pain": False},
            "range_of_movement.cervical.rotation_right": {"degrees": 70, "pain": False},
        }
    )
    assert findings_in_prose(findings) == (
        "Hoffmann's sign positive on the right; tandem gait unsteady; "
        "active rotation 30° left, 70° right"
    )


def test_an_unremarkable_examination_says_only_the_rotation_it_measured() -> None:
    # The baseline measures every movement, none painful or reduced: only rotation is relevant.
    assert relevant_findings(exam()) == ["active rotation 60° left, 60° right"]
    untested = exam(
        {
            "range_of_movement.cervical.rotation_left": "not_tested",
            "range_of_movement.cervical.rotation_right": "not_tested",
        }
    )
    assert relevant_findings(untested) == []
    assert findings_in_prose(untested) == ""


def test_weakness_sensation_reflexes_movement_palpation_and_tests_each_have_their_words() -> None:
    findings = exam(
        {
            "neurological.myotomes.C6.left": 4,
            "neurological.motor_deficit": "new",
            "neurological.dermatomes.C6.left": "altered",
            "neurological.dermatomes.C6.right": "altered",
            "neurological.reflexes.biceps.left": 1,
            "upper_motor_neurone.babinski.left": "positive",
            "upper_motor_neurone.babinski.right": "positive",
            "range_of_movement.cervical.extension": {"grade": "reduced", "pain": True},
            "range_of_movement.cervical.rotation_right": {"grade": "full", "pain": True},
            "palpation.midline_cervical_tenderness": "present",
            "orthopaedic_tests": [
                ortho("spurling", side="left"),
                ortho("spurling", "negative", side="right"),
                ortho("distraction"),
            ],
        }
    )
    assert relevant_findings(findings) == [
        "extensor plantar response (Babinski) on both sides",
        "weakness of wrist extensors (C6) on the left, MRC 4/5",
        "the weakness is new",
        "altered sensation at thumb (C6) on both sides",
        "biceps (C5-C6) reflex reduced on the left",
        "active rotation 60° left, full, painful right",
        "cervical extension reduced, painful",
        "midline cervical tenderness",
        "Spurling's test positive on the left",
        "Distraction test positive",
    ]


@pytest.mark.parametrize("side", ["left", "right"])
def test_one_side_is_named(side: str) -> None:
    findings = exam({f"upper_motor_neurone.clonus.{side}": "positive"})
    assert relevant_findings(findings)[0] == f"sustained clonus on the {side}"


def test_a_german_letter_keeps_the_capitals_of_a_movement_and_lower_cases_its_grade() -> None:
    from django.utils import translation

    findings = exam({"range_of_movement.cervical.extension": {"grade": "reduced", "pain": False}})
    with translation.override("de"):
        label = translation.gettext("%(region)s %(movement)s") % {
            "region": translation.gettext("Cervical"),
            "movement": translation.gettext("extension"),
        }
        grade = translation.gettext("Reduced").lower()
        phrases = relevant_findings(findings)
    # German writes the movement as a noun, capitalised in any sentence (the catalogue's
    # "HWS-Extension"); the grade is an adjective, lower-cased as in English.
    assert label != label.lower()
    assert f"{label} {grade}" in phrases, phrases
