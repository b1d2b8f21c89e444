"""The exercise library and programme templates the clinic started with.

Frozen: the rows come from the snapshot beside this file (0002_seed_library.json, the library as
it stood when this migration was written), never from the live library in programmes.core, so
that a later change to the library cannot change what this migration did. A later library change
that must reach existing databases is a migration of its own. Adds what is missing (by slug) and
leaves what is there: the library is edited in the admin, and a clinic's edits win.
"""

import json
from decimal import Decimal
from pathlib import Path

from django.db import migrations

SNAPSHOT = Path(__file__).with_suffix(".json")


def _kg(value):
    return None if value is None else Decimal(value)


def seed(apps, schema_editor):
    exercise_model = apps.get_model("programmes", "Exercise")
    template_model = apps.get_model("programmes", "ProgrammeTemplate")
    phase_model = apps.get_model("programmes", "TemplatePhase")
    item_model = apps.get_model("programmes", "TemplateExercise")
    snapshot = json.loads(SNAPSHOT.read_text(encoding="utf-8"))

    existing = set(exercise_model.objects.values_list("slug", flat=True))
    exercise_model.objects.bulk_create(
        exercise_model(
            **row | {key: _kg(row[key]) for key in ("load_min_kg", "load_max_kg", "load_step_kg")}
        )
        for row in snapshot["exercises"]
        if row["slug"] not in existing
    )
    by_slug = {e.slug: e for e in exercise_model.objects.all()}
    for spec in snapshot["templates"]:
        if template_model.objects.filter(slug=spec["slug"]).exists():
            continue
        template = template_model.objects.create(
            **{key: spec[key] for key in ("slug", "name", "summary", "for_whom", "source")}
        )
        for position, phase_spec in enumerate(spec["phases"], start=1):
            phase = phase_model.objects.create(
                template=template,
                position=position,
                **{key: phase_spec[key] for key in ("name", "weeks", "goal", "advance")},
            )
            item_model.objects.bulk_create(
                item_model(
                    phase=phase,
                    exercise=by_slug[item["exercise"]],
                    position=n,
                    sets=item["sets"],
                    reps=item["reps"],
                    hold_seconds=item["hold_seconds"],
                    load_kg=_kg(item["load_kg"]),
                    days_per_week=item["days_per_week"],
                )
                for n, item in enumerate(phase_spec["exercises"], start=1)
            )


class Migration(migrations.Migration):
    dependencies = [("programmes", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
