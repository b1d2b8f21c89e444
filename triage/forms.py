"""The clinician's forms on a case: HTTP in, domain input out. Nothing saves here."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from clinic.text import PlainTextAreaField
from triage.models import Urgency

NOTE_MAX_LENGTH = 2000


class OverrideForm(forms.Form):
    """Change the case's urgency. Raising it needs a note; lowering it needs a reason."""

    to_urgency = forms.TypedChoiceField(
        label=_("New urgency"), choices=Urgency.choices, coerce=int, empty_value=None
    )
    reason = PlainTextAreaField(
        label=_("Note or reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=NOTE_MAX_LENGTH,
        required=False,  # clean() says which is missing: a note or a reason
        help_text=_("Raising the urgency needs a note; lowering it needs a reason."),
    )

    def __init__(self, *args: Any, current: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.current = current
        self.fields["to_urgency"].initial = current

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        to_urgency = cleaned.get("to_urgency")
        if to_urgency is None or "reason" in self.errors:
            return cleaned
        if to_urgency == self.current:
            self.add_error(
                "to_urgency",
                _("The case is already %(urgency)s: choose another")
                % {"urgency": Urgency(self.current).label},
            )
            return cleaned
        cleaned["reason"] = (cleaned.get("reason") or "").strip()
        if not cleaned["reason"]:
            self.add_error(
                "reason",
                _("Raising the urgency needs a note")
                if to_urgency > self.current
                else _("Lowering the urgency needs a reason"),
            )
        return cleaned


class DischargeForm(forms.Form):
    advice = PlainTextAreaField(
        label=_("Advice given to the patient"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=NOTE_MAX_LENGTH,
        help_text=_("What you told the patient to do. The safety-net advice below goes with it."),
    )

    def clean_advice(self) -> str:
        advice: str = self.cleaned_data["advice"].strip()
        if not advice:
            raise forms.ValidationError(_("Say what advice the patient was given"))
        return advice
