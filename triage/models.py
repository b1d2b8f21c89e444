from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from patients.models import Intake, Patient
from triage import rules
from triage.queries import CaseQueries


class Urgency(models.IntegerChoices):
    """The rule engine's urgency levels; higher sorts first in the queue."""

    EMERGENCY = rules.Urgency.EMERGENCY.value, _("Emergency")
    URGENT = rules.Urgency.URGENT.value, _("Urgent")
    SOON = rules.Urgency.SOON.value, _("Soon")
    ROUTINE = rules.Urgency.ROUTINE.value, _("Routine")
    SELF_CARE = rules.Urgency.SELF_CARE.value, _("Self-care")

    @property
    def key(self) -> str:
        """The contract's name for the level, e.g. "SELF_CARE"."""
        return rules.Urgency(self.value).name

    @property
    def sla(self) -> timedelta:
        sla: timedelta = settings.TRIAGE_SLA[self.key]
        return sla


class AssessmentQuerySet(models.QuerySet["Assessment"]):
    def of_intakes(self) -> AssessmentQuerySet:
        return self.filter(intake__isnull=False)

    def of_examinations(self) -> AssessmentQuerySet:
        return self.filter(examination__isnull=False)

    def latest_first(self) -> AssessmentQuerySet:
        return self.order_by("-created_at", "-pk")


class Assessment(models.Model):
    """What the rule set said about one intake, or what the exam rules said about one
    clinician's examination (read with the case's intake). Stored once and never edited: a
    clinician's override is a record of its own."""

    intake = models.OneToOneField(
        Intake, on_delete=models.PROTECT, null=True, blank=True, related_name="assessment"
    )
    examination = models.OneToOneField(
        "examination.Examination",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assessment",
    )
    case = models.ForeignKey("Case", on_delete=models.PROTECT, related_name="assessments")
    urgency = models.PositiveSmallIntegerField(choices=Urgency.choices)
    rules = models.JSONField(help_text=_("Every rule that fired: id, urgency, reason, source"))
    ruleset = models.CharField(_("rule-set version"), max_length=64)
    # The contract the assessed record speaks ("intake/1", "exam/1"); empty on assessments made
    # before it was kept here (their intake keeps it).
    contract_version = models.CharField(max_length=20, blank=True)
    # An examination's imaging decision aid: decision, rule id, reason, source, the others.
    imaging = models.JSONField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # Of an intake or of an examination, never both, never neither.
            models.CheckConstraint(
                condition=models.Q(intake__isnull=False, examination__isnull=True)
                | models.Q(intake__isnull=True, examination__isnull=False),
                name="assessment_of_intake_or_examination",
            ),
        ]

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


class CaseQuerySet(CaseQueries, models.QuerySet["Case"]):
    """The reads pages share: here and in triage/queries.py (pages, capped counts, the latest
    assessment)."""

    def open(self) -> CaseQuerySet:
        return self.filter(status=Case.Status.OPEN)

    def by_priority(self) -> CaseQuerySet:
        """Most urgent first, then longest waiting."""
        return self.order_by("-urgency", "opened_at", "pk")

    def for_queue(self) -> CaseQuerySet:
        return self.open().by_priority().select_related("patient")


