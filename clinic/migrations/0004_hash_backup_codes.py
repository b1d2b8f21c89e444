"""Backup codes stored before they were hashed are hashed in place (clinic/two_factor/services.py
`backup_code_digest`): each one keeps working, and none is left readable in the database. A
stored value that is already a digest (16 hex digits) is left as it is."""

import re

from django.db import migrations

DIGEST = re.compile(r"^[0-9a-f]{16}$")


def hash_plain_codes(apps, schema_editor):
    from clinic.two_factor.services import backup_code_digest

    StaticToken = apps.get_model("otp_static", "StaticToken")
    for token in StaticToken.objects.all().iterator():
        if not DIGEST.match(token.token):
            token.token = backup_code_digest(token.token)
            token.save(update_fields=["token"])


class Migration(migrations.Migration):
    dependencies = [
        ("clinic", "0003_staff_profile"),
        ("otp_static", "0003_add_timestamps"),
    ]

    operations = [migrations.RunPython(hash_plain_codes, migrations.RunPython.noop)]
