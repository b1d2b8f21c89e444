"""A check-in: pain, sessions, the NDI and the red-flag screen. A red flag or pain worse by two
points sends the patient back to triage (the case reopens at the engine's urgency and the
programme waits on a clinician); good check-ins move the programme on as its template says."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.conf import settings
from django.utils import timezone

from outbox.models import Message
from patients.models import Intake
from programmes import check_ins, reminders, screen
from programmes.history import ProgrammeRefused
from programmes.models import CheckIn, Programme, ProgrammeEvent, ProgrammeExercise, SessionLog
from programmes.ndi import SECTIONS
from tests.programmes.helpers import prescribe
from tests.support.clock import ACROSS_THE_WEEK, Clock
from triage.models import Case, CaseActivity, Urgency
from triage.rules import Answers
from triage.services import current_ruleset

pytestmark = pytest.mark.django_db


def all_no(**yes: bool) -> dict[str, bool]:
    return {field: False for field in screen.SCREEN_FIELDS} | yes


def ndi(level: int) -> dict[str, int | None]:
    return {section.key: level for section in SECTIONS}


def started_today(**answers: Any) -> Programme:
    return prescribe(start=timezone.localdate(), **answers)


def at_week(programme: Programme, week: int) -> datetime:
    return programme.check_ins.get(week=week).due_at + timedelta(minutes=5)


def answer(programme: Programme, week: int, **fields: Any) -> check_ins.CheckInResult:
    defaults: dict[str, Any] = {
        "pain": 5,
        "sessions_done": None,
        "ndi_answers": ndi(2) if programme.check_ins.get(week=week).asks_ndi else None,
        "screen_answers": all_no(),
        "now": at_week(programme, week),
    }
    return check_ins.complete_check_in(programme_id=programme.pk, week=week, **defaults | fields)


def log_sessions(programme: Programme, count: int, *, felt: str = "right") -> None:
    items = list(
        ProgrammeExercise.objects.filter(
            phase__programme=programme, phase__position=programme.current_phase
        )
    )
    for _ in range(count):
        check_ins.log_session(
            programme_id=programme.pk,
            performed_on=timezone.localdate(),
            felt=felt,
            exercises=[
                check_ins.LoggedExercise(exercise_id=item.pk, done=True, load_kg=item.load_kg)
                for item in items
            ],
        )


def test_the_starting_questionnaire_records_pain_and_the_ndi_without_moving_anything() -> None:
    programme = started_today()

    result = answer(programme, 0, pain=4, ndi_answers=ndi(1))

    check_in = result.check_in
    assert (check_in.pain, check_in.ndi_points, check_in.ndi_percent) == (
        4,
        Decimal("10.0"),
        Decimal("20.0"),
    )
    assert result.urgency is None and result.decision is None
    assert not Intake.objects.filter(source=Intake.Source.CHECK_IN).exists()


def test_a_check_in_with_a_new_red_flag_reopens_the_case_at_the_engines_urgency() -> None:
    # Given a patient on a programme, their case closed when it was prescribed
    programme = started_today()
    case = programme.case
    assert Case.objects.get(pk=case.pk).status == Case.Status.CLOSED
    reminders.queue_due_programme_emails(now=programme.next_reminder_at)

    # When the week-1 check-in reports arm weakness getting worse
    result = answer(programme, 1, screen_answers=all_no(progressive_limb_weakness=True))

    # Then a new intake from the check-in is triaged as the rules say
    intake = Intake.objects.get(source=Intake.Source.CHECK_IN)
    assert intake.entered_by is None and intake.patient_id == programme.patient_id
    expected = current_ruleset().evaluate(Answers.from_mapping(intake.answers)).urgency
    assert result.urgency == Urgency(int(expected)) >= Urgency.URGENT
    assert intake.answers["progressive_limb_weakness"] is True
    assert intake.answers["pain_score_now"] == 5
    # and the same case is back in the queue, unclaimed, with the reason on its timeline
    case.refresh_from_db()
    assert (case.status, case.urgency, case.claimed_by_id) == (
        Case.Status.OPEN,
        result.urgency,
        None,
    )
    activity = CaseActivity.objects.get(case=case, kind=CaseActivity.Kind.CHECK_IN)
    # what brought it back, as data: the check-in, its intake, each reason
    assert activity.by is None and activity.subject == "Week 1 check-in"
    assert activity.intake == intake
    assert any("weakness" in reason.lower() for reason in activity.reasons)
    # the clinicians are alerted, and the programme waits for a clinician
    assert Message.objects.filter(kind=Message.Kind.CLINICIAN_ALERT, case=case).exists()
    programme.refresh_from_db()
    assert programme.status == Programme.Status.ON_HOLD and programme.next_reminder_at is None
    assert not Message.objects.filter(
        kind=Message.Kind.PROGRAMME_REMINDER, status=Message.Status.PENDING
    ).exists()
    assert result.check_in.outcome == CheckIn.Outcome.TRIAGE
    assert result.check_in.red_flags == ["progressive_limb_weakness"]


def test_pain_worse_by_two_points_than_at_the_start_goes_back_to_triage() -> None:
    programme = started_today(pain_score_now=4)

    result = answer(programme, 1, pain=6)

    assert result.check_in.outcome == CheckIn.Outcome.TRIAGE
    assert "Pain 6/10, up from 4/10" in result.check_in.outcome_reason
    assert programme.case.assessments.count() == 2
    assert Case.objects.get(pk=programme.case_id).status == Case.Status.OPEN


def test_pain_worse_by_one_point_is_not_a_reason_on_its_own() -> None:
    programme = started_today(pain_score_now=4)
    result = answer(programme, 1, pain=5)
    assert result.urgency is None and result.check_in.outcome != CheckIn.Outcome.TRIAGE


def test_the_start_is_the_lower_of_the_intake_and_the_starting_questionnaire() -> None:
    programme = started_today(pain_score_now=6)
    answer(programme, 0, pain=3)
    result = answer(programme, 1, pain=5)
    assert result.check_in.outcome == CheckIn.Outcome.TRIAGE


def test_a_check_in_joins_a_case_the_patient_already_has_open() -> None:
    programme = started_today()
    open_case = Case.objects.create(
        patient=programme.patient,
        urgency=Urgency.ROUTINE,
        due_at=timezone.now() + timedelta(days=20),
    )
    result = answer(programme, 1, screen_answers=all_no(fever_or_chills=True))
    assert result.check_in.intake is not None
    assert result.check_in.intake.assessment.case_id == open_case.pk
    open_case.refresh_from_db()
    assert open_case.urgency >= Urgency.ROUTINE
    assert Case.objects.get(pk=programme.case_id).status == Case.Status.CLOSED


@pytest.mark.parametrize("clock", ACROSS_THE_WEEK, indirect=True)
def test_a_check_in_is_answered_once_and_not_before_it_opens(clock: Clock) -> None:
    programme = started_today()
    week_one = programme.check_ins.get(week=1).due_at
    with pytest.raises(check_ins.CheckInClosed, match="not open yet"):
        answer(
            programme, 1, now=week_one - settings.PROGRAMME_CHECK_IN_EARLY - timedelta(minutes=1)
        )
    with pytest.raises(check_ins.CheckInClosed, match="not open yet"):
        answer(programme, 2, now=at_week(programme, 1))
    answer(programme, 1, now=week_one - settings.PROGRAMME_CHECK_IN_EARLY)
    with pytest.raises(check_ins.CheckInClosed, match="already answered"):
        answer(programme, 1)


def test_an_unanswered_screen_question_is_refused_not_taken_as_no() -> None:
    programme = started_today()
    answers = all_no()
    del answers["saddle_anaesthesia"]
    with pytest.raises(ProgrammeRefused, match="saddle_anaesthesia"):
        answer(programme, 1, screen_answers=answers)
    assert programme.check_ins.get(week=1).completed_at is None


def test_good_adherence_and_steady_pain_move_to_the_next_phase_when_its_weeks_are_done() -> None:
    programme = started_today()
    first = programme.current_phase
    first_weeks = programme.phases.get(position=first).weeks
    following = programme.phases.filter(position__gt=first).order_by("position").first()
    assert following is not None
    week = next(w for w in (1, 2, 4, 6) if w >= first_weeks)
    log_sessions(programme, 3 * week)
    for earlier in (w for w in (1, 2, 4) if w < week):
        answer(programme, earlier, pain=4, sessions_done=3 * earlier)

    result = answer(programme, week, pain=4, sessions_done=3 * week)

    programme.refresh_from_db()
    assert result.decision is not None
    if following.advance == "auto":
        assert result.decision.action == "next_phase"
        assert programme.current_phase == following.position
    else:
        assert result.decision.action == "ask_clinician"
        assert programme.awaiting_review
        assert Message.objects.filter(kind=Message.Kind.PROGRAMME_REVIEW).exists()


def test_form_breaking_drops_each_load_one_step(clock: Clock) -> None:
    programme = started_today()
    clock.advance(timedelta(days=1))  # the patient trains after the prescription
    log_sessions(programme, 3, felt=SessionLog.Felt.FORM_BROKE)
    loaded = {
        item.pk: item.load_kg
        for item in ProgrammeExercise.objects.filter(
            phase__programme=programme,
            phase__position=programme.current_phase,
            load_kg__isnull=False,
            exercise__load_step_kg__isnull=False,
        )
    }
    assert loaded, "the kettlebell template starts with loaded exercises"

    result = answer(programme, 1, pain=5, sessions_done=3)

    assert result.decision is not None and result.decision.action == "reduce_load"
    for item in ProgrammeExercise.objects.filter(pk__in=loaded).select_related("exercise"):
        floor = item.exercise.load_min_kg or Decimal(0)
        assert item.load_kg == max(loaded[item.pk] - item.exercise.load_step_kg, floor)
    assert programme.events.filter(kind=ProgrammeEvent.Kind.PROGRESSED).exists()


def test_the_final_check_in_asks_the_ndi_and_completes_the_programme() -> None:
    programme = started_today()
    for week in (1, 2, 4):
        answer(programme, week, pain=4)
    with pytest.raises(ProgrammeRefused, match="neck questionnaire"):
        answer(programme, 6, ndi_answers=None)

    answer(programme, 6, pain=3, ndi_answers=ndi(1))

    programme.refresh_from_db()
    assert programme.status == Programme.Status.COMPLETED
    assert programme.next_reminder_at is None
