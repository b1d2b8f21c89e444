"""The hazard log (governance/hazard_log.toml): read, checked for shape, and checked against the
code and the tests it names.

`evidence_problems()` lists every control whose file, name or test is gone; the test suite fails
on any (tests/governance/test_hazard_log.py), and the page shows the log as the file has it.
"""

from __future__ import annotations

import ast
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
LOG = Path(__file__).resolve().parent / "hazard_log.toml"
SEVERITIES = ("minor", "significant", "considerable", "major", "catastrophic")
LIKELIHOODS = ("very low", "low", "medium", "high", "very high")
# DCB0129's risk matrix: [likelihood][severity] -> rating 1 (acceptable) .. 5 (unacceptable).
MATRIX = (
    (1, 1, 2, 2, 3),  # very low
    (1, 2, 2, 3, 4),  # low
    (2, 2, 3, 3, 4),  # medium
    (2, 3, 3, 4, 5),  # high
    (3, 4, 4, 5, 5),  # very high
)
REQUIRED = ("id", "title", "cause", "effect", "initial_risk", "residual_risk", "control")


@dataclass(frozen=True, slots=True)
class Risk:
    severity: str
    likelihood: str
    rating: int


@dataclass(frozen=True, slots=True)
class Control:
    what: str
    code: str
    symbol: str
    test: str


@dataclass(frozen=True, slots=True)
class Hazard:
    id: str
    title: str
    cause: str
    effect: str
    initial_risk: Risk
    residual_risk: Risk
    controls: tuple[Control, ...]


@dataclass(frozen=True, slots=True)
class HazardLog:
    system: str
    standard: str
    version: str
    reviewed_by: str
    reviewed_on: str
    hazards: tuple[Hazard, ...]


def rating(severity: str, likelihood: str) -> int:
    return MATRIX[LIKELIHOODS.index(likelihood)][SEVERITIES.index(severity)]


def _risk(data: dict[str, Any], where: str) -> Risk:
    risk = Risk(str(data["severity"]), str(data["likelihood"]), int(data["rating"]))
    if risk.severity not in SEVERITIES or risk.likelihood not in LIKELIHOODS:
        raise ValueError(f"{where}: severity or likelihood not on DCB0129's scale")
    if rating(risk.severity, risk.likelihood) != risk.rating:
        raise ValueError(f"{where}: rating {risk.rating} is not the matrix's")
    return risk


def parse(text: str) -> HazardLog:
    """The log from its TOML, or ValueError saying what is missing or inconsistent."""
    data = tomllib.loads(text)
    hazards = []
    for entry in data.get("hazard", []):
        missing = [key for key in REQUIRED if not entry.get(key)]
        if missing:
            raise ValueError(f"hazard {entry.get('id', '?')}: missing {', '.join(missing)}")
        initial = _risk(entry["initial_risk"], f"{entry['id']} initial risk")
        residual = _risk(entry["residual_risk"], f"{entry['id']} residual risk")
        if residual.rating > initial.rating:
            raise ValueError(f"{entry['id']}: residual risk above the initial risk")
        controls = tuple(
            Control(str(c["what"]), str(c["code"]), str(c["symbol"]), str(c["test"]))
            for c in entry["control"]
        )
        hazards.append(
            Hazard(
                str(entry["id"]),
                str(entry["title"]),
                str(entry["cause"]),
                str(entry["effect"]),
                initial,
                residual,
                controls,
            )
        )
    log = data["log"]
    return HazardLog(
        str(log["system"]),
        str(log["standard"]),
        str(log["version"]),
        str(log["reviewed_by"]),
        str(log["reviewed_on"]),
        tuple(hazards),
    )


@cache
def hazard_log() -> HazardLog:
    return parse(LOG.read_text(encoding="utf-8"))


def _defined(path: Path) -> set[str]:
    """Every name a module defines or assigns at any depth (functions, classes, methods, names)."""
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return names


def evidence_problems(log: HazardLog | None = None, root: Path = ROOT) -> list[str]:
    """Each control whose code file, name in it, test file or test is not there."""
    problems: list[str] = []
    for hazard in (log or hazard_log()).hazards:
        for control in hazard.controls:
            code = root / control.code
            if not code.is_file():
                problems.append(f"{hazard.id}: {control.code} is gone")
            elif control.symbol not in _defined(code):
                problems.append(f"{hazard.id}: {control.code} no longer defines {control.symbol}")
            test_file, _sep, test_path = control.test.partition("::")
            test = root / test_file
            if not test_path:
                problems.append(f"{hazard.id}: {control.test} names no test")
            elif not test.is_file():
                problems.append(f"{hazard.id}: {test_file} is gone")
            else:
                wanted = test_path.split("::")[-1].split("[")[0]
                if wanted not in _defined(test):
                    problems.append(f"{hazard.id}: {control.test} is gone")
    return problems
