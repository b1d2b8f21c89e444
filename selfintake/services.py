"""Every write of self-intake: one function per action.

- `invite_patient`: staff email the patient a link (through the outbox), retiring any live one.
- `check_date_of_birth`: the patient's answer to "your date of birth", right or wrong, counted
  and audited; wrong answers pause the link, and too many end it.
- `save_answers`: a step's answers kept in the link's draft.
- `submit_self_intake`: the draft through reception's own `submit_intake` (same identity, token
  and triage, the same alerts), once per link whatever the double clicks, tabs and back buttons.
- `request_new_link`: the patient, from a link that no longer works, asks the clinic for one.
- `record_answers_checked`: staff went through the answers with the patient at the visit.
- `purge_expired_drafts`: beat's clean-up of drafts whose link has expired.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from audit import services as audit
from audit.models import AuditEvent
from clinic import language as language_module
from outbox.models import Message
from outbox.services import Email, Recipient, queue_emails
from patients.models import Intake, Patient
from patients.services import PatientDetails, set_preferred_language, submit_intake
from programmes.emails import can_email, clinic_details
from psychosocial.intake import Questionnaire
from selfintake import forms as steps
from selfintake import links
from selfintake.models import AnswersCheck, Draft, Invitation


class CannotInvite(Exception):
    """No link can go to this patient (no email address, or no agreement to email)."""


class AlreadyChecked(Exception):
    def __init__(self, check: AnswersCheck) -> None:
        super().__init__(f"intake {check.intake_id} was checked already")
        self.check = check


def why_no_link(patient: Patient) -> str:
    """Why a link cannot be emailed to the patient, or "" when it can."""
    if not patient.email:
        return gettext(
            "No link can be sent: the patient has no email address on record. Ask them to "
            "answer the intake at the desk, or add their address at their next intake."
        )
    if not can_email(patient):
        return gettext(
            "No link can be sent: the patient has not agreed to email. Ask them at the desk; "
            "their agreement is recorded with their next intake."
        )
    return ""


@transaction.atomic
def invite_patient(
    *, patient_id: int, by: User, now: datetime | None = None, language: str | None = None
) -> Invitation:
    """Email the patient a new self-intake link; any link they had stops working (its draft is
    deleted with it). Recorded, and audited. `language` (one of settings.LANGUAGES) is the
    language reception chose for the email and the patient's pages: when it is not the one the
    patient's record gives, their preferred language becomes it (recorded as a detail change)."""
    now = now or timezone.now()
    patient = Patient.objects.select_for_update().get(pk=patient_id)
    problem = why_no_link(patient)
    if problem:
        raise CannotInvite(problem)
    chosen = language_module.supported(language)
    if chosen is not None and chosen != language_module.for_patient(patient):
        set_preferred_language(patient=patient, language=chosen.split("-")[0], by=by)
    live = list(Invitation.objects.select_for_update().filter(patient=patient).unanswered())
    for old in live:
        old.retired_at = now
        old.retired_because = Invitation.Retired.REPLACED
        old.save(update_fields=["retired_at", "retired_because"])
        Draft.objects.filter(invitation=old).delete()
    invitation = Invitation.objects.create(
        patient=patient,
        email=patient.email,
        sent_by=by,
        created_at=now,
        expires_at=now + settings.SELF_INTAKE_LINK_MAX_AGE,
    )
    queue_emails([_invitation_email(invitation)])
    audit.record_change(
        by=by,
        record=invitation.record,
        patient=patient,
        action=AuditEvent.Action.CREATE,
        changes={
            "sent to": ("", invitation.email),
            "expires": ("", invitation.expires_at),
            **{f"link {old.pk}": ("live", "replaced") for old in live},
        },
    )
    return invitation


def _invitation_email(invitation: Invitation) -> Email:
    patient = invitation.patient
    expires = timezone.localtime(invitation.expires_at)
    return Email(
        key=f"selfintake.{invitation.pk}",
        kind=Message.Kind.SELF_INTAKE,
        to=Recipient(email=invitation.email, name=patient.full_name),
        template="self_intake",
        language=language_module.for_patient(patient),
        context={
            "clinic_name": settings.CLINIC_NAME,
            "clinic": clinic_details(),
            "given_name": patient.given_name,
            "start_url": links.start_url(invitation),
            "expires_at": expires,
        },
        patient_id=patient.pk,
    )


