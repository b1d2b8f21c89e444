"""Exercise caution tags that clash with a patient's intake answers and examination findings."""

from __future__ import annotations

import pytest

from programmes.core.caution import (
    CLASHES,
    EXAM_FACTS,
    TAGS,
    ClashFound,
    clashes_for,
    exam_facts,
)
from tests.rules.answers import mapping
from triage.rules.contract import QUESTIONS_BY_NAME

REQUIRED = [
    ("overhead_load", "osteoporosis"),
    ("overhead_load", "long_term_steroids"),
    ("ballistic", "osteoporosis"),
    ("ballistic", "long_term_steroids"),
    ("loaded_spinal_flexion", "osteoporosis"),
    ("loaded_spinal_flexion", "long_term_steroids"),
    ("end_range_neck", "dizziness_or_drop_attacks"),
    ("end_range_neck", "inflammatory_arthritis_history"),
    ("end_range_neck", "electric_shock_on_neck_flexion"),
]
# The examination's findings (the facts of exam_facts) that clash, as answers do.
REQUIRED_EXAM = [
    ("overhead_load", "exam.shoulder_impingement_test_positive"),
    ("end_range_neck", "exam.cervical_arterial_screen_positive"),
    ("end_range_neck", "exam.lhermitte_sign_positive"),
    ("neural_tension", "exam.upper_limb_neurodynamic_test_positive"),
]
NOT_EXAMINED_POSITIVE = dict.fromkeys(EXAM_FACTS, False)


def test_every_tag_has_clashes_and_each_names_a_yes_no_answer_and_a_source() -> None:
    assert set(CLASHES) == set(TAGS)
    for tag, clashes in CLASHES.items():
        assert clashes, tag
        fields = [clash.field for clash in clashes]
        assert len(fields) == len(set(fields)), tag
        for clash in clashes:
            if clash.field.startswith("exam."):
                assert clash.field in EXAM_FACTS
            else:
                assert QUESTIONS_BY_NAME[clash.field].kind is bool, clash.field
            assert clash.reason and "\n" not in clash.reason
            assert clash.source


@pytest.mark.parametrize(("tag", "field"), REQUIRED)
def test_the_clinics_clashes_are_all_present(tag: str, field: str) -> None:
    assert field in [clash.field for clash in CLASHES[tag]]


def test_arm_numbness_is_not_a_clash_for_overhead_load_without_a_source() -> None:
    assert "numbness_or_tingling_arms" not in [c.field for c in CLASHES["overhead_load"]]


@pytest.mark.parametrize(("tag", "field"), REQUIRED)
def test_a_yes_clashes_with_the_tag(tag: str, field: str) -> None:
    # Given a patient who answered yes, when an exercise with the tag is checked,
    found = clashes_for([tag], mapping(**{field: True}))
    # then the clash is reported with its reason and source.
    assert [(f.tag, f.field) for f in found] == [(tag, field)]
    clash = next(c for c in CLASHES[tag] if c.field == field)
    assert found[0] == ClashFound(tag, field, clash.reason, clash.source)


def test_a_patient_with_no_relevant_yes_has_no_clashes() -> None:
    assert clashes_for(TAGS, mapping(numbness_or_tingling_arms=True)) == []


def test_no_tags_means_no_clashes() -> None:
    assert clashes_for([], mapping(osteoporosis=True)) == []


def test_clashes_follow_the_tag_order_and_a_repeated_tag_is_reported_once() -> None:
    answers = mapping(osteoporosis=True, dizziness_or_drop_attacks=True)
    found = clashes_for(["end_range_neck", "ballistic", "end_range_neck"], answers)
    assert [(f.tag, f.field) for f in found] == [
        ("end_range_neck", "dizziness_or_drop_attacks"),
        ("ballistic", "osteoporosis"),
    ]


def test_only_a_true_answer_clashes() -> None:
    assert clashes_for(["ballistic"], {**mapping(), "osteoporosis": "yes"}) == []


def test_an_unknown_tag_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown caution tag 'plyometric'"):
        clashes_for(["ballistic", "plyometric"], mapping())


def test_a_missing_answer_is_not_taken_as_no() -> None:
    answers = mapping()
    del answers["long_term_steroids"]
    with pytest.raises(ValueError, match="long_term_steroids is missing"):
        clashes_for(["loaded_spinal_flexion"], answers)


# --- Examination findings -------------------------------------------------------------------


@pytest.mark.parametrize(("tag", "field"), REQUIRED_EXAM)
def test_the_examinations_clashes_are_all_present(tag: str, field: str) -> None:
    assert field in [clash.field for clash in CLASHES[tag]]


@pytest.mark.parametrize(
    ("code", "side", "fact"),
    [
        ("hawkins_kennedy", "right", "exam.shoulder_impingement_test_positive"),
        ("neer", "left", "exam.shoulder_impingement_test_positive"),
        ("cervical_arterial_positional", "left", "exam.cervical_arterial_screen_positive"),
        ("lhermitte", None, "exam.lhermitte_sign_positive"),
        ("ulnt1_median", "left", "exam.upper_limb_neurodynamic_test_positive"),
        ("ulnt3_ulnar", "right", "exam.upper_limb_neurodynamic_test_positive"),
    ],
)
def test_a_positive_test_is_its_fact_and_only_a_positive(
    code: str, side: str | None, fact: str
) -> None:
    def facts(result: str) -> dict[str, bool]:
        return exam_facts({"orthopaedic_tests": [{"test": code, "side": side, "result": result}]})

    assert facts("positive") == NOT_EXAMINED_POSITIVE | {fact: True}
    assert facts("negative") == facts("not_done") == NOT_EXAMINED_POSITIVE


@pytest.mark.parametrize(("tag", "field"), REQUIRED_EXAM)
def test_a_positive_finding_clashes_with_the_tag(tag: str, field: str) -> None:
    # Given an examination with the finding, when an exercise with the tag is checked,
    found = clashes_for([tag], mapping() | NOT_EXAMINED_POSITIVE | {field: True})
    # then the clash is reported with its reason and its source.
    clash = next(c for c in CLASHES[tag] if c.field == field)
    assert found == [ClashFound(tag, field, clash.reason, clash.source)]


def test_each_exam_caution_names_its_published_source() -> None:
    sources = {
        clash.field: clash.source
        for clashes in CLASHES.values()
        for clash in clashes
        if clash.field.startswith("exam.")
    }
    assert "IFOMPT" in sources["exam.cervical_arterial_screen_positive"]
    assert "2020" in sources["exam.cervical_arterial_screen_positive"]
    assert "Hawkins" in sources["exam.shoulder_impingement_test_positive"]
    assert "Coppieters" in sources["exam.upper_limb_neurodynamic_test_positive"]


def test_a_case_never_examined_has_no_exam_clash_and_is_not_refused() -> None:
    assert clashes_for(TAGS, mapping()) == []


def test_an_examined_case_must_have_every_fact() -> None:
    partial = mapping() | {"exam.lhermitte_sign_positive": False}
    with pytest.raises(ValueError, match=r"exam\.cervical_arterial_screen_positive is missing"):
        clashes_for(["end_range_neck"], partial)
