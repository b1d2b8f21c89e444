from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from clinic.text import PlainTextAreaField
from referrals.models import EXPECTED_WITHIN_DAYS, Destination
from triage.models import Urgency

URGENCY_CHOICES = [(u.value, u.label) for u in Urgency if u.key in EXPECTED_WITHIN_DAYS]
# A letter pre-filled from every answer runs to a few thousand characters; this leaves room for
# the clinician's own and still fits a few printed pages.
LETTER_MAX_LENGTH = 20_000


class ReferralNewForm(forms.Form):
    destination = forms.ModelChoiceField(
        queryset=Destination.objects.none(), empty_label=_("Choose where to refer")
    )
    urgency = forms.TypedChoiceField(
        label=_("Urgency asked for"), choices=URGENCY_CHOICES, coerce=int
    )
    # The examination whose imaging decision aid this referral follows (the case page's
    # "Refer for MRI / X-ray"); the view checks it is one of the case's.
    imaging = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["destination"].queryset = Destination.objects.filter(active=True)  # type: ignore[attr-defined]


class LetterForm(forms.Form):
    urgency = forms.TypedChoiceField(
        label=_("Urgency asked for"), choices=URGENCY_CHOICES, coerce=int
    )
    letter = PlainTextAreaField(
        label=_("Letter"),
        max_length=LETTER_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 24, "class": "font-monospace"}),
        help_text=_("Written from the answers and the fired rules; edit it before you send it."),
    )
