"""The clinician's examination, stored as given, and the orthopaedic test library it chooses from.

An examination (`Examination`) holds its findings exactly as submitted, in the examination
contract (`exam/1`, triage/rules/exam.py), with who examined and when; it is never edited (the
database refuses it on PostgreSQL, migration 0002): a correction is a new examination that names
the one it corrects and why. Triage reads it through `triage.services.assess_examination`, which
stores what the exam rules said as an assessment of the case.

The test library (`OrthopaedicTest`) is data an admin keeps (Admin, Examinations, Orthopaedic
tests; every change audited): what each test screens for, how it is done, its published source,
whether a positive is a red flag and at which urgency, and whether it is done on each side. An
examination keeps a snapshot of the library entries it used (`test_library`), so that the rules
read it later exactly as they did when it was recorded, whatever the admin changes since.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from triage import rules
from triage.rules.exam import TestSpec, library_from_json


class OrthopaedicTestQuerySet(models.QuerySet["OrthopaedicTest"]):
    def active(self) -> OrthopaedicTestQuerySet:
        return self.filter(active=True)

    def specs(self) -> dict[str, TestSpec]:
        """The tests as the examination contract reads them, by code."""
        return {test.code: test.spec() for test in self}


class RedFlagUrgency(models.IntegerChoices):
    """The urgency a positive red-flag test carries (the rule engine's levels from SOON up)."""

    EMERGENCY = rules.Urgency.EMERGENCY.value, _("Emergency")
    URGENT = rules.Urgency.URGENT.value, _("Urgent")
    SOON = rules.Urgency.SOON.value, _("Soon")


class OrthopaedicTest(models.Model):
    code = models.SlugField(
        _("code"),
        max_length=60,
        unique=True,
        help_text=_(
            "How examinations name the test (the examination contract's key); it cannot change "
            "once the test is saved"
        ),
    )
    name = models.CharField(_("name"), max_length=200)
    screens_for = models.TextField(_("what it screens for"))
    how_to = models.TextField(
        _("how it is done"), help_text=_("A short description for the clinician at the plinth")
    )
    source = models.TextField(_("published source"))
    needs_side = models.BooleanField(
        _("done on each side"),
        default=True,
        help_text=_("The examination records a result for the left and for the right"),
    )
    red_flag = models.BooleanField(
        _("a positive is a red flag"),
        default=False,
        help_text=_("A positive result raises the case at the urgency below"),
    )
    red_flag_urgency = models.PositiveSmallIntegerField(
        _("red flag urgency"),
        choices=RedFlagUrgency.choices,
        null=True,
        blank=True,
        help_text=_("For a red-flag test: the urgency a positive result carries"),
    )
    position = models.PositiveSmallIntegerField(
        _("position"), default=0, help_text=_("Where the test comes in the examination form")
    )
    active = models.BooleanField(
        _("active"), default=True, help_text=_("Offered in the examination form")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrthopaedicTestQuerySet.as_manager()

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("orthopaedic test")
        verbose_name_plural = _("orthopaedic tests")
        constraints = [
            # A red flag has its urgency, and a test that is no red flag has none.
            models.CheckConstraint(
                condition=models.Q(
                    red_flag=True, red_flag_urgency__isnull=False, red_flag_urgency__in=[3, 4, 5]
                )
                | models.Q(red_flag=False, red_flag_urgency__isnull=True),
                name="examination_test_red_flag_urgency",
            ),
            models.CheckConstraint(
                condition=~models.Q(source=""), name="examination_test_has_source"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def spec(self) -> TestSpec:
        urgency = rules.Urgency(self.red_flag_urgency) if self.red_flag_urgency else None
        return TestSpec(
            code=self.code,
            name=self.name,
            needs_side=self.needs_side,
            red_flag=urgency if self.red_flag else None,
            source=self.source,
            screens_for=self.screens_for,
        )


class ExaminationQuerySet(models.QuerySet["Examination"]):
    def current(self) -> ExaminationQuerySet:
        """Examinations no later one has corrected."""
        return self.filter(corrected_by__isnull=True)

    def latest_of(self, case_id: int) -> Examination | None:
        """The case's latest examination (a correction is later than what it corrects): the
        one the referral letter and the programme's cautions read."""
        return self.filter(case_id=case_id).order_by("-examined_at", "-pk").first()


class Examination(models.Model):
    """One clinician's examination of the patient of a case, stored as given (`exam/1`)."""

    case = models.ForeignKey("triage.Case", on_delete=models.PROTECT, related_name="examinations")
    examiner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="examinations"
    )
    examined_at = models.DateTimeField(_("examined at"), default=timezone.now)
    contract_version = models.CharField(max_length=20)
    findings = models.JSONField(help_text=_("The findings as submitted (exam/1)"))
    # The library entries the findings name, as they were: the rules read them, not today's.
    test_library = models.JSONField(default=dict, blank=True)
    corrects = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrected_by",
        help_text=_("The earlier examination this one corrects"),
    )
    correction_reason = models.TextField(blank=True)
    # The form's one-time token: a double submit finds the examination already made.
    submission_token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    fingerprint = models.CharField(max_length=64, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ExaminationQuerySet.as_manager()

    class Meta:
        ordering = ["examined_at", "pk"]
        verbose_name = _("examination")
        verbose_name_plural = _("examinations")
        indexes = [models.Index(fields=["case", "examined_at"], name="examination_case_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(corrects__isnull=True) | ~models.Q(correction_reason=""),
                name="examination_correction_has_reason",
            ),
            models.CheckConstraint(
                condition=~models.Q(corrects=models.F("pk")),
                name="examination_corrects_another",
            ),
        ]

    def __str__(self) -> str:
        return f"Examination {self.pk} of case {self.case_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Stored as given and never edited: a correction is a new examination. PostgreSQL
        # refuses updates and deletes too (migration 0002).
        if self.pk is not None and not self._state.adding:
            raise ValueError(
                "An examination is never edited; record a new one that corrects it instead."
            )
        super().save(*args, **kwargs)

    @property
    def library(self) -> dict[str, TestSpec]:
        return library_from_json(self.test_library or {})
