"""A trial of a rule-set version on past intakes: what it would have said, against what was
decided then. Pure Python; `governance.trials` reads the intakes from the database and stores the
report.

For each past intake (its answers as stored, and the assessment made then: urgency, rules and
rule-set version) the trial

- evaluates the answers with the version that made the assessment, from the registry, and counts
  whether that reproduces the stored urgency and rules exactly (it must: a version that does not
  reproduce its own assessments was changed after release);
- evaluates them with the candidate and compares its urgency with the stored one: raised, lowered
  (under-triage against what was decided then) or the same, and by how many levels;
- per rule: how often it fired then and would fire now, and in how many raised or lowered cases it
  started or stopped firing (or fired at another urgency), by how many levels;
- lists every lowered case, and every clinician's override of that assessment that the candidate
  would have made unnecessary: the clinician moved the assessment's urgency to the level the
  candidate gives.

The report is plain JSON (`Report.as_json`), stored with a sign-off.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from triage.rules import registry
from triage.rules.contract import QUESTIONS, Answers, ContractError
from triage.rules.engine import Result, RuleSet, Urgency

REPORT_FORMAT = "rule-trial/1"
NOT_REPRODUCED_LISTED = 200  # ids of past assessments a version did not reproduce, at most


@dataclass(frozen=True, slots=True)
class Override:
    id: int
    from_urgency: int
    to_urgency: int


@dataclass(frozen=True, slots=True)
class Past:
    """One stored intake and the assessment made of it then."""

    intake_id: int
    case_id: int
    at: str  # when it was assessed, ISO 8601
    answers: Mapping[str, Any]
    urgency: int
    rules: tuple[tuple[str, str | None], ...]  # each rule that fired: ID, urgency name or None
    ruleset: str
    overrides: tuple[Override, ...] = ()  # the clinicians' overrides of it, in the order made


@dataclass(slots=True)
class RuleCounts:
    before: int = 0  # fired in the stored assessment
    after: int = 0  # fires with the candidate
    started: int = 0
    stopped: int = 0
    raised: Counter[int] = field(default_factory=Counter)  # levels -> cases
    lowered: Counter[int] = field(default_factory=Counter)

    def as_json(self) -> dict[str, Any]:
        return {
            "before": self.before,
            "after": self.after,
            "started": self.started,
            "stopped": self.stopped,
            "raised": sum(self.raised.values()),
            "lowered": sum(self.lowered.values()),
            "raised_by": {str(k): v for k, v in sorted(self.raised.items())},
            "lowered_by": {str(k): v for k, v in sorted(self.lowered.items())},
        }


_NAMES = tuple(q.name for q in QUESTIONS)
_BOOLEANS = tuple(q.name for q in QUESTIONS if q.kind is bool)
_NUMBERS = tuple((q.name, q.minimum, q.maximum) for q in QUESTIONS if q.kind is int)
_CHOICES = tuple((q.name, frozenset(q.choices)) for q in QUESTIONS if q.kind is str)
_BOOL_ONLY = {bool}


def read_answers(data: Mapping[str, Any]) -> Answers:
    """`Answers.from_mapping`, quicker for the answers stored (which met the contract when they
    were): the same checks, done in bulk, and `from_mapping` itself (every error named) the
    moment one fails. A property test holds the two to the same answer."""
    try:
        values = {name: data[name] for name in _NAMES}
    except (KeyError, TypeError):
        return Answers.from_mapping(data)
    fine = len(data) == len(_NAMES) and {type(values[name]) for name in _BOOLEANS} == _BOOL_ONLY
    if fine:
        for name, low, high in _NUMBERS:
            value = values[name]
            if (
                type(value) is not int
                or (low is not None and value < low)
                or (high is not None and value > high)
            ):
                fine = False
                break
    if fine:
        for name, allowed in _CHOICES:
            value = values[name]
            if type(value) is not str or value not in allowed:
                fine = False
                break
    if not fine:
        return Answers.from_mapping(data)
    return Answers(**values)


def _fired(result: Result) -> tuple[tuple[str, str | None], ...]:
    return tuple(
        (f.rule.id, f.urgency.name if f.urgency is not None else None) for f in result.fired
    )


class Trial:
    """Feed it past intakes (`add`), then read its `report()`."""

    def __init__(self, candidate: RuleSet, *, candidate_fingerprint: str = "") -> None:
        self.candidate = candidate
        self.candidate_fingerprint = candidate_fingerprint
        self.intakes = 0
        self.rejected: list[int] = []
        self.reproduced = 0
        self.not_reproduced: list[int] = []
        self.not_reproduced_count = 0
        self.unknown_versions: Counter[str] = Counter()
        self.transitions: Counter[tuple[int, int]] = Counter()
        self.raised: Counter[int] = Counter()
        self.lowered: Counter[int] = Counter()
        self.per_rule: dict[str, RuleCounts] = {}
        self.lowered_cases: list[dict[str, Any]] = []
        self.overrides_seen = 0
        self.unnecessary: list[dict[str, Any]] = []
        self._versions: dict[str, RuleSet | None] = {}

    def _version(self, name: str) -> RuleSet | None:
        if name not in self._versions:
            try:
                self._versions[name] = registry.ruleset(name)
            except registry.UnknownVersion:
                self._versions[name] = None
        return self._versions[name]

    def _rule(self, rule_id: str) -> RuleCounts:
        counts = self.per_rule.get(rule_id)
        if counts is None:
            counts = self.per_rule[rule_id] = RuleCounts()
        return counts

    def add(self, past: Past) -> None:
        self.intakes += 1
        try:
            answers = read_answers(past.answers)
        except ContractError:
            self.rejected.append(past.intake_id)
            return
        then = self._version(past.ruleset)
        if then is None:
            self.unknown_versions[past.ruleset] += 1
        else:
            again = then.evaluate(answers)
            if int(again.urgency) == past.urgency and _fired(again) == past.rules:
                self.reproduced += 1
            else:
                self.not_reproduced_count += 1
                if len(self.not_reproduced) < NOT_REPRODUCED_LISTED:
                    self.not_reproduced.append(past.intake_id)
        result = self.candidate.evaluate(answers)
        now = int(result.urgency)
        before = past.urgency
        self.transitions[before, now] += 1
        steps = now - before
        after_rules = _fired(result)
        if after_rules != past.rules:
            old = dict(past.rules)
            new = dict(after_rules)
            for rule_id in old.keys() | new.keys():
                counts = self._rule(rule_id)
                if rule_id in old:
                    counts.before += 1
                if rule_id in new:
                    counts.after += 1
                if rule_id not in old:
                    counts.started += 1
                elif rule_id not in new:
                    counts.stopped += 1
                elif old[rule_id] == new[rule_id]:
                    continue
                if steps > 0:
                    counts.raised[steps] += 1
                elif steps < 0:
                    counts.lowered[-steps] += 1
        else:
            for rule_id, _urgency in after_rules:
                counts = self._rule(rule_id)
                counts.before += 1
                counts.after += 1
        # What the clinician decided in the end: the last override of this assessment. Every
        # override of it was unnecessary when the candidate gives that urgency itself.
        decided = past.overrides[-1].to_urgency if past.overrides else before
        self.overrides_seen += len(past.overrides)
        if past.overrides and decided == now and decided != before:
            for override in past.overrides:
                self.unnecessary.append(
                    {
                        "override": override.id,
                        "intake": past.intake_id,
                        "case": past.case_id,
                        "from": Urgency(override.from_urgency).name,
                        "to": Urgency(override.to_urgency).name,
                        "direction": "raised"
                        if override.to_urgency > override.from_urgency
                        else "lowered",
                    }
                )
        if steps > 0:
            self.raised[steps] += 1
        elif steps < 0:
            self.lowered[-steps] += 1
            self.lowered_cases.append(
                {
                    "intake": past.intake_id,
                    "case": past.case_id,
                    "at": past.at,
                    "from": Urgency(before).name,
                    "to": Urgency(now).name,
                    "levels": -steps,
                    "rules_then": [rule_id for rule_id, _ in past.rules],
                    "rules_now": [rule_id for rule_id, _ in after_rules],
                    # A clinician's override of it: what they decided in the end (None: none).
                    "overridden_to": Urgency(decided).name if past.overrides else None,
                }
            )

    def add_all(self, pasts: Iterable[Past]) -> Trial:
        for past in pasts:
            self.add(past)
        return self

    def report(self) -> dict[str, Any]:
        names = [u.name for u in sorted(Urgency, reverse=True)]
        evaluated = self.intakes - len(self.rejected)
        return {
            "format": REPORT_FORMAT,
            "candidate": self.candidate.version,
            "candidate_fingerprint": self.candidate_fingerprint,
            "intakes": self.intakes,
            "evaluated": evaluated,
            "rejected": self.rejected,
            "reproduced": self.reproduced,
            "not_reproduced": self.not_reproduced_count,
            "not_reproduced_intakes": self.not_reproduced,
            "unknown_versions": dict(sorted(self.unknown_versions.items())),
            "raised": sum(self.raised.values()),
            "lowered": sum(self.lowered.values()),
            "unchanged": evaluated - sum(self.raised.values()) - sum(self.lowered.values()),
            "raised_by": {str(k): v for k, v in sorted(self.raised.items())},
            "lowered_by": {str(k): v for k, v in sorted(self.lowered.items())},
            "transitions": {
                then: {now: self.transitions[Urgency[then], Urgency[now]] for now in names}
                for then in names
            },
            "per_rule": {
                rule_id: counts.as_json()
                for rule_id, counts in sorted(
                    self.per_rule.items(),
                    key=lambda item: (
                        -(sum(item[1].lowered.values()) + sum(item[1].raised.values())),
                        item[0],
                    ),
                )
            },
            "lowered_cases": self.lowered_cases,
            "overrides": self.overrides_seen,
            "overrides_unnecessary": self.unnecessary,
        }
