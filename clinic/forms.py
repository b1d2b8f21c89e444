"""A member of staff's own settings: the language of their pages."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class StaffLanguageForm(forms.Form):
    language = forms.ChoiceField(
        label=_("Language of your pages"),
        choices=[("", _("As my browser asks")), *settings.LANGUAGES],
        required=False,
        help_text=_("Patients' emails, pages and handouts stay in each patient's own language."),
    )
