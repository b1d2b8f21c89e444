"""The reception intake form and the patient search: HTTP in, domain input out. Nothing saves here.

The intake questions are built from the intake contract (`triage.rules.QUESTIONS`), so the form asks
exactly what the rule engine reads, with the contract's wording, in the contract's sections.
"""

from __future__ import annotations

import copy
import uuid
from datetime import date
from functools import cached_property
from typing import TYPE_CHECKING, Any

from crispy_forms.bootstrap import InlineRadios
from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Column, Field, Fieldset, Layout, Row
from django import forms
from django.http import QueryDict
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from clinic.text import PlainTextField, clean_text
from patients.models import Language, Patient, Sex
from patients.nhs import format_nhs_number, nhs_number_is_valid, normalise_nhs_number
from patients.services import (
    Confirmation,
    DetailsChoice,
    DetailsDiffer,
    IdentityChoice,
    IdentityMismatch,
    NeedsConfirmation,
    PatientDetails,
)
from psychosocial.intake import ANSWER as PSYCHOSOCIAL
from psychosocial.intake import NOT_ASSESSED, Questionnaire, active_questionnaire
from triage.rules import QUESTIONS, Answers, Question

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise
from triage.rules.contract import (
    DANGEROUS_MECHANISMS,
    LOW_ENERGY_MECHANISMS,
    SECTIONS,
)

MAX_AGE = 125
YES, NO = "yes", "no"
YES_NO = ((YES, "Yes"), (NO, "No"))

# Answers the form derives rather than asks: age from the date of birth, sex from the patient,
# the psychosocial risk category from the clinic's questionnaire (psychosocial/), never by hand.
DERIVED_ANSWERS = frozenset({"age", "sex", PSYCHOSOCIAL})
# Where the form asks the questionnaire's items (the contract's section for the category).
PSYCHOSOCIAL_SECTION = "Wellbeing"
# Passed as `questionnaire` when the database cannot be read: the items cannot be asked.
UNAVAILABLE = "unavailable"

# The words a receptionist reads for each coded answer of the contract.
ANSWER_LABELS: dict[str, dict[str, StrOrPromise]] = {
    "sex": dict(Sex.choices),
    "pain_region": {
        "neck": _("Neck"),
        "upper_back": _("Upper back"),
        "thoracic": _("Middle of the back (thoracic)"),
        "shoulder_blades": _("Between or around the shoulder blades"),
        "lower_back": _("Lower back"),
    },
    "trauma_mechanism": {
        "none": _("No injury"),
        "exertional_strain": _("Gym or lifting strain (not an injury)"),
        "minor_fall_standing_height": _("Minor fall, from standing height or lower"),
        "simple_rear_end_collision": _("Simple rear-end car collision"),
        "contact_sport_collision": _("Collision in a contact sport"),
        "other": _("Other low-energy injury"),
        "fall_from_height_over_1m_or_5_stairs": _(
            "Fall from 1 metre or higher, or down 5 or more stairs"
        ),
        "axial_load_diving_or_head_impact": _("Diving accident or blow to the top of the head"),
        "high_speed_or_rollover_collision": _("High-speed, rollover or ejection vehicle collision"),
        "bicycle_or_motorised_recreational_vehicle": _(
            "Bicycle crash, or crash on a quad bike or other motorised recreational vehicle"
        ),
    },
    "psychosocial_risk_category": {
        "low": _("Low risk"),
        "medium": _("Medium risk"),
        "high": _("High risk"),
        "not_assessed": _("Not assessed"),
    },
}

# Asked only after a "yes" to the injury question; a "no" stores "none".
TRAUMA_QUESTION = "recent_significant_trauma"
MECHANISM = "trauma_mechanism"


def display_answer(name: str, value: Any) -> str:
    """An answer as a person reads it: "Yes", "Lower back", "7"."""
    if isinstance(value, bool):
        return str(_("Yes") if value else _("No"))
    labels = ANSWER_LABELS.get(name)
    if labels is not None:
        return str(labels.get(str(value), str(value)))
    return str(value)


def answer_field_names() -> list[str]:
    return [q.name for q in QUESTIONS if q.name not in DERIVED_ANSWERS]


def _coerce_yes(value: str) -> bool:
    return value == YES


