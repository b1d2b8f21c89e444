"""Clinician alerts: who is on duty, what they are told, and escalation until somebody claims.

The tests run on the test's clock; the clock is moved by passing `now` (or moving a deadline
into the past); nothing sleeps. Who is on duty turns on the weekday and the hour, so the alerts
go out from fixed instants across the week and either side of the clock changes.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import Group, User
from django.utils import timezone

from clinic.roles import Role
from outbox.models import Message
from patients.services import PatientDetails, submit_intake
from tests.rules.answers import answers
from tests.support.clock import ACROSS_THE_WEEK, Clock
from triage.models import Case, DutySlot, FallbackClinician
from triage.services import (
    CaseAlreadyClaimed,
    claim_case,
    clinicians_on_duty,
    escalate_unclaimed_cases,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]
LONDON = ZoneInfo("Europe/London")
# A Wednesday in the clinic's time zone.
WEDNESDAY_10AM = datetime(2026, 11, 18, 10, 0, tzinfo=LONDON)


def person(name: str, *roles: str, email: bool = True) -> User:
    user = User.objects.create_user(name, email=f"{name}@clinic.example" if email else "")
    for role in roles:
        user.groups.add(Group.objects.get_or_create(name=role)[0])
    return user


def on_duty(user: User, weekday: int, starts: time, ends: time) -> None:
    DutySlot.objects.create(clinician=user, weekday=weekday, starts=starts, ends=ends)


def submit(**changes) -> Case:
    receptionist = User.objects.get_or_create(username="desk")[0]
    submit_intake(
        details=PatientDetails(
            given_name="Nell", family_name="Price", date_of_birth=date(1950, 6, 1), sex="F"
        ),
        answers=answers(**changes),
        entered_by=receptionist,
        submission_token=uuid.uuid4(),
    )
    return Case.objects.get(status=Case.Status.OPEN)


@pytest.fixture
def team() -> dict[str, User]:
    """Ana works Wednesday days, Ben Wednesday nights (past midnight), Cy is off; Lee leads."""
    people = {
        "ana": person("ana", Role.CLINICIAN),
        "ben": person("ben", Role.CLINICIAN),
        "cy": person("cy", Role.CLINICIAN),
        "lee": person("lee", Role.LEAD),
    }
    on_duty(people["ana"], 2, time(8), time(18))
    on_duty(people["ben"], 2, time(18), time(8))
    return people


def test_the_rota_finds_who_is_on_duty_by_weekday_and_hours(team):
    assert clinicians_on_duty(WEDNESDAY_10AM) == [team["ana"]]
    assert clinicians_on_duty(WEDNESDAY_10AM.replace(hour=22)) == [team["ben"]]
    thursday_3am = WEDNESDAY_10AM + timedelta(hours=17)
    assert clinicians_on_duty(thursday_3am) == [team["ben"]]  # the night slot runs past midnight


def test_with_nobody_on_duty_the_fallback_list_is_alerted_in_order(team):
    FallbackClinician.objects.create(clinician=team["cy"], position=1)
    FallbackClinician.objects.create(clinician=team["ana"], position=2)
    saturday_noon = WEDNESDAY_10AM + timedelta(days=3, hours=2)
    assert clinicians_on_duty(saturday_noon) == [team["cy"], team["ana"]]


def test_with_no_rota_and_no_fallback_every_clinician_is_alerted(team):
    DutySlot.objects.all().delete()
    assert set(clinicians_on_duty(WEDNESDAY_10AM)) == {team["ana"], team["ben"], team["cy"]}


def test_a_clinician_without_an_email_address_is_passed_over(team):
    nobody = person("nomail", Role.CLINICIAN, email=False)
    on_duty(nobody, 2, time(0), time(0))
    assert clinicians_on_duty(WEDNESDAY_10AM) == [team["ana"]]


def on_duty_today_only(user: User) -> None:
    """On duty all of the clinic's today (an end at the start runs to midnight), and no other
    day."""
    DutySlot.objects.all().delete()
    on_duty(user, timezone.localtime().weekday(), time(0), time(0))


@pytest.mark.parametrize("clock", ACROSS_THE_WEEK, indirect=True)
def test_an_emergency_alerts_the_clinicians_on_duty_in_the_intakes_transaction(
    team, django_capture_on_commit_callbacks, clock: Clock
):
    on_duty_today_only(team["ana"])
    today = timezone.localtime().weekday()
    on_duty(team["ben"], (today - 1) % 7, time(0), time(0))  # yesterday, ended at midnight
    on_duty(team["cy"], (today + 1) % 7, time(0), time(0))  # tomorrow
    with django_capture_on_commit_callbacks() as handed_over:
        case = submit(bladder_or_bowel_change=True)

    alert = Message.objects.get()
    assert (alert.kind, alert.to_email, alert.case, alert.patient) == (
        Message.Kind.CLINICIAN_ALERT,
        "ana@clinic.example",
        case,
        case.patient,
    )
    assert alert.status == Message.Status.PENDING
    assert len(handed_over) == 1, "handed to a worker as soon as the intake commits"
    assert case.escalate_at - case.latest_assessment.created_at == timedelta(minutes=5)


def test_an_alert_carries_no_health_detail_only_a_link(team):
    on_duty_today_only(team["ana"])
    case = submit(chest_pain=True, pain_region="thoracic")
    alert = Message.objects.get()
    text = f"{alert.subject}\n{alert.body_text}\n{alert.body_html}"
    for health_detail in ("URGENT", "Urgent", "urgent", "chest", "Chest", "Nell", "Price", "1950"):
        assert health_detail not in text
    assert f"/triage/cases/{case.pk}/" in alert.body_text
    assert alert.message_id == f"<{alert.key}@clinic-triage.local>"


@pytest.mark.parametrize("clock", ACROSS_THE_WEEK, indirect=True)
def test_an_urgent_case_escalates_after_an_hour_and_a_soon_case_alerts_nobody(team, clock: Clock):
    on_duty_today_only(team["ana"])
    urgent = submit(chest_pain=True)
    assert urgent.escalate_at - urgent.latest_assessment.created_at == timedelta(hours=1)
    Case.objects.all().update(status=Case.Status.CLOSED)
    Message.objects.all().delete()

    soon = submit(unexplained_weight_loss=True)
    assert (soon.escalate_at, Message.objects.count()) == (None, 0)


def test_an_unclaimed_case_escalates_to_every_clinician_and_the_lead_until_claimed(team):
    case = submit(severe_headache=True)
    Message.objects.all().delete()
    deadline = case.escalate_at

    assert escalate_unclaimed_cases(now=deadline - timedelta(seconds=1)) == 0
    assert escalate_unclaimed_cases(now=deadline) == 1

    first = Message.objects.filter(kind=Message.Kind.ESCALATION)
    assert {m.to_email for m in first} == {
        "ana@clinic.example", "ben@clinic.example", "cy@clinic.example", "lee@clinic.example",
    }  # fmt: skip
    case.refresh_from_db()
    assert case.escalation_level == 1
    assert case.escalate_at == deadline + timedelta(minutes=5)

    assert escalate_unclaimed_cases(now=case.escalate_at) == 1  # and again at the next deadline
    assert Message.objects.filter(kind=Message.Kind.ESCALATION).count() == 8

    claim_case(case_id=case.pk, clinician=team["cy"])
    assert escalate_unclaimed_cases(now=case.escalate_at + timedelta(hours=1)) == 0


def test_claiming_cancels_escalations_not_yet_sent(team):
    case = submit(severe_headache=True)
    escalate_unclaimed_cases(now=case.escalate_at)
    waiting = Message.objects.filter(kind=Message.Kind.ESCALATION)
    assert waiting.exists()

    claim_case(case_id=case.pk, clinician=team["ana"])

    assert set(waiting.values_list("status", flat=True)) == {Message.Status.CANCELLED}
    case.refresh_from_db()
    assert (case.claimed_by, case.escalate_at) == (team["ana"], None)


def test_the_second_clinician_to_claim_is_told_who_has_it(team):
    case = submit(severe_headache=True)
    claim_case(case_id=case.pk, clinician=team["ana"])
    with pytest.raises(CaseAlreadyClaimed, match="ana has already claimed this case"):
        claim_case(case_id=case.pk, clinician=team["ben"])
    assert claim_case(case_id=case.pk, clinician=team["ana"]).claimed_by == team["ana"]


def test_a_claimed_case_is_not_alerted_again_by_a_new_intake(team):
    case = submit(severe_headache=True)
    claim_case(case_id=case.pk, clinician=team["ana"])
    alerts = Message.objects.filter(kind=Message.Kind.CLINICIAN_ALERT).count()

    submit(chest_pain=True)

    assert Message.objects.filter(kind=Message.Kind.CLINICIAN_ALERT).count() == alerts


def test_a_closed_case_cannot_be_claimed(team):
    from triage.services import CaseNotOpen

    case = submit(severe_headache=True)
    Case.objects.filter(pk=case.pk).update(status=Case.Status.CLOSED)
    with pytest.raises(CaseNotOpen):
        claim_case(case_id=case.pk, clinician=team["ana"])
    assert Case.objects.get(pk=case.pk).claimed_by is None
