"""The rule engine: a pure function of typed answers and a rule set. No Django imports."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import IntEnum
from typing import Any

from triage.rules.contract import Answers


class Urgency(IntEnum):
    """Higher is more urgent, so the final urgency is the max of the rules that fired."""

    SELF_CARE = 1
    ROUTINE = 2
    SOON = 3
    URGENT = 4
    EMERGENCY = 5


Predicate = Callable[[Answers, int], bool]


@dataclass(frozen=True, slots=True)
class Rule:
    """One red flag: an ID from clinical/red-flags.md, what it means, where it comes from, and when
    it fires. `when` receives the answers and the number of weak flags counted (section 2g).

    A weak flag has no urgency of its own (`urgency` is None); the counting rules carry it.
    `raised_to`/`raised_when` let a rule fire at a higher urgency when a further answer is present
    (GCA with visual symptoms).
    """

    id: str
    urgency: Urgency | None
    reason: str
    source: str
    fields: tuple[str, ...]
    when: Predicate
    raised_to: Urgency | None = None
    raised_when: Callable[[Answers], bool] | None = None

    def urgency_for(self, answers: Answers) -> Urgency | None:
        if self.raised_when is not None and self.raised_when(answers):
            return self.raised_to
        return self.urgency


@dataclass(frozen=True, slots=True)
class Fired:
    rule: Rule
    urgency: Urgency | None

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.rule.id,
            "urgency": self.urgency.name if self.urgency is not None else None,
            "reason": self.rule.reason,
            "source": self.rule.source,
        }


@dataclass(frozen=True, slots=True)
class Result:
    urgency: Urgency
    fired: tuple[Fired, ...]
    ruleset: str

    @property
    def rule_ids(self) -> list[str]:
        return [f.rule.id for f in self.fired]

    def as_json(self) -> dict[str, Any]:
        return {
            "urgency": self.urgency.name,
            "rules": [f.as_json() for f in self.fired],
            "ruleset": self.ruleset,
        }


@dataclass(frozen=True, slots=True)
class RuleSet:
    """A versioned rule set. Weak flags are evaluated first and counted; then every other rule."""

    version: str
    weak_flags: tuple[Rule, ...]
    age_flag: Rule  # AGE_NEW_ONSET: counted only beside another weak flag or weight loss
    rules: tuple[Rule, ...]

    def all_rules(self) -> tuple[Rule, ...]:
        return (*self.weak_flags, self.age_flag, *self.rules)

    def evaluate(self, answers: Answers) -> Result:
        fired: list[Fired] = [Fired(r, None) for r in self.weak_flags if r.when(answers, 0)]
        count = len(fired)
        if self.age_flag.when(answers, 0):
            fired.append(Fired(self.age_flag, None))
            if count or answers.unexplained_weight_loss:
                count += 1
        urgency = Urgency.SELF_CARE
        for rule in self.rules:
            if rule.when(answers, count):
                level = rule.urgency_for(answers)
                fired.append(Fired(rule, level))
                if level is not None and level > urgency:
                    urgency = level
        # Most urgent first; weak flags (no urgency of their own) last; stable within a level.
        fired.sort(key=_rank)
        return Result(urgency=urgency, fired=tuple(fired), ruleset=self.version)


def _rank(fired: Fired) -> int:
    return -fired.urgency if fired.urgency is not None else 0
