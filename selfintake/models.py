"""Self-intake: the link a patient answers their own intake from, their draft, and the check.

An `Invitation` is one link, emailed to the patient by reception or a clinician: signed, it works
until `expires_at`, once (its intake), and a newer link for the same patient retires it. It holds
no answers. The patient's answers wait in a `Draft` tied to the invitation until they send them
(the draft is then deleted, in the same transaction as the intake) or the link expires (beat's
purge deletes it). `AnswersCheck` records that staff went through a self-entered intake with the
patient at the visit: who and when; a changed answer is a new reception intake, never an edit.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from patients.models import Intake, Patient


def new_nonce() -> str:
    return secrets.token_urlsafe(24)


class InvitationQuerySet(models.QuerySet["Invitation"]):
    def unanswered(self) -> InvitationQuerySet:
        """Links neither answered nor retired (expired ones included)."""
        return self.filter(submitted_at__isnull=True, retired_at__isnull=True)

    def open_at(self, now: datetime) -> InvitationQuerySet:
        return self.unanswered().filter(expires_at__gt=now)

    def asking_for_a_new_link(self) -> InvitationQuerySet:
        """Links whose patient asked for a new one, with no newer link sent since."""
        newer = Invitation.objects.filter(
            patient=models.OuterRef("patient"), created_at__gt=models.OuterRef("created_at")
        )
        return self.filter(new_link_requested_at__isnull=False).exclude(models.Exists(newer))


class Invitation(models.Model):
    class Retired(models.TextChoices):
        REPLACED = "replaced", _("A newer link replaced it")
        TOO_MANY_TRIES = "too_many_tries", _("Too many wrong dates of birth")

    patient = models.ForeignKey(
        Patient, on_delete=models.PROTECT, related_name="self_intake_invitations"
    )
    # The address the link went to (the patient's record may change afterwards).
    email = models.EmailField()
    # The link's secret part; a new link has a new one.
    nonce = models.CharField(max_length=64, unique=True, default=new_nonce, editable=False)
    # The one submission this link may make (patients.services.submit_intake's token).
    submission_token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Empty for a self-referral's link (SelfReferral): the patient asked for it, nobody sent it.
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="self_intakes_sent",
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    retired_at = models.DateTimeField(null=True, blank=True)
    retired_because = models.CharField(max_length=20, choices=Retired.choices, blank=True)
    # The date-of-birth check: wrong answers in all, and since the last right one (the pause).
    wrong_answers = models.PositiveSmallIntegerField(default=0)
    wrong_in_a_row = models.PositiveSmallIntegerField(default=0)
    paused_until = models.DateTimeField(null=True, blank=True)
    first_opened_at = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    intake = models.OneToOneField(
        Intake,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="self_intake_invitation",
    )
    # The patient, from an expired or used link, asked the clinic for a new one.
    new_link_requested_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["patient", "-created_at"], name="selfintake_patient_idx"),
            models.Index(
                fields=["-new_link_requested_at"],
                name="selfintake_requested_idx",
                condition=models.Q(new_link_requested_at__isnull=False),
            ),
        ]
        constraints = [
            # One live link per patient: a new one retires the old in the same transaction.
            models.UniqueConstraint(
                fields=["patient"],
                condition=models.Q(submitted_at__isnull=True, retired_at__isnull=True),
                name="selfintake_one_live_link",
            ),
            models.CheckConstraint(
                condition=models.Q(submitted_at__isnull=True, intake__isnull=True)
                | models.Q(submitted_at__isnull=False, intake__isnull=False),
                name="selfintake_submitted_with_intake",
            ),
        ]

    def __str__(self) -> str:
        return f"Self-intake link {self.pk} for patient {self.patient_id}"

    @property
    def record(self) -> str:
        """How the audit names it."""
        return f"self-intake link {self.pk}"

    def is_expired(self, now: datetime) -> bool:
        return self.expires_at <= now

    def is_open(self, now: datetime) -> bool:
        return self.submitted_at is None and self.retired_at is None and not self.is_expired(now)

    def is_paused(self, now: datetime) -> bool:
        return self.paused_until is not None and self.paused_until > now


class Draft(models.Model):
    """The answers a patient has given so far, as they typed them (one field name to one value),
    until they send them. Only answers: who the patient is stays on their record."""

    invitation = models.OneToOneField(Invitation, on_delete=models.CASCADE, related_name="draft")
    answers = models.JSONField(default=dict)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return f"Draft of self-intake link {self.invitation_id}"


class AnswersCheck(models.Model):
    """Staff went through a self-entered intake's answers with the patient. Never edited: an
    answer that was wrong is corrected by a new reception intake."""

    intake = models.OneToOneField(Intake, on_delete=models.PROTECT, related_name="answers_check")
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="answers_checked"
    )
    checked_at = models.DateTimeField()

    class Meta:
        ordering = ["-checked_at"]

    def __str__(self) -> str:
        return f"Answers of intake {self.intake_id} checked"


class SelfReferral(models.Model):
    """A request from the clinic's public self-referral page (SELF_REFERRAL_ENABLED), waiting for
    the email address's owner to confirm it.

    Nothing is filed or triaged before that. The confirmation link (selfintake/referral.py)
    works once, until `expires_at`. Confirming makes a NEW patient record from these details,
    never matched to an existing one (a stranger typing somebody's name and birthday must not
    reach their record), and a self-intake `Invitation` for it: the patient then answers the
    ordinary self-intake. `patient` set is the record's "self-referred" mark that reception sees.
    The row is also the throttle's count (per address, per client), kept in the database.
    """

    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    date_of_birth = models.DateField()
    sex = models.CharField(max_length=1)
    email = models.EmailField()
    # The address as the throttle counts it (lower case, trimmed).
    email_key = models.CharField(max_length=254, editable=False)
    phone = models.CharField(max_length=32, blank=True)
    email_consent = models.BooleanField(default=False)
    # The client's address, kept only as a keyed hash (for the per-client throttle).
    client_key = models.CharField(max_length=64, blank=True, editable=False)
    # The page's one-time token: a double submit finds this request, and sends no second email.
    submission_token = models.UUIDField(unique=True)
    nonce = models.CharField(max_length=64, unique=True, default=new_nonce, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    patient = models.OneToOneField(
        Patient,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="self_referral",
    )
    invitation = models.OneToOneField(
        Invitation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="self_referral",
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["email_key", "-created_at"], name="selfreferral_email_idx"),
            models.Index(fields=["client_key", "-created_at"], name="selfreferral_client_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(confirmed_at__isnull=True, patient__isnull=True)
                | models.Q(confirmed_at__isnull=False, patient__isnull=False),
                name="selfreferral_confirmed_with_patient",
            ),
        ]

    def __str__(self) -> str:
        return f"Self-referral {self.pk}"

    @property
    def record(self) -> str:
        """How the audit names it."""
        return f"self-referral {self.pk}"

    def is_expired(self, now: datetime) -> bool:
        return self.expires_at <= now
