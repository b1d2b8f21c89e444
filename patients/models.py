from __future__ import annotations

import uuid
from datetime import date
from typing import cast

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from patients import search as patient_search
from patients.nhs import format_nhs_number


class Sex(models.TextChoices):
    FEMALE = "F", _("Female")
    MALE = "M", _("Male")
    OTHER = "X", _("Other / not stated")


class Language(models.TextChoices):
    ENGLISH = "en", _("English")
    WELSH = "cy", _("Welsh")
    POLISH = "pl", _("Polish")
    PUNJABI = "pa", _("Punjabi")
    URDU = "ur", _("Urdu")
    BENGALI = "bn", _("Bengali")
    GUJARATI = "gu", _("Gujarati")
    ARABIC = "ar", _("Arabic")
    ROMANIAN = "ro", _("Romanian")
    PORTUGUESE = "pt", _("Portuguese")
    SPANISH = "es", _("Spanish")
    FRENCH = "fr", _("French")
    # The languages the clinic speaks (settings.LANGUAGES) decide the patient's emails, pages
    # and handout: English and German; any other is noted for the visit, and its emails are in
    # English (clinic/language.py).
    GERMAN = "de", _("German")
    OTHER = "other", _("Other")


class PatientQuerySet(models.QuerySet["Patient"]):
    def search(self, query: str) -> PatientQuerySet:
        """Patients matching names or parts of names, a date of birth (day first: 14/03/1985,
        or 1985-03-14), or an NHS number (spaces or dashes ignored); see patients.search.

        An ordinary filter: count it, filter it further, use it in a subquery."""
        found, _first_page = patient_search.search(self, query)
        return cast(PatientQuerySet, found)

    def search_page(self, query: str, *, limit: int) -> PatientQuerySet:
        """The first `limit` patients of `search(query)` in the search's order, read the fast
        way where there is one (`patients.search.FirstPage`)."""
        found, first_page = patient_search.search(self, query)
        if first_page is None or limit > patient_search.FIRST_PAGE_MAX:
            return cast(PatientQuerySet, found[:limit])
        return cast(PatientQuerySet, first_page.fetch(found, limit))


class Patient(models.Model):
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    date_of_birth = models.DateField()
    sex = models.CharField(max_length=1, choices=Sex.choices)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=32, blank=True)
    nhs_number = models.CharField(
        _("NHS number"), max_length=10, blank=True, help_text=_("Ten digits, check digit verified")
    )
    preferred_language = models.CharField(
        max_length=8, choices=Language.choices, default=Language.ENGLISH
    )
    email_consent = models.BooleanField(_("consents to email"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PatientQuerySet.as_manager()

    class Meta:
        ordering = ["family_name", "given_name", "date_of_birth"]
        constraints = [
            models.UniqueConstraint(
                fields=["nhs_number"],
                condition=~models.Q(nhs_number=""),
                name="patient_nhs_number_unique",
            ),
        ]
        indexes = [
            models.Index(
                Lower("family_name"),
                Lower("given_name"),
                "date_of_birth",
                name="patient_name_dob_idx",
            ),
            # Search (PatientQuerySet.search): by date of birth, and in the search's order, the
            # latter only for a query that says id > 0 (why: migration 0003). On PostgreSQL the
            # migration also keeps the distinct names and their indexes.
            models.Index(fields=["date_of_birth"], name="patient_dob_idx"),
            models.Index(
                fields=["family_name", "given_name", "date_of_birth", "id"],
                condition=models.Q(pk__gt=0),
                name="patient_search_order_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def nhs_number_display(self) -> str:
        return format_nhs_number(self.nhs_number)

    def age_on(self, day: date) -> int:
        before_birthday = (day.month, day.day) < (self.date_of_birth.month, self.date_of_birth.day)
        return day.year - self.date_of_birth.year - before_birthday


class IntakeQuerySet(models.QuerySet["Intake"]):
    def entered_by(self, user: settings.AUTH_USER_MODEL) -> IntakeQuerySet:  # type: ignore[name-defined]
        return self.filter(entered_by=user)


class Intake(models.Model):
    """An orthopaedic intake, stored with its answers exactly as submitted (intake contract)."""

    class Source(models.TextChoices):
        RECEPTION = "reception", _("Reception")
        IMPORT = "import", _("JSON import")
        DEMO = "demo", _("Demo data")
        CHECK_IN = "check_in", _("Programme check-in")
        # The patient answered it themselves, from the link the clinic emailed (selfintake/).
        SELF = "self", _("Patient (self-intake)")

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="intakes")
    answers = models.JSONField()
    # The psychosocial questionnaire behind answers["psychosocial_risk_category"]: the tool's name
    # and version, each item's wording, answer and score, the sums (psychosocial.intake). Null when
    # no questionnaire was asked. Beside the answers, not in them: the contract names its keys.
    psychosocial_screen = models.JSONField(null=True, blank=True, editable=False)
    contract_version = models.CharField(max_length=20)
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.RECEPTION)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="intakes_entered",
        help_text=_("Empty for a patient's own check-in or self-intake"),
    )

    # The form's one-time token: a double click or a browser retry finds the intake already made.
    submission_token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # What was submitted under that token (patient details and answers, hashed): the same token
    # with other answers is a new intake, never the first one's outcome.
    fingerprint = models.CharField(max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = IntakeQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["entered_by", "-created_at"])]

    def __str__(self) -> str:
        return f"Intake {self.pk} for patient {self.patient_id}"


class PatientDetailChange(models.Model):
    """One detail of a patient's record changed: who, when, the old value and the new.

    Written in the same transaction as the change (`patients.services`); never edited.
    """

    class Via(models.TextChoices):
        INTAKE = "intake", _("Confirmed at an intake")
        ADMIN = "admin", _("Corrected in the admin")
        INVITATION = "invitation", _("Chosen when a self-intake link was sent")

    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="detail_changes")
    field = models.CharField(max_length=32)
    old_value = models.CharField(max_length=254, blank=True)
    new_value = models.CharField(max_length=254, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="patient_detail_changes",
    )
    changed_at = models.DateTimeField()
    via = models.CharField(max_length=10, choices=Via.choices)
    intake = models.ForeignKey(
        Intake, on_delete=models.PROTECT, null=True, blank=True, related_name="detail_changes"
    )

    class Meta:
        ordering = ["-changed_at", "-pk"]
        indexes = [models.Index(fields=["patient", "-changed_at"])]

    def __str__(self) -> str:
        return (
            f"{self.field} of patient {self.patient_id} changed at {self.changed_at:%Y-%m-%d %H:%M}"
        )
