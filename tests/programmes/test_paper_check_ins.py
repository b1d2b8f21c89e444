"""A patient without email gets their check-ins too: the handout gives the check-ins' dates (and,
where the clinic allows it, a short link to type), and a clinician who asks the questions by phone
or at a visit enters the answers from the case page, through the same check-in service as the
patient's own page, so that a new red flag or a clearly worse pain goes back to triage exactly
as the patient's own answers would. The check-in, its history line and its intake say who entered
it, and that it was for the patient."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from outbox.models import Message
from patients.models import Intake
from programmes import check_ins, links, ndi, reminders, screen
from programmes.history import ProgrammeRefused
from programmes.models import CheckIn, Programme, ProgrammeEvent, ProgrammeTemplate
from programmes.prescribing import prescribe_programme
from programmes.seed import seed_library
from tests.patients.helpers import make_intake, make_user, patient_details
from tests.programmes.helpers import KETTLEBELL
from tests.programmes.test_check_ins import all_no, at_week
from tests.programmes.test_handout import pdf_text
from tests.support.clock import Clock
from tests.support.error_summary import summary_links
from tests.support.two_factor import sign_in
from triage.models import Case, CaseActivity, Urgency
from triage.outcomes import patient_instruction

pytestmark = pytest.mark.django_db


def on_paper(*, by: User | None = None, email: str = "", **answers: Any) -> Programme:
    """A programme for a patient with no email address, started today: the handout is theirs."""
    seed_library()
    reception = make_user(role="reception")
    answers = {"duration_days": 42, "pain_score_now": 5, "pain_region": "neck"} | answers
    intake = make_intake(
        entered_by=reception,
        details=patient_details(given_name="Pip", email=email, email_consent=bool(email)),
        **answers,
    )
    return prescribe_programme(
        case_id=intake.assessment.case_id,
        clinician=by or make_user(role="clinician", email="carl@example.org"),
        template_id=ProgrammeTemplate.objects.get(slug=KETTLEBELL).pk,
        start_date=timezone.localdate(),
    )


def entered(
    programme: Programme, week: int, *, by: User, how: str = "phone", **fields: Any
) -> check_ins.CheckInResult:
    defaults: dict[str, Any] = {
        "pain": 5,
        "sessions_done": 2 if week else None,
        "ndi_answers": {s.key: 2 for s in ndi.SECTIONS}
        if programme.check_ins.get(week=week).asks_ndi
        else None,
        "screen_answers": all_no(),
        "now": at_week(programme, week),
    }
    return check_ins.complete_check_in(
        programme_id=programme.pk,
        week=week,
        entered_by=by,
        entered_how=how,
        **defaults | fields,
    )


# --- The service ------------------------------------------------------------------------------


def test_a_check_in_entered_by_phone_records_who_entered_it_for_the_patient(
    clinician: User,
) -> None:
    programme = on_paper()

    result = entered(programme, 1, by=clinician, how=CheckIn.EnteredHow.PHONE, pain=4)

    check_in = CheckIn.objects.get(pk=result.check_in.pk)
    assert (check_in.entered_by, check_in.entered_how, check_in.pain) == (clinician, "phone", 4)
    assert check_in.completed_at is not None and check_in.outcome != CheckIn.Outcome.TRIAGE
    event = programme.events.get(kind=ProgrammeEvent.Kind.CHECK_IN)
    assert event.by == clinician and event.by_patient is False
    assert "entered for the patient (by phone)" in event.detail
    audit_row = AuditEvent.objects.filter(record=f"programme {programme.pk}").latest("pk")
    assert audit_row.actor_id == clinician.pk


def test_a_new_red_flag_entered_for_the_patient_goes_back_to_triage_as_their_own_would(
    clinician: User,
) -> None:
    # Given two patients on the same programme, their cases closed when it was prescribed
    by_paper = on_paper()
    own = on_paper(email="own@example.org")
    flags = all_no(progressive_limb_weakness=True, gait_disturbance=True)

    # When one answers the week-1 check-in on their page, and the other's answers, the same,
    # are entered by a clinician who rang them
    theirs = check_ins.complete_check_in(
        programme_id=own.pk,
        week=1,
        pain=5,
        sessions_done=2,
        ndi_answers=None,
        screen_answers=flags,
        now=at_week(own, 1),
    )
    result = entered(by_paper, 1, by=clinician, screen_answers=flags)

    # Then both go back to triage at the same urgency, for the same rules and reasons
    assert result.urgency == theirs.urgency and result.urgency is not None
    assert result.urgency >= Urgency.URGENT
    assert result.check_in.outcome == theirs.check_in.outcome == CheckIn.Outcome.TRIAGE
    assert result.check_in.outcome_reason == theirs.check_in.outcome_reason
    intake = Intake.objects.get(check_in=result.check_in)
    own_intake = Intake.objects.get(check_in=theirs.check_in)
    assert intake.source == own_intake.source == Intake.Source.CHECK_IN
    assert {r["id"] for r in intake.assessment.rules} == {
        r["id"] for r in own_intake.assessment.rules
    }
    # the one entered for the patient says by whom; the patient's own, nobody
    assert (intake.entered_by, own_intake.entered_by) == (clinician, None)
    # and each case is back in the queue, with the check-in on its timeline, and alerted
    for programme in (by_paper, own):
        case = Case.objects.get(pk=programme.case_id)
        assert case.status == Case.Status.OPEN and case.urgency == result.urgency
        assert CaseActivity.objects.filter(case=case, kind=CaseActivity.Kind.CHECK_IN).exists()
        assert Message.objects.filter(kind=Message.Kind.CLINICIAN_ALERT, case=case).exists()
        programme.refresh_from_db()
        assert programme.status == Programme.Status.ON_HOLD


def test_a_clearly_worse_pain_entered_at_a_visit_goes_back_to_triage(clinician: User) -> None:
    programme = on_paper(pain_score_now=4)

    result = entered(programme, 1, by=clinician, how=CheckIn.EnteredHow.VISIT, pain=6)

    assert result.check_in.outcome == CheckIn.Outcome.TRIAGE
    assert "Pain 6/10, up from 4/10" in result.check_in.outcome_reason
    assert result.check_in.entered_how == CheckIn.EnteredHow.VISIT


@pytest.mark.parametrize(
    ("by_staff", "how"), [(True, ""), (True, "email"), (False, "phone")], ids=str
)
def test_who_entered_a_check_in_and_how_come_together(
    clinician: User, by_staff: bool, how: str
) -> None:
    programme = on_paper()
    with pytest.raises(ProgrammeRefused):
        check_ins.complete_check_in(
            programme_id=programme.pk,
            week=1,
            pain=5,
            sessions_done=1,
            ndi_answers=None,
            screen_answers=all_no(),
            now=at_week(programme, 1),
            entered_by=clinician if by_staff else None,
            entered_how=how,
        )
    assert programme.check_ins.get(week=1).completed_at is None


# --- The case page and the form -----------------------------------------------------------------


def _form_data(programme: Programme, week: int, **overrides: str) -> dict[str, str]:
    data = {"how": "phone", "pain": "5", "sessions_done": "2"}
    data |= {field: "no" for field in screen.SCREEN_FIELDS}
    if programme.check_ins.get(week=week).asks_ndi:
        data |= {f"ndi_{s.key}": "1" for s in ndi.SECTIONS}
    return data | overrides


def test_the_case_page_offers_to_enter_an_open_check_in_and_says_who_entered_one(
    clinician: User, clinician_client: Client, clock: Clock
) -> None:
    programme = on_paper()
    case_page = reverse("triage:case_detail", args=[programme.case_id])
    week_1 = programme.check_ins.get(week=1)
    url = reverse("programmes:record_check_in", args=[programme.pk, 1])
    start_url = reverse("programmes:record_check_in", args=[programme.pk, 0])

    # Today only the starting questionnaire is open
    html = clinician_client.get(case_page).content.decode()
    assert f'href="{start_url}"' in html and f'href="{url}"' not in html

    clock.move_to(at_week(programme, 1))
    clinician_client = sign_in(Client(), clinician)  # a week on: the last session has ended
    html = clinician_client.get(case_page).content.decode()
    assert f'href="{url}"' in html

    response = clinician_client.post(url, _form_data(programme, 1), follow=True)

    assert response.redirect_chain[-1][0] == f"{case_page}#programme-{programme.pk}"
    assert "Check-in recorded for the patient." in response.content.decode()
    week_1.refresh_from_db()
    assert week_1.entered_by == clinician and week_1.completed_at is not None
    html = response.content.decode()
    assert f"By phone, entered by {clinician.get_full_name() or clinician.get_username()}" in html
    assert f'href="{url}"' not in html


def test_entering_a_red_flag_tells_the_clinician_what_to_tell_the_patient(
    clinician: User, clock: Clock
) -> None:
    programme = on_paper()
    clock.move_to(at_week(programme, 1))
    clinician_client = sign_in(Client(), clinician)
    url = reverse("programmes:record_check_in", args=[programme.pk, 1])

    response = clinician_client.post(
        url, _form_data(programme, 1, bladder_or_bowel_change="yes"), follow=True
    )

    check_in = programme.check_ins.get(week=1)
    assert check_in.outcome == CheckIn.Outcome.TRIAGE
    assert check_in.intake is not None
    urgency = Urgency(check_in.intake.assessment.urgency)
    assert urgency == Urgency.EMERGENCY
    said = patient_instruction(urgency.key, sla=urgency.sla)
    html = response.content.decode()
    assert "went back to triage at Emergency" in html
    assert str(said.heading) in html
    assert Case.objects.get(pk=programme.case_id).status == Case.Status.OPEN


def test_a_refused_entry_keeps_every_answer_and_says_what_is_missing(
    clinician: User, clock: Clock
) -> None:
    programme = on_paper()
    clock.move_to(at_week(programme, 1))
    clinician_client = sign_in(Client(), clinician)
    url = reverse("programmes:record_check_in", args=[programme.pk, 1])
    data = _form_data(programme, 1, pain="7")
    del data["how"]
    del data["chest_pain"]

    response = clinician_client.post(url, data)

    assert response.status_code == 400
    found = dict(summary_links(response.content))
    assert {"id_how_0", "id_chest_pain_0"} <= set(found)
    assert re.search(r'<input[^>]*name="pain"[^>]*value="7"[^>]*checked', response.content.decode())
    assert programme.check_ins.get(week=1).completed_at is None


def test_the_form_is_a_recorded_read_for_clinicians_only(
    clinician_client: Client, receptionist_client: Client
) -> None:
    programme = on_paper()
    url = reverse("programmes:record_check_in", args=[programme.pk, 0])

    response = clinician_client.get(url)

    assert response.status_code == 200
    html = response.content.decode()
    assert "How the patient gave these answers" in html
    assert "Ask the patient each question as written" in html
    assert AuditEvent.objects.filter(
        record=f"programme {programme.pk} check-in, week 0", patient_id=programme.patient_id
    ).exists()
    assert receptionist_client.get(url).status_code == 403
    assert receptionist_client.post(url, _form_data(programme, 0)).status_code == 403
    missing = reverse("programmes:record_check_in", args=[programme.pk, 3])
    assert clinician_client.get(missing).status_code == 404


def test_a_check_in_not_open_or_already_answered_sends_the_clinician_back_saying_why(
    clinician: User, clinician_client: Client
) -> None:
    programme = on_paper()
    early = reverse("programmes:record_check_in", args=[programme.pk, 4])

    response = clinician_client.post(early, _form_data(programme, 4), follow=True)

    assert "That check-in opens on" in response.content.decode()
    assert programme.check_ins.get(week=4).completed_at is None

    entered(programme, 0, by=clinician)
    again = reverse("programmes:record_check_in", args=[programme.pk, 0])
    response = clinician_client.get(again, follow=True)
    assert "That check-in is already answered." in response.content.decode()


# --- The handout and its short link -------------------------------------------------------------


def test_the_handout_gives_a_paper_patient_the_check_ins_dates_and_who_asks(
    clinician_client: Client,
) -> None:
    programme = on_paper()

    text = pdf_text(
        clinician_client.get(reverse("programmes:programme_handout", args=[programme.pk])).content
    )

    assert "Your check-ins" in text
    assert "they will phone you, or ask you when you come in" in text
    for check_in in programme.check_ins.all():
        day = check_in.due_at.astimezone(programme.tz).date()
        assert f"{day:%A} {day.day} {day:%B %Y}" in text
    assert "Week 4 check-in" in text and "Starting questionnaire" in text
    # No link unless the clinic allows one
    assert "/p/" not in text


@override_settings(PROGRAMME_HANDOUT_LINK=True)
def test_where_the_clinic_allows_it_the_handout_carries_a_short_link_to_the_page(
    clinician_client: Client, client: Client
) -> None:
    programme = on_paper()
    text = pdf_text(
        clinician_client.get(reverse("programmes:programme_handout", args=[programme.pk])).content
    )
    short = links.handout_url(programme)
    assert short in text
    code = links.handout_code(programme)
    assert len(code) <= len(str(programme.pk)) + 11

    # Typed as printed, or in lower case with an O for a zero: the patient's page
    for typed in (code, code.lower().replace("0", "o")):
        response = client.get(reverse("programmes:handout_link", args=[typed]))
        assert response.status_code == 302
        page = client.get(response["Location"])
        assert page.status_code == 200 and "Hello Pip" in page.content.decode()


def test_a_short_link_mistyped_revoked_or_long_after_the_end_opens_nothing(
    clinician: User, client: Client, clock: Clock
) -> None:
    programme = on_paper()
    code = links.handout_code(programme)
    pk, mac = code.split("-")
    wrong = mac[:-1] + ("A" if mac[-1] != "A" else "B")
    for bad in (f"{pk}-{wrong}", f"{int(pk) + 1}-{mac}", "99999999999999999999-ABCDEFGHJK", "x"):
        response = client.get(reverse("programmes:handout_link", args=[bad]))
        assert response.status_code == 404, bad
        assert "typed the link exactly as it is printed" in response.content.decode()

    reminders.revoke_link(programme_id=programme.pk, clinician=clinician, send_new=False)
    assert client.get(reverse("programmes:handout_link", args=[code])).status_code == 404
    programme.refresh_from_db()
    fresh = links.handout_code(programme)
    assert fresh != code
    assert client.get(reverse("programmes:handout_link", args=[fresh])).status_code == 302

    check_ins.stop_programme(programme_id=programme.pk, clinician=clinician, reason="Better")
    clock.advance(timedelta(days=20))
    assert client.get(reverse("programmes:handout_link", args=[fresh])).status_code == 302
    clock.advance(timedelta(days=2))
    assert client.get(reverse("programmes:handout_link", args=[fresh])).status_code == 410


def test_signing_in_is_not_needed_for_the_short_link_but_staff_pages_need_it(
    clinician: User,
) -> None:
    programme = on_paper()
    anonymous = Client()
    url = reverse("programmes:record_check_in", args=[programme.pk, 0])
    assert anonymous.get(url).status_code == 302  # to the sign-in page
    signed_in = Client()
    sign_in(signed_in, clinician)
    assert signed_in.get(url).status_code == 200
