"""The indexes the clinic lead's figures read (outcomes/reports.py), on PostgreSQL: each report
reads one range of one index instead of its whole table (bench/outcomes_reports.py). They belong
to the reports, so they live here rather than in the models they index; Django's model state
does not know them, so no other app's migration moves them. SQLite (the demo) goes without."""

from django.db import migrations

INDEXES = {
    # Cases of an urgency decided in a period, with everything the deadline and timing figures
    # read.
    "outcomes_case_decided_idx": "ON triage_case (urgency, decided_at) "
    "INCLUDE (opened_at, claimed_at, due_at) WHERE decided_at IS NOT NULL",
    # Claims from a moment on: whether an alert was acknowledged.
    "outcomes_activity_claimed_idx": "ON triage_caseactivity (at) INCLUDE (case_id) "
    "WHERE kind = 'claimed'",
    # Alerts and escalations queued in a period, by kind.
    "outcomes_message_kind_idx": "ON outbox_message (kind, created_at) INCLUDE (case_id, status)",
    # Dead emails queued in a period.
    "outcomes_message_dead_idx": "ON outbox_message (created_at) INCLUDE (kind) "
    "WHERE status = 'dead'",
    # Intakes triaged EMERGENCY, by when.
    "outcomes_assessment_emergency_idx": "ON triage_assessment (created_at) "
    "WHERE urgency = 5 AND intake_id IS NOT NULL",
    # Overrides in a period.
    "outcomes_override_created_idx": "ON triage_urgencyoverride (created_at) "
    "INCLUDE (assessment_id, from_urgency, to_urgency)",
    # Programmes prescribed in a period, with what the figures read of the programme itself.
    "outcomes_programme_prescribed_idx": "ON programmes_programme (prescribed_at) "
    "INCLUDE (template_id, baseline_pain, status, unsubscribed_at)",
}


def create(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, definition in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} {definition}")


def drop(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("outcomes", "0001_initial"),
        ("triage", "0011_assessment_of_intake_or_examination"),
        ("outbox", "0005_self_intake_kind"),
        ("programmes", "0005_check_in_entered_on_behalf"),
    ]
    operations = [migrations.RunPython(create, drop)]
