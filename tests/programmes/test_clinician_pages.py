"""The clinician's programme pages, through the test client: prescribing in two steps (with the
caution clashes and the urgent-case block), approving triage's suggestion from the queue, the
programme on the case page with its check-ins and charts, the actions on it, and the library.
Reception is refused every one of them."""

from __future__ import annotations

import ast
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.http import HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

import triage.views
from outbox.models import Message
from programmes import check_ins, links, ndi, prescribing, reminders, screen
from programmes.models import (
    CheckIn,
    Exercise,
    Programme,
    ProgrammeEvent,
    ProgrammeExercise,
    ProgrammeTemplate,
)
from referrals import services as referrals
from tests.patients.helpers import make_intake, make_user, patient_details
from tests.programmes.helpers import DESK, KETTLEBELL, self_care_intake
from tests.referrals.factories import make_destination
from tests.support.clock import Clock
from tests.support.error_summary import invalid_fields, summary_links
from tests.support.two_factor import sign_in
from triage.models import Case, CaseActivity, CaseDecision, Urgency
from triage.services import discharge_case, override_urgency

pytestmark = pytest.mark.django_db

QUEUE = reverse("triage:queue")
FLEXION = {"kettlebell-one-arm-row", "kettlebell-reverse-fly", "kettlebell-single-arm-deadlift"}
ROW = "kettlebell-one-arm-row"


def _prescribe_url(case: Case) -> str:
    return reverse("programmes:prescribe", args=[case.pk])


def _tomorrow() -> str:
    return (timezone.localdate() + timedelta(days=1)).isoformat()


def _step_two(client: Client, case: Case, slug: str = KETTLEBELL) -> HttpResponse:
    template = ProgrammeTemplate.objects.get(slug=slug)
    response = client.get(_prescribe_url(case), {"template": template.pk, "start": _tomorrow()})
    assert response.status_code == 200
    assert response.context["step"] == 2
    return response


def _post_data(response: HttpResponse, *, note: str = "", **rows: dict[str, Any]) -> dict[str, str]:
    """Step 2's form as the browser would send it unchanged, with `rows` changed by exercise
    slug (every phase): e.g. kettlebell_one_arm_row={"keep": False}."""
    form, formset = response.context["form"], response.context["formset"]
    slugs = dict(Exercise.objects.values_list("pk", "slug"))
    data = {
        "template": str(form["template"].value()),
        "start": str(form["start"].value()),
        "note": note,
    }
    management = formset.management_form
    for name in ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS"):
        data[management.add_prefix(name)] = str(management[name].value())
    for row in formset.forms:
        values = dict(row.initial) | rows.get(slugs[row.initial["exercise"]].replace("-", "_"), {})
        for name in row.fields:
            value = values.get(name)
            if name == "keep":
                if value:
                    data[row.add_prefix(name)] = "on"
            elif value is not None:
                data[row.add_prefix(name)] = str(value)
    return data


# --- Prescribing ------------------------------------------------------------------------------


def test_clinician_prescribes_in_two_steps(clinician_client: Client, clinician: User) -> None:
    case = self_care_intake(duration_days=42).assessment.case

    first = clinician_client.get(_prescribe_url(case))
    assert first.status_code == 200
    html = first.content.decode()
    assert "Suggested by triage: Four weeks or more of pain" in html
    kettlebell = ProgrammeTemplate.objects.get(slug=KETTLEBELL)
    assert f'value="{kettlebell.pk}" checked' in html
    assert first.context["form"]["start"].value() == timezone.localdate() + timedelta(days=1)
    assert reverse("programmes:library") in html
    for template in ProgrammeTemplate.objects.filter(active=True):
        assert template.name in html

    second = _step_two(clinician_client, case)
    assert "Prescribe and email the programme" in second.content.decode()
    data = _post_data(
        second,
        note="Start light.",
        band_pull_apart={"sets": 4, "reps": 15},
        open_book={"keep": False},
    )
    response = clinician_client.post(_prescribe_url(case), data, follow=True)

    assert response.redirect_chain[-1][0] == case.get_absolute_url()
    assert "Programme prescribed; the email is on its way" in response.content.decode()
    programme = Programme.objects.get(case=case)
    assert programme.template == kettlebell and programme.note == "Start light."
    assert programme.phases.count() == kettlebell.phases.count()
    exercises = ProgrammeExercise.objects.filter(phase__programme=programme)
    assert not exercises.filter(exercise__slug="open-book").exists()
    assert {(e.sets, e.reps) for e in exercises.filter(exercise__slug="band-pull-apart")} == {
        (4, 15)
    }
    assert list(programme.check_ins.values_list("week", flat=True)) == [0, 1, 2, 4, 6]
    case.refresh_from_db()
    assert case.status == Case.Status.CLOSED
    assert case.decisions.get().kind == CaseDecision.Kind.PROGRAMME_PRESCRIBED
    outbox = Message.objects.filter(kind=Message.Kind.PROGRAMME)
    assert list(outbox.values_list("to_email", flat=True)) == [case.patient.email]


