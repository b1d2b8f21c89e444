"""The public self-referral page's form: who the person is, as the intake needs it (name, date of
birth, sex), how to reach them, their agreement to be emailed, and a honeypot."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from patients.models import Sex
from selfintake.forms import DateOfBirthForm
from selfintake.referral import ReferralDetails

# The record's sexes (patients.models.Sex), in the patient's words.
SEX_CHOICES = [
    (Sex.FEMALE.value, _("Female")),
    (Sex.MALE.value, _("Male")),
    (Sex.OTHER.value, _("Other, or I prefer not to say")),
]
OLDEST = 130


class TelInput(forms.TextInput):
    input_type = "tel"


class SelfReferralForm(DateOfBirthForm):
    """The date of birth as the self-intake asks it (three boxes), with the rest around it."""

    given_name = forms.CharField(
        label=_("First name"),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
        error_messages={"required": _("Enter your first name")},
    )
    family_name = forms.CharField(
        label=_("Last name"),
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
        error_messages={"required": _("Enter your last name")},
    )
    sex = forms.ChoiceField(
        label=_("Your sex"),
        choices=SEX_CHOICES,
        widget=forms.RadioSelect,
        help_text=_("Some of the clinic's questions depend on it."),
        error_messages={"required": _("Choose your sex, or “Other, or I prefer not to say”")},
    )
    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        help_text=_("We will email you a link to confirm it is yours. Nothing is sent before."),
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        error_messages={
            "required": _("Enter your email address"),
            "invalid": _("Enter an email address in the right form, like name@example.com"),
        },
    )
    phone = forms.CharField(
        label=_("Phone number (optional)"),
        max_length=32,
        required=False,
        help_text=_("So that the clinic can phone you if it needs to."),
        widget=TelInput(attrs={"autocomplete": "tel"}),
    )
    email_consent = forms.BooleanField(
        label=_("I agree that the clinic may email me about my care"),
        error_messages={
            "required": _("Agree to be emailed: the clinic can only send your link by email")
        },
    )
    # Left empty by people (it is hidden); a form filler that writes in every box fills it.
    website = forms.CharField(required=False, label=_("Leave this box empty"))
    submission_token = forms.UUIDField(widget=forms.HiddenInput, required=False)

    field_order = [
        "given_name",
        "family_name",
        "day",
        "month",
        "year",
        "sex",
        "email",
        "phone",
        "email_consent",
        "website",
        "submission_token",
    ]
    error_anchors = {
        "day": "id_day",
        "month": "id_month",
        "year": "id_year",
        "sex": "id_sex_0",
    }
    non_field_error_field = "email"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.order_fields(self.field_order)
        if not self.is_bound:
            self.initial.setdefault("submission_token", uuid.uuid4())

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        born: date | None = cleaned.get("date_of_birth")
        if born is not None:
            today = timezone.localdate()
            if born > today:
                self.add_error("day", _("Your date of birth must be in the past"))
            elif today.year - born.year > OLDEST:
                self.add_error("year", _("Check the year you were born"))
        return cleaned

    @property
    def is_a_bot(self) -> bool:
        return bool(self.data.get("website", "").strip())

    @property
    def token(self) -> uuid.UUID:
        """The page's one-time token (a fresh one if the page came without it)."""
        return self.cleaned_data.get("submission_token") or uuid.uuid4()

    def details(self) -> ReferralDetails:
        data = self.cleaned_data
        return ReferralDetails(
            given_name=data["given_name"],
            family_name=data["family_name"],
            date_of_birth=data["date_of_birth"],
            sex=data["sex"],
            email=data["email"],
            phone=data["phone"],
            email_consent=data["email_consent"],
        )
