"""The public self-referral (SELF_REFERRAL_ENABLED): a person asks, on the clinic's site, to
answer the intake; the email address's owner confirms; they answer the ordinary self-intake.

- `request_self_referral`: the page's details kept as a `SelfReferral`, and a confirmation link
  emailed through the outbox (no health detail), at most SELF_REFERRAL_PER_ADDRESS per address
  and SELF_REFERRAL_PER_CLIENT per client address in any 24 hours (counted in the database,
  under a lock per address, so it holds across restarts and workers). Whether the address, name
  or birthday belong to somebody on file is never looked at: the page's answer is the same.
- `referral_for`: the request a confirmation link names, or `LinkProblem` (used, expired).
- `confirm_self_referral`: the link's owner confirmed (a POST: a mail scanner opening the link
  confirms nothing). A NEW patient record, marked self-referred, never matched to an existing
  one (a stranger who types somebody's name and birthday must never reach their record, nor
  file answers under it), and a self-intake `Invitation` for it, with its link emailed too (to
  carry on later). Nothing is triaged until the patient sends their answers, through
  `selfintake.services.submit_self_intake` like any self-intake.

Every step is audited as the patient's own (a request, a refused request, a confirmation).
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core import signing
from django.db import connection, transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from audit import services as audit
from audit.models import AuditEvent
from clinic.lockout import client_address
from outbox.models import Message
from outbox.services import Email, Recipient, queue_emails
from patients.models import Language, Patient
from programmes.emails import clinic_details
from selfintake import links
from selfintake.models import Invitation, SelfReferral

_SALT = "selfintake.referral"
WINDOW = timedelta(hours=24)


@dataclass(frozen=True)
class ReferralDetails:
    given_name: str
    family_name: str
    date_of_birth: date
    sex: str
    email: str
    phone: str
    email_consent: bool


class Throttled(Exception):
    """Too many confirmation emails asked for lately (per address or per client): none sent."""

    def __init__(self, until: datetime) -> None:
        super().__init__("throttled")
        self.until = until


def email_key(email: str) -> str:
    return email.strip().lower()


def client_key(request: HttpRequest | None) -> str:
    """The client's address as a keyed hash: enough to count its requests, nothing to read."""
    address = client_address(request) if request is not None else None
    if not address:
        return ""
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"selfreferral:{address}".encode(), hashlib.sha256).hexdigest()


def _lock(*names: str) -> None:
    """Serialise requests for the same address (and client) to the end of the transaction, so
    that two at once cannot both pass the throttle. SQLite serialises writers by itself."""
    if connection.vendor != "postgresql":
        return
    keys = sorted(
        {
            int.from_bytes(
                hashlib.sha256(f"selfreferral:{n}".encode()).digest()[:8], "big", signed=True
            )
            for n in names
            if n
        }
    )
    if keys:
        with connection.cursor() as cursor:
            cursor.execute("SELECT " + ", ".join("pg_advisory_xact_lock(%s)" for _ in keys), keys)


def _throttled_until(
    queryset: QuerySet[SelfReferral], limit: int, now: datetime
) -> datetime | None:
    recent = list(
        queryset.filter(created_at__gt=now - WINDOW)
        .order_by("-created_at")
        .values_list("created_at", flat=True)[:limit]
    )
    if len(recent) < limit:
        return None
    return recent[-1] + WINDOW  # when the oldest of the last `limit` leaves the window


def token(referral: SelfReferral) -> str:
    return signing.Signer(salt=_SALT).sign_object({"r": referral.pk, "n": referral.nonce})


def confirm_url(referral: SelfReferral, *, absolute: bool = True) -> str:
    path = reverse("selfintake:referral_confirm", args=[token(referral)])
    return settings.SITE_URL + path if absolute else path


def request_self_referral(
    *,
    details: ReferralDetails,
    submission_token: uuid.UUID,
    request: HttpRequest | None = None,
    now: datetime | None = None,
) -> SelfReferral:
    """Keep the request and email its confirmation link. The same submission token again (a
    double submit, the back button) gives back the first request and sends nothing more.
    Raises `Throttled` (nothing kept, nothing sent; audited) past either limit."""
    now = now or timezone.now()
    address, client = email_key(details.email), client_key(request)
    with transaction.atomic():
        _lock(f"email:{address}", f"client:{client}" if client else "")
        existing = SelfReferral.objects.filter(submission_token=submission_token).first()
        if existing is not None:
            return existing
        until = max(
            (
                t
                for t in (
                    _throttled_until(
                        SelfReferral.objects.filter(email_key=address),
                        settings.SELF_REFERRAL_PER_ADDRESS,
                        now,
                    ),
                    _throttled_until(
                        SelfReferral.objects.filter(client_key=client),
                        settings.SELF_REFERRAL_PER_CLIENT,
                        now,
                    )
                    if client
                    else None,
                )
                if t is not None
            ),
            default=None,
        )
        if until is None:
            return _keep_and_email(details, submission_token, address, client, request, now)
    # Recorded outside the transaction: nothing else of a refused request is kept.
    audit.record_change(
        by=None,
        by_patient=True,
        request=request,
        record="self-referral refused: too many requests",
        action=AuditEvent.Action.LOCKOUT,
    )
    raise Throttled(until)


