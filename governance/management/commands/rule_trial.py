"""python manage.py rule_trial VERSION [--from DAY] [--to DAY] [--json] [--keep]

Try a rule-set version on the stored intakes (all, or those assessed from DAY to DAY inclusive)
and print what it would change against what was decided then: per rule and overall, raised and
lowered by how many levels, every case it would lower, and the overrides it would have made
unnecessary. `--keep` stores the report as a trial, for a sign-off; `--json` prints the report.
"""

from __future__ import annotations

import json
from argparse import ArgumentParser
from datetime import date, datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from governance import services
from triage.rules import registry


def _day(text: str) -> date:
    return date.fromisoformat(text)


def _day_of(at: str) -> str:
    """The clinic's day of an instant the report stores, as the range reads it."""
    return timezone.localtime(datetime.fromisoformat(at)).date().isoformat()


class Command(BaseCommand):
    help = "Try a rule-set version on the stored intakes and report what it would change."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("version", help=f"one of: {', '.join(registry.names())}")
        parser.add_argument("--from", dest="date_from", type=_day, help="first day, YYYY-MM-DD")
        parser.add_argument("--to", dest="date_to", type=_day, help="last day, YYYY-MM-DD")
        parser.add_argument("--json", action="store_true", help="print the report as JSON")
        parser.add_argument("--keep", action="store_true", help="store it as a trial")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["keep"]:
                trial = services.run_trial(
                    options["version"],
                    by=None,
                    date_from=options["date_from"],
                    date_to=options["date_to"],
                )
                report, seconds = trial.report, trial.seconds
            else:
                report, seconds = services.evaluate(
                    options["version"], date_from=options["date_from"], date_to=options["date_to"]
                )
        except services.GovernanceError as exc:
            raise CommandError(exc.message) from exc
        if options["json"]:
            self.stdout.write(json.dumps(report, indent=1, sort_keys=True))
            return
        write = self.stdout.write
        write(
            f"Rule set {report['candidate']} on {report['intakes']} stored intakes ({seconds:.1f} s)"
        )
        write(
            f"  the versions that made them reproduce {report['reproduced']} exactly; "
            f"{report['not_reproduced']} not; unknown versions: {report['unknown_versions'] or 'none'}"
        )
        if report.get("other_contracts"):
            write(
                "  not tried, stored under another intake contract: "
                + ", ".join(f"{name} ({n})" for name, n in report["other_contracts"].items())
            )
        write(
            f"  raised {report['raised']} {report['raised_by']}, lowered {report['lowered']} "
            f"{report['lowered_by']} (levels: cases), unchanged {report['unchanged']}"
        )
        write("Per rule (fired then -> now; started, stopped; in raised / lowered cases):")
        for rule_id, row in report["per_rule"].items():
            if row["started"] or row["stopped"] or row["raised"] or row["lowered"]:
                write(
                    f"  {rule_id}: {row['before']} -> {row['after']}; +{row['started']} "
                    f"-{row['stopped']}; raised {row['raised']} {row['raised_by']}, "
                    f"lowered {row['lowered']} {row['lowered_by']}"
                )
        write(f"LOWERED (under-triage against what was decided then): {report['lowered']}")
        for case in report["lowered_cases"]:
            write(
                f"  LOWERED intake {case['intake']} case {case['case']} ({_day_of(case['at'])}): "
                f"{case['from']} -> {case['to']} by {case['levels']}; rules then "
                f"{','.join(case['rules_then']) or '-'}; now {','.join(case['rules_now']) or '-'}"
                + (
                    f"; a clinician had moved it to {case['overridden_to']}"
                    if case.get("overridden_to")
                    else ""
                )
            )
        write(
            f"Overrides it would have made unnecessary: {len(report['overrides_unnecessary'])} "
            f"of {report['overrides']}"
        )
        for override in report["overrides_unnecessary"]:
            write(
                f"  override {override['override']} (case {override['case']}): "
                f"{override['from']} -> {override['to']}"
            )
