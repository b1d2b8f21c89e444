"""Clinical governance: rule-set trials, their sign-off by the clinical safety officer, and the
version the clinic has chosen to triage with.

Trials and sign-offs are records of a safety decision: kept, never edited (`save()` refuses and,
on PostgreSQL, a trigger refuses UPDATE and DELETE, migration 0002). The clinic's choice is one
row (`ActiveRuleSet`, pk 1), changed only under its row lock by `governance.services`, each
change an audit row.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class _Kept(models.Model):
    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise ValueError("A trial or a sign-off is never edited; make a new one.")
        super().save(*args, **kwargs)


class Trial(_Kept):
    """A candidate version evaluated on past intakes (all, or those assessed in a date range)."""

    candidate = models.CharField(_("rule-set version tried"), max_length=64)
    candidate_fingerprint = models.CharField(max_length=64)
    date_from = models.DateField(null=True, blank=True)
    date_to = models.DateField(null=True, blank=True)
    run_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rule_trials",
        help_text="Empty for a trial run from the command line",
    )
    run_at = models.DateTimeField(default=timezone.now)
    seconds = models.FloatField(default=0)
    report = models.JSONField(help_text="triage.rules.trial's report (format rule-trial/1)")
    # The page's one-time token: a double submit finds the trial already run.
    submission_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        ordering = ["-run_at", "-pk"]

    def __str__(self) -> str:
        return f"Trial {self.pk} of {self.candidate}"

    @property
    def lowered(self) -> int:
        return int(self.report.get("lowered", 0))

    @property
    def raised(self) -> int:
        return int(self.report.get("raised", 0))


class TrialRun(models.Model):
    """A trial started on the page and run by a Celery worker (governance.tasks.run_trial): who
    started it, when, the version and days, how far it has got, and, once finished, the kept
    `Trial` with its report. One run per version and days at a time: starting it again while it
    waits or runs gives the same run. A run whose worker has said nothing for
    GOVERNANCE_TRIAL_STALE_SECONDS is marked failed (a worker restarted mid-run) and may be
    started again."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("waiting for a worker")
        RUNNING = "running", _("running")
        DONE = "done", _("finished")
        FAILED = "failed", _("failed")

    candidate = models.CharField(_("rule-set version tried"), max_length=64)
    date_from = models.DateField(null=True, blank=True)
    date_to = models.DateField(null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="rule_trial_runs"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # The worker's last word (each chunk of intakes read): how a stale run is found.
    updated_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    intakes_total = models.PositiveIntegerField(null=True, blank=True)
    intakes_done = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=200, blank=True)
    trial = models.OneToOneField(
        Trial, on_delete=models.PROTECT, null=True, blank=True, related_name="run"
    )

    ACTIVE = (Status.QUEUED, Status.RUNNING)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["candidate", "date_from", "date_to"],
                condition=models.Q(status__in=["queued", "running"]),
                nulls_distinct=False,
                name="one_trial_run_at_a_time",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="done") | models.Q(trial__isnull=False),
                name="trial_run_done_has_its_trial",
            ),
        ]
        indexes = [models.Index(fields=["status", "updated_at"], name="trial_run_stale")]

    def __str__(self) -> str:
        return f"Trial run {self.pk} of {self.candidate}"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE


class SignOff(_Kept):
    """A clinical safety officer's sign-off of one version, as its fingerprint stood, with the
    trial they read and why."""

    version = models.CharField(_("rule-set version"), max_length=64)
    fingerprint = models.CharField(max_length=64)
    trial = models.ForeignKey(Trial, on_delete=models.PROTECT, related_name="sign_offs")
    reason = models.TextField(_("reason"))
    lowered_reviewed = models.BooleanField(
        default=False, help_text="The officer confirmed reading every case the trial lowers"
    )
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="rule_sign_offs"
    )
    signed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-signed_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(reason=""), name="sign_off_has_reason"),
            # One sign-off per officer per trial: a double submit is the same sign-off.
            models.UniqueConstraint(fields=["trial", "signed_by"], name="sign_off_once_per_trial"),
        ]

    def __str__(self) -> str:
        return f"Sign-off {self.pk} of {self.version}"


class ActiveRuleSet(models.Model):
    """The version new intakes are triaged with: one row, pk 1 (empty until one is chosen)."""

    version = models.CharField(max_length=64, blank=True)
    fingerprint = models.CharField(max_length=64, blank=True)
    sign_off = models.ForeignKey(
        SignOff, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    chosen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    chosen_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(pk=1), name="active_ruleset_one_row"),
            models.CheckConstraint(
                condition=models.Q(version="") | models.Q(sign_off__isnull=False),
                name="active_ruleset_signed_off",
            ),
        ]

    def __str__(self) -> str:
        return self.version or "(none chosen)"
