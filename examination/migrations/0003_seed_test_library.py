"""The orthopaedic test library the clinic starts with.

Frozen: the rows come from the snapshot beside this file (0003_seed_test_library.json, the library
as it stood when this migration was written), so that nothing changed later can change what this
migration did (as programmes' 0002 does for the exercise library). Adds what is missing (by code)
and leaves what is there: the library is edited in the admin, and a clinic's edits win.
"""

import json
from pathlib import Path

from django.db import migrations

SNAPSHOT = Path(__file__).with_suffix(".json")


def seed(apps, schema_editor):
    test_model = apps.get_model("examination", "OrthopaedicTest")
    snapshot = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    existing = set(test_model.objects.values_list("code", flat=True))
    test_model.objects.bulk_create(
        test_model(position=position, **row)
        for position, row in enumerate(snapshot["tests"], start=1)
        if row["code"] not in existing
    )


class Migration(migrations.Migration):
    dependencies = [("examination", "0002_examination_immutable")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
