from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from patients.models import Intake, Patient
from triage import rules


class Urgency(models.IntegerChoices):
    """The rule engine's urgency levels; higher sorts first in the queue."""

    EMERGENCY = rules.Urgency.EMERGENCY.value, "Emergency"
    URGENT = rules.Urgency.URGENT.value, "Urgent"
    SOON = rules.Urgency.SOON.value, "Soon"
    ROUTINE = rules.Urgency.ROUTINE.value, "Routine"
    SELF_CARE = rules.Urgency.SELF_CARE.value, "Self-care"

    @property
    def key(self) -> str:
        """The contract's name for the level, e.g. "SELF_CARE"."""
        return rules.Urgency(self.value).name

    @property
    def sla(self) -> timedelta:
        sla: timedelta = settings.TRIAGE_SLA[self.key]
        return sla


class Assessment(models.Model):
    """What the rule set said about one intake. Stored once and never edited: a clinician's
    override is a record of its own."""

    intake = models.OneToOneField(Intake, on_delete=models.PROTECT, related_name="assessment")
    case = models.ForeignKey("Case", on_delete=models.PROTECT, related_name="assessments")
    urgency = models.PositiveSmallIntegerField(choices=Urgency.choices)
    rules = models.JSONField(help_text="Every rule that fired: id, urgency, reason, source")
    ruleset = models.CharField("rule-set version", max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Assessment {self.pk}: {self.get_urgency_display()}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # The record of what triage said must never change (DESIGN.md); the database refuses
        # updates too (migration 0002 on PostgreSQL).
        if self.pk is not None and not self._state.adding:
            raise ValueError("An assessment is never edited; record an override instead.")
        super().save(*args, **kwargs)

    @property
    def urgency_key(self) -> str:
        return Urgency(self.urgency).key

    @property
    def rule_fields(self) -> set[str]:
        """The answers that made a rule fire, to highlight beside the rule."""
        by_id = {rule.id: rule for rule in rules.DEFAULT.all_rules()}
        fields: set[str] = set()
        for fired in self.rules:
            rule = by_id.get(fired["id"])
            if rule is not None:
                fields.update(rule.fields)
        return fields


class CaseQuerySet(models.QuerySet["Case"]):
    def open(self) -> CaseQuerySet:
        return self.filter(status=Case.Status.OPEN)

    def by_priority(self) -> CaseQuerySet:
        """Most urgent first, then longest waiting."""
        return self.order_by("-urgency", "opened_at", "pk")

    def for_queue(self) -> CaseQuerySet:
        return self.open().by_priority().select_related("patient", "current_assessment")


class Case(models.Model):
    """A patient's place in the clinician queue. Every intake opens one or joins the open one."""

    class Status(models.TextChoices):
        OPEN = "open", "Waiting"
        CLOSED = "closed", "Closed"

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="cases")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    urgency = models.PositiveSmallIntegerField(choices=Urgency.choices)
    current_assessment = models.ForeignKey(
        Assessment, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    opened_at = models.DateTimeField("waiting since", default=timezone.now)
    due_at = models.DateTimeField("to be seen by")
    updated_at = models.DateTimeField(auto_now=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-urgency", "opened_at", "pk"]
        indexes = [
            models.Index(
                fields=["-urgency", "opened_at", "id"],
                name="case_open_queue_idx",
                condition=models.Q(status="open"),
            ),
            models.Index(fields=["patient", "status"], name="case_patient_status_idx"),
        ]
        constraints = [
            # One open case per patient: a new intake joins it rather than opening a second.
            models.UniqueConstraint(
                fields=["patient"],
                condition=models.Q(status="open"),
                name="case_one_open_per_patient",
            ),
            models.CheckConstraint(
                condition=models.Q(urgency__gte=1, urgency__lte=5), name="case_urgency_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"Case {self.pk}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("triage:case_detail", args=[self.pk])

    @property
    def urgency_key(self) -> str:
        return Urgency(self.urgency).key

    def is_overdue(self, now: datetime | None = None) -> bool:
        return self.status == self.Status.OPEN and (now or timezone.now()) > self.due_at