class Case(models.Model):
    """A patient's place in the clinician queue. Every intake opens one or joins the open one."""

    class Status(models.TextChoices):
        OPEN = "open", _("Waiting")
        CLOSED = "closed", _("Closed")

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="cases")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    urgency = models.PositiveSmallIntegerField(choices=Urgency.choices)
    opened_at = models.DateTimeField(_("waiting since"), default=timezone.now)
    due_at = models.DateTimeField(_("to be seen by"))
    updated_at = models.DateTimeField(auto_now=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text=_("When a clinician's decision (refer, programme, discharge) ended the wait"),
    )
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cases_claimed",
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    # Alerting: when the case escalates if still unclaimed, and how many times it has.
    escalate_at = models.DateTimeField(null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(default=0)

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
            # The queue's overdue count: open cases past their deadline.
            models.Index(
                fields=["due_at"], name="case_open_due_idx", condition=models.Q(status="open")
            ),
            models.Index(
                fields=["escalate_at"],
                name="case_escalation_idx",
                condition=models.Q(
                    status="open", claimed_by__isnull=True, escalate_at__isnull=False
                ),
            ),
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

    @property
    def latest_assessment(self) -> Assessment | None:
        """The latest of the case's assessments, of an intake or of an examination."""
        return self.assessments.order_by("-created_at", "-pk").first()

    @property
    def latest_intake_assessment(self) -> Assessment | None:
        """The latest assessment of an intake: the answers the case's pages and letters read."""
        found: Assessment | None = (
            self.assessments.of_intakes().select_related("intake").latest_first().first()
        )
        return found

    def is_overdue(self, now: datetime | None = None) -> bool:
        return self.status == self.Status.OPEN and (now or timezone.now()) > self.due_at

    def takes_further_decision(self, decisions: Sequence[CaseDecision] | None = None) -> bool:
        """A case decided by a referral or a programme (not a discharge, which ends it) may take
        a further referral or a programme while it stays decided. `decisions`: the case's, in
        order, when the caller has them already."""
        if self.status == self.Status.OPEN or self.decided_at is None:
            return False
        if decisions is not None:
            last = decisions[-1].kind if decisions else None
        else:
            last = self.decisions.order_by("-at", "-pk").values_list("kind", flat=True).first()
        return last is not None and last != CaseDecision.Kind.DISCHARGED

    @property
    def time_to_decision(self) -> timedelta | None:
        """From the start of the wait to the clinician's decision, once decided."""
        return self.decided_at - self.opened_at if self.decided_at else None

    @property
    def decided_in_time(self) -> bool | None:
        """Whether the decision came by the deadline, once decided."""
        return self.decided_at <= self.due_at if self.decided_at else None


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


def on_duty_at(moment: datetime, prefix: str = "") -> models.Q:
    """Duty slots covering `moment` in the clinic's time zone, as a filter (`prefix` reaches the
    slots from another model, e.g. "duty_slots__"). A slot whose end is not after its start runs
    past midnight into the next day."""
    local = timezone.localtime(moment)
    day, time = local.weekday(), local.time()

    def q(**lookups: object) -> models.Q:
        return models.Q(**{prefix + key: value for key, value in lookups.items()})

    overnight = q(ends__lte=models.F(prefix + "starts"))
    same_day = q(weekday=day, starts__lte=time) & (q(ends__gt=time) | overnight)
    from_yesterday = q(weekday=(day - 1) % 7, ends__gt=time) & overnight
    return same_day | from_yesterday


class DutySlotQuerySet(models.QuerySet["DutySlot"]):
    def on_duty_at(self, moment: datetime) -> DutySlotQuerySet:
        return self.filter(on_duty_at(moment))


class DutySlot(models.Model):
    """The rota: who is on duty when, by weekday and hours (clinic time). An admin keeps it."""

    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="duty_slots"
    )
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    starts = models.TimeField()
    ends = models.TimeField(help_text=_("An end at or before the start runs past midnight"))

    objects = DutySlotQuerySet.as_manager()

    class Meta:
        ordering = ["weekday", "starts", "clinician_id"]
        indexes = [models.Index(fields=["weekday", "starts"], name="duty_slot_day_idx")]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.starts:%H:%M}-{self.ends:%H:%M}"


class FallbackClinician(models.Model):
    """Who is alerted, in this order, when the rota has nobody on duty."""

    clinician = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="fallback_entry"
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"Fallback {self.position}"


