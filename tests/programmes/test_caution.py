"""Exercise caution tags that clash with a patient's intake answers."""

from __future__ import annotations

import pytest

from programmes.core.caution import CLASHES, TAGS, ClashFound, clashes_for
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


def test_every_tag_has_clashes_and_each_names_a_yes_no_answer_and_a_source() -> None:
    assert set(CLASHES) == set(TAGS)
    for tag, clashes in CLASHES.items():
        assert clashes, tag
        fields = [clash.field for clash in clashes]
        assert len(fields) == len(set(fields)), tag
        for clash in clashes:
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