def test_a_start_date_in_the_past_goes_back_to_step_one(clinician_client: Client) -> None:
    case = self_care_intake().assessment.case
    template = ProgrammeTemplate.objects.get(slug=DESK)
    yesterday = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = clinician_client.get(
        _prescribe_url(case), {"template": template.pk, "start": yesterday}
    )
    assert response.status_code == 400
    assert response.context["step"] == 1
    assert "The start date is in the past." in response.content.decode()


def test_an_urgent_case_cannot_be_prescribed_until_an_override_lowers_it(
    clinician_client: Client, clinician: User
) -> None:
    case = self_care_intake(fever_or_chills=True, unexplained_weight_loss=True).assessment.case
    assert case.urgency >= Urgency.URGENT

    page = clinician_client.get(_prescribe_url(case)).content.decode()
    assert "No programme can be prescribed for this case now." in page
    assert "a clinician must clear it" in page
    assert "Next: check the exercises" not in page
    case_page = clinician_client.get(case.get_absolute_url()).content.decode()
    assert 'id="prescribe-link"' not in case_page and "a clinician must clear it" in case_page

    step_two = _step_two(clinician_client, case, DESK)
    refused = clinician_client.post(_prescribe_url(case), _post_data(step_two))
    assert refused.status_code == 400
    assert "must clear it" in refused.content.decode()
    assert not Programme.objects.exists()

    override_urgency(
        case_id=case.pk,
        clinician=clinician,
        to_urgency=Urgency.ROUTINE,
        reason="Seen today: a cold, weight steady",
    )
    assert (
        "No programme can be prescribed"
        not in clinician_client.get(_prescribe_url(case)).content.decode()
    )
    done = clinician_client.post(
        _prescribe_url(case), _post_data(_step_two(clinician_client, case, DESK))
    )
    assert done.status_code == 302
    assert Programme.objects.filter(case=case).exists()


def test_osteoporosis_flags_the_kettlebell_clashes_and_needs_a_choice_for_them(
    clinician_client: Client,
) -> None:
    case = self_care_intake(osteoporosis=True).assessment.case

    step_two = _step_two(clinician_client, case)
    html = step_two.content.decode()
    # Three exercises that load a bent spine, in each of the three phases.
    assert html.count('class="table-danger exercise-clash"') == 9
    assert "Osteoporosis or fragility fracture: loaded or repeated spinal flexion" in html
    assert "Royal Osteoporosis Society" in html
    flagged = {
        row.planned.exercise.slug
        for phase in step_two.context["phases"]
        for row in phase.rows
        if row.clashes
    }
    assert flagged == FLEXION

    # Unchanged: refused, and what was typed is still there.
    data = _post_data(step_two, note="Go gently.", band_pull_apart={"sets": 5})
    refused = clinician_client.post(_prescribe_url(case), data)
    assert refused.status_code == 400
    assert not Programme.objects.exists()
    page = refused.content.decode()
    assert "Choose: remove the exercises that clash, or keep them and say why." in page
    assert "Go gently." in page
    assert any(
        row.form["sets"].value() == "5"
        for phase in refused.context["phases"]
        for row in phase.rows
        if row.planned.exercise.slug == "band-pull-apart"
    )

    # Kept with a note, or removed: prescribed, and the choice is on record.
    data = _post_data(
        step_two,
        kettlebell_reverse_fly={"keep": False},
        kettlebell_single_arm_deadlift={"keep": False},
    ) | {"clash_choice": "keep", "clash_note": "Supported on a bench, neutral spine"}
    assert clinician_client.post(_prescribe_url(case), data).status_code == 302
    programme = Programme.objects.get(case=case)
    rows = ProgrammeExercise.objects.filter(phase__programme=programme)
    assert not rows.filter(exercise__slug__in=FLEXION - {ROW}).exists()
    kept = rows.filter(exercise__slug=ROW)
    assert kept.count() == 3
    assert {(tuple(r.clashes), r.clash_note) for r in kept} == {
        (("loaded_spinal_flexion:osteoporosis",), "Supported on a bench, neutral spine")
    }


