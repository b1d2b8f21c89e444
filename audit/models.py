"""Who saw and who changed which record, and when: append-only (PostgreSQL refuses UPDATE and
DELETE on this table, migration 0001).

One row per patient a view showed: a search that listed twelve patients is twelve rows, so a
patient's access report is one indexed lookup. Rows carry what was seen or changed, never the
patient link or free text the patient wrote.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    class Action(models.TextChoices):
        VIEW = "view", _("Viewed")
        SEARCH = "search", _("Found in a search")
        CREATE = "create", _("Created")
        CHANGE = "change", _("Changed")
        DELETE = "delete", _("Deleted")
        EXPORT = "export", _("Exported")
        LOGIN = "login", _("Signed in")
        LOGOUT = "logout", _("Signed out")
        LOGIN_FAILED = "login_failed", _("Failed sign-in")
        LOCKOUT = "lockout", _("Locked out")

    class ActorKind(models.TextChoices):
        STAFF = "staff", _("Staff")
        PATIENT = "patient", _("The patient (by their link)")
        SYSTEM = "system", _("The system")

    at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_events",
    )
    actor_kind = models.CharField(max_length=10, choices=ActorKind.choices)
    # The username as typed at a failed sign-in (there may be no such user).
    actor_name = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=20, choices=Action.choices)
    patient = models.ForeignKey(
        "patients.Patient",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_events",
    )
    # What was seen or changed: "case 12", "referral letter 4", "programme 7".
    record = models.CharField(max_length=100, blank=True)
    # The page, by its URL name (never its path: a patient's path carries their link).
    page = models.CharField(max_length=100, blank=True)
    # A search's query; a change's fields with their old and new values.
    details = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["patient", "-at"], name="audit_patient_at_idx"),
            models.Index(fields=["actor", "-at"], name="audit_actor_at_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.record or self.page} at {self.at:%Y-%m-%d %H:%M}"


class SettingsRecord(models.Model):
    """The clinic's rule-set settings as the last deploy found them (they come from the
    environment, not a page): each `migrate` compares, and a difference is an audit row with the
    old and new values. This row is the baseline only; the audit rows are the history."""

    key = models.CharField(max_length=50, unique=True)
    value = models.JSONField(default=dict)
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["key"]

    def __str__(self) -> str:
        return self.key
