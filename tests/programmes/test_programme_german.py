"""German for the programme data: a template's name and summary and each phase's name and goal
have a German twin (programmes/core/library_de.py for the seeded templates, the admin for a
clinic's), copied with the English when a programme is prescribed; a German patient's page,
emails and handout show it, an English patient's the English, and a German left blank falls back
to the English. The case page's charts draw their words in the staff member's language.

The German catalogue (locale/de) is translated after merging, so the chart test supplies the
German of its own words to the catalogue Django has loaded, as the catalogue will hold them.
"""

from __future__ import annotations

import importlib
import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import trans_real

from clinic.models import StaffPreferences
from outbox.models import Message
from patients.models import Language
from programmes import check_ins, handout, links, ndi, panels, screen
from programmes.core import charts, library
from programmes.core.library_de import TEMPLATES_GERMAN
from programmes.models import Programme, ProgrammePhase, ProgrammeTemplate, TemplatePhase
from tests.patients.helpers import make_intake, patient_details
from tests.programmes.helpers import DESK, prescribe
from tests.support.two_factor import sign_in

pytestmark = pytest.mark.django_db

GERMAN = TEMPLATES_GERMAN[DESK]
ENGLISH = library.TEMPLATES[[t.slug for t in library.TEMPLATES].index(DESK)]
SNAPSHOT = Path(settings.BASE_DIR, "programmes/migrations/0010_seed_template_german.json")


def _prescribed(receptionist: User, spoken: str) -> Programme:
    intake = make_intake(
        entered_by=receptionist,
        details=patient_details(
            given_name="Greta" if spoken == Language.GERMAN else "Ada",
            email="patient@example.org",
            email_consent=True,
            preferred_language=spoken,
        ),
        duration_days=42,
        pain_score_now=5,
    )
    return prescribe(intake=intake, template=DESK)


@pytest.fixture
def german(receptionist: User) -> Programme:
    return _prescribed(receptionist, Language.GERMAN)


@pytest.fixture
def english(receptionist: User) -> Programme:
    return _prescribed(receptionist, Language.ENGLISH)


def _page(programme: Programme) -> str:
    response = Client().get(links.page_url(programme, absolute=False))
    assert response.status_code == 200
    return response.content.decode()


def _programme_email(programme: Programme) -> Message:
    return Message.objects.get(patient=programme.patient, kind=Message.Kind.PROGRAMME)


def _pdf_text(pdf: bytes) -> str:
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True)
    return " ".join(text.stdout.decode().split())


# --- The German text itself -------------------------------------------------------------------


def test_every_seeded_template_and_phase_has_its_german() -> None:
    assert set(TEMPLATES_GERMAN) == {spec.slug for spec in library.TEMPLATES}
    for spec in library.TEMPLATES:
        german = TEMPLATES_GERMAN[spec.slug]
        assert german.name.strip() and german.summary.strip(), spec.slug
        assert len(german.phases) == len(spec.phases), spec.slug
        for phase in german.phases:
            assert phase.name.strip() and phase.goal.strip(), spec.slug
        # Written for the patient, not copied: no German field is the English one.
        assert german.name != spec.name and german.summary != spec.summary


def test_the_migrated_templates_hold_the_german() -> None:
    for template in ProgrammeTemplate.objects.filter(slug__in=list(TEMPLATES_GERMAN)):
        german = TEMPLATES_GERMAN[template.slug]
        assert (template.name_de, template.summary_de) == (german.name, german.summary)
        phases = template.phases.order_by("position")
        assert [(p.name_de, p.goal_de) for p in phases] == [(p.name, p.goal) for p in german.phases]


def test_the_migrations_snapshot_is_the_german_as_it_was_written() -> None:
    rows = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    assert set(rows) == set(TEMPLATES_GERMAN)
    for slug, row in rows.items():
        german = TEMPLATES_GERMAN[slug]
        assert (row["name"], row["summary"]) == (german.name, german.summary)
        assert [(p["name"], p["goal"]) for p in row["phases"]] == [
            (p.name, p.goal) for p in german.phases
        ]


