"""Durable email: every message is a row, written in the transaction of the event that causes it."""

from __future__ import annotations

import re
from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# A Message-ID's left part may hold only these characters (RFC 5322 dot-atom text).
KEY_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.\-_+=]{0,190}$")


class MessageQuerySet(models.QuerySet["Message"]):
    def due(self, now: datetime) -> MessageQuerySet:
        """Messages to hand to a worker now: waiting or failed-for-now and due, or claimed by a
        worker whose lease ran out (it died or lost its task)."""
        return self.filter(
            models.Q(status__in=[Message.Status.PENDING, Message.Status.FAILED], due_at__lte=now)
            | models.Q(status=Message.Status.SENDING, lease_until__lt=now)
        )

    def for_case(self, case_id: int) -> MessageQuerySet:
        return self.filter(case_id=case_id).order_by("created_at", "id")


class Message(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed for now")
        DEAD = "dead", _("Dead")
        CANCELLED = "cancelled", _("Cancelled")

    class Kind(models.TextChoices):
        CLINICIAN_ALERT = "clinician_alert", _("Clinician alert")
        ESCALATION = "escalation", _("Escalation")
        REFERRAL_LETTER = "referral_letter", _("Referral letter")
        REFERRAL_REMINDER = "referral_reminder", _("Referral reminder")
        PROGRAMME = "programme", _("Home-exercise programme")
        PROGRAMME_REMINDER = "programme_reminder", _("Programme reminder")
        CHECK_IN = "check_in", _("Check-in")
        PROGRAMME_LINK = "programme_link", _("New programme link")
        PROGRAMME_REVIEW = "programme_review", _("Programme review request")
        SELF_INTAKE = "self_intake", _("Self-intake link")
        QUESTION_REPLY = "question_reply", _("Reply to a patient's question")
        QUESTION_ASKED = "question_asked", _("New question from a patient")

    # Sent first, on a queue of their own: a patient may be waiting on them.
    URGENT_KINDS = (Kind.CLINICIAN_ALERT, Kind.ESCALATION)
    # Letters with health data in them (a referral letter's PDF): they leave only over an
    # encrypted SMTP connection unless ALLOW_PLAIN_SMTP_FOR_LETTERS says otherwise.
    LETTER_KINDS = (Kind.REFERRAL_LETTER,)

    key = models.CharField(
        _("idempotency key"),
        max_length=191,
        unique=True,
        help_text=_("Unique; the email's Message-ID is <key@domain>, so a message is sent once"),
    )
    kind = models.CharField(max_length=32, choices=Kind.choices)
    to_email = models.EmailField()
    to_name = models.CharField(max_length=200, blank=True)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="messages_received",
    )
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, null=True, blank=True, related_name="messages"
    )
    case = models.ForeignKey(
        "triage.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="messages"
    )
    subject = models.CharField(max_length=200)
    body_text = models.TextField()
    body_html = models.TextField(blank=True)
    # One file sent with the message (a referral letter's PDF), kept with the row so that a retry
    # sends exactly what was queued.
    attachment = models.BinaryField(null=True, blank=True)
    attachment_name = models.CharField(max_length=200, null=True, blank=True)  # noqa: DJ001
    attachment_type = models.CharField(max_length=100, null=True, blank=True)  # noqa: DJ001
    # Extra headers, e.g. List-Unsubscribe on a patient's reminders (RFC 8058).
    headers = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    due_at = models.DateTimeField(default=timezone.now)
    lease_until = models.DateTimeField(null=True, blank=True)
    lease_token = models.CharField(max_length=32, blank=True, help_text=_("The claim holding it"))
    sent_at = models.DateTimeField(null=True, blank=True)
    # When the retention rule (OUTBOX_RETENTION_DAYS) blanked the bodies, attachment and headers
    # of a message long sent: the row keeps who it went to, what kind and when.
    content_removed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MessageQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The dispatcher's claim: due rows still to send, oldest first.
            models.Index(
                fields=["due_at", "id"],
                name="outbox_due_idx",
                condition=models.Q(status__in=["pending", "failed", "sending"]),
            ),
            models.Index(fields=["status", "-updated_at"], name="outbox_status_idx"),
            models.Index(fields=["case", "created_at"], name="outbox_case_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    status__in=["pending", "sending", "sent", "failed", "dead", "cancelled"]
                ),
                name="outbox_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"Message {self.pk} ({self.get_status_display()})"

    @property
    def message_id(self) -> str:
        return f"<{self.key}@{settings.OUTBOX_MESSAGE_ID_DOMAIN}>"