def _choices(name: str, values: tuple[str, ...]) -> list[tuple[str, StrOrPromise]]:
    labels = ANSWER_LABELS[name]
    return [(value, labels[value]) for value in values]


def _mechanism_choices() -> list[tuple[StrOrPromise, Any]]:
    """How an injury happened, grouped the way the Canadian C-Spine Rule reads them [S4]."""
    return [
        ("", _("Choose how the injury happened")),
        (_("Lower-energy injury"), _choices(MECHANISM, LOW_ENERGY_MECHANISMS)),
        (
            _("Dangerous mechanism"),
            _choices(MECHANISM, tuple(sorted(DANGEROUS_MECHANISMS))),
        ),
    ]


def _answer_field(question: Question) -> forms.Field:
    """The form field that asks one contract question, labelled with the question itself."""
    text = question.question
    if question.kind is bool:
        return forms.TypedChoiceField(
            label=text,
            choices=YES_NO,
            coerce=_coerce_yes,
            empty_value=None,
            widget=forms.RadioSelect,
            error_messages={"required": _("Answer yes or no: “%(question)s”") % {"question": text}},
        )
    if question.kind is int:
        low, high = question.minimum or 0, question.maximum
        if high is not None and high - low <= 10:
            return forms.TypedChoiceField(
                label=text,
                choices=[(str(n), str(n)) for n in range(low, high + 1)],
                coerce=int,
                empty_value=None,
                widget=forms.RadioSelect,
                error_messages={
                    "required": _("Choose a number from %(low)s to %(high)s: “%(question)s”")
                    % {"low": low, "high": high, "question": text}
                },
            )
        return forms.IntegerField(
            label=text,
            min_value=low,
            max_value=high,
            widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
            error_messages={
                "required": _("Enter a whole number: “%(question)s”") % {"question": text}
            },
        )
    if question.name == MECHANISM:
        return forms.ChoiceField(
            label=text,
            choices=_mechanism_choices(),
            required=False,  # required only after a "yes" to the injury question; see clean()
            help_text=_("Only when the answer to the injury question is Yes."),
        )
    if question.name == "pain_region":
        return forms.ChoiceField(
            label=text,
            choices=_choices(question.name, question.choices),
            widget=forms.RadioSelect,
            error_messages={"required": _("Choose one: “%(question)s”") % {"question": text}},
        )
    return forms.ChoiceField(
        label=text,
        choices=[("", _("Choose one")), *_choices(question.name, question.choices)],
        error_messages={"required": _("Choose one: “%(question)s”") % {"question": text}},
    )


class IsoDateField(forms.DateField):
    """A date field that re-shows a valid date as the date input reads it (YYYY-MM-DD).

    A refused form re-shows what was typed; "31/01/1970" would show as an empty date box in a
    browser, and the date of birth would look lost.
    """

    def bound_data(self, data: Any, initial: Any) -> Any:
        try:
            return self.to_python(data) or data
        except forms.ValidationError:
            return data


