"""Programmes answer every input clearly: a check-in with a red flag always reaches triage, a start
date the calendar cannot schedule is refused with a message, a refused step 2 keeps everything
the clinician typed, and free text that could hide or reverse what another person reads is
refused beside its field."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from outbox.models import Message
from patients.models import Intake
from programmes import check_ins, screen
from programmes.models import Exercise, Programme, ProgrammeExercise, ProgrammeTemplate
from programmes.ndi import SECTIONS
from programmes.prescribing import START_AT_MOST_DAYS_AHEAD
from tests.patients.helpers import make_intake, make_user, patient_details
from tests.programmes.helpers import DESK, KETTLEBELL, prescribe, self_care_intake
from triage.models import Case, Urgency
from triage.rules.contract import QUESTIONS_BY_NAME

pytestmark = pytest.mark.django_db

RIGHT_TO_LEFT_OVERRIDE = "\u202e"
ZERO_WIDTH_SPACE = "\u200b"
DURATION_CAP = QUESTIONS_BY_NAME["duration_days"].maximum
OLDEST = QUESTIONS_BY_NAME["age"].maximum
assert DURATION_CAP == 36500 and OLDEST == 125


def _no_flags(**yes: bool) -> dict[str, bool]:
    return {field: False for field in screen.SCREEN_FIELDS} | yes


def _week_one(programme: Programme, **screen_answers: bool) -> check_ins.CheckInResult:
    check_in = programme.check_ins.get(week=1)
    return check_ins.complete_check_in(
        programme_id=programme.pk,
        week=1,
        pain=5,
        sessions_done=3,
        ndi_answers={s.key: 2 for s in SECTIONS} if check_in.asks_ndi else None,
        screen_answers=_no_flags(**screen_answers),
        now=check_in.due_at + timedelta(minutes=5),
    )


# --- A check-in re-entering triage never fails the contract ------------------------------------


def test_a_red_flag_reaches_triage_when_the_pain_has_lasted_as_long_as_the_contract_allows() -> (
    None
):
    # Given a programme prescribed from an intake whose pain had lasted three days short of the
    # contract's cap (a week of programme later, the sum passes it)
    programme = prescribe(start=timezone.localdate(), duration_days=DURATION_CAP - 3, age=100)
    assert programme.intake_answers["duration_days"] == DURATION_CAP - 3

    # When the week-1 check-in reports arm weakness getting worse
    result = _week_one(programme, progressive_limb_weakness=True)

    # Then it reaches triage, its duration held at the cap, and the clinicians are alerted
    intake = Intake.objects.get(source=Intake.Source.CHECK_IN)
    assert intake.answers["duration_days"] == DURATION_CAP
    assert intake.answers["progressive_limb_weakness"] is True
    assert result.urgency is not None and result.urgency >= Urgency.URGENT
    case = Case.objects.get(pk=programme.case_id)
    assert case.status == Case.Status.OPEN and case.urgency == result.urgency
    assert Message.objects.filter(kind=Message.Kind.CLINICIAN_ALERT, case=case).exists()


def test_a_red_flag_reaches_triage_when_the_patient_has_passed_the_contracts_oldest_age() -> None:
    # Given a patient whose date of birth makes them older today than the contract's oldest age
    born = date(timezone.localdate().year - OLDEST - 1, 1, 1)
    intake = make_intake(
        entered_by=make_user(role="reception"),
        details=patient_details(date_of_birth=born, email="old@example.org", email_consent=True),
        age=OLDEST,
        duration_days=42,
    )
    programme = prescribe(start=timezone.localdate(), intake=intake)

    # When their week-1 check-in reports a red flag
    result = _week_one(programme, progressive_limb_weakness=True)

    # Then it reaches triage with the oldest age the contract knows
    check_in_intake = Intake.objects.get(source=Intake.Source.CHECK_IN)
    assert check_in_intake.answers["age"] == OLDEST
    assert result.urgency is not None and result.urgency >= Urgency.URGENT


# --- Prescribing: start dates -----------------------------------------------------------------


@pytest.fixture
def case() -> Case:
    return self_care_intake(duration_days=42).assessment.case


def _url(case: Case) -> str:
    return reverse("programmes:prescribe", args=[case.pk])


def _template(slug: str = KETTLEBELL) -> ProgrammeTemplate:
    return ProgrammeTemplate.objects.get(slug=slug)


def _tomorrow() -> str:
    return (timezone.localdate() + timedelta(days=1)).isoformat()


def test_a_start_date_at_the_end_of_the_calendar_is_refused_with_a_message(
    clinician_client: Client, case: Case
) -> None:
    response = clinician_client.get(_url(case), {"template": _template().pk, "start": "9999-12-31"})

    assert response.status_code == 400
    assert response.context["step"] == 1
    assert "more than a year ahead" in " ".join(response.context["form"].errors["start"])


@pytest.mark.parametrize(
    ("days_ahead", "accepted"),
    [(START_AT_MOST_DAYS_AHEAD, True), (START_AT_MOST_DAYS_AHEAD + 1, False)],
)
def test_a_programme_starts_at_most_a_year_ahead_in_the_clinics_own_calendar(
    clinician_client: Client, case: Case, days_ahead: int, accepted: bool
) -> None:
    start = timezone.localdate() + timedelta(days=days_ahead)
    response = clinician_client.get(
        _url(case), {"template": _template().pk, "start": start.isoformat()}
    )
    assert response.context["step"] == (2 if accepted else 1)


@pytest.mark.parametrize(
    "start",
    ["2026-02-30", "\u0662\u0660\u0662\u0666-\u0661\u0663-\u0660\u0661", "x" * 500, "\x00", "²"],
)
def test_a_start_date_that_is_no_date_is_refused_with_a_message(
    clinician_client: Client, case: Case, start: str
) -> None:
    response = clinician_client.get(_url(case), {"template": _template().pk, "start": start})
    assert response.status_code == 400
    assert "Enter the start date as a real date" in response.content.decode()


@pytest.mark.parametrize("template", ["\x00", "²", "99999999999999999999", "-1", "\u0661", "[1]"])
def test_a_template_that_is_no_template_is_refused_with_a_message(
    clinician_client: Client, case: Case, template: str
) -> None:
    response = clinician_client.get(_url(case), {"template": template, "start": _tomorrow()})
    assert response.status_code == 400
    assert "Choose a programme." in response.content.decode()


# --- Prescribing: a refused step 2 keeps everything typed -------------------------------------


def _step_two(client: Client, case: Case, slug: str = KETTLEBELL) -> HttpResponse:
    response = client.get(_url(case), {"template": _template(slug).pk, "start": _tomorrow()})
    assert response.context["step"] == 2
    return response


def _post_data(response: HttpResponse, **rows: dict[str, Any]) -> dict[str, str]:
    """Step 2 as the browser sends it, with `rows` changed by exercise slug (every phase)."""
    form, formset = response.context["form"], response.context["formset"]
    slugs = dict(Exercise.objects.values_list("pk", "slug"))
    data = {"template": str(form["template"].value()), "start": str(form["start"].value())}
    management = formset.management_form
    for name in ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS"):
        data[management.add_prefix(name)] = str(management[name].value())
    for row in formset.forms:
        values = dict(row.initial) | rows.get(slugs[row.initial["exercise"]], {})
        for name in row.fields:
            value = values.get(name)
            if name == "keep":
                if value:
                    data[row.add_prefix(name)] = "on"
            elif value is not None:
                data[row.add_prefix(name)] = str(value)
    return data


def _rows(response: HttpResponse, slug: str) -> list[Any]:
    return [
        row.form
        for phase in response.context["phases"]
        for row in phase.rows
        if row.planned.exercise.slug == slug
    ]


def test_a_start_date_refused_on_step_two_keeps_every_dose_edit_and_the_note(
    clinician_client: Client, case: Case
) -> None:
    # Given step 2 filled in: a dose, a load, an exercise removed and a note
    step_two = _step_two(clinician_client, case)
    data = _post_data(
        step_two,
        **{
            "band-pull-apart": {"sets": 5, "reps": 12},
            "kettlebell-one-arm-row": {"load_kg": "10.5"},
            "open-book": {"keep": False},
        },
    )
    data["note"] = "Start with the lightest bell."
    # When the start date it carries is refused (the clinic's calendar moved on overnight)
    data["start"] = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = clinician_client.post(_url(case), data)

    # Then the page stays on step 2, the error beside the start date, everything as typed
    assert response.status_code == 400
    assert response.context["step"] == 2
    form = response.context["form"]
    assert form.errors["start"] == ["The start date is in the past."]
    html = response.content.decode()
    assert 'id="start-refused"' in html and 'type="date"' in html
    assert "Start with the lightest bell." in html
    assert all(
        f["sets"].value() == "5" and f["reps"].value() == "12"
        for f in _rows(response, "band-pull-apart")
    )
    assert all(f["load_kg"].value() == "10.5" for f in _rows(response, "kettlebell-one-arm-row"))
    assert all(not f["keep"].value() for f in _rows(response, "open-book"))
    assert all(f["keep"].value() for f in _rows(response, "band-pull-apart"))
    assert not Programme.objects.exists()

    # And with the start corrected on step 2 itself, it is prescribed as typed
    data["start"] = _tomorrow()
    assert clinician_client.post(_url(case), data).status_code == 302
    programme = Programme.objects.get(case=case)
    assert programme.note == "Start with the lightest bell."
    exercises = ProgrammeExercise.objects.filter(phase__programme=programme)
    assert not exercises.filter(exercise__slug="open-book").exists()
    assert {(e.sets, e.reps) for e in exercises.filter(exercise__slug="band-pull-apart")} == {
        (5, 12)
    }


def test_a_start_date_at_the_end_of_the_calendar_posted_on_step_two_is_refused_there(
    clinician_client: Client, case: Case
) -> None:
    data = _post_data(_step_two(clinician_client, case, DESK))
    data |= {"start": "9999-12-31", "note": "Every morning."}

    response = clinician_client.post(_url(case), data)

    assert response.status_code == 400
    assert response.context["step"] == 2
    assert "more than a year ahead" in " ".join(response.context["form"].errors["start"])
    assert "Every morning." in response.content.decode()


def test_a_management_form_claiming_more_rows_than_were_sent_is_refused_not_a_crash(
    clinician_client: Client, case: Case
) -> None:
    data = _post_data(_step_two(clinician_client, case, DESK))
    data["ex-TOTAL_FORMS"] = str(int(data["ex-TOTAL_FORMS"]) + 3)

    response = clinician_client.post(_url(case), data)

    assert response.status_code == 400
    assert "The programme changed in the library while you worked" in response.content.decode()


@pytest.mark.parametrize(
    "note",
    [f"Take it {RIGHT_TO_LEFT_OVERRIDE}easy", ZERO_WIDTH_SPACE * 3, "Rest\x07 well"],
    ids=["right-to-left override", "only invisible characters", "control character"],
)
def test_a_note_to_the_patient_that_could_hide_text_is_refused_beside_it(
    clinician_client: Client, case: Case, note: str
) -> None:
    data = _post_data(_step_two(clinician_client, case, DESK), **{"chin-tuck-desk": {"sets": 4}})
    data["note"] = note

    response = clinician_client.post(_url(case), data)

    assert response.status_code == 400
    assert response.context["step"] == 2
    assert response.context["form"].errors["note"]
    assert all(f["sets"].value() == "4" for f in _rows(response, "chin-tuck-desk"))
    assert not Programme.objects.exists()


def test_a_reason_to_keep_the_clashing_exercises_that_is_only_invisible_is_refused_beside_it(
    clinician_client: Client,
) -> None:
    case = self_care_intake(osteoporosis=True).assessment.case
    data = _post_data(
        _step_two(clinician_client, case),
        **{
            "kettlebell-reverse-fly": {"keep": False},
            "kettlebell-single-arm-deadlift": {"keep": False},
        },
    ) | {"clash_choice": "keep", "clash_note": ZERO_WIDTH_SPACE}

    response = clinician_client.post(_url(case), data)

    assert response.status_code == 400
    assert "Enter visible text" in " ".join(response.context["form"].errors["clash_note"])
    assert all(not f["keep"].value() for f in _rows(response, "kettlebell-reverse-fly"))
    assert not Programme.objects.exists()


# --- Acting on a programme from the case page ---------------------------------------------------


def test_a_stop_reason_with_a_right_to_left_override_is_refused_beside_it_and_kept(
    clinician_client: Client, programme: Programme
) -> None:
    reason = f"Moved {RIGHT_TO_LEFT_OVERRIDE}away"
    response = clinician_client.post(
        reverse("programmes:programme_stop", args=[programme.pk]),
        {f"prg{programme.pk}-stop-reason": reason},
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "Not stopped: Remove the hidden text-direction character" in html
    assert reason in html  # in the form, as typed
    programme.refresh_from_db()
    assert programme.status == Programme.Status.ACTIVE


def test_a_stop_refused_because_the_programme_ended_meanwhile_keeps_the_reason(
    clinician_client: Client, clinician: User, programme: Programme
) -> None:
    # Given the programme stopped from another tab after this page was loaded
    check_ins.stop_programme(programme_id=programme.pk, clinician=clinician, reason="Moved away")

    # When the clinician submits their own reason
    response = clinician_client.post(
        reverse("programmes:programme_stop", args=[programme.pk]),
        {f"prg{programme.pk}-stop-reason": "Prefers to see a physiotherapist"},
    )

    # Then the page says why it was refused, with their reason still in the form
    assert response.status_code == 409
    html = response.content.decode()
    assert "Not stopped:" in html
    assert "Prefers to see a physiotherapist" in html


# --- The patient's own pages -------------------------------------------------------------------


def test_a_session_note_with_a_right_to_left_override_is_refused_beside_it(
    programme: Programme, page_path: str
) -> None:
    client = Client()
    exercises = list(
        ProgrammeExercise.objects.filter(
            phase__programme=programme, phase__position=programme.current_phase
        )
    )
    response = client.post(
        page_path + "session/",
        {
            "performed_on": programme.local_today().isoformat(),
            "felt": "right",
            "note": f"Felt {RIGHT_TO_LEFT_OVERRIDE}fine",
            **{f"done_{item.pk}": "on" for item in exercises},
        },
    )

    assert response.status_code == 400
    assert "Remove the hidden text-direction character" in " ".join(
        response.context["session_form"].errors["note"]
    )
    assert not programme.sessions.exists()