def _keep_and_email(
    details: ReferralDetails,
    submission_token: uuid.UUID,
    address: str,
    client: str,
    request: HttpRequest | None,
    now: datetime,
) -> SelfReferral:
    referral = SelfReferral.objects.create(
        given_name=details.given_name.strip(),
        family_name=details.family_name.strip(),
        date_of_birth=details.date_of_birth,
        sex=details.sex,
        email=details.email.strip(),
        email_key=address,
        phone=details.phone.strip(),
        email_consent=details.email_consent,
        client_key=client,
        submission_token=submission_token,
        created_at=now,
        expires_at=now + settings.SELF_REFERRAL_LINK_MAX_AGE,
    )
    queue_emails([_confirmation_email(referral)])
    audit.record_change(
        by=None,
        by_patient=True,
        request=request,
        record=referral.record,
        action=AuditEvent.Action.CREATE,
        changes={"confirmation sent to": ("", referral.email)},
    )
    return referral


def _confirmation_email(referral: SelfReferral) -> Email:
    return Email(
        key=f"selfreferral.{referral.pk}",
        kind=Message.Kind.SELF_INTAKE,
        to=Recipient(email=referral.email, name=f"{referral.given_name} {referral.family_name}"),
        template="self_referral",
        context={
            "clinic_name": settings.CLINIC_NAME,
            "clinic": clinic_details(),
            "given_name": referral.given_name,
            "confirm_url": confirm_url(referral),
            "expires_at": timezone.localtime(referral.expires_at),
        },
    )


def referral_for(link: str, *, now: datetime | None = None) -> SelfReferral:
    """The unconfirmed, unexpired request a confirmation link names, or `links.LinkProblem`
    (its `kind` "used" or "expired" for a genuine link; "" for any other)."""
    now = now or timezone.now()
    referral = genuine_referral(link)
    if referral is None:
        raise links.LinkProblem(
            gettext("This link is not valid. Check that it was copied in full.")
        )
    if referral.confirmed_at is not None:
        raise links.LinkProblem(
            gettext("This link has already been used: your email address is confirmed."),
            kind="used",
        )
    if referral.is_expired(now):
        raise links.LinkProblem(gettext("This link has expired."), kind="expired")
    return referral


def genuine_referral(link: str) -> SelfReferral | None:
    try:
        data = signing.Signer(salt=_SALT).unsign_object(link)
    except (signing.BadSignature, ValueError, UnicodeError):
        return None
    if not isinstance(data, dict):
        return None
    pk, nonce = data.get("r"), data.get("n")
    if type(pk) is not int or not isinstance(nonce, str) or not 0 < pk < 2**63:
        return None
    return SelfReferral.objects.filter(pk=pk, nonce=nonce).first()


def confirm_self_referral(
    *, referral_id: int, request: HttpRequest | None = None, now: datetime | None = None
) -> Invitation:
    """The address's owner confirmed: a new patient record from the request's details, marked
    self-referred (`SelfReferral.patient`), and an open self-intake link for it, its link also
    emailed. Never matched to a patient already on file, whatever the name and birthday. Once:
    a second confirmation (a double click) waits on the row lock and gets the same link; after
    the link has expired, `links.LinkProblem`."""
    now = now or timezone.now()
    with transaction.atomic():
        referral = SelfReferral.objects.select_for_update().get(pk=referral_id)
        if referral.invitation_id is not None:
            return Invitation.objects.select_related("patient").get(pk=referral.invitation_id)
        if referral.is_expired(now):
            raise links.LinkProblem(gettext("This link has expired."), kind="expired")
        patient = Patient.objects.create(
            given_name=referral.given_name,
            family_name=referral.family_name,
            date_of_birth=referral.date_of_birth,
            sex=referral.sex,
            email=referral.email,
            phone=referral.phone,
            preferred_language=Language.ENGLISH,
            email_consent=referral.email_consent,
        )
        invitation = Invitation.objects.create(
            patient=patient,
            email=referral.email,
            sent_by=None,
            created_at=now,
            expires_at=now + settings.SELF_INTAKE_LINK_MAX_AGE,
            # The date of birth is the one they typed minutes ago, and the email proved the
            # address: this browser starts in (views); another one is asked it, as ever.
            first_opened_at=now,
        )
        referral.confirmed_at = now
        referral.patient = patient
        referral.invitation = invitation
        referral.save(update_fields=["confirmed_at", "patient", "invitation"])
        queue_emails([_invitation_email(invitation)])
        audit.record_change(
            by=None,
            by_patient=True,
            request=request,
            record=referral.record,
            patient=patient,
            changes={
                "email confirmed": ("", now),
                "patient record": ("", f"new record {patient.pk} (self-referred)"),
                "self-intake link": ("", invitation.pk),
            },
        )
        return invitation


def _invitation_email(invitation: Invitation) -> Email:
    """The self-intake's own email, so that the patient can carry on later from their inbox."""
    return Email(
        key=f"selfintake.{invitation.pk}",
        kind=Message.Kind.SELF_INTAKE,
        to=Recipient(email=invitation.email, name=invitation.patient.full_name),
        template="self_intake",
        context={
            "clinic_name": settings.CLINIC_NAME,
            "clinic": clinic_details(),
            "given_name": invitation.patient.given_name,
            "start_url": links.start_url(invitation),
            "expires_at": timezone.localtime(invitation.expires_at),
        },
        patient_id=invitation.patient_id,
    )


def purge_unconfirmed(*, now: datetime | None = None) -> int:
    """Delete the requests never confirmed, once their link has expired and they no longer count
    for the throttle (they hold the name, birthday and address of somebody who may never have
    asked). Confirmed ones stay: they are the record's "self-referred" mark. Returns how many."""
    now = now or timezone.now()
    deleted, _by_model = SelfReferral.objects.filter(
        confirmed_at__isnull=True, expires_at__lte=now, created_at__lte=now - WINDOW
    ).delete()
    return deleted
