"""On PostgreSQL the database itself refuses to change or delete a stored assessment."""

from django.db import migrations

FORBID = """
CREATE OR REPLACE FUNCTION triage_assessment_immutable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'triage_assessment rows are never edited or deleted (record an override)';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER triage_assessment_immutable
    BEFORE UPDATE OR DELETE ON triage_assessment
    FOR EACH ROW EXECUTE FUNCTION triage_assessment_immutable();
"""
ALLOW = """
DROP TRIGGER IF EXISTS triage_assessment_immutable ON triage_assessment;
DROP FUNCTION IF EXISTS triage_assessment_immutable();
"""


def forbid(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORBID)


def allow(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(ALLOW)


class Migration(migrations.Migration):
    dependencies = [("triage", "0001_initial")]
    operations = [migrations.RunPython(forbid, allow)]