class IntakeForm(forms.Form):
    """A reception intake: who the patient is, and every answer of the intake contract.

    The psychosocial risk category is computed from the clinic's active questionnaire, whose
    items the form asks (`questionnaire`: loaded from the database unless given; None when no
    tool is configured, `UNAVAILABLE` while the database is down); without one it is
    `not_assessed`. A category sent with the form is refused: nobody chooses it by hand.
    """

    given_name = PlainTextField(
        label=_("Given name"),
        max_length=100,
        error_messages={"required": _("Enter the patient's given name")},
    )
    family_name = PlainTextField(
        label=_("Family name"),
        max_length=100,
        error_messages={"required": _("Enter the patient's family name")},
    )
    date_of_birth = IsoDateField(
        label=_("Date of birth"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": _("Enter the patient's date of birth"),
            "invalid": _("Enter the date of birth as a full date, for example 31/01/1970"),
        },
    )
    sex = forms.ChoiceField(
        label=_("Recorded sex"),
        choices=Sex.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the patient's recorded sex")},
    )
    email = forms.EmailField(
        label=_("Email"),
        required=False,
        max_length=254,
        error_messages={"invalid": _("Enter the email address in the form name@example.com")},
    )
    phone = forms.CharField(label=_("Phone"), required=False, max_length=32)
    nhs_number = forms.CharField(
        label=_("NHS number"),
        required=False,
        max_length=20,
        help_text=_("Optional. Ten digits, for example 943 476 5919."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    preferred_language = forms.ChoiceField(
        label=_("Preferred language"),
        choices=Language.choices,
        initial=Language.ENGLISH,
        help_text=_(
            "English or German: the language of the patient's emails, pages and handout. For "
            "another language they are in English."
        ),
    )
    email_consent = forms.TypedChoiceField(
        label=_("Does the patient agree to receive their programme and reminders by email?"),
        choices=YES_NO,
        coerce=_coerce_yes,
        empty_value=None,
        widget=forms.RadioSelect,
        error_messages={"required": _("Answer yes or no: does the patient agree to email?")},
    )
    # One per form shown: a double click or a browser retry finds the intake already made.
    submission_token = forms.UUIDField(widget=forms.HiddenInput, required=False)

    # Reception's answers when the submission stopped to ask about the patient's record: each
    # beside the key of the question it answers (see patients.services.NeedsConfirmation).
    identity_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)
    identity_choice = forms.TypedChoiceField(
        label=_("Who is this patient?"),
        choices=[
            (
                IdentityChoice.KEEP_RECORD.value,
                _("The same patient: the record on file is right (what was typed has a mistake)"),
            ),
            (
                IdentityChoice.CORRECT_RECORD.value,
                _("The same patient: correct the record to the name and date of birth typed"),
            ),
            (
                IdentityChoice.DIFFERENT_PATIENT.value,
                _("A different patient: register them without this NHS number"),
            ),
        ],
        coerce=IdentityChoice,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )
    details_key = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)
    details_choice = forms.TypedChoiceField(
        label=_("Which details should the record keep?"),
        choices=[
            (DetailsChoice.UPDATE.value, _("Update the record to the new details")),
            (DetailsChoice.KEEP.value, _("Keep the details on file")),
        ],
        coerce=DetailsChoice,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )
    CONFIRMATION_FIELDS = ("identity_key", "identity_choice", "details_key", "details_choice")

    def __init__(
        self,
        *args: Any,
        questionnaire: Questionnaire | str | None = "load",
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.question: NeedsConfirmation | None = None
        if questionnaire == "load":
            questionnaire = active_questionnaire()
        self.questionnaire_unavailable = questionnaire == UNAVAILABLE
        self.questionnaire = questionnaire if isinstance(questionnaire, Questionnaire) else None
        self.psychosocial_screen: dict[str, Any] | None = None
        if self.is_bound:
            sent = self.data.getlist("submission_token") if isinstance(self.data, QueryDict) else []
            token = self.data.get("submission_token", "")
            if not _is_token(token) or len(sent) > 1:
                if not _is_token(token):
                    # A malformed token would be echoed back and refused for ever: a fresh one
                    # lets the form be sent (it is a new submission, not a replay of another).
                    token = str(uuid.uuid4())
                # A shallow copy (a request's data is immutable; its values are strings, so the
                # deep copy QueryDict.copy() makes would only cost a millisecond of the submit).
                data: Any = copy.copy(self.data)
                if isinstance(data, QueryDict):
                    data.setlist("submission_token", [token])  # sent twice: keep one
                else:
                    data["submission_token"] = token
                self.data = data
        # The 54 answer fields are built once per process and shared (read-only) by every form:
        # building or deep-copying them on each request costs a millisecond of the submit.
        self.fields.update(_ANSWER_FIELDS)
        if self.questionnaire is not None:
            self.fields.update(
                {q.field: _questionnaire_field(q) for q in self.questionnaire.questions}
            )

    @cached_property
    def helper(self) -> FormHelper:
        """The crispy layout, built only when the form is rendered (not on a successful submit)."""
        # Rendering writes into widgets' attrs: the form shown gets widgets of its own first.
        self.fields.update({name: _own_widget(field) for name, field in _ANSWER_FIELDS.items()})
        # Bound to the shared fields; the errors stay in _errors. (django-stubs omit the cache.)
        self._bound_fields_cache.clear()  # type: ignore[attr-defined]
        return self._helper()

    # --- Layout ---------------------------------------------------------------------------

    # {% crispy_cached %} (clinic/templatetags/crispy_cached.py): the empty form's markup is kept,
    # with each request's own submission token put in.
    markup_variables = ("submission_token",)

    def markup_key(self) -> tuple[str, str, bool] | None:
        """What the layout reads besides the fields (the questionnaire its note names), or None
        for a form filled in for a returning patient: their details are not kept in memory."""
        if set(self.initial) - {"submission_token"}:
            return None
        questionnaire = self.questionnaire
        return (
            questionnaire.name if questionnaire else "",
            questionnaire.version if questionnaire else "",
            self.questionnaire_unavailable,
        )

    @staticmethod
    def section_id(section: str) -> str:
        return f"section-{slugify(section)}"

    def _helper(self) -> FormHelper:
        helper = FormHelper()
        helper.form_tag = False  # the template owns <form>, the error summary and the buttons
        sections = []
        for section in SECTIONS:
            if section == "The patient":
                items: list[Any] = [
                    Row(
                        Column("given_name", css_class="col-md-6"),
                        Column("family_name", css_class="col-md-6"),
                    ),
                    Row(
                        Column("date_of_birth", css_class="col-md-6"),
                        Column(InlineRadios("sex"), css_class="col-md-6"),
                    ),
                    Row(
                        Column("email", css_class="col-md-6"), Column("phone", css_class="col-md-6")
                    ),
                    Row(
                        Column("nhs_number", css_class="col-md-6"),
                        Column("preferred_language", css_class="col-md-6"),
                    ),
                    InlineRadios("email_consent", wrapper_class="question-row"),
                ]
            else:
                items = [
                    self._layout_for(q)
                    for q in QUESTIONS
                    if q.section == section and q.name not in DERIVED_ANSWERS
                ]
            if section == PSYCHOSOCIAL_SECTION:
                items += self._questionnaire_layout()
            sections.append(
                Fieldset(
                    section, *items, css_class="intake-section", css_id=self.section_id(section)
                )
            )
        helper.layout = Layout(
            Field("submission_token"), Field("identity_key"), Field("details_key"), *sections
        )
        return helper

    def _questionnaire_layout(self) -> list[Any]:
        """The questionnaire's items, after a note naming the tool, or saying why none is asked."""
        note = HTML('{% include "psychosocial/partials/intake_section.html" %}')
        if self.questionnaire is None:
            return [note]
        return [
            note,
            *(
                InlineRadios(q.field, wrapper_class="question-row question-row-wide")
                for q in self.questionnaire.questions
            ),
        ]

    def _layout_for(self, question: Question) -> Any:
        field = self.fields[question.name]
        if question.name == MECHANISM:
            return Field(
                MECHANISM, wrapper_class="question-row question-row-select trauma-mechanism"
            )
        if isinstance(field.widget, forms.RadioSelect):
            wide = "" if len(field.choices) <= 2 else " question-row-wide"  # type: ignore[attr-defined]
            return InlineRadios(question.name, wrapper_class=f"question-row{wide}")
        return Field(question.name, wrapper_class="question-row question-row-select")

    # --- Validation -----------------------------------------------------------------------

    def clean_given_name(self) -> str:
        return " ".join(self.cleaned_data["given_name"].split())

    def clean_family_name(self) -> str:
        return " ".join(self.cleaned_data["family_name"].split())

    def clean_date_of_birth(self) -> date:
        born: date = self.cleaned_data["date_of_birth"]
        today = timezone.localdate()  # the clinic's today (settings.TIME_ZONE)
        if born > today:
            raise forms.ValidationError(_("The date of birth cannot be in the future"))
        if _age_on(born, today) > MAX_AGE:
            raise forms.ValidationError(
                _("This date of birth makes the patient older than %(age)s: please re-check it")
                % {"age": MAX_AGE}
            )
        return born

    def clean_email(self) -> str:
        email: str = self.cleaned_data["email"]
        return clean_text(email)

    def clean_nhs_number(self) -> str:
        number = normalise_nhs_number(self.cleaned_data["nhs_number"])
        if not number:
            return ""
        if len(number) != 10 or not (number.isascii() and number.isdigit()):
            raise forms.ValidationError(_("An NHS number is 10 digits: please re-check it"))
        if not nhs_number_is_valid(number):
            raise forms.ValidationError(
                _("This NHS number's check digit is wrong — please re-check it")
            )
        return number

    def clean_phone(self) -> str:
        phone = " ".join(self.cleaned_data["phone"].split())
        if phone:
            allowed = set("0123456789 +()-")
            digits = sum(ch.isdigit() for ch in phone)
            if not set(phone) <= allowed or not 7 <= digits <= 15:
                raise forms.ValidationError(
                    _("Enter the phone number as digits, for example 01632 960 001")
                )
        return phone

    def clean_submission_token(self) -> uuid.UUID:
        # A form without its token (an old tab, a hand-made request) still saves once.
        token: uuid.UUID | None = self.cleaned_data.get("submission_token")
        return token or uuid.uuid4()

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        self._refuse_conflicting_repeats()
        self._compute_psychosocial_risk()
        injured = cleaned.get(TRAUMA_QUESTION)
        mechanism = cleaned.get(MECHANISM)
        if injured is False and mechanism and MECHANISM not in self.errors:
            # A fall or collision named after a "no injury": never dropped, never guessed.
            self.add_error(
                MECHANISM,
                _(
                    "The answer to the injury question is No, but an injury is chosen here "
                    "(“%(answer)s”): answer Yes to the injury question, or clear this answer"
                )
                % {"answer": display_answer(MECHANISM, mechanism)},
            )
        elif injured is False and MECHANISM not in self.errors:
            # The mechanism is asked only after a "yes"; a "no" with no mechanism is no injury.
            cleaned[MECHANISM] = "none"
        elif injured is True and not mechanism and MECHANISM not in self.errors:
            self.add_error(
                MECHANISM,
                _(
                    "Choose how the injury happened: “How did the injury happen?” (the patient "
                    "answered Yes to a fall, collision, blow or accident)"
                ),
            )
        consents = cleaned.get("email_consent") is True
        if consents and not cleaned.get("email") and "email" not in self.errors:
            self.add_error(
                "email", _("Enter the patient's email address, or answer No to receiving email")
            )
        born = cleaned.get("date_of_birth")
        if born is not None:
            today = timezone.localdate()
            cleaned["age"] = _age_on(born, today)
            days = cleaned.get("duration_days")
            if days is not None and days > (today - born).days:
                self.add_error(
                    "duration_days",
                    _(
                        "%(days)s days is longer than the patient has been alive (born "
                        "%(born)s): re-check the days since this episode began, or the date of "
                        "birth"
                    )
                    % {"days": days, "born": f"{born:%d/%m/%Y}"},
                )
        return cleaned

    def _compute_psychosocial_risk(self) -> None:
        """The category from the questionnaire's answers, or `not_assessed` without one."""
        if PSYCHOSOCIAL in self.data:
            self.add_error(
                None,
                _(
                    "This form was sent with a psychosocial risk category, which is no longer "
                    "chosen by hand: it comes from the clinic's questionnaire. Answer the "
                    "questions below and send the form again."
                ),
            )
            return
        if self.questionnaire is None:
            self.cleaned_data[PSYCHOSOCIAL] = NOT_ASSESSED
            return
        fields = [q.field for q in self.questionnaire.questions]
        if any(name in self.errors or not self.cleaned_data.get(name) for name in fields):
            return  # each unanswered item says so beside it
        chosen = {name: self.cleaned_data[name] for name in fields}
        category, self.psychosocial_screen = self.questionnaire.record(chosen)
        self.cleaned_data[PSYCHOSOCIAL] = category

    def _refuse_conflicting_repeats(self) -> None:
        """A question sent twice with different answers is not read as either one."""
        getlist = getattr(self.data, "getlist", None)
        if getlist is None:
            return
        for name, field in self.fields.items():
            if isinstance(field.widget, forms.HiddenInput):
                continue  # not the person's answer: the token and keys are checked on their own
            values = {str(v) for v in getlist(name)}
            if len(values) > 1 and name not in self.errors:
                self.add_error(
                    name,
                    _(
                        "This question was answered more than once, with different answers: "
                        "choose one answer"
                    ),
                )

    # --- Output ---------------------------------------------------------------------------

    def to_service_input(self) -> tuple[PatientDetails, Answers]:
        """The patient as reception took them down, and the contract answers for triage."""
        if not self.is_valid():
            raise ValueError("to_service_input() needs a valid form")
        data = self.cleaned_data
        details = PatientDetails(
            given_name=data["given_name"],
            family_name=data["family_name"],
            date_of_birth=data["date_of_birth"],
            sex=data["sex"],
            email=data["email"],
            phone=data["phone"],
            nhs_number=data["nhs_number"],
            preferred_language=data["preferred_language"],
            email_consent=data["email_consent"],
        )
        answers = Answers.from_mapping(
            {"age": data["age"], "sex": data["sex"], PSYCHOSOCIAL: data[PSYCHOSOCIAL]}
            | {name: data[name] for name in answer_field_names()}
        )
        return details, answers

    @staticmethod
    def initial_for(patient: Patient) -> dict[str, Any]:
        """Who the patient is, from their record, for a returning patient's new intake.

        Only the details: a new intake asks every clinical question afresh.
        """
        return {
            "given_name": patient.given_name,
            "family_name": patient.family_name,
            "date_of_birth": patient.date_of_birth,
            "sex": patient.sex,
            "email": patient.email,
            "phone": patient.phone,
            "nhs_number": format_nhs_number(patient.nhs_number),
            "preferred_language": patient.preferred_language,
            "email_consent": YES if patient.email_consent else NO,
        }

    def confirmation(self) -> Confirmation:
        """Reception's answers to what an earlier submit asked about the patient's record."""
        data = self.cleaned_data
        return Confirmation(
            identity_key=data.get("identity_key") or "",
            identity=data.get("identity_choice"),
            details_key=data.get("details_key") or "",
            details=data.get("details_choice"),
        )

    def ask(self, question: NeedsConfirmation) -> None:
        """Re-show the form, every answer kept, with the question the submit stopped on."""
        self.question = question
        prefix = "identity" if isinstance(question, IdentityMismatch) else "details"
        data: Any = copy.copy(self.data)  # a request's data is immutable
        self.data = data
        if data.get(f"{prefix}_key") != question.key:
            data[f"{prefix}_choice"] = ""  # asked about other records: choose afresh
        data[f"{prefix}_key"] = question.key

    def differences(self) -> list[tuple[str, str, str]]:
        """(what, on file, typed) for the question asked, as reception reads them."""
        if self.question is None:
            return []
        return [
            (
                str(self.fields[d.field].label),
                _detail_text(d.field, d.on_file),
                _detail_text(d.field, d.typed),
            )
            for d in self.question.differences
        ]

    @property
    def asks_identity(self) -> bool:
        return isinstance(self.question, IdentityMismatch)

    @property
    def asks_details(self) -> bool:
        return isinstance(self.question, DetailsDiffer)


def _own_widget(shared: forms.Field) -> forms.Field:
    """A shared field with a widget of its own, for a form about to be rendered.

    Rendering writes into the widget's attrs (crispy adds `is-invalid` to a refused field's
    class): on the shared widget, one refused submit marked that field invalid on every form the
    process showed after it, a new intake's first GET included ("How many days since this
    episode began?" loaded red).
    """
    field = copy.copy(shared)
    field.widget = copy.copy(shared.widget)
    field.widget.attrs = dict(shared.widget.attrs)
    return field


# Shared by every IntakeForm; never change these per request (copy a field first if you must).
_ANSWER_FIELDS: dict[str, forms.Field] = {
    q.name: _answer_field(q) for q in QUESTIONS if q.name not in DERIVED_ANSWERS
}


def _questionnaire_field(question: Any) -> forms.Field:
    """One item of the clinic's questionnaire: a required choice among its answers."""
    return forms.ChoiceField(
        label=question.wording,
        choices=[(o.value, o.label) for o in question.options],
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose an answer: “%(question)s”") % {"question": question.wording}
        },
    )


def _detail_text(name: str, value: Any) -> str:
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, date):
        return f"{value.day} {value:%B %Y}"
    if name == "nhs_number":
        return format_nhs_number(value) if value else "none"
    if name == "preferred_language":
        return str(dict(Language.choices).get(value, value))
    if name == "sex":
        return str(dict(Sex.choices).get(value, value))
    return str(value) if value else "none"


def _is_token(value: str) -> bool:
    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True


def _age_on(born: date, day: date) -> int:
    return Patient(date_of_birth=born).age_on(day)


class PatientSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Name or NHS number"),
        max_length=100,
        required=False,
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "autofocus": True,
                "class": "form-control",
                "placeholder": "e.g. Jones, Sarah Jones, or 943 476 5919",
            }
        ),
    )
