"""Every rule-set version the product has released, and the candidates being tried: pure Python.

A stored assessment names the rule-set version that made it (`Assessment.ruleset`). So that a past
assessment can be reproduced exactly, and a new version compared with the old, every released
version stays here, loadable by its name, for good: never edited, never removed. A change to any
rule is a new version (a candidate first, tried on the clinic's past intakes and signed off by its
clinical safety officer: `governance/`), never an edit of a released one.

A version's **fingerprint** says what it does, not how it is written: a SHA-256 over every rule's
ID, urgency, reason, source and fields, the guards, and the result (urgency, rules and the
urgency each fired at) on a fixed set of probe intakes built here, seeded, with every age, the
durations either side of every threshold the rules read, every region and mechanism, and the
answers in many combinations. Reformatting a rule keeps its fingerprint; changing what it says or
when it fires changes it. A released version's fingerprint is pinned here (`Version.pinned`) and
in `tests/rules/test_registry.py`; a sign-off records the fingerprint it signed, so a version whose
behaviour moved after its sign-off is no longer signed off.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from functools import cache

from triage.rules.candidates import CANDIDATES
from triage.rules.contract import PAIN_REGIONS, QUESTIONS, SEXES, TRAUMA_MECHANISMS, Answers
from triage.rules.engine import RuleSet
from triage.rules.ruleset import DEFAULT, MEDIUM_PSYCHOSOCIAL_IS_ROUTINE


class Status(StrEnum):
    RELEASED = "released"  # shipped: frozen, its fingerprint pinned
    CANDIDATE = "candidate"  # being tried: may still change, until it is released


@dataclass(frozen=True, slots=True)
class Version:
    """One loadable rule-set version."""

    ruleset: RuleSet
    status: Status
    summary: str  # what it is, in a sentence (for the governance pages)
    based_on: str | None = None  # the version it changes
    pinned: str | None = None  # a released version's fingerprint, which never changes

    @property
    def name(self) -> str:
        return self.ruleset.version

    @property
    def released(self) -> bool:
        return self.status is Status.RELEASED


RELEASED: tuple[Version, ...] = (
    Version(
        DEFAULT,
        Status.RELEASED,
        "The red-flag rules of clinical/red-flags.md sections 2 and 3 (first release).",
        pinned="7388c139b913a3671f4dd3116f6d4a09b322bbbbdbf39b3610ddd32459f8a79d",
    ),
    Version(
        MEDIUM_PSYCHOSOCIAL_IS_ROUTINE,
        Status.RELEASED,
        "2026.1 with the clinic policy of red-flags.md section 5: a medium psychosocial risk "
        "category is routed to a clinician too.",
        based_on=DEFAULT.version,
        pinned="3edc366d571af4de789db3ceae09bd12bd395c073f6cdc1874fae20e64a4b209",
    ),
)

VERSIONS: dict[str, Version] = {
    v.name: v for v in (*RELEASED, *(Version(c.ruleset, Status.CANDIDATE, c.summary, c.based_on)
                                    for c in CANDIDATES))
}  # fmt: skip
if len(VERSIONS) != len(RELEASED) + len(CANDIDATES):
    raise ValueError("two rule-set versions share a name")


class UnknownVersion(LookupError):
    """A version name the registry does not hold."""


def get(name: str) -> Version:
    try:
        return VERSIONS[name]
    except KeyError:
        raise UnknownVersion(name) from None


def ruleset(name: str) -> RuleSet:
    """The rule set of version `name`, as it was released (or as the candidate stands)."""
    return get(name).ruleset


def names() -> list[str]:
    return list(VERSIONS)


# --- The fingerprint ---------------------------------------------------------------------------

PROBES = 12_000
_SEED = 20260101
# Every duration threshold the rules read (7, 28, 90 days), either side, and a spread.
_DURATIONS = (0, 1, 2, 3, 6, 7, 8, 13, 14, 15, 27, 28, 29, 30, 60, 89, 90, 91, 92, 180, 365, 3650)
_BOOLEANS = tuple(q.name for q in QUESTIONS if q.kind is bool)


def probe_intakes(count: int = PROBES, seed: int = _SEED) -> Iterator[Answers]:
    """The fixed intakes a fingerprint is taken over: the same every run, on every machine.

    First each yes/no question alone at every age 0 to 125 (so every age threshold of a rule of
    one answer shows); then `count` intakes with one to six answers yes, every age, a duration from
    either side of each threshold, every region, sex, mechanism and psychosocial category."""
    base: dict[str, object] = dict.fromkeys(_BOOLEANS, False)
    base.update(
        sex="F",
        pain_region="neck",
        duration_days=14,
        pain_score_now=5,
        trauma_mechanism="none",
        psychosocial_risk_category="not_assessed",
    )
    for name in ("", *_BOOLEANS):
        for age in range(126):
            values = dict(base, age=age)
            if name:
                values[name] = True
            yield Answers.from_mapping(values)
    rng = random.Random(seed)  # noqa: S311 - fixed probes, not secrets
    for _ in range(count):
        values = dict.fromkeys(_BOOLEANS, False)
        for name in rng.sample(_BOOLEANS, rng.randint(1, 6)):
            values[name] = True
        mechanism = rng.choice(TRAUMA_MECHANISMS) if rng.random() < 0.3 else "none"
        values.update(
            age=rng.randint(0, 125),
            sex=rng.choice(SEXES),
            pain_region=rng.choice(PAIN_REGIONS),
            duration_days=rng.choice(_DURATIONS),
            pain_score_now=rng.randint(0, 10),
            trauma_mechanism=mechanism,
            psychosocial_risk_category=rng.choice(("low", "medium", "high", "not_assessed")),
        )
        if mechanism not in ("none", "exertional_strain"):
            values["recent_significant_trauma"] = True
        yield Answers.from_mapping(values)


@cache
def _probes() -> tuple[Answers, ...]:
    return tuple(probe_intakes())


def _describe(rs: RuleSet) -> Iterator[str]:
    for rule in rs.all_rules():
        urgency = rule.urgency.name if rule.urgency is not None else "-"
        raised = rule.raised_to.name if rule.raised_to is not None else "-"
        yield f"rule|{rule.id}|{urgency}|{raised}|{rule.reason}|{rule.source}|{','.join(rule.fields)}"
    for guard in rs.guards:
        yield f"guard|{guard.name}|{','.join(guard.rule_ids)}"


def _fingerprint(rs: RuleSet) -> str:
    digest = hashlib.sha256()
    for line in _describe(rs):
        digest.update(line.encode("utf-8") + b"\n")
    for answers in _probes():
        result = rs.evaluate(answers)
        fired = ",".join(
            f"{f.rule.id}:{f.urgency.name if f.urgency is not None else '-'}" for f in result.fired
        )
        digest.update(f"{result.urgency.name}|{fired}\n".encode())
    return digest.hexdigest()


@cache
def fingerprint(name: str) -> str:
    """The fingerprint of version `name` as the code holds it now (computed once per process)."""
    return _fingerprint(ruleset(name))


def fingerprint_of(rs: RuleSet) -> str:
    """The fingerprint of any rule set (a registered version's is `fingerprint(name)`)."""
    return _fingerprint(rs)


def unfrozen() -> list[str]:
    """The released versions whose behaviour no longer matches their pinned fingerprint: none,
    or a released version was changed (make a new version instead)."""
    return [v.name for v in RELEASED if fingerprint(v.name) != v.pinned]
