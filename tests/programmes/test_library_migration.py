"""The library's seeding migration is frozen on its snapshot: it never reads the live library, so a
later change to the library cannot change what the migration did."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

from programmes.models import Exercise, ProgrammeTemplate, TemplateExercise

MIGRATION = Path(__file__).parents[2] / "programmes" / "migrations" / "0002_seed_library.py"
SNAPSHOT = json.loads(MIGRATION.with_suffix(".json").read_text(encoding="utf-8"))


def test_the_migration_imports_nothing_of_the_live_library() -> None:
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
    assert imported == {"json", "decimal", "pathlib", "django.db"}


def test_loading_the_migration_loads_no_programmes_module() -> None:
    # A fresh interpreter without Django set up: only what the migration itself imports loads.
    code = (
        "import importlib, sys\n"
        "importlib.import_module('programmes.migrations.0002_seed_library')\n"
        "print(sorted(m for m in sys.modules if m.startswith('programmes.')"
        " and not m.startswith('programmes.migrations')))\n"
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
def test_the_migrated_database_holds_the_snapshot() -> None:
    # The test database is built by the migrations, so its library is the snapshot's.
    assert set(Exercise.objects.values_list("slug", flat=True)) >= {
        row["slug"] for row in SNAPSHOT["exercises"]
    }
    row = Exercise.objects.get(slug=SNAPSHOT["exercises"][0]["slug"])
    assert row.source == SNAPSHOT["exercises"][0]["source"]
    template = SNAPSHOT["templates"][0]
    assert ProgrammeTemplate.objects.filter(slug=template["slug"]).exists()
    assert [
        item.exercise.slug
        for item in TemplateExercise.objects.filter(
            phase__template__slug=template["slug"], phase__position=1
        )
        .select_related("exercise")
        .order_by("position")
    ] == [item["exercise"] for item in template["phases"][0]["exercises"]]