def test_the_text_is_the_german_for_german_and_the_english_otherwise() -> None:
    template = ProgrammeTemplate.objects.get(slug=DESK)
    assert template.text_in("de").name == GERMAN.name
    assert template.text_in("de").summary == GERMAN.summary
    assert template.text_in("en-gb").name == template.name == ENGLISH.name
    assert template.text_in("pl").summary == ENGLISH.summary
    with translation.override("de"):
        assert str(template.text) == GERMAN.name
    template.summary_de = " "
    assert template.text_in("de").summary == ENGLISH.summary
    with pytest.raises(AttributeError):
        _ = template.text_in("de").for_whom  # the clinician's text has no German twin


# --- Prescribing ------------------------------------------------------------------------------


def test_prescribing_copies_both_languages(german: Programme) -> None:
    assert (german.name, german.name_de) == (ENGLISH.name, GERMAN.name)
    phases = list(german.phases.order_by("position"))
    assert [(p.name, p.goal) for p in phases] == [(p.name, p.goal) for p in ENGLISH.phases]
    assert [(p.name_de, p.goal_de) for p in phases] == [(p.name, p.goal) for p in GERMAN.phases]


def test_a_later_change_to_the_templates_german_leaves_the_prescribed_copy(
    german: Programme,
) -> None:
    TemplatePhase.objects.filter(template__slug=DESK, position=1).update(goal_de="Neu")
    ProgrammeTemplate.objects.filter(slug=DESK).update(name_de="Neu")

    german.refresh_from_db()
    assert german.text_in("de").name == GERMAN.name
    assert german.phases.get(position=1).text_in("de").goal == GERMAN.phases[0].goal


# --- What the patient reads -------------------------------------------------------------------


def test_a_german_patients_page_shows_the_german_names_and_goals(german: Programme) -> None:
    html = _page(german)
    assert GERMAN.name in html and ENGLISH.name not in html
    assert GERMAN.summary in html and ENGLISH.summary not in html
    for phase_de, phase_en in zip(GERMAN.phases, ENGLISH.phases, strict=True):
        assert phase_de.name in html and phase_de.goal in html
        assert phase_en.name not in html and phase_en.goal not in html


def test_an_english_patients_page_shows_the_english(english: Programme) -> None:
    html = _page(english)
    assert ENGLISH.name in html and ENGLISH.summary in html
    for phase_de, phase_en in zip(GERMAN.phases, ENGLISH.phases, strict=True):
        assert phase_en.name in html and phase_en.goal in html
        assert phase_de.name not in html and phase_de.goal not in html
    assert GERMAN.name not in html


def test_a_german_patient_who_switches_to_english_reads_the_english(german: Programme) -> None:
    client = Client()
    path = links.page_url(german, absolute=False)
    client.post(reverse("patient_language"), {"language": "en-gb", "next": path})
    html = client.get(path).content.decode()
    assert ENGLISH.name in html and ENGLISH.phases[0].goal in html
    assert GERMAN.name not in html


def test_a_german_patients_email_shows_the_german_names(german: Programme) -> None:
    message = _programme_email(german)
    for body in (message.body_text, message.body_html):
        assert GERMAN.name in body and ENGLISH.name not in body
        for phase_de, phase_en in zip(GERMAN.phases, ENGLISH.phases, strict=True):
            assert phase_de.name in body and phase_en.name not in body


def test_an_english_patients_email_shows_the_english_names(english: Programme) -> None:
    message = _programme_email(english)
    assert ENGLISH.name in message.body_text and GERMAN.name not in message.body_text
    for phase_de, phase_en in zip(GERMAN.phases, ENGLISH.phases, strict=True):
        assert phase_en.name in message.body_text and phase_de.name not in message.body_text


