"""Red-flag triage for neck, upper-back and thoracic pain: pure Python, no Django.

>>> result = evaluate(Answers.from_mapping(answers))
>>> result.urgency, result.rule_ids, result.ruleset
"""

from triage.rules.contract import CONTRACT_VERSION, QUESTIONS, Answers, ContractError, Question
from triage.rules.engine import Fired, Result, Rule, RuleSet, Urgency
from triage.rules.ruleset import DEFAULT, RULESET_VERSION, ruleset_for


def evaluate(answers: Answers, ruleset: RuleSet = DEFAULT) -> Result:
    """The triage result for `answers`: the same answers and rule set always give the same result."""
    return ruleset.evaluate(answers)


__all__ = [
    "CONTRACT_VERSION",
    "DEFAULT",
    "QUESTIONS",
    "RULESET_VERSION",
    "Answers",
    "ContractError",
    "Fired",
    "Question",
    "Result",
    "Rule",
    "RuleSet",
    "Urgency",
    "evaluate",
    "ruleset_for",
]
