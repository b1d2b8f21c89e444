"""python manage.py triage_eval [FILE]: triage JSON Lines intakes without touching the database.

Every non-blank input line gets exactly one JSON line out, in order (triage/rules/batch.py says
what is accepted and what each rejection reads); the exit code is 0 when every line was evaluated
and 2 when any was rejected or the input could not be read.
"""

from __future__ import annotations

import os
import sys
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from triage import rules
from triage.rules.batch import run


def current_ruleset() -> rules.RuleSet:
    """The rule set the environment names, read without the database: this command makes no
    patient decision (the product's intakes are triaged with the clinic's signed-off version,
    governance/active.py)."""
    return rules.ruleset_for(
        medium_psychosocial_risk_is_routine=settings.TRIAGE_MEDIUM_PSYCHOSOCIAL_RISK_IS_ROUTINE
    )


class _OutputClosed(Exception):
    """Writing a result failed: whoever reads the output went away (or the disk is full)."""


class Command(BaseCommand):
    help = (
        'Evaluate intakes given as JSON Lines ({"id": ..., "answers": {...}} per line) from FILE '
        "or standard input; print one JSON result or error per non-blank line. Exits 2 if any "
        "line was rejected."
    )
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", nargs="?", help="JSON Lines file (default: standard input)")

    def handle(self, *args: Any, **options: Any) -> None:
        path = options["file"]
        from_stdin = not path or path == "-"
        name = "standard input" if from_stdin else path
        to_stdout = options.get("stdout", sys.stdout) is sys.stdout
        if to_stdout and sys.stdout is None:
            raise CommandError("cannot write the results: standard output is closed", returncode=2)
        if from_stdin and sys.stdin is None:
            raise CommandError("cannot read standard input: it is closed", returncode=2)
        try:
            source = sys.stdin.buffer if from_stdin else open(path, "rb")  # noqa: SIM115
        except (OSError, ValueError) as exc:  # ValueError: a NUL byte in the path
            raise CommandError(f"cannot read {name}: {_reason(exc)}", returncode=2) from exc
        out = self.stdout

        def write(text: str) -> None:
            try:
                out.write(text)
            except OSError as exc:
                raise _OutputClosed(exc) from exc

        try:
            with source:
                rejected = run(source, write, current_ruleset())
        except _OutputClosed as exc:
            if to_stdout:
                _silence_stdout()
            raise CommandError(
                f"cannot write the results: {_reason(exc.__cause__)}", returncode=2
            ) from exc
        except OSError as exc:
            raise CommandError(f"cannot read {name}: {_reason(exc)}", returncode=2) from exc
        if rejected:
            raise CommandError(f"{rejected} line(s) rejected", returncode=2)


def _silence_stdout() -> None:
    """After a broken pipe, point the real standard output at /dev/null so that Python's final
    flush of what is still buffered does not print a second error."""
    try:
        fd = sys.stdout.fileno()
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, fd)
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # not a real file: nothing to silence
        pass


def _reason(exc: BaseException | None) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return str(exc)