def test_a_german_patients_handout_shows_the_german_names_and_goals(german: Programme) -> None:
    text = _pdf_text(handout.render_pdf(german))
    assert GERMAN.name in text and ENGLISH.name not in text
    for phase_de, phase_en in zip(GERMAN.phases, ENGLISH.phases, strict=True):
        assert phase_de.name in text and " ".join(phase_de.goal.split()[:5]) in text
        assert phase_en.goal not in text


def test_an_english_patients_handout_shows_the_english(english: Programme) -> None:
    text = _pdf_text(handout.render_pdf(english))
    assert ENGLISH.name in text and GERMAN.name not in text
    assert " ".join(ENGLISH.phases[0].goal.split()[:5]) in text


def test_a_german_left_blank_by_the_clinic_shows_the_english(receptionist: User) -> None:
    # Given a clinic that wrote no German for the first phase's goal or the template's name
    ProgrammeTemplate.objects.filter(slug=DESK).update(name_de="", summary_de="")
    TemplatePhase.objects.filter(template__slug=DESK, position=1).update(goal_de="")

    # When a German patient is prescribed it
    programme = _prescribed(receptionist, Language.GERMAN)

    # Then they read the English where the German is blank, and the German elsewhere
    html = _page(programme)
    assert ENGLISH.name in html and ENGLISH.summary in html
    assert ENGLISH.phases[0].goal in html and GERMAN.phases[0].name in html
    assert GERMAN.phases[1].goal in html and ENGLISH.phases[1].goal not in html
    email = _programme_email(programme).body_text
    assert ENGLISH.name in email and GERMAN.phases[0].name in email
    text = _pdf_text(handout.render_pdf(programme))
    assert ENGLISH.name in text and " ".join(ENGLISH.phases[0].goal.split()[:5]) in text


# --- The migration's copy to programmes prescribed before it -----------------------------------


def test_the_migration_gives_an_unchanged_copy_the_templates_german(german: Programme) -> None:
    migration = importlib.import_module("programmes.migrations.0010_seed_template_german")
    # Given programmes prescribed before the German existed: one as the template said, one whose
    # first phase a clinician renamed
    renamed = ProgrammePhase.objects.filter(programme=german, position=1)
    Programme.objects.filter(pk=german.pk).update(name_de="")
    ProgrammePhase.objects.filter(programme=german).update(name_de="", goal_de="")
    renamed.update(name="Our own start")

    migration.copy_to_programmes(apps, None)

    german.refresh_from_db()
    assert german.name_de == GERMAN.name
    phases = list(german.phases.order_by("position"))
    assert (phases[0].name_de, phases[0].goal_de) == ("", "")
    assert [(p.name_de, p.goal_de) for p in phases[1:]] == [
        (p.name, p.goal) for p in GERMAN.phases[1:]
    ]


def test_the_migration_keeps_a_clinics_own_german() -> None:
    migration = importlib.import_module("programmes.migrations.0010_seed_template_german")
    ProgrammeTemplate.objects.filter(slug=DESK).update(name_de="Unser Programm", summary_de="")
    TemplatePhase.objects.filter(template__slug=DESK, position=2).update(name_de="", goal_de="")

    migration.seed(apps, None)

    template = ProgrammeTemplate.objects.get(slug=DESK)
    assert (template.name_de, template.summary_de) == ("Unser Programm", "")
    second = template.phases.get(position=2)
    assert (second.name_de, second.goal_de) == (GERMAN.phases[1].name, GERMAN.phases[1].goal)


# --- The admin --------------------------------------------------------------------------------


def test_the_admin_edits_both_languages_of_a_template_and_its_phases(
    admin_client_: Client,
) -> None:
    template = ProgrammeTemplate.objects.get(slug=DESK)
    html = admin_client_.get(
        reverse("admin:programmes_programmetemplate_change", args=[template.pk])
    ).content.decode()
    for field in ("name", "name_de", "summary", "summary_de", "for_whom"):
        assert f'name="{field}"' in html, field
    assert 'name="phases-0-name_de"' in html and 'name="phases-0-goal_de"' in html
    phase = template.phases.get(position=1)
    html = admin_client_.get(
        reverse("admin:programmes_templatephase_change", args=[phase.pk])
    ).content.decode()
    assert 'name="name_de"' in html and 'name="goal_de"' in html


