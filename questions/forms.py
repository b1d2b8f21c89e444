"""The patient's question and the clinician's reply: HTTP in, domain input out. Nothing saves here."""

from __future__ import annotations

import uuid
from typing import Any

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Field, Layout
from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from clinic.text import PlainTextAreaField
from questions import services
from questions.models import QUESTION_MAX_CHARS, REPLY_MAX_CHARS


class _FieldsOnly(forms.Form):
    """A form whose fields sit inside the page's own <form> (the page holds the tag, the token
    and the buttons): the helper lays out every field in order, nothing else."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(*(Field(name) for name in self.fields))


class _Limited(PlainTextAreaField):
    """Free text with a length limit said in words, and no maxlength in the page: a browser that
    cuts a pasted message short without a word would lose what the person wrote."""

    def __init__(self, *, limit: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.limit = limit

    def validate(self, value: Any) -> None:
        super().validate(value)
        text = (value or "").strip()
        if len(text) > self.limit:
            raise forms.ValidationError(services.too_long(len(text), self.limit), code="too_long")


class QuestionForm(_FieldsOnly):
    text = _Limited(
        limit=QUESTION_MAX_CHARS,
        label=_("Your question to the clinic"),
        help_text=_(
            "A short message, up to 1,000 characters. For example: "
            "“Is it normal that my neck is stiff the morning after the exercises?”"
        ),
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": services.NO_QUESTION},
    )
    submission_token = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.is_bound and isinstance(self.data, QueryDict):
            sent = self.data.getlist("submission_token")
            if len(sent) > 1:  # sent twice: keep one
                data = self.data.copy()
                data.setlist("submission_token", sent[:1])
                self.data = data

    def clean_submission_token(self) -> uuid.UUID:
        # A form without its token (an old tab, a hand-made request) still saves once.
        token: uuid.UUID | None = self.cleaned_data.get("submission_token")
        return token or uuid.uuid4()


class ReplyForm(_FieldsOnly):
    reply = _Limited(
        limit=REPLY_MAX_CHARS,
        label=_("Your reply to the patient"),
        help_text=_(
            "The patient reads it on their programme page; the email only tells them there is "
            "a reply. Up to 2,000 characters."
        ),
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": services.NO_REPLY},
    )


class CloseForm(_FieldsOnly):
    note = _Limited(
        limit=REPLY_MAX_CHARS,
        label=_("How it was dealt with"),
        help_text=_(
            "For the record, e.g. “Phoned the patient and talked it through.” The "
            "patient is not emailed; their page says the clinic has dealt with it."
        ),
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": services.NO_CLOSE_NOTE},
    )
