"""The orthopaedic test library: seeded by a migration frozen on its JSON snapshot, every test with
what it screens for, how it is done and a published source; the red flags with their urgency."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import IntegrityError, transaction

from examination.models import OrthopaedicTest
from triage.rules import Urgency
from triage.rules.exam import TestSpec

MIGRATION = Path(__file__).parents[2] / "examination" / "migrations" / "0003_seed_test_library.py"
SNAPSHOT = json.loads(MIGRATION.with_suffix(".json").read_text(encoding="utf-8"))
ASKED_FOR = {
    "spurling",
    "distraction",
    "ulnt1_median",
    "ulnt2a_median",
    "ulnt2b_radial",
    "ulnt3_ulnar",
    "shoulder_abduction_relief",
    "hawkins_kennedy",
    "neer",
    "empty_can",
    "first_rib_crlf",
    "costoclavicular",
    "roos_east",
    "cervical_arterial_positional",
    "lhermitte",
}


def test_the_snapshot_holds_the_tests_the_issue_names_each_with_a_published_source() -> None:
    tests = {row["code"]: row for row in SNAPSHOT["tests"]}
    assert set(tests) == ASKED_FOR
    for code, row in tests.items():
        assert row["name"] and row["screens_for"], code
        assert 60 <= len(row["how_to"]) <= 700, f"{code}: a short description a clinician reads"
        # A published source: authors and a year at least.
        assert any(str(year) in row["source"] for year in range(1890, 2030)), code
        assert row["red_flag"] == (row["red_flag_urgency"] is not None), code


def test_only_the_arterial_screen_and_lhermittes_sign_are_red_flags() -> None:
    red = {row["code"]: row["red_flag_urgency"] for row in SNAPSHOT["tests"] if row["red_flag"]}
    assert red == {"cervical_arterial_positional": Urgency.URGENT, "lhermitte": Urgency.URGENT}


def test_the_migration_imports_nothing_of_the_live_app() -> None:
    tree = ast.parse(MIGRATION.read_text(encoding="utf-8"))
    imported = {
        name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for name in (
            [alias.name for alias in node.names]
            if isinstance(node, ast.Import)
            else [node.module or ""]
        )
    }
    assert imported == {"json", "pathlib", "django.db"}


def test_loading_the_migration_loads_no_examination_module() -> None:
    code = (
        "import importlib, sys\n"
        "importlib.import_module('examination.migrations.0003_seed_test_library')\n"
        "print(sorted(m for m in sys.modules if m.startswith(('examination.', 'triage.'))"
        " and not m.startswith('examination.migrations')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=MIGRATION.parents[2],
    )
    assert result.stdout.strip() == "[]"


@pytest.mark.django_db
def test_the_migrated_database_holds_the_snapshot_as_specs_the_contract_reads() -> None:
    specs = OrthopaedicTest.objects.active().specs()
    assert set(specs) >= ASKED_FOR
    assert specs["lhermitte"] == TestSpec(
        code="lhermitte",
        name="Lhermitte's sign",
        needs_side=False,
        red_flag=Urgency.URGENT,
        source=next(r["source"] for r in SNAPSHOT["tests"] if r["code"] == "lhermitte"),
        screens_for=next(r["screens_for"] for r in SNAPSHOT["tests"] if r["code"] == "lhermitte"),
    )
    assert specs["spurling"].needs_side and specs["spurling"].red_flag is None
    order = list(OrthopaedicTest.objects.values_list("code", flat=True))
    assert order == [row["code"] for row in SNAPSHOT["tests"]]


@pytest.mark.django_db
def test_the_database_refuses_a_red_flag_without_its_urgency_and_a_test_without_a_source() -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        OrthopaedicTest.objects.create(
            code="x1", name="X", screens_for="x", how_to="x", source="Someone 2020", red_flag=True
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        OrthopaedicTest.objects.create(
            code="x2", name="X", screens_for="x", how_to="x", source="Someone 2020",
            red_flag_urgency=Urgency.URGENT,
        )  # fmt: skip
    with pytest.raises(IntegrityError), transaction.atomic():
        OrthopaedicTest.objects.create(code="x3", name="X", screens_for="x", how_to="x", source="")


@pytest.mark.django_db
def test_an_inactive_test_is_not_offered() -> None:
    OrthopaedicTest.objects.filter(code="neer").update(active=False)
    assert "neer" not in OrthopaedicTest.objects.active().specs()


@pytest.mark.django_db
def test_the_seed_for_tests_adds_the_snapshot_back_and_leaves_a_clinics_edits() -> None:
    from examination.seed import seed_test_library

    OrthopaedicTest.objects.filter(code="neer").update(how_to="The clinic's own words")
    OrthopaedicTest.objects.filter(code="lhermitte").delete()
    assert seed_test_library() == 1
    assert OrthopaedicTest.objects.get(code="neer").how_to == "The clinic's own words"
    assert OrthopaedicTest.objects.get(code="lhermitte").red_flag
