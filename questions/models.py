"""A patient's question to the clinic from their programme page, and the clinic's reply.

The question is asked by signed link (no login) and answered by a clinician, who reads it from
the worklist or the case page. It is part of the record of care: the case's timeline has an
entry for the question and for its reply (triage writes those, `triage.services`), and the
subject-access export carries both. A question is never a red-flag screen: the page says so
and sends the patient to the check-in or to 999 instead.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models.functions import Length
from django.db.models.lookups import GreaterThan, LessThanOrEqual
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# "A short message": about a paragraph or two. The form says so before the patient types.
QUESTION_MAX_CHARS = 1000
REPLY_MAX_CHARS = 2000


class QuestionQuerySet(models.QuerySet["Question"]):
    def open(self) -> QuestionQuerySet:
        return self.filter(status=Question.Status.OPEN)

    def worklist(self) -> QuestionQuerySet:
        """The clinicians' list: open questions first, the longest waiting first; then the
        others, the latest dealt with first."""
        return self.select_related("patient", "programme", "replied_by", "closed_by").order_by(
            models.Case(
                models.When(status="open", then=models.Value(0)),
                default=models.Value(1),
            ),
            models.Case(
                models.When(status="open", then=models.F("asked_at")),
                default=None,
            ).asc(nulls_last=True),
            models.F("replied_at").desc(nulls_last=True),
            models.F("closed_at").desc(nulls_last=True),
            "pk",
        )


class Question(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Waiting for a reply")
        ANSWERED = "answered", _("Answered")
        CLOSED = "closed", _("Closed without a written reply")

    programme = models.ForeignKey(
        "programmes.Programme", on_delete=models.PROTECT, related_name="questions"
    )
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="questions"
    )
    case = models.ForeignKey("triage.Case", on_delete=models.PROTECT, related_name="questions")
    text = models.TextField(_("question"), help_text=_("As the patient wrote it"))
    asked_at = models.DateTimeField(default=timezone.now)
    # The form's token: the same submission twice (a double click, a retry) is one question.
    submission_token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    reply = models.TextField(_("reply"), blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="question_replies",
    )
    replied_at = models.DateTimeField(null=True, blank=True)
    # Closed without a written reply (the clinician phoned, or the patient came in): why.
    close_note = models.TextField(blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="questions_closed",
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = QuestionQuerySet.as_manager()

    class Meta:
        ordering = ["asked_at", "pk"]
        indexes = [
            # The worklist's open questions, the longest waiting first.
            models.Index(
                fields=["asked_at"],
                name="question_open_idx",
                condition=models.Q(status="open"),
            ),
            models.Index(fields=["programme", "status"], name="question_programme_idx"),
            models.Index(fields=["case", "asked_at"], name="question_case_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=["open", "answered", "closed"]),
                name="question_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    GreaterThan(Length("text"), 0),
                    LessThanOrEqual(Length("text"), QUESTION_MAX_CHARS),
                ),
                name="question_text_length",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="answered")
                | (
                    ~models.Q(reply="")
                    & models.Q(replied_by__isnull=False, replied_at__isnull=False)
                ),
                name="question_answered_has_reply",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="closed")
                | models.Q(closed_by__isnull=False, closed_at__isnull=False),
                name="question_closed_has_who",
            ),
        ]

    def __str__(self) -> str:
        return f"Question {self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("questions:question_detail", args=[self.pk])

    @property
    def anchor(self) -> str:
        return f"question-{self.pk}"
