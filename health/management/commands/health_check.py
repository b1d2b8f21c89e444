"""`manage.py health_check beat|worker|ready`: the compose health checks of beat and the worker
(and anything else that cannot reach /readyz). Exits 0 when healthy, 1 with the reason if not."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from health import checks


class Command(BaseCommand):
    help = "Exit 0 if beat / a worker / everything is doing its work, 1 (with why) if not."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("part", choices=["beat", "worker", "ready"])

    def handle(self, *args: Any, part: str, **options: Any) -> None:
        now = timezone.now()
        if part == "beat":
            results = [checks.beat_process(now)]
        elif part == "worker":
            results = [checks.worker_process(now)]
        else:
            results = checks.readiness(now)
        failing = [c for c in results if not c.ok]
        if failing:
            raise CommandError("; ".join(f"{c.name}: {c.detail or 'failing'}" for c in failing))
        self.stdout.write("ok")