class CaseActivity(models.Model):
    """A claim or a release, for the case's timeline: who took or handed back the case, and when;
    a patient's check-in that brought the case back, and why; an alert about the case that
    could not be delivered (its message), and who was alerted instead; or a patient's question
    from their programme page, its reply or its closing (the question). Overrides and decisions
    have records of their own."""

    class Kind(models.TextChoices):
        CLAIMED = "claimed", _("Claimed")
        RELEASED = "released", _("Released")
        CHECK_IN = "check_in", _("Back from a programme check-in")
        UNDELIVERED = "undelivered", _("An alert could not be delivered")
        QUESTION = "question", _("A question from the patient")
        QUESTION_REPLY = "question_reply", _("The patient's question answered")
        QUESTION_CLOSED = "question_closed", _("The patient's question closed")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="activities")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="case_activities",
        help_text=_("Empty when the patient's check-in brought the case back"),
    )
    at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True)
    # A check-in's return to triage, as data: the intake the check-in made, what it was (e.g.
    # "Week 2 check-in") and each reason it came back.
    intake = models.ForeignKey(
        Intake,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The check-in's intake that brought the case back"),
    )
    subject = models.CharField(max_length=100, blank=True, help_text=_('e.g. "Week 2 check-in"'))
    reasons = models.JSONField(default=list, blank=True, help_text=_("Why it came back, each"))
    message = models.ForeignKey(
        "outbox.Message",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The alert that could not be delivered"),
    )
    question = models.ForeignKey(
        "questions.Question",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="case_activities",
        help_text=_("The patient's question asked, answered or closed"),
    )

    class Meta:
        ordering = ["at", "pk"]
        verbose_name_plural = _("case activities")
        indexes = [
            models.Index(fields=["case", "at"], name="case_activity_case_idx"),
            # The queue's mark on a case whose alert could not be delivered.
            models.Index(
                fields=["case"],
                name="case_activity_undelivered_idx",
                condition=models.Q(kind="undelivered"),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    kind__in=[
                        "claimed",
                        "released",
                        "check_in",
                        "undelivered",
                        "question",
                        "question_reply",
                        "question_closed",
                    ]
                ),
                name="case_activity_kind",
            ),
            # A question's entry names its question.
            models.CheckConstraint(
                condition=~models.Q(kind__in=["question", "question_reply", "question_closed"])
                | models.Q(question__isnull=False),
                name="case_activity_question_named",
            ),
            # An alert that could not be delivered is marked once, whoever notices it first.
            models.UniqueConstraint(
                fields=["message"],
                condition=models.Q(kind="undelivered"),
                name="case_activity_undelivered_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} case {self.case_id}"


class UrgencyOverride(models.Model):
    """A clinician's change to a case's urgency. The assessment it overrides stays as triage left
    it; this row says who changed what, when and why."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="overrides")
    assessment = models.ForeignKey(
        Assessment,
        on_delete=models.PROTECT,
        related_name="overrides",
        help_text=_("The case's latest assessment when the urgency was overridden"),
    )
    from_urgency = models.PositiveSmallIntegerField(choices=Urgency.choices)
    to_urgency = models.PositiveSmallIntegerField(choices=Urgency.choices)
    reason = models.TextField(help_text=_("A note for raising, a reason for lowering"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="urgency_overrides"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["case", "created_at"], name="override_case_idx")]
        constraints = [
            models.CheckConstraint(condition=~models.Q(reason=""), name="override_has_reason"),
            models.CheckConstraint(
                condition=~models.Q(from_urgency=models.F("to_urgency")),
                name="override_changes_urgency",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    from_urgency__gte=1, from_urgency__lte=5, to_urgency__gte=1, to_urgency__lte=5
                ),
                name="override_urgency_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"Override {self.pk}: {self.get_from_urgency_display()} to {self.get_to_urgency_display()}"

    @property
    def raised(self) -> bool:
        return self.to_urgency > self.from_urgency


class CaseDecision(models.Model):
    """What a clinician decided for the case, with the safety-net advice the patient was given (as
    worded at the time: the clinic's text may change later)."""

    class Kind(models.TextChoices):
        DISCHARGED = "discharged", _("Discharged with advice")
        REFERRED = "referred", _("Referred")
        PROGRAMME_PRESCRIBED = "programme_prescribed", _("Programme prescribed")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="decisions")
    kind = models.CharField(max_length=32, choices=Kind.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="case_decisions"
    )
    at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True, help_text=_("For a discharge: the advice given"))
    safety_net = models.TextField(blank=True, help_text=_("The safety-net advice given"))

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["case", "at"], name="case_decision_case_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind__in=["discharged", "referred", "programme_prescribed"]),
                name="case_decision_kind",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="discharged", note=""),
                name="case_decision_discharge_has_advice",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} case {self.case_id}"
