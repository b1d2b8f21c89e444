"""The governance pages' forms: HTTP in, domain input out. Nothing saves here."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from clinic.text import PlainTextAreaField
from triage.rules import registry

REASON_MAX_LENGTH = 4000


def _versions() -> list[tuple[str, str]]:
    return [
        (v.name, f"{v.name} ({_('released') if v.released else _('candidate')})")
        for v in registry.VERSIONS.values()
    ]


class TrialForm(forms.Form):
    candidate = forms.ChoiceField(label=_("Rule-set version to try"), choices=_versions)
    date_from = forms.DateField(
        label=_("First day (optional)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Intakes assessed from this day; empty for every stored intake."),
    )
    date_to = forms.DateField(
        label=_("Last day (optional)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    submission_token = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def clean_submission_token(self) -> uuid.UUID:
        return self.cleaned_data.get("submission_token") or uuid.uuid4()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        first, last = cleaned.get("date_from"), cleaned.get("date_to")
        if first and last and first > last:
            self.add_error("date_to", _("The last day must not be before the first."))
        return cleaned


class SignOffForm(forms.Form):
    reason = PlainTextAreaField(
        label=_("Why you sign this rule set off"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=REASON_MAX_LENGTH,
        error_messages={"required": _("Say why you sign this rule set off.")},
    )
    lowered_reviewed = forms.BooleanField(
        label=_("I have read every case this trial lowers, and accept each one."),
        required=False,
    )

    def __init__(self, *args: Any, lowered: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.lowered = lowered
        if not lowered:
            del self.fields["lowered_reviewed"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.lowered and not cleaned.get("lowered_reviewed"):
            self.add_error(
                "lowered_reviewed",
                ngettext(
                    "This trial lowers %(count)s case: read it, then confirm.",
                    "This trial lowers %(count)s cases: read them, then confirm.",
                    self.lowered,
                )
                % {"count": self.lowered},
            )
        return cleaned


class ChooseForm(forms.Form):
    version = forms.ChoiceField(label=_("Rule set for new intakes"), choices=())
    reason = PlainTextAreaField(
        label=_("Why the clinic changes its rule set"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=REASON_MAX_LENGTH,
        error_messages={"required": _("Say why the clinic changes its rule set.")},
    )

    def __init__(self, *args: Any, signed: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["version"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(name, name) for name in signed]