def test_a_clinician_holding_another_case_is_told_who_decides(
    clinician_client: Client, clinician: User
) -> None:
    case = self_care_intake().assessment.case
    other = make_user(role="clinician", first_name="Dana", last_name="Dee")
    Case.objects.filter(pk=case.pk).update(claimed_by=other, claimed_at=timezone.now())
    response = clinician_client.post(
        _prescribe_url(case), _post_data(_step_two(clinician_client, case, DESK))
    )
    assert response.status_code == 400
    # the same words as every other decision refused for the holder (triage's one door)
    assert "Dana Dee has already claimed this case" in response.content.decode()


# --- The queue --------------------------------------------------------------------------------


def test_approving_from_the_queue_prescribes_in_one_post(
    clinician_client: Client, clinician: User
) -> None:
    case = self_care_intake(duration_days=42).assessment.case
    response = clinician_client.post(reverse("programmes:approve", args=[case.pk]), follow=True)
    assert response.redirect_chain[-1][0] == QUEUE
    programme = Programme.objects.get(case=case)
    assert programme.template.slug == KETTLEBELL
    assert programme.prescribed_by == clinician
    assert "Upper back kettlebell foundations prescribed" in response.content.decode()


def test_approving_without_email_sends_the_clinician_to_print_the_handout(
    clinician_client: Client, receptionist: User
) -> None:
    case = make_intake(entered_by=receptionist, details=patient_details(email="")).assessment.case
    response = clinician_client.post(reverse("programmes:approve", args=[case.pk]), follow=True)
    programme = Programme.objects.get(case=case)
    assert response.redirect_chain[-1][0].startswith(reverse("triage:case_detail", args=[case.pk]))
    html = response.content.decode()
    assert "print the handout for them" in html
    assert reverse("programmes:programme_handout", args=[programme.pk]) in html
    assert not Message.objects.filter(patient=programme.patient).exists()


def test_the_queue_suggests_a_programme_on_self_care_rows_only(
    clinician_client: Client, receptionist: User
) -> None:
    self_care = self_care_intake(entered_by=receptionist, duration_days=42).assessment.case
    urgent = self_care_intake(
        entered_by=receptionist, fever_or_chills=True, unexplained_weight_loss=True
    ).assessment.case

    response = clinician_client.get(QUEUE)
    rows = {row.case.pk: row for row in response.context["rows"]}
    assert rows[self_care.pk].suggestion is not None
    assert rows[self_care.pk].suggestion.name == "Upper back kettlebell foundations"
    assert rows[urgent.pk].suggestion is None
    html = response.content.decode()
    assert reverse("programmes:approve", args=[self_care.pk]) in html
    assert reverse("programmes:approve", args=[urgent.pk]) not in html
    assert f'href="{_prescribe_url(self_care)}">Change' in html
    partial = clinician_client.get(QUEUE, headers={"HX-Request": "true"}).content.decode()
    assert "csrfmiddlewaretoken" in partial and "Approve" in partial


