"""A programme whose patient keeps to it but is not getting better: flagged once to the clinician
who prescribed it, for review (`outcomes.non_responders`)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class NonResponderFlag(models.Model):
    """The daily check found this programme's patient keeping to it (at least the rule's share of
    planned sessions) without the clinically important change by the rule's week. One per
    programme, whoever or whatever runs the check again; the figures it read are kept as they
    were, so the flag says why it was raised even after more check-ins come in."""

    programme = models.OneToOneField(
        "programmes.Programme", on_delete=models.PROTECT, related_name="non_responder_flag"
    )
    case = models.ForeignKey("triage.Case", on_delete=models.PROTECT, related_name="+")
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="non_responder_flags",
        help_text="The prescribing clinician, who is asked to review",
    )
    flagged_at = models.DateTimeField(default=timezone.now)
    week = models.PositiveSmallIntegerField(help_text="The check-in week the rule reads")
    rule = models.CharField(max_length=200, help_text="The rule as it was applied, in words")
    sessions_done = models.PositiveIntegerField()
    sessions_planned = models.PositiveIntegerField()
    baseline_pain = models.PositiveSmallIntegerField()
    pain = models.PositiveSmallIntegerField(help_text="Pain at the rule's check-in")
    ndi_start = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    ndi = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    review_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-flagged_at", "-pk"]
        indexes = [
            models.Index(
                fields=["clinician", "flagged_at"],
                name="non_responder_open_idx",
                condition=models.Q(reviewed_at__isnull=True),
            )
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(reviewed_at__isnull=True, reviewed_by__isnull=True)
                | models.Q(reviewed_at__isnull=False, reviewed_by__isnull=False),
                name="non_responder_reviewed_by_and_when",
            ),
        ]

    def __str__(self) -> str:
        return f"Non-responder flag {self.pk} (programme {self.programme_id})"

    @property
    def adherence_percent(self) -> float:
        return 100 * self.sessions_done / self.sessions_planned if self.sessions_planned else 0.0

    @property
    def pain_change(self) -> int:
        """Points better than at the start (negative: worse)."""
        return self.baseline_pain - self.pain
