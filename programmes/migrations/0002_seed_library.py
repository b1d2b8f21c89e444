"""The exercise library and programme templates the clinic starts with (programmes/core/library.py)."""

from django.db import migrations


def seed(apps, schema_editor):
    from programmes.seed import seed_library

    seed_library(apps)


class Migration(migrations.Migration):
    dependencies = [("programmes", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