def test_the_queue_suggestions_cost_no_query_per_row(
    clinician_client: Client, receptionist: User
) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert clinician_client.get(QUEUE, headers={"HX-Request": "true"}).status_code == 200
        return len(captured)

    for _ in range(2):
        self_care_intake(entered_by=receptionist, duration_days=42)
    few = queries()
    for n in range(8):
        self_care_intake(
            entered_by=receptionist, duration_days=10 + 10 * n, osteoporosis=n % 2 == 0
        )
    assert len(clinician_client.get(QUEUE).context["rows"]) == 10
    assert queries() == few


# --- The case page ----------------------------------------------------------------------------


def _screen(**yes: bool) -> dict[str, bool]:
    return {name: False for name in screen.SCREEN_FIELDS} | yes


def _ndi(value: int) -> dict[str, int | None]:
    return {section.key: value for section in ndi.SECTIONS}


def test_the_case_page_shows_the_programme_its_check_ins_and_charts(
    clinician_client: Client, programme: Programme
) -> None:
    check_ins.complete_check_in(
        programme_id=programme.pk,
        week=0,
        pain=4,
        sessions_done=None,
        ndi_answers=_ndi(2),
        screen_answers=_screen(),
    )
    response = clinician_client.get(programme.case.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="programme-{programme.pk}"' in html
    assert "Upper back kettlebell foundations" in html
    assert "Starting questionnaire" in html and "Week 6 check-in" in html
    assert "20/50 (" in html  # NDI points with the band
    assert 'role="img"' in html and f'<title id="pain-chart-{programme.pk}-title">' in html
    assert 'class="chart-mcid"' in html  # the NDI's 5-point line below 20
    assert 'class="chart-worse-zone"' in html  # pain 6/10 and up re-enters triage
    assert "The charts&#x27; data as a table" in html or "The charts' data as a table" in html
    assert "Carl Cole" in html and "the patient" in html  # who did what
    panel = response.context["programme_panels"][0]
    assert [row.check_in.week for row in panel.check_ins] == [0, 1, 2, 4, 6]
    assert panel.chart.pain.points[0].value == 4
    assert panel.chart.ndi.improved is not None and panel.chart.ndi.improved.value == 15


def test_the_case_page_costs_the_same_however_long_the_programme_history(
    clinician_client: Client, clinician: User, programme: Programme
) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert clinician_client.get(programme.case.get_absolute_url()).status_code == 200
        return len(captured)

    few = queries()
    check_ins.complete_check_in(
        programme_id=programme.pk,
        week=0,
        pain=4,
        sessions_done=None,
        ndi_answers=_ndi(1),
        screen_answers=_screen(),
    )
    for _ in range(3):
        reminders.revoke_link(programme_id=programme.pk, clinician=clinician)
    assert queries() == few


def test_a_check_in_that_reopens_the_case_is_called_out_and_the_programme_can_resume(
    clinician_client: Client, programme: Programme
) -> None:
    check_ins.complete_check_in(
        programme_id=programme.pk,
        week=0,
        pain=8,  # 4 at the intake: worse by 4
        sessions_done=None,
        ndi_answers=_ndi(2),
        screen_answers=_screen(),
    )
    programme.refresh_from_db()
    assert programme.status == Programme.Status.ON_HOLD
    case = Case.objects.get(pk=programme.case_id)
    assert case.status == Case.Status.OPEN
    note = case.activities.get(kind=CaseActivity.Kind.CHECK_IN).note
    html = clinician_client.get(case.get_absolute_url()).content.decode()
    assert "Back from the starting questionnaire:" in html
    assert note.partition(": ")[2] in html
    assert "Resume the programme" in html

    url = reverse("programmes:programme_resume", args=[programme.pk])
    empty = clinician_client.post(url, {f"prg{programme.pk}-resume-note": ""}, follow=True)
    assert "Not resumed" in empty.content.decode()
    programme.refresh_from_db()
    assert programme.status == Programme.Status.ON_HOLD

    clinician_client.post(url, {f"prg{programme.pk}-resume-note": "Seen: a flare after gardening"})
    programme.refresh_from_db()
    assert programme.status == Programme.Status.ACTIVE
    assert programme.events.filter(kind=ProgrammeEvent.Kind.RESUMED, by__isnull=False).exists()


def test_clinician_stops_a_programme_with_a_reason(
    clinician_client: Client, programme: Programme
) -> None:
    url = reverse("programmes:programme_stop", args=[programme.pk])
    clinician_client.post(url, {f"prg{programme.pk}-stop-reason": ""})
    programme.refresh_from_db()
    assert programme.status == Programme.Status.ACTIVE

    response = clinician_client.post(url, {f"prg{programme.pk}-stop-reason": "Moved away"})
    assert response.status_code == 302
    assert response["Location"].endswith(f"#programme-{programme.pk}")
    programme.refresh_from_db()
    assert programme.status == Programme.Status.STOPPED
    assert programme.events.get(kind=ProgrammeEvent.Kind.STOPPED).detail == "Moved away"


def test_clinician_revokes_the_link_and_a_new_one_is_emailed(
    clinician_client: Client, programme: Programme
) -> None:
    response = clinician_client.post(
        reverse("programmes:revoke_link", args=[programme.pk]), follow=True
    )
    programme.refresh_from_db()
    assert programme.link_version == 2
    assert Message.objects.filter(kind=Message.Kind.PROGRAMME_LINK).count() == 1
    assert "a new one is on its way" in response.content.decode()


@pytest.mark.parametrize(
    "details",
    [{"email_consent": False}, {"email": "", "email_consent": False}],
    ids=["no agreement to email", "no address"],
)
def test_revoking_the_link_emails_no_one_who_has_not_agreed_and_tells_the_clinician(
    clinician_client: Client, programme: Programme, details: dict[str, Any]
) -> None:
    type(programme.patient).objects.filter(pk=programme.patient_id).update(**details)

    response = clinician_client.post(
        reverse("programmes:revoke_link", args=[programme.pk]), follow=True
    )

    programme.refresh_from_db()
    assert programme.link_version == 2  # the old links are dead all the same
    assert not Message.objects.filter(kind=Message.Kind.PROGRAMME_LINK).exists()
    assert not programme.events.filter(kind=ProgrammeEvent.Kind.LINK_SENT).exists()
    page = response.content.decode()
    assert "No new link was emailed" in page
    assert "a new one is on its way" not in page


def test_the_revoked_link_service_sends_nothing_without_agreement_to_email(
    programme: Programme, clinician: User
) -> None:
    type(programme.patient).objects.filter(pk=programme.patient_id).update(email_consent=False)

    reminders.revoke_link(programme_id=programme.pk, clinician=clinician)

    assert not Message.objects.filter(kind=Message.Kind.PROGRAMME_LINK).exists()
    assert programme.events.filter(kind=ProgrammeEvent.Kind.LINK_REVOKED).count() == 1


def test_the_case_page_says_when_the_patient_unsubscribed(
    clinician_client: Client, programme: Programme, clock: Clock
) -> None:
    assert clock.now == datetime(2026, 10, 25, 21, 45, tzinfo=UTC)  # 21:45 GMT, clinic time
    Client().post(
        reverse("programmes:unsubscribe", args=[links.unsubscribe_token(programme)]),
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )

    html = clinician_client.get(programme.case.get_absolute_url()).content.decode()

    assert "The patient unsubscribed from programme emails on 25 Oct 2026, 21:45" in html
    assert "no check-ins (so no red-flag questions)" in html
    # and in the programme's history, as the patient's doing
    assert 'Unsubscribed from emails</strong> <span class="small">· the patient' in html


def test_clinician_reviews_progression_when_asked(
    clinician_client: Client, programme: Programme
) -> None:
    Programme.objects.filter(pk=programme.pk).update(awaiting_review=True)
    assert (
        "Record the review"
        in clinician_client.get(programme.case.get_absolute_url()).content.decode()
    )
    clinician_client.post(
        reverse("programmes:programme_review", args=[programme.pk]),
        {
            f"prg{programme.pk}-review-decision": "move_on",
            f"prg{programme.pk}-review-note": "Form is solid",
        },
    )
    programme.refresh_from_db()
    assert not programme.awaiting_review
    assert programme.current_phase == 2
    assert "Form is solid" in programme.events.get(kind=ProgrammeEvent.Kind.REVIEWED).detail


def test_the_resume_and_review_forms_each_have_their_own_fields_and_submit_alone(
    clinician: User, programme: Programme
) -> None:
    # Given a programme on hold that also waits for a review: both forms on the case page
    Programme.objects.filter(pk=programme.pk).update(
        status=Programme.Status.ON_HOLD, awaiting_review=True
    )
    client = sign_in(Client(), clinician)
    case_url = programme.case.get_absolute_url()
    html = client.get(case_url).content.decode()
    resume_note, review_note = f"prg{programme.pk}-resume-note", f"prg{programme.pk}-review-note"
    assert f'name="{resume_note}"' in html and f'name="{review_note}"' in html
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})

    # A review refused (no decision) is shown with its own error; the resume form is untouched
    refused = client.post(
        reverse("programmes:programme_review", args=[programme.pk]),
        {review_note: "Looks fine", resume_note: "not from this form"},
    )
    assert refused.status_code == 400
    found = dict(summary_links(refused.content))
    assert list(found) == [f"id_prg{programme.pk}-review-decision_0"]
    marked = invalid_fields(refused.content)
    assert marked and all(name.startswith(f"id_prg{programme.pk}-review-") for name in marked)
    assert "not from this form" not in refused.content.decode()
    assert "Looks fine" in refused.content.decode()  # kept in its own form

    # The review, then the resume, each submitted alone
    client.post(
        reverse("programmes:programme_review", args=[programme.pk]),
        {f"prg{programme.pk}-review-decision": "stay", review_note: "Not yet"},
    )
    programme.refresh_from_db()
    assert not programme.awaiting_review and programme.status == Programme.Status.ON_HOLD
    client.post(
        reverse("programmes:programme_resume", args=[programme.pk]),
        {resume_note: "Spoke to her: a flare after gardening"},
    )
    programme.refresh_from_db()
    assert programme.status == Programme.Status.ACTIVE
    resumed = programme.events.get(kind=ProgrammeEvent.Kind.RESUMED)
    assert resumed.detail == "Spoke to her: a flare after gardening"
    reviewed = programme.events.get(kind=ProgrammeEvent.Kind.REVIEWED)
    assert reviewed.detail == "Stays in the current phase: Not yet"


