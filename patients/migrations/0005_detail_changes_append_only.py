"""On PostgreSQL the database itself refuses to change or delete a recorded change to a
patient's details (field, from, to, who, when): like a case's record of care (triage 0008), rows
are only ever added.

Row-level UPDATE and DELETE are refused; TRUNCATE is not, because Django's flush between
transactional tests (and `manage.py flush`) empties the tables with TRUNCATE. Every foreign key
from a change (patient, intake, who) is PROTECT, so no cascade reaches these rows.
"""

from django.db import migrations

TABLES = ("patients_patientdetailchange",)

FUNCTION = """
CREATE OR REPLACE FUNCTION patients_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% rows are never edited or deleted (the record of care is append-only)',
        TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
"""
TRIGGER = """
CREATE TRIGGER {table}_append_only
    BEFORE UPDATE OR DELETE ON {table}
    FOR EACH ROW EXECUTE FUNCTION patients_append_only();
"""
DROP_TRIGGER = "DROP TRIGGER IF EXISTS {table}_append_only ON {table};"
DROP_FUNCTION = "DROP FUNCTION IF EXISTS patients_append_only();"


def forbid(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTION, params=None)  # the % is RAISE's, not a placeholder
        for table in TABLES:
            schema_editor.execute(TRIGGER.format(table=table))


def allow(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        for table in TABLES:
            schema_editor.execute(DROP_TRIGGER.format(table=table))
        schema_editor.execute(DROP_FUNCTION)


class Migration(migrations.Migration):
    dependencies = [("patients", "0004_intake_fingerprint_patientdetailchange")]
    operations = [migrations.RunPython(forbid, allow)]
