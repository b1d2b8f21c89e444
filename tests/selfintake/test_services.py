"""The self-intake's services on PostgreSQL: the link and its email, the date-of-birth check and
its throttle, the draft, sending through reception's submit_intake (once per link, whatever the
races), the request for a new link, the check at the visit and the purge of expired drafts."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.db import IntegrityError, ProgrammingError, connection, transaction
from django.test import RequestFactory

from audit.models import AuditEvent
from outbox.models import Message
from patients.models import Intake
from psychosocial.intake import active_questionnaire
from selfintake import links, services
from selfintake.forms import CONTRACT_STEPS, QUESTIONNAIRE_STEP, Incomplete
from selfintake.models import AnswersCheck, Draft, Invitation
from tests.psychosocial.helpers import item_post, make_tool
from tests.selfintake.helpers import (
    BORN,
    fill_draft,
    invite,
    patient_with_email,
    self_intake,
    step_post,
)
from tests.support.clock import Clock
from tests.support.factories import ClinicianFactory, PatientFactory
from triage.models import Case, Urgency

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def request():  # type: ignore[no-untyped-def]
    return RequestFactory().post("/p/i/x/", REMOTE_ADDR="203.0.113.9")


# --- The link ---------------------------------------------------------------------------------


def test_inviting_emails_the_patient_a_link_through_the_outbox_with_no_health_detail_and_audits_it(
    receptionist: User,
) -> None:
    patient = patient_with_email(given_name="Ada", family_name="Lovelace")

    invitation, link = invite(patient, receptionist)

    [message] = Message.objects.filter(kind=Message.Kind.SELF_INTAKE)
    assert message.to_email == "ada@example.org" and message.patient_id == patient.pk
    assert links.start_url(invitation) in message.body_text
    assert links.start_url(invitation) in message.body_html
    assert "Lovelace" not in message.subject and "pain" not in message.subject.lower()
    assert invitation.expires_at - invitation.created_at == settings.SELF_INTAKE_LINK_MAX_AGE
    assert links.invitation_for(link) == invitation
    event = AuditEvent.objects.get(record=invitation.record)
    assert (event.actor, event.action, event.patient_id) == (
        receptionist,
        AuditEvent.Action.CREATE,
        patient.pk,
    )


def test_a_new_link_retires_the_old_one_and_its_draft(receptionist: User) -> None:
    patient = patient_with_email()
    first, old_link = invite(patient, receptionist)
    fill_draft(first)

    second, new_link = invite(patient, receptionist)

    first.refresh_from_db()
    assert first.retired_because == Invitation.Retired.REPLACED and first.retired_at is not None
    assert not Draft.objects.filter(invitation=first).exists()
    with pytest.raises(links.LinkProblem) as problem:
        links.invitation_for(old_link)
    assert problem.value.kind == "retired" and problem.value.invitation == first
    assert links.invitation_for(new_link) == second
    assert Message.objects.filter(kind=Message.Kind.SELF_INTAKE).count() == 2


def test_the_database_allows_one_live_link_per_patient(receptionist: User) -> None:
    patient = patient_with_email()
    first, _link = invite(patient, receptionist)
    with pytest.raises(IntegrityError), transaction.atomic():
        Invitation.objects.create(
            patient=patient, email=patient.email, sent_by=receptionist, expires_at=first.expires_at
        )


@pytest.mark.parametrize(
    ("fields", "why"),
    [({"email": ""}, "no email address"), ({"email_consent": False}, "not agreed to email")],
)
def test_no_link_goes_to_a_patient_without_an_address_or_agreement(
    receptionist: User, fields: dict[str, object], why: str
) -> None:
    patient = patient_with_email(**fields)

    with pytest.raises(services.CannotInvite, match=why):
        services.invite_patient(patient_id=patient.pk, by=receptionist)

    assert not Invitation.objects.exists() and not Message.objects.exists()


def test_a_link_that_is_not_ours_or_tampered_with_opens_nothing(receptionist: User) -> None:
    _invitation, link = invite(patient_with_email(), receptionist)
    for bad in ("", "x", link[:-2] + "xx", link + "x", "eyJpIjoxfQ:abc"):
        with pytest.raises(links.LinkProblem) as problem:
            links.invitation_for(bad)
        assert problem.value.invitation is None


def test_a_link_expires(receptionist: User, clock: Clock) -> None:
    invitation, link = invite(patient_with_email(), receptionist)
    clock.advance(settings.SELF_INTAKE_LINK_MAX_AGE - timedelta(seconds=1))
    assert links.invitation_for(link) == invitation

    clock.advance(timedelta(seconds=1))

    with pytest.raises(links.LinkProblem) as problem:
        links.invitation_for(link)
    assert problem.value.kind == "expired"


# --- The date of birth ------------------------------------------------------------------------


def test_the_right_date_of_birth_opens_the_link_and_is_audited(receptionist: User) -> None:
    invitation, _link = invite(patient_with_email(), receptionist)

    answer = services.check_date_of_birth(invitation_id=invitation.pk, born=BORN, request=request())

    assert answer.right
    invitation.refresh_from_db()
    assert invitation.first_opened_at is not None
    event = AuditEvent.objects.get(action=AuditEvent.Action.LOGIN)
    assert (event.actor_kind, event.patient_id) == (
        AuditEvent.ActorKind.PATIENT,
        invitation.patient_id,
    )


def test_wrong_dates_of_birth_pause_the_link_then_end_it(receptionist: User, clock: Clock) -> None:
    invitation, link = invite(patient_with_email(), receptionist)
    fill_draft(invitation)
    wrong = date(1985, 3, 15)
    pause_after = settings.SELF_INTAKE_TRIES_BEFORE_PAUSE

    answers = [
        services.check_date_of_birth(invitation_id=invitation.pk, born=wrong, request=request())
        for _ in range(pause_after)
    ]

    assert not any(a.right for a in answers)
    assert answers[-1].paused_until == clock.now + settings.SELF_INTAKE_PAUSE
    assert all(a.paused_until is None for a in answers[:-1])
    # While paused, even the right date is not checked (nor counted).
    paused = services.check_date_of_birth(invitation_id=invitation.pk, born=BORN, request=request())
    assert not paused.right and paused.paused_until is not None
    clock.advance(settings.SELF_INTAKE_PAUSE)
    assert services.check_date_of_birth(
        invitation_id=invitation.pk, born=BORN, request=request()
    ).right

    # Wrong answers in all, however spread out, end the link.
    for _ in range(settings.SELF_INTAKE_MAX_WRONG - pause_after):
        clock.advance(settings.SELF_INTAKE_PAUSE)
        last = services.check_date_of_birth(
            invitation_id=invitation.pk, born=wrong, request=request()
        )
    assert last.ended
    invitation.refresh_from_db()
    assert invitation.retired_because == Invitation.Retired.TOO_MANY_TRIES
    assert not Draft.objects.filter(invitation=invitation).exists()
    with pytest.raises(links.LinkProblem):
        links.invitation_for(link)
    failed = AuditEvent.objects.filter(action=AuditEvent.Action.LOGIN_FAILED)
    assert failed.count() == settings.SELF_INTAKE_MAX_WRONG
    assert set(failed.values_list("actor_kind", "patient_id")) == {
        (AuditEvent.ActorKind.PATIENT, invitation.patient_id)
    }
    assert set(failed.values_list("ip_address", flat=True)) == {"203.0.113.9"}


# --- The draft --------------------------------------------------------------------------------


def test_a_step_replaces_its_own_answers_in_the_draft_and_keeps_the_others(
    receptionist: User,
) -> None:
    invitation, _link = invite(patient_with_email(), receptionist)
    pain, injury = CONTRACT_STEPS[0], CONTRACT_STEPS[1]
    services.save_answers(invitation_id=invitation.pk, typed=step_post(pain), step=pain)
    services.save_answers(invitation_id=invitation.pk, typed=step_post(injury), step=injury)

    services.save_answers(
        invitation_id=invitation.pk,
        typed={"duration_days": "3", "pain_region": "lower_back", "sex": "M"},
        step=pain,
    )

    typed = services.typed_answers(invitation)
    assert typed["duration_days"] == "3" and typed["pain_region"] == "lower_back"
    assert "onset_sudden" not in typed  # the step's answers were replaced by what it sent
    assert typed["recent_significant_trauma"] == "no"  # another step's stay
    assert "sex" not in typed  # only the step's own questions are kept


# --- Sending ----------------------------------------------------------------------------------


def test_sending_files_one_intake_under_the_patient_triaged_with_the_same_alerts(
    receptionist: User,
    django_capture_on_commit_callbacks,  # type: ignore[no-untyped-def]
) -> None:
    on_duty = ClinicianFactory(email="olu@clinic.example", on_duty=True)
    patient = patient_with_email(sex="M", date_of_birth=date(1960, 1, 1))
    invitation, _link = invite(patient, receptionist)
    fill_draft(invitation, saddle_anaesthesia="yes")

    with django_capture_on_commit_callbacks(execute=False):
        intake = services.submit_self_intake(invitation_id=invitation.pk, questionnaire=None)

    assert (intake.patient, intake.source, intake.entered_by) == (patient, "self", None)
    assert intake.submission_token == invitation.submission_token
    assert intake.answers["sex"] == "M" and intake.answers["age"] == patient.age_on(
        intake.created_at.date()
    )
    assert intake.answers["saddle_anaesthesia"] is True
    assert intake.answers["trauma_mechanism"] == "none"
    assert intake.answers["psychosocial_risk_category"] == "not_assessed"
    assert intake.assessment.urgency == Urgency.EMERGENCY
    alert = Message.objects.get(kind=Message.Kind.CLINICIAN_ALERT)
    assert alert.to_email == on_duty.email and alert.case_id == intake.assessment.case_id
    invitation.refresh_from_db()
    assert invitation.intake == intake and invitation.submitted_at is not None
    assert not Draft.objects.exists()


def test_sending_again_gives_the_first_intake(receptionist: User) -> None:
    invitation, intake = self_intake(receptionist)

    again = services.submit_self_intake(invitation_id=invitation.pk, questionnaire=None)

    assert again == intake and Intake.objects.count() == 1


def test_an_incomplete_draft_names_its_first_unanswered_step_and_saves_nothing(
    receptionist: User,
) -> None:
    invitation, _link = invite(patient_with_email(), receptionist)
    fill_draft(invitation)
    draft = Draft.objects.get(invitation=invitation)
    del draft.answers["chest_pain"]  # never answered: not a "no"
    draft.save()

    with pytest.raises(Incomplete) as incomplete:
        services.submit_self_intake(invitation_id=invitation.pk, questionnaire=None)

    assert incomplete.value.step.slug == "head-chest"
    assert not Intake.objects.exists()
    invitation.refresh_from_db()
    assert invitation.submitted_at is None


def test_an_injury_needs_how_it_happened(receptionist: User) -> None:
    invitation, _link = invite(patient_with_email(), receptionist)
    fill_draft(invitation, recent_significant_trauma="yes")

    with pytest.raises(Incomplete) as incomplete:
        services.submit_self_intake(invitation_id=invitation.pk, questionnaire=None)
    assert incomplete.value.step.slug == "injury"

    fill_draft(
        invitation,
        recent_significant_trauma="yes",
        trauma_mechanism="fall_from_height_over_1m_or_5_stairs",
    )
    intake = services.submit_self_intake(invitation_id=invitation.pk, questionnaire=None)
    assert intake.answers["trauma_mechanism"] == "fall_from_height_over_1m_or_5_stairs"


def test_a_mechanism_left_behind_after_a_no_is_not_an_injury(receptionist: User) -> None:
    invitation, _link = invite(patient_with_email(), receptionist)
    fill_draft(invitation, trauma_mechanism="high_speed_or_rollover_collision")

    intake = services.submit_self_intake(invitation_id=invitation.pk, questionnaire=None)

    assert intake.answers["trauma_mechanism"] == "none"


def test_it_is_filed_under_the_invited_patient_not_an_older_record_with_the_same_name(
    receptionist: User,
) -> None:
    PatientFactory(given_name="Ada", family_name="Twin", date_of_birth=BORN)  # registered first
    invited = patient_with_email(family_name="Twin")

    _invitation, intake = self_intake(receptionist, patient=invited)

    assert intake.patient == invited


def test_a_link_that_expired_with_a_draft_sends_nothing(receptionist: User, clock: Clock) -> None:
    invitation, _link = invite(patient_with_email(), receptionist)
    fill_draft(invitation)
    clock.advance(settings.SELF_INTAKE_LINK_MAX_AGE)

    with pytest.raises(links.LinkProblem):
        services.submit_self_intake(invitation_id=invitation.pk, questionnaire=None)

    assert not Intake.objects.exists()


def test_the_clinics_questionnaire_is_asked_and_stored_beside_the_answers(
    receptionist: User,
) -> None:
    make_tool()
    questionnaire = active_questionnaire()
    invitation, _link = invite(patient_with_email(), receptionist)
    fill_draft(invitation)
    with pytest.raises(Incomplete) as incomplete:
        services.submit_self_intake(invitation_id=invitation.pk, questionnaire=questionnaire)
    assert incomplete.value.step == QUESTIONNAIRE_STEP
    services.save_answers(
        invitation_id=invitation.pk,
        typed=item_post("yes", "yes", "yes", "3"),
        step=QUESTIONNAIRE_STEP,
    )

    intake = services.submit_self_intake(invitation_id=invitation.pk, questionnaire=questionnaire)

    assert intake.answers["psychosocial_risk_category"] == "high"
    assert intake.psychosocial_screen is not None
    assert intake.psychosocial_screen["tool"] == "Made-up screen"
    assert [i["value"] for i in intake.psychosocial_screen["items"]] == ["yes", "yes", "yes", "3"]


# --- A new link, the check at the visit, the purge --------------------------------------------


def test_a_patient_asks_once_for_a_new_link_and_a_new_link_answers_it(
    receptionist: User, clock: Clock
) -> None:
    invitation, _link = invite(patient_with_email(), receptionist)
    clock.advance(settings.SELF_INTAKE_LINK_MAX_AGE)

    assert services.request_new_link(invitation_id=invitation.pk, request=request())
    assert not services.request_new_link(invitation_id=invitation.pk, request=request())

    assert list(Invitation.objects.asking_for_a_new_link()) == [invitation]
    clock.advance(timedelta(minutes=5))
    invite(invitation.patient, receptionist)
    assert not Invitation.objects.asking_for_a_new_link().exists()


def test_checking_the_answers_records_who_and_when_once_and_is_audited(
    receptionist: User, clinician: User
) -> None:
    _invitation, intake = self_intake(receptionist)

    check = services.record_answers_checked(intake_id=intake.pk, by=receptionist)

    assert (check.intake, check.checked_by) == (intake, receptionist)
    event = AuditEvent.objects.get(record=f"intake {intake.pk}", action=AuditEvent.Action.CHANGE)
    assert event.actor == receptionist
    with pytest.raises(services.AlreadyChecked):
        services.record_answers_checked(intake_id=intake.pk, by=clinician)
    assert AnswersCheck.objects.get().checked_by == receptionist


def test_a_check_is_never_edited(receptionist: User) -> None:
    _invitation, intake = self_intake(receptionist)
    services.record_answers_checked(intake_id=intake.pk, by=receptionist)

    with pytest.raises(ProgrammingError, match="append-only"), transaction.atomic():
        AnswersCheck.objects.update(checked_at=None)


def test_only_a_self_entered_intake_is_checked(receptionist: User) -> None:
    from tests.patients.helpers import make_intake

    intake = make_intake(entered_by=receptionist)
    with pytest.raises(Intake.DoesNotExist):
        services.record_answers_checked(intake_id=intake.pk, by=receptionist)


def test_the_purge_deletes_the_drafts_of_expired_links_only(
    receptionist: User, clock: Clock
) -> None:
    old, _link = invite(patient_with_email(), receptionist)
    fill_draft(old)
    clock.advance(timedelta(hours=1))
    young, _link = invite(patient_with_email(email="bo@example.org"), receptionist)
    fill_draft(young)
    clock.advance(settings.SELF_INTAKE_LINK_MAX_AGE - timedelta(minutes=30))

    assert services.purge_expired_drafts() == 1

    assert list(Draft.objects.values_list("invitation", flat=True)) == [young.pk]


def test_the_purge_runs_on_beat() -> None:
    entry = settings.CELERY_BEAT_SCHEDULE["selfintake-purge-expired"]
    assert entry["task"] == "selfintake.purge_expired"


# --- Races ------------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_twenty_sends_at_once_make_one_intake_and_one_case() -> None:
    from tests.support.factories import ReceptionistFactory

    receptionist = ReceptionistFactory()
    invitation, _link = invite(patient_with_email(), receptionist)
    fill_draft(invitation, chest_pain="yes", sweating_or_nausea_with_pain="yes")
    barrier = threading.Barrier(20)
    results: list[object] = []

    def send() -> None:
        try:
            barrier.wait()
            results.append(
                services.submit_self_intake(invitation_id=invitation.pk, questionnaire=None).pk
            )
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(results) == 20 and len(set(results)) == 1
    assert Intake.objects.count() == 1 and Case.objects.count() == 1