# --- The library and who may use these pages -------------------------------------------------


def test_the_library_lists_the_exercises_and_templates(clinician_client: Client) -> None:
    response = clinician_client.get(reverse("programmes:library"))
    assert response.status_code == 200
    assert len(response.context["exercises"]) >= 20
    html = response.content.decode()
    assert html.count('class="library-exercise"') >= 20
    assert "Loaded spinal flexion" in html
    assert "Upper back kettlebell foundations" in html and "Learn the moves" in html


def test_reception_is_refused_every_clinician_programme_page(
    reception_client: Client, programme: Programme
) -> None:
    case_id, pk = programme.case_id, programme.pk
    assert reception_client.get(reverse("programmes:prescribe", args=[case_id])).status_code == 403
    assert reception_client.post(reverse("programmes:prescribe", args=[case_id])).status_code == 403
    assert reception_client.post(reverse("programmes:approve", args=[case_id])).status_code == 403
    assert reception_client.get(reverse("programmes:library")).status_code == 403
    for name in ("programme_resume", "programme_stop", "revoke_link", "programme_review"):
        assert reception_client.post(reverse(f"programmes:{name}", args=[pk])).status_code == 403
    programme.refresh_from_db()
    assert programme.status == Programme.Status.ACTIVE and programme.link_version == 1
    assert not CheckIn.objects.filter(programme=programme, completed_at__isnull=False).exists()


