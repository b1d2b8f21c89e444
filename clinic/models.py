"""The clinic's staff profiles: who signs a referral letter, as the receiver needs to know them.

A referral is signed with the clinician's full name, profession and statutory registration (UK:
osteopaths with the General Osteopathic Council, chiropractors with the General Chiropractic
Council, physiotherapists with the Health and Care Professions Council, doctors with the General
Medical Council), so that the receiver can check the register. Kept by admins in the Django admin,
where every change is audited (clinic/admin.py, audit/admin.py's AuditedAdmin).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


class StaffProfile(models.Model):
    class Profession(models.TextChoices):
        OSTEOPATH = "osteopath", _("Osteopath")
        CHIROPRACTOR = "chiropractor", _("Chiropractor")
        PHYSIOTHERAPIST = "physiotherapist", _("Physiotherapist")
        DOCTOR = "doctor", _("Doctor")
        OTHER = "other", _("Other")

    class RegistrationBody(models.TextChoices):
        GOSC = "GOsC", _("General Osteopathic Council (GOsC)")
        GCC = "GCC", _("General Chiropractic Council (GCC)")
        HCPC = "HCPC", _("Health and Care Professions Council (HCPC)")
        GMC = "GMC", _("General Medical Council (GMC)")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_profile"
    )
    profession = models.CharField(_("profession"), max_length=20, choices=Profession.choices)
    registration_body = models.CharField(
        _("registration body"), max_length=4, choices=RegistrationBody.choices, blank=True
    )
    registration_number = models.CharField(_("registration number"), max_length=12, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["user__last_name", "user__first_name", "user__username"]
        verbose_name = _("staff profile")
        constraints = [
            # A registration is a body and a number, or nothing (an "other" profession).
            models.CheckConstraint(
                condition=(
                    (models.Q(registration_body="") & models.Q(registration_number=""))
                    | (~models.Q(registration_body="") & ~models.Q(registration_number=""))
                ),
                name="staff_profile_registration_body_and_number_together",
            ),
            models.CheckConstraint(
                condition=~models.Q(profession="")
                & (
                    models.Q(profession="other")
                    | models.Q(profession="osteopath", registration_body="GOsC")
                    | models.Q(profession="chiropractor", registration_body="GCC")
                    | models.Q(profession="physiotherapist", registration_body="HCPC")
                    | models.Q(profession="doctor", registration_body="GMC")
                ),
                name="staff_profile_profession_registered_with_its_body",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.signed_name}, {self.signed_role}"

    # Each UK profession's register (a protected title: it must be registered with its body).
    BODY_FOR: dict[str, str] = {
        Profession.OSTEOPATH: RegistrationBody.GOSC,
        Profession.CHIROPRACTOR: RegistrationBody.GCC,
        Profession.PHYSIOTHERAPIST: RegistrationBody.HCPC,
        Profession.DOCTOR: RegistrationBody.GMC,
    }
    # How each register's numbers look: GMC 7 digits; HCPC a profession prefix and digits (PH for
    # physiotherapists); GOsC and GCC digits.
    NUMBER_PATTERN: dict[str, str] = {
        RegistrationBody.GMC: r"\d{7}",
        RegistrationBody.HCPC: r"[A-Z]{2}\d{4,7}",
        RegistrationBody.GOSC: r"\d{3,6}",
        RegistrationBody.GCC: r"\d{3,6}",
    }
    # Each profession's refusal is a whole sentence: a translated profession is never
    # lower-cased or glued in (German capitalises nouns and inflects the article).
    WRONG_BODY: dict[str, StrOrPromise] = {
        Profession.OSTEOPATH: _(
            "An osteopath is registered with the General Osteopathic Council (GOsC)."
        ),
        Profession.CHIROPRACTOR: _(
            "A chiropractor is registered with the General Chiropractic Council (GCC)."
        ),
        Profession.PHYSIOTHERAPIST: _(
            "A physiotherapist is registered with the Health and Care Professions Council (HCPC)."
        ),
        Profession.DOCTOR: _("A doctor is registered with the General Medical Council (GMC)."),
    }

    def clean(self) -> None:
        self.registration_number = self.registration_number.strip().upper().replace(" ", "")
        errors: dict[str, StrOrPromise] = {}
        body = self.BODY_FOR.get(self.profession)
        if body is not None and self.registration_body != body:
            errors["registration_body"] = self.WRONG_BODY[self.profession]
        if self.profession == self.Profession.OTHER and self.registration_body:
            errors["registration_body"] = _(
                "Leave the registration empty for another profession, or choose the profession "
                "the register is for."
            )
        if self.registration_body and not self.registration_number:
            errors["registration_number"] = _("Enter the registration number.")
        pattern = self.NUMBER_PATTERN.get(self.registration_body)
        if (
            pattern
            and self.registration_number
            and not re.fullmatch(pattern, self.registration_number)
        ):
            errors["registration_number"] = _(
                "This does not look like a %(body)s registration number."
            ) % {"body": self.registration_body}
        if errors:
            raise ValidationError(errors)

    @property
    def signed_name(self) -> str:
        return self.user.get_full_name() or self.user.get_username()

    @property
    def signed_role(self) -> str:
        """ "Physiotherapist, HCPC registration PH12345", or the profession alone."""
        profession = str(self.get_profession_display())
        if not self.registration_body:
            return profession
        return _("%(profession)s, %(body)s registration %(number)s") % {
            "profession": profession,
            "body": self.registration_body,
            "number": self.registration_number,
        }


class StaffPreferences(models.Model):
    """What a member of staff chose for themselves (Your language, clinic/views.py): the
    language of their pages. Empty: the browser's (clinic/language.py)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_preferences"
    )
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("staff preferences")
        verbose_name_plural = _("staff preferences")

    def __str__(self) -> str:
        return str(self.user)
