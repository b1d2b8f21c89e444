"""python manage.py seed_rule_history [--intakes N]: a year of closed demo cases for rule trials
(governance/demo.py). Run after seed_demo; a second run adds nothing."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError

from governance.demo import seed_history


class Command(BaseCommand):
    help = "Add a year of closed demo cases, triaged by 2026.1, for rule-set trials."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--intakes", type=int, default=400)
        parser.add_argument("--clinician", default="clinician", help="who made the overrides")

    def handle(self, *args: Any, **options: Any) -> None:
        clinician = User.objects.filter(username=options["clinician"]).first()
        if clinician is None:
            raise CommandError(f"no user {options['clinician']!r}: run seed_demo first")
        made = seed_history(count=options["intakes"], clinician=clinician)
        if made:
            self.stdout.write(
                f"Added {made} closed demo cases; try: manage.py rule_trial 2026.2-rc1"
            )
        else:
            self.stdout.write("The demo history is there already; nothing added.")
