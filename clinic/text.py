"""Text a person typed: refused when it could hide, reverse or fake what another person reads.

A name carrying a right-to-left override shows reversed in the queue; a zero-width-only name
looks blank yet is "filled in"; a control character breaks a letter or a CSV export. Names and
free text from staff and patients pass through `clean_text` before anything stores them.
"""

from __future__ import annotations

import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Characters that reorder the text around them (Unicode bidirectional formatting characters).
BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
LINE_BREAKS = frozenset("\n\r\t")


def text_problem(value: str, *, multiline: bool = False) -> str:
    """What makes `value` unsafe to show to another person, or "" when nothing does."""
    for ch in value:
        if ch in BIDI_CONTROLS:
            return str(
                _("Remove the hidden text-direction character: it makes the text show reversed")
            )
        category = unicodedata.category(ch)
        if category == "Cc" and not (multiline and ch in LINE_BREAKS):
            return str(_("Remove the control character (it cannot be shown or printed)"))
        if category in ("Cs", "Co", "Cn"):
            return str(_("Remove the character that cannot be shown"))
        if ch in "\u2028\u2029" and not multiline:
            return str(_("Remove the line break: this answer fits on one line"))
    if value and not any(_visible(ch) for ch in value):
        return str(_("Enter visible text: this contains only invisible characters"))
    return ""


def _visible(ch: str) -> bool:
    return not ch.isspace() and unicodedata.category(ch) not in ("Cf", "Cc", "Mn", "Me", "Zs")


def clean_text(value: str, *, multiline: bool = False) -> str:
    """`value` in composed form (NFC), or a ValidationError saying what to remove."""
    problem = text_problem(value, multiline=multiline)
    if problem:
        raise ValidationError(problem, code="unsafe_text")
    return unicodedata.normalize("NFC", value)


def collapse_spaces(value: str) -> str:
    """A one-line value with runs of spaces (of any kind) made one: "Ann  Lee" is "Ann Lee"."""
    return " ".join(value.split())


class PlainTextField(forms.CharField):
    """A one-line text field that refuses control, text-direction and invisible-only input."""

    multiline = False

    def to_python(self, value: object) -> str:
        text = clean_text(super().to_python(value) or "", multiline=self.multiline)
        return text if self.multiline else collapse_spaces(text)


class PlainTextAreaField(PlainTextField):
    """Free text over several lines (a note, a letter); line breaks and tabs are kept."""

    multiline = True
    widget = forms.Textarea
