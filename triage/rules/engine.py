"""The rule engine: a pure function of typed answers and a rule set. No Django imports."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import IntEnum
from operator import itemgetter
from typing import Any, NamedTuple

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
    # What the rule adds to a result when it fires (and when it is raised): immutable, so made once.
    fired: Fired = field(init=False, repr=False, compare=False)
    fired_raised: Fired | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "fired", _fired(self, self.urgency))
        raised = _fired(self, self.raised_to) if self.raised_to is not None else None
        object.__setattr__(self, "fired_raised", raised)

    def urgency_for(self, answers: Answers) -> Urgency | None:
        if self.raised_when is not None and self.raised_when(answers):
            return self.raised_to
        return self.urgency

    def firing(self, answers: Answers) -> Fired:
        if (
            self.fired_raised is not None
            and self.raised_when is not None
            and self.raised_when(answers)
        ):
            return self.fired_raised
        return self.fired


def _fired(rule: Rule, urgency: Urgency | None) -> Fired:
    return Fired(rule, urgency, -urgency if urgency is not None else 0)


class Fired(NamedTuple):
    """A rule that fired, at the urgency it fired at (immutable; a tuple for speed).

    `rank` orders a result's rules: most urgent first, weak flags (no urgency) last.
    """

    rule: Rule
    urgency: Urgency | None
    rank: int = 0

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.rule.id,
            "urgency": self.urgency.name if self.urgency is not None else None,
            "reason": self.rule.reason,
            "source": self.rule.source,
        }


class Result(NamedTuple):
    """The triage result of the intake contract (immutable; a tuple for speed)."""

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
class Guard:
    """A cheap test that must hold for any of `rule_ids` to fire (the cancer rules all need a
    history of cancer): the engine skips the group's rules when it fails. A guard only saves time;
    a property test checks that no guard ever hides a rule that would have fired."""

    name: str
    when: Predicate
    rule_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RuleSet:
    """A versioned rule set. Weak flags are evaluated first and counted; then every other rule."""

    version: str
    weak_flags: tuple[Rule, ...]
    age_flag: Rule  # AGE_NEW_ONSET: counted only beside another weak flag or weight loss
    rules: tuple[Rule, ...]
    counting: tuple[Rule, Rule, Rule]  # one, two, three or more weak flags (red-flags.md 2g)
    guards: tuple[Guard, ...] = ()
    weak_guard: Callable[[Answers], bool] | None = None  # any weak flag possible at all?
    plan: tuple[tuple[Predicate | None, tuple[Rule, ...]], ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        by_id = {rule.id: rule for rule in self.rules}
        guarded = [g_id for g in self.guards for g_id in g.rule_ids]
        if len(guarded) != len(set(guarded)) or not set(guarded) <= set(by_id):
            raise ValueError("each guarded rule must be a rule of the set, in one guard only")
        plan: list[tuple[Predicate | None, tuple[Rule, ...]]] = [
            (g.when, tuple(by_id[rule_id] for rule_id in g.rule_ids)) for g in self.guards
        ]
        plan.append((None, tuple(r for r in self.rules if r.id not in set(guarded))))
        object.__setattr__(self, "plan", tuple(plan))

    def all_rules(self) -> tuple[Rule, ...]:
        return (*self.weak_flags, self.age_flag, *self.rules, *self.counting)

    def evaluate(self, answers: Answers) -> Result:
        # The hot path of bench/triage_speed.py: a rule that fires adds its ready-made record.
        fired: list[Fired] = []
        if self.weak_guard is None or self.weak_guard(answers):
            for flag in self.weak_flags:
                if flag.when(answers, 0):
                    fired.append(flag.fired)
        count = len(fired)
        if self.age_flag.when(answers, 0):
            fired.append(self.age_flag.fired)
            if count or answers.unexplained_weight_loss:
                count += 1
        urgency = Urgency.SELF_CARE
        if count:
            counted = self.counting[min(count, 3) - 1].fired
            fired.append(counted)
            urgency = counted.urgency or urgency
        for guard, rules in self.plan:
            if guard is not None and not guard(answers, count):
                continue
            for rule in rules:
                if rule.when(answers, count):
                    record = rule.fired if rule.raised_when is None else rule.firing(answers)
                    fired.append(record)
                    if record.urgency is not None and record.urgency > urgency:
                        urgency = record.urgency
        if len(fired) > 1:
            fired.sort(key=_RANK)  # stable: rule-set order within a level
        return _new(Result, (urgency, tuple(fired), self.version))


_new = tuple.__new__
_RANK = itemgetter(2)