# --- The case page's charts -------------------------------------------------------------------

CHART_WORDS_DE = {
    "Wk %(week)s": "Wo. %(week)s",
    "Start: %(value)s/10": "Beginn: %(value)s/10",
    "Improved: %(value)s/10 or less": "Besser: %(value)s/10 oder weniger",
    "Worse: %(value)s/10 or more re-enters triage": "Schlechter: ab %(value)s/10 zurück zur Triage",
    "Start: %(value)s/50": "Beginn: %(value)s/50",
    "Improved: %(value)s/50 or less": "Besser: %(value)s/50 oder weniger",
}


@pytest.fixture
def german_chart_words() -> Iterator[None]:
    """The chart's words in the German catalogue Django has loaded, as locale/de will hold them
    once translated; taken out again afterwards."""
    catalogue = trans_real.translation("de")._catalog
    before = {msgid: catalogue.get(msgid) for msgid in CHART_WORDS_DE}
    for msgid, msgstr in CHART_WORDS_DE.items():
        catalogue[msgid] = msgstr
    yield
    for msgid, msgstr in before.items():
        if msgstr is None:
            del catalogue._catalogs[0][msgid]
        else:
            catalogue[msgid] = msgstr


def _answered(programme: Programme) -> None:
    check_ins.complete_check_in(
        programme_id=programme.pk,
        week=0,
        pain=4,
        sessions_done=None,
        ndi_answers={section.key: 2 for section in ndi.SECTIONS},
        screen_answers=dict.fromkeys(screen.SCREEN_FIELDS, False),
    )


def test_the_case_page_charts_are_in_german_for_a_german_member_of_staff(
    clinician: User, english: Programme, german_chart_words: None
) -> None:
    _answered(english)
    StaffPreferences.objects.create(user=clinician, language="de")
    client = sign_in(Client(), clinician)

    html = client.get(english.case.get_absolute_url()).content.decode()

    assert '<html lang="de">' in html
    assert ">Wo. 0</text>" in html and ">Wo. 6</text>" in html
    assert "Besser: 2/10 oder weniger" in html and "Besser: 15/50 oder weniger" in html
    assert "Schlechter: ab 6/10 zurück zur Triage" in html
    for english_word in ("Wk 0", "Improved:", "or more re-enters triage"):
        assert english_word not in html, english_word
    # Staff pages are in the staff member's language: the programme's German name here too.
    assert GERMAN.name in html


def test_the_case_page_charts_are_in_english_for_an_english_member_of_staff(
    clinician_client: Client, german: Programme, german_chart_words: None
) -> None:
    _answered(german)

    html = clinician_client.get(german.case.get_absolute_url()).content.decode()

    assert ">Wk 0</text>" in html and "Improved: 15/50 or less" in html
    assert "Worse: 6/10 or more re-enters triage" in html
    assert "Wo. 0" not in html and "Besser:" not in html
    # A German patient's programme, read by English-speaking staff: its English name.
    assert ENGLISH.name in html and GERMAN.name not in html


def test_the_charts_numbers_take_the_languages_decimal_mark() -> None:
    # Given the labels and the chart of a page in German (one request, one language)
    with translation.override("de"):
        chart = charts.ndi_chart(
            [charts.Reading(week=0, ndi_points=18.5)], weeks=[0, 6], labels=panels.chart_labels()
        )
    assert chart.baseline is not None and "18,5/50" in chart.baseline.label
    assert chart.improved is not None and "13,5/50" in chart.improved.label
    english = charts.ndi_chart([charts.Reading(week=0, ndi_points=18.5)], weeks=[0, 6])
    assert english.baseline is not None and english.baseline.label == "Start: 18.5/50"
