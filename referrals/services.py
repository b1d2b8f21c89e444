"""Every write a referral takes: drafted, edited, sent (by email or printed for the patient),
acknowledged, completed or cancelled. One function per action, each in its own transaction."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from audit import services as audit
from examination.models import Examination
from outbox.models import Message
from outbox.services import Email, Recipient, queue_emails
from outbox.services import retry_dead_message as outbox_retry
from referrals import letters
from referrals.models import Destination, Referral, expected_by
from triage import services as triage
from triage.models import Case, CaseDecision, Urgency
from triage.outcomes import safety_net_for

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class ReferralError(ValueError):
    """The referral cannot take this step; the message says why, for the clinician."""


@transaction.atomic
def draft_referral(
    *,
    case_id: int,
    destination_id: int,
    clinician: User,
    urgency: Urgency | None = None,
    imaging_examination_id: int | None = None,
) -> Referral:
    """A draft to the destination, its letter written from the patient, answers, fired rules
    and the case's latest examination. A case has one live referral per destination.

    `imaging_examination_id`: an examination of this case whose imaging decision aid asked for
    MRI or X-ray (the case page's one-click imaging referral): the letter asks for that imaging
    with the aid's rule and that examination's findings. The draft is still the clinician's to
    review and send."""
    case = _case_to_refer(case_id, clinician)
    destination = Destination.objects.get(pk=destination_id, active=True)
    if Referral.objects.live().filter(case=case, destination=destination).exists():
        raise ReferralError(
            gettext("This case already has a live referral to %(destination)s.")
            % {"destination": destination.name}
        )
    imaging = None
    if imaging_examination_id is not None:
        imaging = (
            Examination.objects.filter(pk=imaging_examination_id, case=case)
            .select_related("assessment")
            .first()
        )
        if imaging is None or letters.imaging_request(imaging) is None:
            raise ReferralError(gettext("That examination of this case does not ask for imaging."))
    urgency = urgency or letters.default_urgency(case)
    referral = Referral.objects.create(
        case=case,
        destination=destination,
        referred_by=clinician,
        urgency=urgency,
        letter=letters.compose_letter(case=case, clinician=clinician, imaging=imaging),
    )
    audit.record_change(
        by=clinician,
        record=f"referral {referral.pk}",
        patient=case.patient_id,
        action=audit.AuditEvent.Action.CREATE,
        changes={
            "destination": (None, destination.name),
            "urgency": (None, Urgency(urgency).label),
            "status": (None, referral.get_status_display()),
            **({"imaging asked for": (None, f"examination {imaging.pk}")} if imaging else {}),
        },
    )
    return referral


@transaction.atomic
def update_letter(
    *,
    referral_id: int,
    letter: str,
    urgency: Urgency | None = None,
    by: User | None = None,
) -> Referral:
    """The clinician's edit of a draft's letter (and the urgency asked for); `by`, who edited
    it, for the audit."""
    referral = _locked(referral_id, Referral.Status.DRAFT, doing="edit")
    changes = {}
    if letter != referral.letter:
        changes["letter"] = (referral.letter, letter)
    if urgency is not None and urgency != referral.urgency:
        changes["urgency"] = (str(Urgency(referral.urgency).label), str(Urgency(urgency).label))
    referral.letter = letter
    if urgency is not None:
        referral.urgency = urgency
    referral.save(update_fields=["letter", "urgency", "updated_at"])
    if changes:
        _audit(referral, by=by, changes=changes)
    return referral


@transaction.atomic
def send_referral(*, referral_id: int, by: User | None = None) -> Referral:
    """Send the letter as a PDF to the destination's email, through the outbox."""
    referral = _locked(referral_id, Referral.Status.DRAFT, doing="send")
    destination = referral.destination
    if not destination.email:
        raise ReferralError(
            gettext("%(destination)s has no email address: print the letter instead.")
            % {"destination": destination.name}
        )
    _issue(referral, Referral.Status.SENT, by=by)
    queue_emails(
        [
            Email(
                key=referral.letter_key,
                kind=Message.Kind.REFERRAL_LETTER,
                to=Recipient(email=destination.email, name=destination.name),
                template="referral_letter",
                context={
                    "clinic_name": settings.CLINIC_NAME,
                    "reference": referral.reference,
                    "destination_name": destination.name,
                },
                patient_id=referral.case.patient_id,
                case_id=referral.case_id,
                attachment=bytes(referral.letter_pdf or b""),
                attachment_name=f"referral-{referral.reference}.pdf",
                attachment_type="application/pdf",
            )
        ]
    )
    return referral


@transaction.atomic
def mark_printed(*, referral_id: int, by: User | None = None) -> Referral:
    """The letter was printed and handed to the patient: sent, by hand. A referral emailed
    whose letter the outbox could not deliver may be printed instead: the dead letter is
    cancelled, and the expected-by date stays as it was (the chase comes no later)."""
    referral = _locked(referral_id, Referral.Status.DRAFT, Referral.Status.SENT, doing="print")
    if referral.status == Referral.Status.DRAFT:
        _issue(referral, Referral.Status.PRINTED, by=by)
        return referral
    if referral.letter_delivery != "undelivered":
        raise ReferralError(
            gettext(
                "Referral %(reference)s was emailed and its letter is not known to have failed: "
                "it cannot be printed instead."
            )
            % {"reference": referral.reference}
        )
    Message.objects.filter(key=referral.letter_key, status=Message.Status.DEAD).update(
        status=Message.Status.CANCELLED
    )
    before = referral.get_status_display()
    referral.status = Referral.Status.PRINTED
    referral.save(update_fields=["status", "updated_at"])
    _audit(
        referral,
        by=by,
        changes={
            "status": (before, referral.get_status_display()),
            "letter": ("not delivered", "printed instead"),
        },
    )
    return referral


@transaction.atomic
def retry_letter(*, referral_id: int, by: User | None = None) -> Referral:
    """Try an undelivered letter again (the destination's address fixed, the mail server back):
    the outbox's dead message goes back in its queue, due now, and the retry is audited."""
    referral = _locked(referral_id, Referral.Status.SENT, doing="resend")
    message = Message.objects.filter(key=referral.letter_key).first()
    if message is None or message.status != Message.Status.DEAD:
        raise ReferralError(
            gettext("Referral %(reference)s's letter has not failed: there is nothing to retry.")
            % {"reference": referral.reference}
        )
    outbox_retry(message_id=message.pk)
    _audit(referral, by=by, changes={"letter": ("not delivered", "sent again")})
    return referral


@transaction.atomic
def acknowledge_referral(*, referral_id: int, by: User | None = None) -> Referral:
    """The destination has the referral."""
    referral = _locked(referral_id, *Referral.AWAITING, doing="acknowledge")
    return _move(referral, Referral.Status.ACKNOWLEDGED, "acknowledged_at", by=by)


@transaction.atomic
def complete_referral(*, referral_id: int, by: User | None = None) -> Referral:
    """The destination has seen the patient."""
    referral = _locked(
        referral_id, *Referral.AWAITING, Referral.Status.ACKNOWLEDGED, doing="complete"
    )
    return _move(referral, Referral.Status.COMPLETED, "completed_at", by=by)


@transaction.atomic
def cancel_referral(*, referral_id: int, by: User | None = None) -> Referral:
    """Withdraw a referral (a draft, or one sent that is no longer wanted)."""
    referral = _locked(referral_id, *Referral.LIVE, doing="cancel")
    return _move(referral, Referral.Status.CANCELLED, "cancelled_at", by=by)


def _case_to_refer(case_id: int, clinician: User) -> Case:
    """A case a referral may be drafted for: waiting and not held by another clinician, or
    already decided by a referral or a programme."""
    try:
        return triage.lock_for_decision(
            case_id=case_id, clinician=clinician, action="refer", further=True
        )
    except triage.CaseActionRefused as exc:
        raise ReferralError(str(exc)) from exc


# Each refusal is a whole sentence (never an English verb put into one); the status is named
# as a label, so no language has to inflect or lower-case it.
REFUSED: dict[str, StrOrPromise] = {
    "edit": gettext_lazy("Referral %(reference)s (%(status)s) cannot be edited."),
    "send": gettext_lazy("Referral %(reference)s (%(status)s) cannot be sent."),
    "print": gettext_lazy("Referral %(reference)s (%(status)s) cannot be printed."),
    "resend": gettext_lazy("Referral %(reference)s (%(status)s) cannot be sent again."),
    "acknowledge": gettext_lazy("Referral %(reference)s (%(status)s) cannot be acknowledged."),
    "complete": gettext_lazy("Referral %(reference)s (%(status)s) cannot be completed."),
    "cancel": gettext_lazy("Referral %(reference)s (%(status)s) cannot be cancelled."),
}


def _locked(referral_id: int, *allowed: str, doing: str) -> Referral:
    referral = (
        Referral.objects.select_for_update(of=("self",))
        .select_related("destination", "case__patient", "referred_by")
        .get(pk=referral_id)
    )
    if referral.status not in allowed:
        raise ReferralError(
            str(REFUSED[doing])
            % {"reference": referral.reference, "status": referral.get_status_display()}
        )
    return referral


def _issue(referral: Referral, status: str, *, by: User | None) -> None:
    """Sent or printed: the PDF as it left is kept, the clock starts, and the referring clinician
    is reminded if the destination has not acknowledged it by the expected-by date."""
    now = timezone.now()
    before = referral.get_status_display()
    referral.status = status
    referral.sent_at = now
    referral.expected_by = expected_by(referral.urgency, now)
    referral.letter_pdf = letters.render_pdf(referral)
    referral.save(update_fields=["status", "sent_at", "expected_by", "letter_pdf", "updated_at"])
    # The clinician's decision on the case, through triage's one door: the case leaves the
    # waiting queue, and the referral lives on in the referrals worklist.
    how = "printed and handed to the patient" if status == Referral.Status.PRINTED else "sent"
    try:
        triage.record_decision(
            case=referral.case_id,
            kind=CaseDecision.Kind.REFERRED,
            clinician=by or referral.referred_by,
            note=f"Referral {referral.reference} to {referral.destination.name}, {how}",
            safety_net=safety_net_for(CaseDecision.Kind.REFERRED).as_text(),
            further=True,
            at=now,
        )
    except triage.CaseActionRefused as exc:
        raise ReferralError(str(exc)) from exc
    _audit(
        referral,
        by=by,
        changes={
            "status": (before, referral.get_status_display()),
            "expected by": (None, referral.expected_by),
        },
    )
    clinician = referral.referred_by
    if clinician.email:
        queue_emails(
            [
                Email(
                    key=referral.reminder_key,
                    kind=Message.Kind.REFERRAL_REMINDER,
                    to=Recipient(
                        email=clinician.email,
                        name=letters.signature_name(clinician),
                        user_id=clinician.pk,
                    ),
                    template="referral_reminder",
                    context={
                        "clinic_name": settings.CLINIC_NAME,
                        "reference": referral.reference,
                        "recipient_name": letters.signature_name(clinician),
                        "case_url": settings.SITE_URL
                        + reverse("triage:case_detail", args=[referral.case_id]),
                    },
                    due_at=referral.expected_by,
                    patient_id=referral.case.patient_id,
                    case_id=referral.case_id,
                )
            ]
        )


def reminder_still_wanted(message: Message) -> bool:
    """The outbox's check before a referral reminder leaves: only while nobody has answered
    the referral. The referral row stays locked until the send is recorded, so an
    acknowledgement racing the reminder waits for it or cancels it."""
    head = message.key.removeprefix("refrem.r")
    if not head.isdigit():
        return True
    referral = Referral.objects.select_for_update().filter(pk=int(head)).first()
    return referral is None or referral.status in Referral.AWAITING


def _audit(
    referral: Referral, *, by: User | None, changes: Mapping[str, tuple[object, object]]
) -> None:
    audit.record_change(
        by=by, record=f"referral {referral.pk}", patient=referral.case.patient_id, changes=changes
    )


def _move(referral: Referral, status: str, stamp: str, *, by: User | None = None) -> Referral:
    before = referral.get_status_display()
    referral.status = status
    setattr(referral, stamp, timezone.now())
    referral.save(update_fields=["status", stamp, "updated_at"])
    _audit(referral, by=by, changes={"status": (before, referral.get_status_display())})
    # The reminder is only for a referral nobody has answered.
    Message.objects.filter(
        key=referral.reminder_key, status__in=[Message.Status.PENDING, Message.Status.FAILED]
    ).update(status=Message.Status.CANCELLED)
    return referral
