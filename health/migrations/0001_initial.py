import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies: list[tuple[str, str]] = []

    operations = [
        migrations.CreateModel(
            name="Heartbeat",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "name",
                    models.CharField(
                        help_text='A beat entry\'s name, "beat", or "worker:" and the worker\'s hostname',
                        max_length=200,
                        unique=True,
                    ),
                ),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("last_started", models.DateTimeField(blank=True, null=True)),
                (
                    "last_finished",
                    models.DateTimeField(
                        blank=True, help_text="When a run last finished without an error", null=True
                    ),
                ),
                (
                    "duration",
                    models.DurationField(blank=True, help_text="How long that run took", null=True),
                ),
                (
                    "last_error",
                    models.CharField(
                        blank=True,
                        help_text="The kind of error the last run ended with, if any",
                        max_length=200,
                    ),
                ),
                ("last_error_at", models.DateTimeField(blank=True, null=True)),
            ],
            options={"ordering": ["name"]},
        ),
    ]
