"""The seed exercise library and templates are complete, consistent and safe to prescribe from.

Pure tests: no database, no Django. The tables in programmes/core/library.py are the specification;
these tests hold them to the clinic's rules (start light, build up slowly, caution tags honest,
the unloaded template safe for fragile bone or dizziness).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Sequence
from pathlib import Path

import pytest

from programmes.core import caution, library
from programmes.core.library import (
    CATEGORIES,
    CAUTION_TAGS,
    EXERCISES,
    SOURCES,
    TEMPLATES,
    Dose,
    Exercise,
    Phase,
    Template,
)

EXERCISE_KEYS = {
    "slug": str,
    "name": str,
    "category": str,
    "region": str,
    "equipment": str,
    "setup": str,
    "movement": str,
    "good_form": str,
    "stop_if": str,
    "sets": int,
    "reps": (int, type(None)),
    "hold_seconds": (int, type(None)),
    "per_side": bool,
    "load_min_kg": (float, type(None)),
    "load_max_kg": (float, type(None)),
    "load_step_kg": (float, type(None)),
    "progression": str,
    "caution_tags": tuple,
    "sources": tuple,
}
PATIENT_TEXT = ("setup", "movement", "good_form", "stop_if", "progression")
REGIONS = {
    "upper back",
    "neck",
    "thoracic spine",
    "shoulder blades",
    "shoulders",
    "chest and shoulders",
    "whole body",
}
CHECK_IN_WEEKS = {1, 2, 4, 6}
SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
# A get-up is a slow, many-step lift: a few reps each side is the usual dose.
LOW_REP_SKILL_LIFTS = {"turkish-get-up"}
STRENGTH_SOURCES = {"andersen_2008", "jay_2011", "blanpied_2017", "ylinen_2003"}
BONE_SOURCES = {"ros_2018", "brooke_wavell_2022"}

BY_SLUG = {exercise.slug: exercise for exercise in EXERCISES}
TEMPLATES_BY_SLUG = {template.slug: template for template in TEMPLATES}


def _ids(items: Sequence[Exercise | Template | Dose]) -> list[str]:
    return [item.slug for item in items]


def _loaded(exercise: Exercise) -> bool:
    return exercise.loaded


def _doses(template: Template) -> list[tuple[int, Phase, Dose]]:
    """(phase index, phase, dose) for every exercise of every phase."""
    return [
        (index, phase, dose)
        for index, phase in enumerate(template.phases)
        for dose in phase.exercises
    ]


LOADED = [exercise for exercise in EXERCISES if _loaded(exercise)]


# --- The library as a whole ---------------------------------------------------------------------


def test_the_library_has_at_least_22_exercises() -> None:
    assert len(EXERCISES) >= 22


def test_exercise_slugs_are_unique() -> None:
    slugs = _ids(EXERCISES)
    assert len(slugs) == len(set(slugs))
    assert set(library.EXERCISES_BY_SLUG) == set(slugs)


def test_the_library_module_imports_no_django() -> None:
    tree = ast.parse(Path(library.__file__).read_text(encoding="utf-8"))
    imported = [
        name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
        for name in (
            [alias.name for alias in node.names]
            if isinstance(node, ast.Import)
            else [node.module or ""]
        )
    ]
    assert not [name for name in imported if name.split(".")[0] == "django"]


def test_caution_tags_and_categories_are_the_known_ones() -> None:
    assert set(CAUTION_TAGS) == {
        "overhead_load",
        "ballistic",
        "loaded_spinal_flexion",
        "end_range_neck",
        "neural_tension",
    }
    assert set(CATEGORIES) == {"strength", "mobility", "stretch", "posture"}
    assert all(label.strip() for label in [*CAUTION_TAGS.values(), *CATEGORIES.values()])


def test_every_category_is_covered() -> None:
    assert {exercise.category for exercise in EXERCISES} == set(CATEGORIES)


@pytest.mark.parametrize("region", ["thoracic spine", "neck", "shoulder blades", "upper back"])
def test_each_key_region_has_exercises(region: str) -> None:
    assert any(exercise.region == region for exercise in EXERCISES)


@pytest.mark.parametrize(
    ("slug", "tags"),
    [
        ("kettlebell-one-arm-row", {"loaded_spinal_flexion"}),
        ("kettlebell-reverse-fly", {"loaded_spinal_flexion"}),
        ("kettlebell-single-arm-deadlift", {"loaded_spinal_flexion"}),
        ("turkish-get-up", {"overhead_load"}),
        ("kettlebell-swing", {"ballistic", "loaded_spinal_flexion"}),
        ("kettlebell-overhead-press", {"overhead_load"}),
        ("kettlebell-halo", {"overhead_load"}),
        ("kettlebell-goblet-squat", set()),
        ("kettlebell-suitcase-carry", set()),
        ("kettlebell-farmers-carry", set()),
    ],
)
def test_required_kettlebell_exercises_are_present_and_tagged(slug: str, tags: set[str]) -> None:
    exercise = BY_SLUG[slug]
    assert exercise.equipment.lower().startswith(("kettlebell", "two kettlebells"))
    assert set(exercise.caution_tags) == tags


@pytest.mark.parametrize(
    "slug",
    [
        # thoracic spine
        "open-book",
        "thread-the-needle",
        "cat-camel",
        "thoracic-extension-chair",
        "thoracic-extension-roller",
        # neck
        "chin-nod-lying",
        "neck-rotation-range",
        "upper-trapezius-stretch",
        "levator-scapulae-stretch",
        # shoulder blades
        "scapular-retraction",
        "scapular-wall-slide",
        "band-pull-apart",
        "prone-y-t-w",
        # desk posture
        "doorway-pec-stretch",
        "posture-reset-break",
        "chin-tuck-desk",
        "wall-angel",
    ],
)
def test_required_mobility_stretch_and_posture_exercises_are_present(slug: str) -> None:
    assert slug in BY_SLUG


def test_every_neck_stretch_and_neck_turn_is_marked_end_range() -> None:
    for slug in ("neck-rotation-range", "upper-trapezius-stretch", "levator-scapulae-stretch"):
        assert "end_range_neck" in BY_SLUG[slug].caution_tags, slug


def test_the_neck_stretches_that_hold_the_shoulder_down_are_marked_neural_tension() -> None:
    tensioning = {slug for slug, e in BY_SLUG.items() if "neural_tension" in e.caution_tags}
    assert tensioning == {"upper-trapezius-stretch", "levator-scapulae-stretch"}
    assert all("coppieters_butler_2008" in BY_SLUG[slug].sources for slug in tensioning)


def test_every_source_is_cited_by_an_exercise_or_a_template() -> None:
    cited = {key for exercise in EXERCISES for key in exercise.sources}
    cited |= {key for template in TEMPLATES for key in template.sources}
    assert cited == set(SOURCES)
    assert all(len(citation) > 40 for citation in SOURCES.values())


def test_sources_note_they_need_confirming_by_the_clinical_lead() -> None:
    assert "for the clinical lead to confirm" in (library.__doc__ or "")


# --- One case per exercise ----------------------------------------------------------------------


@pytest.mark.parametrize("exercise", EXERCISES, ids=_ids(EXERCISES))
class TestExercise:
    def test_has_the_right_types(self, exercise: Exercise) -> None:
        assert isinstance(exercise, Exercise)
        for key, expected in EXERCISE_KEYS.items():
            assert isinstance(getattr(exercise, key), expected), key
        # bool is an int: sets and reps must not be booleans by accident
        assert not isinstance(exercise.sets, bool)
        assert all(isinstance(tag, str) for tag in exercise.caution_tags)
        assert all(isinstance(key, str) for key in exercise.sources)

    def test_slug_is_lowercase_and_hyphenated(self, exercise: Exercise) -> None:
        assert SLUG.match(exercise.slug)

    def test_category_and_region_are_known(self, exercise: Exercise) -> None:
        assert exercise.category in CATEGORIES
        assert exercise.region in REGIONS

    def test_patient_text_is_written_out(self, exercise: Exercise) -> None:
        assert exercise.name.strip()
        assert exercise.equipment.strip()
        for field in PATIENT_TEXT:
            text = getattr(exercise, field)
            assert text.strip(), field
            assert text == text.strip(), field
            assert text.endswith("."), field
            assert "  " not in text, field

    def test_patient_text_uses_uk_spelling(self, exercise: Exercise) -> None:
        text = " ".join(getattr(exercise, field) for field in (*PATIENT_TEXT, "name")).lower()
        for american in ("program", "color", "center", "favorite", "practice the"):
            assert not re.search(rf"\b{american}\b", text), american

    def test_patient_text_speaks_to_the_patient(self, exercise: Exercise) -> None:
        for field in ("setup", "movement", "good_form"):
            assert re.search(r"\byour?\b", getattr(exercise, field).lower()), field

    def test_cites_known_sources(self, exercise: Exercise) -> None:
        assert exercise.sources
        assert len(set(exercise.sources)) == len(exercise.sources)
        assert set(exercise.sources) <= set(SOURCES)

    def test_caution_tags_are_known_and_not_repeated(self, exercise: Exercise) -> None:
        tags = exercise.caution_tags
        assert set(tags) <= set(CAUTION_TAGS)
        assert len(set(tags)) == len(tags)

    def test_is_either_reps_or_a_hold(self, exercise: Exercise) -> None:
        assert (exercise.reps is None) != (exercise.hold_seconds is None)
        if exercise.reps is not None:
            assert 1 <= exercise.reps <= 15
        else:
            assert 20 <= exercise.hold_seconds <= 45
        assert 1 <= exercise.sets <= 3

    def test_load_range_is_all_or_nothing_and_in_kettlebell_steps(self, exercise: Exercise) -> None:
        low, high, step = (
            getattr(exercise, k) for k in ("load_min_kg", "load_max_kg", "load_step_kg")
        )
        if low is None:
            assert high is None and step is None
            return
        assert high is not None and step is not None
        assert 0 < low < high <= 32
        assert step == 2.0
        assert (high - low) % step == 0
        # Start light: nobody is started on a heavy bell from the library.
        assert low <= 8.0

    def test_strength_work_cites_a_strength_source_and_acsm(self, exercise: Exercise) -> None:
        if exercise.category != "strength":
            return
        assert set(exercise.sources) & STRENGTH_SOURCES
        if _loaded(exercise) or "band" in exercise.slug:
            assert "acsm_2009" in exercise.sources

    def test_tagged_exercises_cite_the_guidance_behind_the_tag(self, exercise: Exercise) -> None:
        tags = set(exercise.caution_tags)
        if tags & {"overhead_load", "ballistic", "loaded_spinal_flexion"}:
            assert set(exercise.sources) & BONE_SOURCES
        if "end_range_neck" in tags:
            assert "ifompt_2023" in exercise.sources

    def test_end_range_neck_work_says_to_stop_for_dizziness(self, exercise: Exercise) -> None:
        if "end_range_neck" not in exercise.caution_tags:
            return
        stop_if = exercise.stop_if.lower()
        assert "dizzy" in stop_if
        assert "contact the clinic" in stop_if
        assert "pins and needles" in stop_if

    def test_every_exercise_says_when_to_contact_the_clinic(self, exercise: Exercise) -> None:
        assert "contact the clinic" in exercise.stop_if.lower()

    def test_loaded_exercises_say_drop_the_weight(self, exercise: Exercise) -> None:
        if not _loaded(exercise):
            return
        assert "drop the weight" in exercise.stop_if.lower()
        assert "drop the weight" in exercise.progression.lower()
        assert "twist" in exercise.stop_if.lower()
        assert "start" in exercise.progression.lower()


def test_ballistic_and_overhead_tags_match_the_movements() -> None:
    ballistic = {e.slug for e in EXERCISES if "ballistic" in e.caution_tags}
    overhead = {e.slug for e in EXERCISES if "overhead_load" in e.caution_tags}
    assert ballistic == {"kettlebell-swing"}
    assert {"turkish-get-up", "kettlebell-overhead-press"} <= overhead
    # Caution tags flag load, end-range neck work or neural tension: nothing unloaded gets a
    # load tag.
    for exercise in EXERCISES:
        load_tags = set(exercise.caution_tags) - {"end_range_neck", "neural_tension"}
        assert not load_tags or _loaded(exercise), exercise.slug


# --- Templates ----------------------------------------------------------------------------------


def test_there_are_at_least_three_templates_with_unique_slugs() -> None:
    slugs = _ids(TEMPLATES)
    assert len(slugs) >= 3
    assert len(slugs) == len(set(slugs))
    assert {
        "desk-posture-mobility",
        "upper-back-kettlebell-foundations",
        "return-to-lifting",
    } <= set(slugs)


@pytest.mark.parametrize("template", TEMPLATES, ids=_ids(TEMPLATES))
class TestTemplate:
    def test_has_its_text_and_references_library_exercises(self, template: Template) -> None:
        assert isinstance(template, Template)
        assert SLUG.match(template.slug)
        for field in ("name", "summary", "for_whom"):
            assert isinstance(getattr(template, field), str) and getattr(template, field).strip(), (
                field
            )
        assert template.sources and set(template.sources) <= set(SOURCES)
        for phase in template.phases:
            assert isinstance(phase, Phase)
            assert isinstance(phase.name, str) and phase.name.strip()
            assert isinstance(phase.goal, str) and phase.goal.strip()
            assert isinstance(phase.weeks, int) and phase.weeks >= 1
            assert phase.advance in {"auto", "clinician"}
            assert phase.exercises
            for dose in phase.exercises:
                assert isinstance(dose, Dose) and dose.slug in BY_SLUG

    def test_lasts_six_weeks(self, template: Template) -> None:
        assert sum(phase.weeks for phase in template.phases) == 6

    def test_every_move_to_a_new_phase_falls_on_a_check_in(self, template: Template) -> None:
        week = 0
        for phase in template.phases:
            week += phase.weeks
            assert week in CHECK_IN_WEEKS

    def test_first_phase_starts_without_waiting_for_a_clinician(self, template: Template) -> None:
        assert template.phases[0].advance == "auto"

    def test_uses_only_library_exercises_once_per_phase(self, template: Template) -> None:
        for phase in template.phases:
            slugs = _ids(phase.exercises)
            assert set(slugs) <= set(BY_SLUG)
            assert len(slugs) == len(set(slugs))

    def test_doses_are_sensible(self, template: Template) -> None:
        for _, _, dose in _doses(template):
            exercise = BY_SLUG[dose.slug]
            assert 2 <= dose.sets <= 3, dose
            assert 2 <= dose.days_per_week <= 5, dose
            # Same kind of dose as the exercise: reps for a rep exercise, a hold for a hold.
            assert (dose.reps is None) == (exercise.reps is None), dose
            assert (dose.hold_seconds is None) == (exercise.hold_seconds is None), dose
            if dose.reps is not None:
                low = 3 if dose.slug in LOW_REP_SKILL_LIFTS else 6
                assert low <= dose.reps <= 15, dose
            else:
                assert 20 <= dose.hold_seconds <= 45, dose

    def test_loads_are_in_range_and_in_kettlebell_steps(self, template: Template) -> None:
        for _, _, dose in _doses(template):
            exercise = BY_SLUG[dose.slug]
            if not _loaded(exercise):
                assert dose.load_kg is None, dose
                continue
            load = dose.load_kg
            assert isinstance(load, float), dose
            assert exercise.load_min_kg <= load <= exercise.load_max_kg, dose
            assert (load - exercise.load_min_kg) % exercise.load_step_kg == 0, dose

    def test_loads_never_go_down_in_a_later_phase(self, template: Template) -> None:
        latest: dict[str, float] = {}
        for _, _, dose in _doses(template):
            if dose.load_kg is None:
                continue
            assert dose.load_kg >= latest.get(dose.slug, 0.0), dose
            latest[dose.slug] = dose.load_kg

    def test_ballistic_or_overhead_work_waits_for_a_clinician(self, template: Template) -> None:
        for index, phase, dose in _doses(template):
            tags = set(BY_SLUG[dose.slug].caution_tags)
            if tags & {"ballistic", "overhead_load"}:
                assert index > 0, dose
                assert phase.advance == "clinician", dose


def _template_tags(slug: str) -> set[str]:
    return {
        tag
        for _, _, dose in _doses(TEMPLATES_BY_SLUG[slug])
        for tag in BY_SLUG[dose.slug].caution_tags
    }


def test_desk_posture_mobility_has_no_caution_tags_and_no_load() -> None:
    template = TEMPLATES_BY_SLUG["desk-posture-mobility"]
    assert _template_tags("desk-posture-mobility") == set()
    for _, _, dose in _doses(template):
        assert dose.load_kg is None
        assert not _loaded(BY_SLUG[dose.slug])
        assert "band" not in BY_SLUG[dose.slug].equipment.lower()


def test_kettlebell_foundations_builds_up_without_swings_or_overhead_work() -> None:
    template = TEMPLATES_BY_SLUG["upper-back-kettlebell-foundations"]
    assert not _template_tags(template.slug) & {"ballistic", "overhead_load"}
    used = {dose.slug for _, _, dose in _doses(template)}
    assert {
        "kettlebell-one-arm-row",
        "kettlebell-reverse-fly",
        "kettlebell-single-arm-deadlift",
        "kettlebell-suitcase-carry",
    } <= used
    first = {d.slug: d.load_kg for d in template.phases[0].exercises}
    last = {d.slug: d.load_kg for d in template.phases[-1].exercises}
    assert last["kettlebell-one-arm-row"] > first["kettlebell-one-arm-row"]
    assert last["kettlebell-single-arm-deadlift"] > first["kettlebell-single-arm-deadlift"]
    # Starting loads are novice loads.
    assert first["kettlebell-one-arm-row"] <= 8.0
    assert first["kettlebell-single-arm-deadlift"] <= 12.0


def test_return_to_lifting_brings_back_swings_get_ups_and_pressing_only_with_a_clinician() -> None:
    template = TEMPLATES_BY_SLUG["return-to-lifting"]
    first, *_, last = template.phases
    assert last.advance == "clinician"
    assert {"kettlebell-swing", "turkish-get-up", "kettlebell-overhead-press"} <= set(
        _ids(last.exercises)
    )
    early = {dose.slug for phase in template.phases[:-1] for dose in phase.exercises}
    assert not {
        slug for slug in early if set(BY_SLUG[slug].caution_tags) & {"ballistic", "overhead_load"}
    }
    assert first.advance == "auto"


def test_the_library_knows_the_same_caution_tags_as_the_clash_rules() -> None:
    assert tuple(CAUTION_TAGS) == caution.TAGS