@dataclass(frozen=True)
class DateOfBirthAnswer:
    right: bool
    paused_until: datetime | None = None
    ended: bool = False


@transaction.atomic
def check_date_of_birth(
    *, invitation_id: int, born: date, request: HttpRequest, now: datetime | None = None
) -> DateOfBirthAnswer:
    """The patient's date of birth for this link: right opens it; wrong is counted, and every
    SELF_INTAKE_TRIES_BEFORE_PAUSE wrong answers in a row pause the link for
    SELF_INTAKE_PAUSE, and SELF_INTAKE_MAX_WRONG in all end it. While paused nothing is
    checked. Each answer is audited (a wrong one as a failed sign-in by the patient)."""
    now = now or timezone.now()
    invitation = (
        Invitation.objects.select_for_update().select_related("patient").get(pk=invitation_id)
    )
    if invitation.is_paused(now) or not invitation.is_open(now):
        return DateOfBirthAnswer(
            right=False,
            paused_until=invitation.paused_until if invitation.is_paused(now) else None,
            ended=not invitation.is_open(now),
        )
    if born == invitation.patient.date_of_birth:
        invitation.wrong_in_a_row = 0
        invitation.paused_until = None
        invitation.first_opened_at = invitation.first_opened_at or now
        invitation.save(update_fields=["wrong_in_a_row", "paused_until", "first_opened_at"])
        audit.record_view(
            request=request,
            record=invitation.record,
            patient=invitation.patient_id,
            by_patient=True,
            action=AuditEvent.Action.LOGIN,
        )
        return DateOfBirthAnswer(right=True)
    invitation.wrong_answers += 1
    invitation.wrong_in_a_row += 1
    ended = invitation.wrong_answers >= settings.SELF_INTAKE_MAX_WRONG
    if ended:
        invitation.retired_at = now
        invitation.retired_because = Invitation.Retired.TOO_MANY_TRIES
        Draft.objects.filter(invitation=invitation).delete()
    elif invitation.wrong_in_a_row >= settings.SELF_INTAKE_TRIES_BEFORE_PAUSE:
        invitation.paused_until = now + settings.SELF_INTAKE_PAUSE
        invitation.wrong_in_a_row = 0
    invitation.save(
        update_fields=[
            "wrong_answers",
            "wrong_in_a_row",
            "paused_until",
            "retired_at",
            "retired_because",
        ]
    )
    audit.record_view(
        request=request,
        record=f"{invitation.record}: wrong date of birth ({invitation.wrong_answers})",
        patient=invitation.patient_id,
        by_patient=True,
        action=AuditEvent.Action.LOGIN_FAILED,
    )
    return DateOfBirthAnswer(right=False, paused_until=invitation.paused_until, ended=ended)


def typed_answers(invitation: Invitation) -> dict[str, str]:
    draft = Draft.objects.filter(invitation=invitation).first()
    return dict(draft.answers) if draft is not None else {}


@transaction.atomic
def save_answers(*, invitation_id: int, typed: dict[str, str], step: steps.Step) -> None:
    """Keep a step's answers in the link's draft, as typed (the step's earlier answers are
    replaced by these). Nothing is kept for a link that no longer works."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation_id)
    if not invitation.is_open(timezone.now()):
        return
    draft, _created = Draft.objects.select_for_update().get_or_create(invitation=invitation)
    names = {q.name for q in step.questions()} | {
        name for name in typed if name.startswith("psychosocial_item_")
    }
    if step.section is None:
        names |= {name for name in draft.answers if name.startswith("psychosocial_item_")}
    kept = {name: value for name, value in draft.answers.items() if name not in names}
    draft.answers = kept | {name: value for name, value in typed.items() if name in names}
    draft.save()


def details_of(patient: Patient) -> PatientDetails:
    """The patient as they are on record, as an intake's details."""
    return PatientDetails(
        given_name=patient.given_name,
        family_name=patient.family_name,
        date_of_birth=patient.date_of_birth,
        sex=patient.sex,
        email=patient.email,
        phone=patient.phone,
        nhs_number=patient.nhs_number,
        preferred_language=patient.preferred_language,
        email_consent=patient.email_consent,
    )


