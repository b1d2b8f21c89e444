"""python manage.py triage_eval [FILE]: triage JSON Lines intakes without touching the database."""

from __future__ import annotations

import json
import sys
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from triage.rules.batch import evaluate_lines
from triage.services import current_ruleset


class Command(BaseCommand):
    help = (
        'Evaluate intakes given as JSON Lines ({"id": ..., "answers": {...}} per line) from FILE '
        "or standard input; print one JSON result or error per line. Exits 2 if any line was "
        "rejected."
    )
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", nargs="?", help="JSON Lines file (default: standard input)")

    def handle(self, *args: Any, **options: Any) -> None:
        path = options["file"]
        try:
            source = open(path, "rb") if path and path != "-" else sys.stdin.buffer  # noqa: SIM115
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc.strerror}", returncode=2) from exc
        rejected = 0
        out = self.stdout
        with source:
            for output, ok in evaluate_lines(source, current_ruleset()):
                rejected += not ok
                out.write(json.dumps(output, ensure_ascii=False))
        if rejected:
            raise CommandError(f"{rejected} line(s) rejected", returncode=2)
