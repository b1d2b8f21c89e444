"""The demo's history (manage.py seed_rule_history): what the governance page's first trial reads,
and what a reviewer tries 2026.2-rc1 on."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from governance import services
from governance.demo import seed_history
from triage.models import Case

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]
NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def test_the_changed_rule_tried_on_the_demo_history_raises_lowers_and_spares_overrides(
    clinician: User,
) -> None:
    assert seed_history(count=200, clinician=clinician, now=NOW) == 200
    assert not Case.objects.open().exists()  # a history: nothing waits, nobody is alerted
    report, _seconds = services.evaluate("2026.2-rc1")
    assert report["intakes"] == 200 and report["reproduced"] == 200
    assert report["raised"] > 0 and report["lowered"] > 0
    assert {case["from"] for case in report["lowered_cases"]} <= {"ROUTINE", "SOON", "URGENT"}
    assert all("MINOR_UNDER_18" in case["rules_then"] for case in report["lowered_cases"])
    assert report["overrides_unnecessary"]
    assert services.evaluate("2026.1")[0]["lowered"] == 0


def test_seeding_twice_adds_nothing(clinician: User, capsys: pytest.CaptureFixture[str]) -> None:
    call_command("seed_rule_history", "--intakes", "20", "--clinician", clinician.username)
    call_command("seed_rule_history", "--intakes", "20", "--clinician", clinician.username)
    assert "nothing added" in capsys.readouterr().out
    assert Case.objects.count() == 20
