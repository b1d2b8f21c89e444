"""The seeded programme templates' patient text in German: each template's name and summary, each
phase's name and goal.

Frozen: the text comes from the snapshot beside this file (0010_seed_template_german.json, as
`TEMPLATES_GERMAN` in programmes/core/library_de.py stood when this migration was written), the
phases in the template's order. Fills a template's (or a phase's) German only where all of its
German fields are empty: a clinic's own German text wins.

A programme already prescribed is a copy of its template: where its English is still the
template's word for word, it gets the template's German beside it, so a German patient already
on a programme reads it in German too. A copy a clinician changed keeps its English only.
"""

import json
from pathlib import Path

from django.db import migrations

SNAPSHOT = Path(__file__).with_suffix(".json")


def _fill(row, texts):
    """Set each `<field>_de` from `texts` unless one is already written; True if set."""
    fields = [f"{name}_de" for name in texts]
    if any(getattr(row, field) for field in fields):
        return False
    for name, text in texts.items():
        setattr(row, f"{name}_de", text)
    row.save(update_fields=fields)
    return True


def seed(apps, schema_editor):
    template_model = apps.get_model("programmes", "ProgrammeTemplate")
    phase_model = apps.get_model("programmes", "TemplatePhase")
    snapshot = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    for template in template_model.objects.filter(slug__in=list(snapshot)):
        german = snapshot[template.slug]
        _fill(template, {"name": german["name"], "summary": german["summary"]})
        phases = phase_model.objects.filter(template=template).order_by("position")
        for phase, phase_german in zip(phases, german["phases"], strict=False):
            _fill(phase, phase_german)


def copy_to_programmes(apps, schema_editor):
    programme_model = apps.get_model("programmes", "Programme")
    phase_model = apps.get_model("programmes", "TemplatePhase")
    programme_phase_model = apps.get_model("programmes", "ProgrammePhase")
    for programme in programme_model.objects.filter(name_de="").select_related("template"):
        template = programme.template
        if template.name_de and programme.name == template.name:
            programme.name_de = template.name_de
            programme.save(update_fields=["name_de"])
    template_phases = {
        (phase.template_id, phase.position): phase
        for phase in phase_model.objects.exclude(name_de="", goal_de="")
    }
    for row in programme_phase_model.objects.filter(name_de="", goal_de="").select_related(
        "programme"
    ):
        phase = template_phases.get((row.programme.template_id, row.position))
        if phase is not None and (row.name, row.goal) == (phase.name, phase.goal):
            row.name_de, row.goal_de = phase.name_de, phase.goal_de
            row.save(update_fields=["name_de", "goal_de"])


class Migration(migrations.Migration):
    dependencies = [("programmes", "0009_template_german")]

    operations = [
        migrations.RunPython(seed, migrations.RunPython.noop),
        migrations.RunPython(copy_to_programmes, migrations.RunPython.noop),
    ]
