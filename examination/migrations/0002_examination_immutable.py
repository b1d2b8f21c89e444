"""On PostgreSQL the database itself refuses to change or delete a stored examination: a
correction is a new examination (as triage's migration 0002 does for assessments)."""

from django.db import migrations

FORBID = """
CREATE OR REPLACE FUNCTION examination_examination_immutable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'examination_examination rows are never edited or deleted (record a correction)';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER examination_examination_immutable
    BEFORE UPDATE OR DELETE ON examination_examination
    FOR EACH ROW EXECUTE FUNCTION examination_examination_immutable();
"""
ALLOW = """
DROP TRIGGER IF EXISTS examination_examination_immutable ON examination_examination;
DROP FUNCTION IF EXISTS examination_examination_immutable();
"""


def forbid(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORBID)


def allow(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(ALLOW)


class Migration(migrations.Migration):
    dependencies = [("examination", "0001_initial")]
    operations = [migrations.RunPython(forbid, allow)]