def submit_self_intake(
    *, invitation_id: int, questionnaire: Questionnaire | None, now: datetime | None = None
) -> Intake:
    """The patient's answers, sent: through `submit_intake` as reception's are (the patient as
    on record; triaged at once, the case opened or raised, the clinicians on duty alerted for
    an EMERGENCY or URGENT result), under the link's own submission token. The link is used and
    the draft deleted in the same transaction. A second send (a double click, another tab, the
    back button) waits on the link's row lock and gets the first intake.

    Raises `steps.Incomplete` when a step's answers are missing or refused (nothing is saved),
    and `links.LinkProblem` when the link no longer works."""
    now = now or timezone.now()
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update().select_related("patient").get(pk=invitation_id)
        )
        if invitation.intake_id is not None:
            return Intake.objects.get(pk=invitation.intake_id)
        if not invitation.is_open(now):
            raise links.LinkProblem(_("closed"), invitation)
        patient = invitation.patient
        today = timezone.localdate(now)
        answers, screen = steps.assemble(
            typed_answers(invitation),
            questionnaire=questionnaire,
            born=patient.date_of_birth,
            today=today,
            age=max(0, patient.age_on(today)),
            sex=patient.sex,
        )
        # entered_by is None: the patient entered it, as with a programme check-in. No staff
        # member did, and a made-up "system" user would read as staff on every page and in
        # the audit (who entered an intake is the intake row itself).
        intake = submit_intake(
            details=details_of(patient),
            answers=answers,
            entered_by=None,
            submission_token=invitation.submission_token,
            source=Intake.Source.SELF,
            psychosocial_screen=screen,
            patient=patient,
        )
        invitation.intake = intake
        invitation.submitted_at = now
        invitation.save(update_fields=["intake", "submitted_at"])
        Draft.objects.filter(invitation=invitation).delete()
        return intake


@transaction.atomic
def request_new_link(*, invitation_id: int, request: HttpRequest) -> bool:
    """The patient asks, from a link that no longer works, for a new one: reception sees it on
    the self-intake list. Once per link. True when the request is new."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation_id)
    if invitation.new_link_requested_at is not None:
        return False
    invitation.new_link_requested_at = timezone.now()
    invitation.save(update_fields=["new_link_requested_at"])
    audit.record_change(
        by=None,
        by_patient=True,
        request=request,
        record=invitation.record,
        patient=invitation.patient_id,
        changes={"new link asked for": ("", invitation.new_link_requested_at)},
    )
    return True


@transaction.atomic
def record_answers_checked(
    *, intake_id: int, by: User, request: HttpRequest | None = None
) -> AnswersCheck:
    """Staff went through a self-entered intake with the patient: who and when, audited. A
    second check of the same intake is refused (the first stands)."""
    intake = Intake.objects.select_for_update().get(pk=intake_id, source=Intake.Source.SELF)
    existing = AnswersCheck.objects.filter(intake=intake).select_related("checked_by").first()
    if existing is not None:
        raise AlreadyChecked(existing)
    check = AnswersCheck.objects.create(intake=intake, checked_by=by, checked_at=timezone.now())
    audit.record_change(
        by=by,
        request=request,
        record=f"intake {intake.pk}",
        patient=intake.patient_id,
        changes={"answers checked with the patient": ("", check.checked_at)},
    )
    return check


def purge_expired_drafts(*, now: datetime | None = None) -> int:
    """Delete the drafts whose link has expired or stopped working (a used or replaced link's
    draft goes with it already; this is the safety net). Returns how many."""
    now = now or timezone.now()
    deleted, _by_model = Draft.objects.filter(
        Q(invitation__expires_at__lte=now)
        | Q(invitation__retired_at__isnull=False)
        | Q(invitation__submitted_at__isnull=False)
    ).delete()
    return deleted
