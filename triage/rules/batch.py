"""Batch evaluation of JSON Lines intakes (intake contract, "Batch evaluation from the command line").

Each input line `{"id": ..., "answers": {...}}` gives one output object, in order: the result, or an
error naming what is wrong. A rejected line never stops the lines after it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from triage.rules.contract import Answers, ContractError
from triage.rules.engine import RuleSet


def evaluate_line(line: bytes | str, ruleset: RuleSet) -> tuple[dict[str, Any], bool]:
    """The output object for one input line, and whether the line was evaluated."""
    try:
        text = line.decode("utf-8") if isinstance(line, bytes) else line
        record = json.loads(text)
    except UnicodeDecodeError:
        return {"id": None, "error": "line is not valid UTF-8"}, False
    except json.JSONDecodeError as exc:
        return {
            "id": None,
            "error": f"line is not valid JSON: {exc.msg} at column {exc.colno}",
        }, False
    if not isinstance(record, dict):
        return {
            "id": None,
            "error": 'line must be a JSON object {"id": ..., "answers": {...}}',
        }, False
    if "id" not in record:
        return {"id": None, "error": "id is missing"}, False
    intake_id = record["id"]
    if "answers" not in record:
        return {"id": intake_id, "error": "answers is missing"}, False
    try:
        answers = Answers.from_mapping(record["answers"])
    except ContractError as exc:
        return {"id": intake_id, "error": str(exc)}, False
    result = ruleset.evaluate(answers)
    return {
        "id": intake_id,
        "urgency": result.urgency.name,
        "rules": result.rule_ids,
        "ruleset": result.ruleset,
    }, True


def evaluate_lines(
    lines: Iterable[bytes | str], ruleset: RuleSet
) -> Iterator[tuple[dict[str, Any], bool]]:
    """Evaluate every non-blank line, in order."""
    for line in lines:
        if line.strip():
            yield evaluate_line(line, ruleset)
