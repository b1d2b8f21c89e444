"""The clinical safety officer's role (a group, like the others), the clinic's one row of choice
(empty: nothing signed off yet), and on PostgreSQL a trigger refusing to change or delete a trial
or a sign-off."""

from django.db import migrations

TABLES = ("governance_trial", "governance_signoff")
FORBID = """
CREATE OR REPLACE FUNCTION governance_kept() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'governance trials and sign-offs are never edited or deleted';
END;
$$ LANGUAGE plpgsql;
""" + "".join(
    f"CREATE TRIGGER {t}_kept BEFORE UPDATE OR DELETE ON {t} "
    "FOR EACH ROW EXECUTE FUNCTION governance_kept();\n"
    for t in TABLES
)
ALLOW = "".join(f"DROP TRIGGER IF EXISTS {t}_kept ON {t};\n" for t in TABLES) + (
    "DROP FUNCTION IF EXISTS governance_kept();\n"
)


def forward(apps, schema_editor):  # type: ignore[no-untyped-def]
    apps.get_model("auth", "Group").objects.get_or_create(name="clinical safety officer")
    apps.get_model("governance", "ActiveRuleSet").objects.get_or_create(pk=1)
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FORBID)


def backward(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(ALLOW)


class Migration(migrations.Migration):
    dependencies = [("governance", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]
    operations = [migrations.RunPython(forward, backward)]