# --- The admin --------------------------------------------------------------------------------


@pytest.fixture
def superuser_client() -> Client:
    client = Client()
    sign_in(client, User.objects.create_superuser("libby", "libby@example.org", "x-long-pw-1"))
    return client


def test_the_admin_edits_an_exercise_s_caution_tags_as_tick_boxes(superuser_client: Client) -> None:
    exercise = Exercise.objects.get(slug="band-row")
    url = reverse("admin:programmes_exercise_change", args=[exercise.pk])
    page = superuser_client.get(url)
    assert page.status_code == 200
    assert 'type="checkbox" name="caution_tags" value="overhead_load"' in page.content.decode()
    data = {
        name: value
        for name, value in page.context["adminform"].form.initial.items()
        # The picture and the video are files to upload: none here.
        if value is not None and name not in ("caution_tags", "image", "video")
    }
    data["caution_tags"] = ["overhead_load", "ballistic"]
    data["per_side"] = "on" if exercise.per_side else ""
    data["active"] = "on"
    response = superuser_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    exercise.refresh_from_db()
    assert exercise.caution_tags == ["overhead_load", "ballistic"]


def test_the_admin_shows_templates_phases_and_programmes_but_never_deletes_a_programme(
    superuser_client: Client, programme: Programme
) -> None:
    template = programme.template
    phase = template.phases.get(position=1)
    for url in (
        reverse("admin:programmes_exercise_changelist") + "?category=strength&active__exact=1",
        reverse("admin:programmes_programmetemplate_change", args=[template.pk]),
        reverse("admin:programmes_templatephase_change", args=[phase.pk]),
        reverse("admin:programmes_programme_changelist") + "?status=active",
        reverse("admin:programmes_programme_change", args=[programme.pk]),
        reverse("admin:programmes_checkin_changelist"),
        reverse("admin:programmes_programmeevent_changelist"),
        reverse("admin:programmes_sessionlog_changelist"),
    ):
        assert superuser_client.get(url).status_code == 200, url
    template_page = superuser_client.get(
        reverse("admin:programmes_programmetemplate_change", args=[template.pk])
    ).content.decode()
    assert reverse("admin:programmes_templatephase_change", args=[phase.pk]) in template_page
    delete = reverse("admin:programmes_programme_delete", args=[programme.pk])
    assert superuser_client.get(delete).status_code == 403


