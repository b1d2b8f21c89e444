"""The prescribing page as a clinician uses it: caution clashes grouped by exercise in words, one
choice for all of them, and the start date tomorrow in the clinic's time zone. And the patient's
session log, which refuses a day before the programme starts."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from programmes import links, prescribing
from programmes.core import caution
from programmes.models import (
    Exercise,
    Programme,
    ProgrammeExercise,
    ProgrammeTemplate,
    SessionLog,
)
from tests.programmes.helpers import KETTLEBELL, self_care_intake
from tests.programmes.test_clinician_pages import FLEXION, _post_data, _prescribe_url, _step_two
from tests.programmes.test_patient_pages import session_post
from tests.support.clock import Clock
from tests.support.error_summary import described_by, invalid_fields, summary_links
from triage.models import Case

pytestmark = pytest.mark.django_db


def _fragile_bone_case() -> Case:
    return self_care_intake(osteoporosis=True, long_term_steroids=True).assessment.case


def test_every_caution_tag_and_answer_it_clashes_with_has_words() -> None:
    assert set(prescribing.CAUTION_TAG_WORDS) == set(caution.TAGS)
    fields = {clash.field for clashes in caution.CLASHES.values() for clash in clashes}
    assert set(prescribing.CLASH_FIELD_WORDS) == fields
    assert all("_" not in str(words) for words in prescribing.CAUTION_TAG_WORDS.values())
    assert all("_" not in str(words) for words in prescribing.CLASH_FIELD_WORDS.values())


def test_clashes_are_one_block_per_exercise_listing_all_its_clashes_in_words(
    clinician_client: Client,
) -> None:
    # Given osteoporosis and long-term steroids, and a kettlebell programme whose three
    # forward-bent lifts come in each of its three phases
    case = _fragile_bone_case()

    # When the clinician opens step 2
    step_two = _step_two(clinician_client, case)

    # Then each lift has one block, naming its phases, with both its clashes in words
    groups = step_two.context["clash_groups"]
    assert {group.exercise.slug for group in groups} == FLEXION
    assert all([p.position for p in group.phases] == [1, 2, 3] for group in groups)
    assert all(
        [(str(c.tag), str(c.field)) for c in group.clashes]
        == [
            ("loaded bending of the spine", "osteoporosis or a fragility fracture"),
            ("loaded bending of the spine", "long-term steroid use"),
        ]
        for group in groups
    )
    html = step_two.content.decode()
    assert html.count('class="exercise-clashes') == 3
    assert "loaded bending of the spine \u00d7 long-term steroid use:" in html
    assert "loaded_spinal_flexion" not in html and "long_term_steroids" not in html
    # one choice for them all, not a note per row
    assert 'name="clash_choice"' in html and html.count('name="clash_note"') == 1
    assert "-clash_note" not in html


def test_removing_every_clashing_exercise_is_one_choice(clinician_client: Client) -> None:
    case = _fragile_bone_case()
    data = _post_data(_step_two(clinician_client, case)) | {"clash_choice": "remove"}

    response = clinician_client.post(_prescribe_url(case), data)

    assert response.status_code == 302
    rows = ProgrammeExercise.objects.filter(phase__programme__case=case)
    assert rows.exists()
    assert not rows.filter(exercise__slug__in=FLEXION).exists()


def test_keeping_every_clashing_exercise_takes_one_note(clinician_client: Client) -> None:
    case = _fragile_bone_case()
    note = "DEXA reviewed; taught on a bench with a neutral spine"
    data = _post_data(_step_two(clinician_client, case)) | {
        "clash_choice": "keep",
        "clash_note": note,
    }

    response = clinician_client.post(_prescribe_url(case), data)

    assert response.status_code == 302
    kept = ProgrammeExercise.objects.filter(phase__programme__case=case, exercise__slug__in=FLEXION)
    assert kept.count() == 9
    assert {row.clash_note for row in kept} == {note}
    assert all(
        row.clashes
        == ["loaded_spinal_flexion:osteoporosis", "loaded_spinal_flexion:long_term_steroids"]
        for row in kept
    )


@pytest.mark.parametrize(
    ("choice", "error"),
    [
        ({}, "Choose: remove the exercises that clash, or keep them and say why."),
        ({"clash_choice": "keep", "clash_note": "  "}, "Say why the exercises that clash stay."),
    ],
)
def test_clashes_without_a_choice_or_a_reason_are_refused_beside_the_choice(
    clinician_client: Client, choice: dict[str, str], error: str
) -> None:
    case = _fragile_bone_case()
    data = _post_data(_step_two(clinician_client, case), note="Go gently.") | choice

    response = clinician_client.post(_prescribe_url(case), data)

    assert response.status_code == 400
    assert not Programme.objects.exists()
    html = response.content.decode()
    block = html[html.index('id="clash-choice"') :]
    assert error in block[: block.index("</section>")]
    assert "Go gently." in html


# Tue 30 Jun 2026, 23:30 UTC: already 00:30 on Wednesday 1 July in London.
JUST_PAST_MIDNIGHT_IN_LONDON = datetime(2026, 6, 30, 23, 30, tzinfo=UTC)


@pytest.mark.parametrize("clock", [JUST_PAST_MIDNIGHT_IN_LONDON], indirect=True)
def test_the_start_date_defaults_to_tomorrow_in_the_clinics_time_zone(
    clock: Clock, clinician_client: Client
) -> None:
    case = self_care_intake(duration_days=42).assessment.case

    response = clinician_client.get(_prescribe_url(case))

    assert response.context["form"]["start"].value() == date(2026, 7, 2)
    assert 'value="2026-07-02"' in response.content.decode()


@pytest.mark.parametrize("clock", [JUST_PAST_MIDNIGHT_IN_LONDON], indirect=True)
def test_a_session_before_the_programme_starts_is_refused_beside_the_day(
    clock: Clock, client: Client, clinician: User
) -> None:
    # Given a programme that starts in three days' time
    case = self_care_intake().assessment.case
    starts = timezone.localdate() + timedelta(days=3)
    programme = prescribing.prescribe_programme(
        case_id=case.pk,
        clinician=clinician,
        template_id=ProgrammeTemplate.objects.get(slug=KETTLEBELL).pk,
        start_date=starts,
    )
    clock.advance(timedelta(days=4))
    the_day_before = starts - timedelta(days=1)

    # When the patient logs a session on the day before it started
    response = client.post(
        reverse("programmes:log_session", args=[links.page_token(programme)]),
        session_post(programme, performed_on=the_day_before.isoformat(), note="Felt fine"),
    )

    # Then it is refused beside the day, with what they wrote kept
    assert response.status_code == 400
    assert not SessionLog.objects.exists()
    html = response.content.decode()
    field = html[
        html.index('id="id_performed_on"') - 2000 : html.index('id="id_performed_on"') + 2000
    ]
    assert "That day is before your programme started: it starts on Saturday 4 July 2026." in field
    assert f'value="{the_day_before.isoformat()}"' in html
    assert "Felt fine" in html
    # and the day it starts is fine
    ok = client.post(
        reverse("programmes:log_session", args=[links.page_token(programme)]),
        session_post(programme, performed_on=starts.isoformat()),
    )
    assert ok.status_code == 302
    assert SessionLog.objects.get().performed_on == starts


def _text_of(html: str, element_id: str) -> str:
    found = re.search(rf'id="{re.escape(element_id)}"[^>]*>(.*?)</', html, re.S)
    assert found is not None, element_id
    return " ".join(found.group(1).split())


def test_each_dose_input_is_described_by_its_exercise_and_by_its_error(
    clinician_client: Client,
) -> None:
    case = self_care_intake().assessment.case
    step_two = _step_two(clinician_client, case)
    html = step_two.content.decode()
    forms = step_two.context["formset"].forms
    names = dict(Exercise.objects.values_list("pk", "name"))
    slugs = dict(Exercise.objects.values_list("pk", "slug"))

    # Each dose input is described by its exercise's name, and nothing is marked before a submit
    for form in forms:
        assert _text_of(html, form.name_id) == names[form.initial["exercise"]]
        for field in form.dose_fields():
            assert described_by(html, field.auto_id) == [form.name_id]
    assert invalid_fields(html) == []

    # When one exercise's sets are refused and another has neither repetitions nor a hold
    first, second = forms[0].initial["exercise"], forms[1].initial["exercise"]
    assert first != second
    refused = clinician_client.post(
        _prescribe_url(case),
        _post_data(
            step_two,
            **{
                slugs[first].replace("-", "_"): {"sets": "0"},
                slugs[second].replace("-", "_"): {"reps": "", "hold_seconds": ""},
            },
        ),
    )
    assert refused.status_code == 400
    html = refused.content.decode()
    forms = refused.context["formset"].forms
    links = dict(summary_links(refused.content))

    # Then each refused input is described by its name and its own message, and marked invalid
    seen = {first: 0, second: 0}
    for form in forms:
        exercise = int(form["exercise"].value())
        if exercise in seen:
            seen[exercise] += 1
        if exercise == first:
            sets = form["sets"]
            assert described_by(html, sets.auto_id) == [form.name_id, f"{sets.auto_id}_error"]
            assert "greater than or equal to 1" in _text_of(html, f"{sets.auto_id}_error")
            assert sets.auto_id in links
        elif exercise == second:
            for name in ("reps", "hold_seconds"):
                assert described_by(html, form[name].auto_id) == [form.name_id, form.errors_id]
            assert _text_of(html, form.errors_id) == "Give repetitions or a hold time."
            assert links[form["reps"].auto_id].endswith("Give repetitions or a hold time.")
    assert seen[first] and seen[second]
    marked = set(invalid_fields(html))
    assert marked and all(name.startswith("id_ex-") for name in marked)
