"""Load the exercise library and programme templates of `programmes.core.library` into the database.

Used by the tests (whose `transactional_db` flushes the migration's rows) and by `seed_demo`, from
the live library; the seeding migration keeps its own snapshot. Adds what
is missing and leaves what is there: the library is admin-edited, and a clinic's edits win.
"""

from __future__ import annotations

from decimal import Decimal

from programmes.core import library
from programmes.core.library_de import GERMAN, TEMPLATES_GERMAN
from programmes.models import Exercise, ProgrammeTemplate, TemplateExercise, TemplatePhase


def _kg(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _sources(keys: tuple[str, ...]) -> str:
    return "\n".join(library.SOURCES[key] for key in keys)


GERMAN_FIELDS = ("name", "equipment", "setup", "movement", "good_form", "stop_if", "progression")


def _german(slug: str) -> dict[str, str]:
    """The exercise's German patient text, as the model's `<field>_de` fields."""
    text = GERMAN.get(slug)
    if text is None:
        return {}
    return {f"{name}_de": getattr(text, name) for name in GERMAN_FIELDS}


def seed_library() -> tuple[int, int]:
    """Create the library's exercises and templates that are not there yet (by slug). Returns
    how many exercises and templates were added."""
    exercise_model = Exercise
    template_model = ProgrammeTemplate
    phase_model = TemplatePhase
    item_model = TemplateExercise

    existing = set(exercise_model.objects.values_list("slug", flat=True))
    new_exercises = [
        exercise_model(
            slug=spec.slug,
            name=spec.name,
            category=spec.category,
            region=spec.region,
            equipment=spec.equipment,
            setup=spec.setup,
            movement=spec.movement,
            good_form=spec.good_form,
            stop_if=spec.stop_if,
            sets=spec.sets,
            reps=spec.reps,
            hold_seconds=spec.hold_seconds,
            per_side=spec.per_side,
            load_min_kg=_kg(spec.load_min_kg),
            load_max_kg=_kg(spec.load_max_kg),
            load_step_kg=_kg(spec.load_step_kg),
            progression=spec.progression,
            caution_tags=list(spec.caution_tags),
            source=_sources(spec.sources),
            **_german(spec.slug),
        )
        for spec in library.EXERCISES
        if spec.slug not in existing
    ]
    exercise_model.objects.bulk_create(new_exercises)
    by_slug = {e.slug: e for e in exercise_model.objects.all()}

    templates_added = 0
    for spec in library.TEMPLATES:
        if template_model.objects.filter(slug=spec.slug).exists():
            continue
        german = TEMPLATES_GERMAN.get(spec.slug)
        template = template_model.objects.create(
            slug=spec.slug,
            name=spec.name,
            summary=spec.summary,
            for_whom=spec.for_whom,
            source=_sources(spec.sources),
            name_de=german.name if german else "",
            summary_de=german.summary if german else "",
        )
        templates_added += 1
        for position, phase_spec in enumerate(spec.phases, start=1):
            phase_german = german.phases[position - 1] if german else None
            phase = phase_model.objects.create(
                template=template,
                position=position,
                name=phase_spec.name,
                weeks=phase_spec.weeks,
                goal=phase_spec.goal,
                advance=phase_spec.advance,
                name_de=phase_german.name if phase_german else "",
                goal_de=phase_german.goal if phase_german else "",
            )
            item_model.objects.bulk_create(
                item_model(
                    phase=phase,
                    exercise=by_slug[item.slug],
                    position=n,
                    sets=item.sets,
                    reps=item.reps,
                    hold_seconds=item.hold_seconds,
                    load_kg=_kg(item.load_kg),
                    days_per_week=item.days_per_week,
                )
                for n, item in enumerate(phase_spec.exercises, start=1)
            )
    return len(new_exercises), templates_added