def _suggestions_shown(client: Client, case: Case) -> tuple[object, object]:
    """What the case page and the prescribing page each say triage suggests."""
    case_page = client.get(reverse("triage:case_detail", args=[case.pk]))
    prescribing_page = client.get(reverse("programmes:prescribe", args=[case.pk]))
    return case_page.context["programme_suggestion"], prescribing_page.context["suggestion"]


def test_the_case_page_and_the_prescribing_page_suggest_the_same_programme(
    clinician: User, clinician_client: Client
) -> None:
    # A waiting SELF_CARE case: both pages offer prescribing.suggestion_for's template
    waiting = self_care_intake(duration_days=42).assessment.case
    expected = prescribing.suggestion_for(
        waiting, prescribing.assessment_to_prescribe_from(waiting)
    )
    assert expected is not None
    assert _suggestions_shown(clinician_client, waiting) == (expected, expected)

    # Decided by a referral, it may still take a programme: both pages still suggest it
    referral = referrals.draft_referral(
        case_id=waiting.pk, destination_id=make_destination().pk, clinician=clinician
    )
    referrals.send_referral(referral_id=referral.pk, by=clinician)
    waiting.refresh_from_db()
    assert waiting.status != Case.Status.OPEN
    assert _suggestions_shown(clinician_client, waiting) == (expected, expected)

    # Discharged, it takes nothing further: neither suggests one
    discharged = self_care_intake(duration_days=42).assessment.case
    discharge_case(case_id=discharged.pk, clinician=clinician, advice="Keep moving.")
    assert _suggestions_shown(clinician_client, discharged)[0] is None


def test_the_case_page_has_no_suggestion_of_its_own() -> None:
    # One function says what triage suggests for a case (programmes.prescribing.suggestion_for);
    # the case page calls it rather than the pure suggester.
    tree = ast.parse(Path(triage.views.__file__).read_text())
    names = {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    assert "suggest_template" not in names and "suggestion_for" in names
