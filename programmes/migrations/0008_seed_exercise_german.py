"""The seeded exercise library's patient text in German.

Frozen: the text comes from the snapshot beside this file (0008_seed_exercise_german.json, as
programmes/core/library_de.py stood when this migration was written). Fills an exercise's German
fields only where all of them are empty: a clinic's own German text wins.
"""

import json
from pathlib import Path

from django.db import migrations

SNAPSHOT = Path(__file__).with_suffix(".json")


def seed(apps, schema_editor):
    exercise_model = apps.get_model("programmes", "Exercise")
    snapshot = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    for exercise in exercise_model.objects.filter(slug__in=list(snapshot)):
        fields = [f"{name}_de" for name in snapshot[exercise.slug]]
        if any(getattr(exercise, field) for field in fields):
            continue
        for name, text in snapshot[exercise.slug].items():
            setattr(exercise, f"{name}_de", text)
        exercise.save(update_fields=fields)


class Migration(migrations.Migration):
    dependencies = [("programmes", "0007_exercise_german")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
