"""Patient search at a clinic group's scale (a million patients).

Every database:
- `patient_dob_idx`: a search by date of birth ("Jones 14/03/1985").
- `patient_search_order_idx`: the search's order (family name, given name, date of birth), partial
  on `id > 0` so that only a query saying `id > 0` can use it. `Patient.objects.search` says so
  only where walking the patients in name order is known to be short (see PatientQuerySet); any
  other query ordered by name (the admin's search over e-mail and NHS number, say) keeps its plan,
  instead of walking a million rows in name order looking for a common family name near the end of
  the alphabet, which the planner cannot foresee.

PostgreSQL only:
- `patients_patient_name`: every distinct family and given name on file, kept by triggers on the
  patient table in the same transaction as the patient row (a name is added, never removed: a name
  no patient has any more finds nobody). A search for part of a name reads this small table, then
  finds the patients by exact name, through
- a hash index on family name (equality only: it offers no order to walk), the search-order
  index above (the first page of a family name, in order, from the index alone), and an index on
  given name, family name, date of birth and id (likewise for a given name).
- `pg_trgm` and a trigram GIN index on UPPER(name) of the names, so that a substring or prefix
  ("ones", "Jo") is found in the names without reading all of them. Creating the extension needs
  a role allowed to (a superuser, or the database owner: pg_trgm is trusted on PostgreSQL 13+),
  unless an administrator already created it. If the role may not, a warning says so and the
  migration goes on without that index: search still answers, reading the names table (tens of
  thousands of rows, not a million). To add it later, an administrator runs
  `CREATE EXTENSION pg_trgm;` and then the CREATE_TRIGRAM_INDEX statement below.
"""

import logging

from django.db import migrations, models

log = logging.getLogger(__name__)

NAMES_TABLE = "patients_patient_name"

CREATE_NAMES = """
CREATE TABLE patients_patient_name (
    part text NOT NULL CHECK (part IN ('family', 'given')),
    name text NOT NULL,
    PRIMARY KEY (part, name)
);
CREATE FUNCTION patients_patient_name_record() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO patients_patient_name (part, name)
        SELECT 'family', family_name FROM new_patients
        UNION SELECT 'given', given_name FROM new_patients
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END;
$$;
CREATE TRIGGER patients_patient_name_insert
    AFTER INSERT ON patients_patient REFERENCING NEW TABLE AS new_patients
    FOR EACH STATEMENT EXECUTE FUNCTION patients_patient_name_record();
CREATE TRIGGER patients_patient_name_update
    AFTER UPDATE ON patients_patient REFERENCING NEW TABLE AS new_patients
    FOR EACH STATEMENT EXECUTE FUNCTION patients_patient_name_record();
INSERT INTO patients_patient_name (part, name)
    SELECT 'family', family_name FROM patients_patient
    UNION SELECT 'given', given_name FROM patients_patient;
CREATE INDEX patient_family_name_hash_idx ON patients_patient USING hash (family_name);
CREATE INDEX patient_given_name_idx ON patients_patient (given_name, family_name, date_of_birth, id);
"""

CREATE_TRIGRAM_INDEX = (
    "CREATE INDEX patient_name_trgm_idx ON patients_patient_name "
    "USING gin (UPPER(name) gin_trgm_ops)"
)

DROP_NAMES = """
DROP INDEX IF EXISTS patient_given_name_idx;
DROP INDEX IF EXISTS patient_family_name_hash_idx;
DROP TRIGGER IF EXISTS patients_patient_name_update ON patients_patient;
DROP TRIGGER IF EXISTS patients_patient_name_insert ON patients_patient;
DROP FUNCTION IF EXISTS patients_patient_name_record();
DROP TABLE IF EXISTS patients_patient_name;
"""


def create_names(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    from django.db import transaction
    from django.db.utils import DatabaseError

    schema_editor.execute(CREATE_NAMES)
    try:
        with transaction.atomic(using=schema_editor.connection.alias):  # a savepoint
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except DatabaseError as error:
        log.warning(
            "pg_trgm could not be created (%s): patient search by part of a name will read "
            "every distinct name. To add the trigram index later, an administrator runs: "
            "CREATE EXTENSION pg_trgm; %s;",
            str(error).strip().splitlines()[0],
            CREATE_TRIGRAM_INDEX,
        )
        return
    schema_editor.execute(CREATE_TRIGRAM_INDEX)
    schema_editor.execute(f"ANALYZE {NAMES_TABLE}")


def drop_names(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        # The extension stays: other objects may use it, and dropping it needs the same rights.
        schema_editor.execute(DROP_NAMES)


class Migration(migrations.Migration):
    dependencies = [
        ("patients", "0002_check_in_intakes"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="patient",
            index=models.Index(fields=["date_of_birth"], name="patient_dob_idx"),
        ),
        migrations.AddIndex(
            model_name="patient",
            index=models.Index(
                fields=["family_name", "given_name", "date_of_birth", "id"],
                condition=models.Q(pk__gt=0),
                name="patient_search_order_idx",
            ),
        ),
        migrations.RunPython(create_names, drop_names),
    ]
