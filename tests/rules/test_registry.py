"""Every released rule-set version stays loadable and never changes; the fingerprint sees a
changed threshold, reason or urgency, and not a rule merely written another way."""

from __future__ import annotations

from dataclasses import replace

import pytest

from tests.rules.answers import NO_FLAGS, mapping
from triage.rules import ContractError, registry
from triage.rules.candidates import _replacing
from triage.rules.contract import Answers
from triage.rules.ruleset import DEFAULT, RULES
from triage.rules.trial import read_answers

# Pinned here as in the registry: a released version's rules and thresholds never change.
RELEASED = {
    "2026.1": "7388c139b913a3671f4dd3116f6d4a09b322bbbbdbf39b3610ddd32459f8a79d",
    "2026.1+psychosocial-medium-routine": (
        "3edc366d571af4de789db3ceae09bd12bd395c073f6cdc1874fae20e64a4b209"
    ),
}


def test_released_versions_are_frozen() -> None:
    released = {v.name: v.pinned for v in registry.RELEASED}
    assert released == RELEASED
    assert {name: registry.fingerprint(name) for name in RELEASED} == RELEASED
    assert registry.unfrozen() == []


def test_every_version_is_loadable_by_the_name_its_assessments_carry() -> None:
    for name in registry.names():
        assert registry.ruleset(name).version == name
        assert registry.ruleset(name).evaluate(Answers.from_mapping(NO_FLAGS)).ruleset == name
    with pytest.raises(registry.UnknownVersion):
        registry.ruleset("2025.9")


def test_a_candidate_is_not_released_and_names_what_it_changes() -> None:
    candidate = registry.get("2026.2-rc1")
    assert not candidate.released and candidate.based_on == "2026.1" and candidate.pinned is None
    assert registry.fingerprint("2026.2-rc1") != registry.fingerprint("2026.1")


def _rule(rule_id: str):  # type: ignore[no-untyped-def]
    return next(r for r in RULES if r.id == rule_id)


@pytest.mark.parametrize(
    "changed",
    [
        # A threshold one year or one day off.
        replace(_rule("CCR_HIGH_RISK"), when=lambda a, n: (
            a.pain_region == "neck" and a.trauma
            and (a.age >= 66 or a.dangerous_trauma or a.numbness_or_tingling_arms)
        )),
        replace(_rule("LOW_RISK_TRAUMA_ACUTE"), when=lambda a, n: (
            a.low_energy_trauma and a.duration_days <= 6
            and not (a.pain_region == "neck" and a.trauma and a.age >= 65)
        )),
        replace(_rule("MINOR_UNDER_18"), when=lambda a, n: a.age < 17),
        replace(_rule("GCA_POSSIBLE"), when=lambda a, n: (
            a.age >= 51 and a.jaw_claudication_or_scalp_tenderness
        )),
        # Another urgency, or another reason.
        replace(_rule("VISCERAL_SOURCE_POSSIBLE"), urgency=_rule("PMR_POSSIBLE").urgency.__class__(2)),
        replace(_rule("PMR_POSSIBLE"), reason="Possible PMR"),
    ],
    ids=["ccr-age", "trauma-days", "minor-age", "gca-age", "visceral-urgency", "pmr-reason"],
)  # fmt: skip
def test_the_fingerprint_sees_a_changed_threshold_urgency_or_reason(changed) -> None:  # type: ignore[no-untyped-def]
    altered = _replacing(DEFAULT, DEFAULT.version, changed)
    assert registry.fingerprint_of(altered) != registry.fingerprint("2026.1")


def test_the_fingerprint_does_not_see_a_rule_written_another_way() -> None:
    same = replace(_rule("MINOR_UNDER_18"), when=lambda a, n: not a.age >= 18)
    assert registry.fingerprint_of(_replacing(DEFAULT, DEFAULT.version, same)) == (
        registry.fingerprint("2026.1")
    )


@pytest.mark.parametrize(
    "data",
    [
        mapping(),
        mapping(age=125, duration_days=36500, pain_region="lower_back"),
        mapping(age=-1),
        mapping(age=True),
        mapping(chest_pain=1),
        mapping(sex=["F"]),
        mapping(pain_region="knee"),
        {k: v for k, v in mapping().items() if k != "age"},
        mapping() | {"extra": 1},
        [],
    ],
)
def test_the_trials_quick_reading_of_stored_answers_is_the_contracts(data: object) -> None:
    try:
        expected: object = Answers.from_mapping(data)  # type: ignore[arg-type]
    except ContractError as exc:
        expected = str(exc)
    try:
        got: object = read_answers(data)  # type: ignore[arg-type]
    except ContractError as exc:
        got = str(exc)
    assert got == expected
