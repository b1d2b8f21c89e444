"""Referrals: where a clinician sends a patient on, the letter that goes with them, and its course
from draft to completed."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.conf import settings
from django.db import models
from django.db.models.functions import Cast, Concat
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _

from outbox.models import Message
from triage.models import Case, Urgency

# How long the destination has to acknowledge a referral, by the urgency asked for: the end of the
# clinic day this many days after it is sent (EMERGENCY: the same day).
EXPECTED_WITHIN_DAYS = {"EMERGENCY": 0, "URGENT": 1, "SOON": 7, "ROUTINE": 28}
# The outbox key of a referral's emailed letter: "refletter.r<referral id>".
LETTER_KEY_PREFIX = "refletter.r"


def expected_by(urgency: int, sent_at: datetime) -> datetime:
    """The end of the clinic day by which a referral sent at `sent_at` should be acknowledged."""
    day = timezone.localdate(sent_at) + timedelta(days=EXPECTED_WITHIN_DAYS[Urgency(urgency).key])
    return datetime.combine(day, time(23, 59), tzinfo=timezone.get_current_timezone())


class Destination(models.Model):
    """A service a clinician refers to, with the contact details an admin keeps."""

    class Kind(models.TextChoices):
        AE = "ae", _("A&E")
        GP = "gp", _("The patient's GP")
        XRAY = "xray", _("Imaging: X-ray")
        MRI = "mri", _("Imaging: MRI")
        SPINAL_SURGERY = "spinal_surgery", _("Spinal surgery")
        RHEUMATOLOGY = "rheumatology", _("Rheumatology")
        CHEST_PAIN = "chest_pain", _("Rapid-access chest pain clinic")
        PHYSIOTHERAPY = "physiotherapy", _("Physiotherapy")
        OTHER = "other", _("Another service")

    kind = models.CharField(max_length=32, choices=Kind.choices)
    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True, help_text=_("Where letters are sent; blank: print only"))
    phone = models.CharField(max_length=32, blank=True)
    address = models.TextField(blank=True)
    active = models.BooleanField(default=True, help_text=_("Offered to clinicians when referring"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name


class ReferralQuerySet(models.QuerySet["Referral"]):
    def for_case(self, case_id: int) -> ReferralQuerySet:
        return (
            self.filter(case_id=case_id)
            .select_related("destination", "referred_by")
            .defer("letter_pdf")
            .order_by("-created_at", "-pk")
        )

    def with_letter_status(self) -> ReferralQuerySet:
        """Each referral's emailed letter as the outbox has it (`letter_status`, a
        Message.Status value; None for a letter never emailed), read by its unique key."""
        key = Concat(
            models.Value(LETTER_KEY_PREFIX),
            Cast(models.OuterRef("pk"), models.CharField()),
            output_field=models.CharField(),
        )
        return self.annotate(
            letter_status=models.Subquery(
                Message.objects.filter(key=key).values("status")[:1],
                output_field=models.CharField(),
            )
        )

    def undelivered(self) -> ReferralQuerySet:
        """Sent by email, but the outbox gave the letter up (dead): nobody has it."""
        dead = models.Q(status=Referral.Status.SENT, letter_status=Message.Status.DEAD)
        return self.with_letter_status().filter(dead)

    def live(self) -> ReferralQuerySet:
        return self.filter(status__in=Referral.LIVE)

    def overdue(self, now: datetime | None = None) -> ReferralQuerySet:
        return self.filter(status__in=Referral.AWAITING, expected_by__lt=now or timezone.now())

    def worklist(self) -> ReferralQuerySet:
        """What the worklist shows of each referral: its patient, destination and referrer."""
        return self.select_related("case__patient", "destination", "referred_by").defer(
            "letter", "letter_pdf"
        )


class Referral(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SENT = "sent", _("Sent")
        PRINTED = "printed", _("Printed and handed to the patient")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        COMPLETED = "completed", _("Completed")
        CANCELLED = "cancelled", _("Cancelled")

    # A destination has at most one of these per case; waiting for the destination to answer.
    LIVE = (Status.DRAFT, Status.SENT, Status.PRINTED, Status.ACKNOWLEDGED)
    AWAITING = (Status.SENT, Status.PRINTED)

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="referrals")
    destination = models.ForeignKey(Destination, on_delete=models.PROTECT, related_name="referrals")
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="referrals_made"
    )
    urgency = models.PositiveSmallIntegerField(
        _("urgency asked for"),
        choices=[(u.value, u.label) for u in Urgency if u.key in EXPECTED_WITHIN_DAYS],
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    letter = models.TextField(help_text=_("The letter's body, as the clinician left it"))
    letter_pdf = models.BinaryField(null=True, blank=True, help_text=_("The letter as sent"))
    sent_at = models.DateTimeField(null=True, blank=True)
    expected_by = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ReferralQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["case", "-created_at"], name="referral_case_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "destination"],
                condition=models.Q(status__in=["draft", "sent", "printed", "acknowledged"]),
                name="referral_one_live_per_destination",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    status__in=[
                        "draft",
                        "sent",
                        "printed",
                        "acknowledged",
                        "completed",
                        "cancelled",
                    ]
                ),
                name="referral_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    def get_absolute_url(self) -> str:
        return reverse("referrals:referral_edit", args=[self.pk])

    @property
    def reference(self) -> str:
        return f"R-{self.pk}"

    @property
    def letter_key(self) -> str:
        return f"{LETTER_KEY_PREFIX}{self.pk}"

    @property
    def letter_delivery(self) -> str:
        """Where the emailed letter is, for the pages: "" (not emailed, or delivered), or
        "sending" (queued or being retried), or "undelivered" (the outbox gave up, or a plain
        connection held it: the destination does not have it). Reads `letter_status` when the
        queryset annotated it (with_letter_status), else asks the outbox."""
        if self.status != self.Status.SENT:
            return ""
        if hasattr(self, "letter_status"):
            status = self.letter_status
        else:
            status = (
                Message.objects.filter(key=self.letter_key).values_list("status", flat=True).first()
            )
        if status == Message.Status.DEAD:
            return "undelivered"
        if status in (Message.Status.PENDING, Message.Status.SENDING, Message.Status.FAILED):
            return "sending"
        return ""

    @property
    def letter_delivery_label(self) -> str:
        return str(LETTER_DELIVERY_LABELS.get(self.letter_delivery, ""))

    @property
    def reminder_key(self) -> str:
        return f"refrem.r{self.pk}"

    @property
    def urgency_key(self) -> str:
        return Urgency(self.urgency).key

    def is_overdue(self, now: datetime | None = None) -> bool:
        return (
            self.status in self.AWAITING
            and self.expected_by is not None
            and (now or timezone.now()) > self.expected_by
        )


LETTER_DELIVERY_LABELS = {
    "sending": gettext_lazy("Letter still being sent"),
    "undelivered": gettext_lazy("Letter NOT delivered"),
}
