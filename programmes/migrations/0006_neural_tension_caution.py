"""The neural tension caution tag reaches the two neck stretches that tension the arm's nerves.

A positive upper limb neurodynamic test on examination now clashes with exercises tagged
`neural_tension` (programmes/core/caution.py). The side-of-neck and back-of-neck stretches hold
the shoulder down with the neck bent away, as a neurodynamic test's sensitising steps do, so
they carry the tag, and their source names the guidance behind it. Frozen (no import of the live
library): the words are written here. A row whose tags an admin has edited since is left as the
clinic made it; reversing removes only the tag and the citation this migration added.
"""

from django.db import migrations

SLUGS = ("upper-trapezius-stretch", "levator-scapulae-stretch")
TAG = "neural_tension"
SEEDED_TAGS = ["end_range_neck"]
CITATION = (
    "Coppieters MW, Butler DS. Do 'sliders' slide and 'tensioners' tension? An analysis of "
    "neurodynamic techniques and considerations regarding their application. Man Ther "
    "2008;13(3):213-21"
)


def add_tag(apps, schema_editor):
    exercise_model = apps.get_model("programmes", "Exercise")
    for exercise in exercise_model.objects.filter(slug__in=SLUGS):
        if exercise.caution_tags != SEEDED_TAGS:
            continue  # edited in the admin: the clinic's edit wins
        exercise.caution_tags = [*SEEDED_TAGS, TAG]
        if CITATION not in exercise.source:
            exercise.source = f"{exercise.source}\n{CITATION}" if exercise.source else CITATION
        exercise.save(update_fields=["caution_tags", "source"])


def remove_tag(apps, schema_editor):
    exercise_model = apps.get_model("programmes", "Exercise")
    for exercise in exercise_model.objects.filter(slug__in=SLUGS):
        if TAG not in exercise.caution_tags:
            continue
        exercise.caution_tags = [tag for tag in exercise.caution_tags if tag != TAG]
        exercise.source = exercise.source.replace(f"\n{CITATION}", "").replace(CITATION, "")
        exercise.save(update_fields=["caution_tags", "source"])


class Migration(migrations.Migration):
    dependencies = [("programmes", "0005_check_in_entered_on_behalf")]

    operations = [migrations.RunPython(add_tag, remove_tag)]
