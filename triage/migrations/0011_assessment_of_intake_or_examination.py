"""An assessment is of an intake or of a clinician's examination (examination.Examination): the
intake becomes optional, the examination is added, exactly one of the two is required. Every
assessment stored before has its intake, so each stays valid; nothing here updates a row, so the
trigger that refuses to change an assessment (0002, BEFORE UPDATE OR DELETE, row by row) stays as
it is and keeps refusing. The contract version and an examination's imaging decision are kept
with new assessments."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('examination', '0003_seed_test_library'),
        ('patients', '0006_intake_psychosocial_screen'),
        ('triage', '0010_case_decided_at_check_in_reasons'),
    ]

    operations = [
        migrations.AddField(
            model_name='assessment',
            name='contract_version',
            field=models.CharField(blank=True, max_length=20),
        ),
        migrations.AddField(
            model_name='assessment',
            name='examination',
            field=models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='assessment', to='examination.examination'),
        ),
        migrations.AddField(
            model_name='assessment',
            name='imaging',
            field=models.JSONField(blank=True, null=True),
        ),
        migrations.AlterField(
            model_name='assessment',
            name='intake',
            field=models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='assessment', to='patients.intake'),
        ),
        migrations.AddConstraint(
            model_name='assessment',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('examination__isnull', True), ('intake__isnull', False)), models.Q(('examination__isnull', False), ('intake__isnull', True)), _connector='OR'), name='assessment_of_intake_or_examination'),
        ),
    ]
