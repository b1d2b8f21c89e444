"""The clinic lead is told of every escalation; like the other roles, a group."""

from django.db import migrations


def create_role(apps, schema_editor):  # type: ignore[no-untyped-def]
    apps.get_model("auth", "Group").objects.get_or_create(name="clinic lead")


class Migration(migrations.Migration):
    dependencies = [("clinic", "0001_roles")]
    operations = [migrations.RunPython(create_role, migrations.RunPython.noop)]
