"""The codes a member of staff types: from their authenticator app, or one of their backup codes."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from clinic.two_factor.services import looks_like_totp, normalise


class CodeForm(forms.Form):
    """The sign-in's second step: the authenticator's 6 digits, or a backup code."""

    code = forms.CharField(
        label=_("Code"),
        help_text=_(
            "The 6-digit code your authenticator app shows now, or one of your backup codes."
        ),
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "none", "spellcheck": "false"}
        ),
        error_messages={"required": _("Enter the code from your authenticator app.")},
    )

    def clean_code(self) -> str:
        code = normalise(self.cleaned_data["code"])
        if not code.isascii() or not code.isalnum():
            raise forms.ValidationError(
                _("Enter the 6 digits your authenticator app shows, or a backup code.")
            )
        return code


class SetupCodeForm(forms.Form):
    """Setting up: the first code the new authenticator shows, which confirms it was set up."""

    code = forms.CharField(
        label=_("The 6-digit code your app shows"),
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
        error_messages={"required": _("Enter the 6-digit code your authenticator app shows.")},
    )

    def clean_code(self) -> str:
        code = normalise(self.cleaned_data["code"])
        if not looks_like_totp(code):
            raise forms.ValidationError(_("Enter the 6 digits your authenticator app shows."))
        return code
