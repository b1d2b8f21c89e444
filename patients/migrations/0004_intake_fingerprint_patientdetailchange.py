import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('patients', '0003_patient_search'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='intake',
            name='fingerprint',
            field=models.CharField(blank=True, editable=False, max_length=64),
        ),
        migrations.CreateModel(
            name='PatientDetailChange',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('field', models.CharField(max_length=32)),
                ('old_value', models.CharField(blank=True, max_length=254)),
                ('new_value', models.CharField(blank=True, max_length=254)),
                ('changed_at', models.DateTimeField()),
                ('via', models.CharField(choices=[('intake', 'Confirmed at an intake'), ('admin', 'Corrected in the admin')], max_length=10)),
                ('changed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='patient_detail_changes', to=settings.AUTH_USER_MODEL)),
                ('intake', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='detail_changes', to='patients.intake')),
                ('patient', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='detail_changes', to='patients.patient')),
            ],
            options={
                'ordering': ['-changed_at', '-pk'],
                'indexes': [models.Index(fields=['patient', '-changed_at'], name='patients_pa_patient_334550_idx')],
            },
        ),
    ]
