"""The patient's self-intake forms: their date of birth, then one section of the contract per
screen, in the patient's words (selfintake.wording). HTTP in, domain input out; nothing saves.

Every answer of `intake/1` is asked with no default, as on reception's form: a question nobody
answered is sent back naming it, never read as "no". The steps keep the contract's sections
(triage.rules.contract.SECTIONS), but for "The patient", whose answers come from the record (age
from the date of birth, recorded sex), and Wellbeing, which asks the clinic's questionnaire
(psychosocial/) when one is configured and is not a step when none is.

What the patient typed is kept as typed (a field name to the text posted), so a refused answer
comes back as it was, on any step, whenever they come back to it; the whole intake is built and
checked again from those answers when they send it (`assemble`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from crispy_forms.bootstrap import InlineRadios
from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Field, Layout
from django import forms
from django.conf import settings
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from psychosocial.intake import ANSWER as PSYCHOSOCIAL
from psychosocial.intake import NOT_ASSESSED, Questionnaire
from selfintake import wording
from triage.rules import QUESTIONS, Answers, Question
from triage.rules.contract import Section

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

YES, NO = "yes", "no"
TRAUMA_QUESTION = "recent_significant_trauma"
MECHANISM = "trauma_mechanism"
# Whether the "how did it happen" question was on the screen when the patient sent the injury
# step: without JavaScript it shows only once they have answered yes.
MECHANISM_SHOWN = "mechanism_shown"
DERIVED = frozenset({"age", "sex", PSYCHOSOCIAL})
MAX_DAYS = 36500
MAX_TYPED = 40  # the longest answer value kept as typed (a coded answer's value, a number)


@dataclass(frozen=True, slots=True)
class Step:
    slug: str  # in the URL: /p/i/<link>/<slug>/
    section: Section | None  # the contract's section; None for the questionnaire
    title: StrOrPromise
    intro: StrOrPromise = ""

    def questions(self) -> list[Question]:
        return [q for q in QUESTIONS if q.section == self.section and q.name not in DERIVED]


CONTRACT_STEPS: tuple[Step, ...] = (
    Step("pain", "The pain", _("Your pain")),
    Step("injury", "Injury", _("Falls and accidents")),
    Step(
        "health",
        "Medical history",
        _("Your health"),
        _("These questions are about your health in general, not only your pain."),
    ),
    Step(
        "nerves",
        "Nerve symptoms",
        _("Numbness, weakness, bladder and bowels"),
        _("Some of these questions are personal. Your answers help the clinic keep you safe."),
    ),
    Step("head-chest", "Heart, lungs and head", _("Head, chest and breathing")),
    Step("joints", "Joints and stiffness", _("Joints and stiffness")),
)
QUESTIONNAIRE_STEP = Step(
    "wellbeing", None, _("How your pain affects you"), _("Choose the answer that fits you best.")
)


def steps_for(questionnaire: Questionnaire | None) -> tuple[Step, ...]:
    """The steps a patient goes through: the questionnaire's only when the clinic has one."""
    return (*CONTRACT_STEPS, QUESTIONNAIRE_STEP) if questionnaire else CONTRACT_STEPS


def _question_text(name: str) -> StrOrPromise:
    return wording.PATIENT_QUESTIONS[name].text


def _yes_no_field(name: str) -> forms.Field:
    text = _question_text(name)
    return forms.TypedChoiceField(
        label=text,
        help_text=wording.PATIENT_QUESTIONS[name].hint,
        choices=((YES, wording.YES), (NO, wording.NO)),
        coerce=lambda value: value == YES,
        empty_value=None,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose yes or no: “%(question)s”") % {"question": text}},
    )


def _answer_field(question: Question) -> forms.Field:
    name = question.name
    text = _question_text(name)
    hint = wording.PATIENT_QUESTIONS[name].hint
    if question.kind is bool:
        return _yes_no_field(name)
    if name == "pain_score_now":
        return forms.TypedChoiceField(
            label=text,
            help_text=hint,
            choices=[(str(n), str(n)) for n in range(11)],
            coerce=int,
            empty_value=None,
            widget=forms.RadioSelect,
            error_messages={
                "required": _("Choose a number from 0 to 10: “%(question)s”") % {"question": text}
            },
        )
    if name == "duration_days":
        return forms.IntegerField(
            label=text,
            help_text=hint,
            min_value=0,
            max_value=MAX_DAYS,
            widget=forms.NumberInput(attrs={"inputmode": "numeric", "class": "days-input"}),
            error_messages={
                "required": _("Enter a number of days: “%(question)s”") % {"question": text},
                "invalid": _("Enter the number of days as a whole number, for example 14"),
                "min_value": _("Enter 0 or more days"),
                "max_value": _("Enter a number of days of 36500 or fewer"),
            },
        )
    labels = wording.CODED_LABELS[name]
    values = wording.MECHANISM_VALUES if name == MECHANISM else question.choices
    return forms.ChoiceField(
        label=text,
        help_text=hint,
        choices=[(value, labels[value]) for value in values],
        widget=forms.RadioSelect,
        # The mechanism is required only after a yes to the injury question (clean()).
        required=name != MECHANISM,
        error_messages={"required": _("Choose one: “%(question)s”") % {"question": text}},
    )


def _questionnaire_field(question: Any) -> forms.Field:
    return forms.ChoiceField(
        label=question.wording,
        choices=[(o.value, o.label) for o in question.options],
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose an answer: “%(question)s”") % {"question": question.wording}
        },
    )


class StepForm(forms.Form):
    """One step's questions. `born` and `today` bound the days the pain may have lasted."""

    def __init__(
        self,
        *args: Any,
        step: Step,
        questionnaire: Questionnaire | None,
        born: date,
        today: date,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.step = step
        self.questionnaire = questionnaire
        self.born = born
        self.today = today
        # True when the patient answered yes to the injury question on a screen that did not
        # show "how did it happen" yet: the step comes back with it, as a question, not an error.
        self.asks_mechanism = False
        layout: list[Any] = []
        if step.section is None:
            for item in questionnaire.questions if questionnaire else ():
                self.fields[item.field] = _questionnaire_field(item)
                layout.append(InlineRadios(item.field, wrapper_class="question"))
        for question in step.questions():
            self.fields[question.name] = _answer_field(question)
            if question.name == MECHANISM:
                shown = self.shows_mechanism
                # Shown after a yes; hidden (and said so) until then. The script reveals it at
                # once after a yes and sets "shown"; without it, the step comes back with it.
                attrs = {} if shown else {"hidden": "hidden"}
                layout.append(
                    Div(
                        Field(MECHANISM, wrapper_class="question"),
                        HTML(
                            f'<input type="hidden" name="{MECHANISM_SHOWN}" '
                            f'value="{"1" if shown else "0"}" data-mechanism-shown>'
                        ),
                        css_id="trauma-mechanism",
                        css_class="trauma-mechanism",
                        **attrs,
                    )
                )
            elif question.name in ("duration_days", "pain_region"):
                layout.append(Field(question.name, wrapper_class="question"))
            else:
                layout.append(InlineRadios(question.name, wrapper_class="question"))
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(*layout)

    @property
    def answered_field_names(self) -> list[str]:
        return list(self.fields)

    @property
    def shows_mechanism(self) -> bool:
        """Whether "how did it happen" is on the screen: after a yes to the injury question."""
        if MECHANISM not in self.fields:
            return False
        if self.is_bound:
            return self.data.get(TRAUMA_QUESTION) == YES
        return str(self.initial.get(TRAUMA_QUESTION, "")) == YES

    def clean_duration_days(self) -> int:
        days: int = self.cleaned_data["duration_days"]
        if days > (self.today - self.born).days:
            raise forms.ValidationError(
                _(
                    "%(days)s days ago is before you were born (on %(born)s): check the number of "
                    "days since your pain started"
                )
                % {"days": days, "born": date_format(self.born, str(_("j F Y")))}
            )
        return days

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        self._refuse_conflicting_repeats()
        if MECHANISM in self.fields and MECHANISM not in self.errors:
            injured = cleaned.get(TRAUMA_QUESTION)
            if injured is False or injured is None:
                # Hidden after a no: anything left in it from an earlier yes is not meant.
                cleaned[MECHANISM] = "none" if injured is False else ""
            elif not cleaned.get(MECHANISM):
                if self.data.get(MECHANISM_SHOWN) == "1":
                    self.add_error(
                        MECHANISM,
                        _("Choose how it happened: “%(question)s”")
                        % {"question": _question_text(MECHANISM)},
                    )
                else:
                    self.asks_mechanism = True
        return cleaned

    def _refuse_conflicting_repeats(self) -> None:
        """An answer sent twice with two values is read as neither."""
        getlist = getattr(self.data, "getlist", None)
        if getlist is None:
            return
        for name in self.fields:
            if len({str(v) for v in getlist(name)}) > 1 and name not in self.errors:
                self.add_error(
                    name, _("This question was answered twice, with different answers: choose one")
                )

    def typed(self) -> dict[str, str]:
        """What the patient sent for this step's questions, as text (kept in the draft). An
        answer no question could take (a control character, which PostgreSQL's JSON refuses;
        more than any answer's length) is not kept: it comes back as unanswered."""
        typed = {}
        for name in self.fields:
            value = str(self.data.get(name, "")).strip()
            if value and value.isprintable() and len(value) <= MAX_TYPED:
                typed[name] = value
        return typed

    def answers(self) -> dict[str, Any]:
        """The contract answers of a valid step."""
        return {q.name: self.cleaned_data[q.name] for q in self.step.questions()}


class Incomplete(Exception):
    """A step's answers are missing or refused; `step` is the first such step."""

    def __init__(self, step: Step) -> None:
        super().__init__(step.slug)
        self.step = step


def step_form(
    step: Step,
    typed: Mapping[str, str],
    *,
    questionnaire: Questionnaire | None,
    born: date,
    today: date,
) -> StepForm:
    """A step bound to what was typed before (the draft), as if sent again."""
    data = dict(typed)
    if step.slug == "injury" and typed.get(TRAUMA_QUESTION) == YES:
        data[MECHANISM_SHOWN] = "1"  # it was on the screen when they answered it
    return StepForm(data, step=step, questionnaire=questionnaire, born=born, today=today)


def assemble(
    typed: Mapping[str, str],
    *,
    questionnaire: Questionnaire | None,
    born: date,
    today: date,
    age: int,
    sex: str,
) -> tuple[Answers, dict[str, Any] | None]:
    """The whole intake from the draft, each step checked again as when it was sent: the
    contract's answers (age and sex from the record) and the questionnaire's record beside
    them. Raises Incomplete naming the first step that is not complete."""
    values: dict[str, Any] = {"age": age, "sex": sex}
    screen: dict[str, Any] | None = None
    values[PSYCHOSOCIAL] = NOT_ASSESSED
    for step in steps_for(questionnaire):
        form = step_form(step, typed, questionnaire=questionnaire, born=born, today=today)
        if not form.is_valid() or form.asks_mechanism:
            raise Incomplete(step)
        if step.section is None and questionnaire is not None:
            chosen = {q.field: form.cleaned_data[q.field] for q in questionnaire.questions}
            values[PSYCHOSOCIAL], screen = questionnaire.record(chosen)
        else:
            values |= form.answers()
    return Answers.from_mapping(values), screen


def display_answer(name: str, value: str) -> StrOrPromise:
    """A typed answer as the patient reads it back: "Yes", "My neck", "14"."""
    if value == YES:
        return wording.YES
    if value == NO:
        return wording.NO
    labels = wording.CODED_LABELS.get(name)
    if labels is not None and value in labels:
        return labels[value]
    return value


class DateOfBirthForm(forms.Form):
    """The patient's date of birth, as three boxes (the GOV.UK date input): nothing of theirs is
    shown before it matches their record."""

    day = forms.IntegerField(
        label=_("Day"),
        min_value=1,
        max_value=31,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "bday-day"}),
    )
    month = forms.IntegerField(
        label=_("Month"),
        min_value=1,
        max_value=12,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "bday-month"}),
    )
    year = forms.IntegerField(
        label=_("Year"),
        min_value=1850,
        max_value=2200,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "bday-year"}),
    )
    error_anchors = {"day": "id_day", "month": "id_month", "year": "id_year"}
    non_field_error_field = "day"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, message in (
            ("day", _("Enter the day you were born, for example 27")),
            ("month", _("Enter the month you were born, as a number from 1 to 12")),
            ("year", _("Enter the year you were born, for example 1985")),
        ):
            field = self.fields[name]
            field.error_messages = {
                "required": message,
                "invalid": message,
                "min_value": message,
                "max_value": message,
            }

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        day, month, year = cleaned.get("day"), cleaned.get("month"), cleaned.get("year")
        if None not in (day, month, year):
            try:
                cleaned["date_of_birth"] = date(year, month, day)  # type: ignore[arg-type]
            except ValueError:
                self.add_error("day", _("That date does not exist: check the day and the month"))
        return cleaned


class InviteForm(forms.Form):
    """Reception's choice, as they send the link, of the language of the email and the
    patient's pages (and of everything the clinic sends them after)."""

    language = forms.ChoiceField(
        label=_("Language of the email and the patient's pages"),
        choices=settings.LANGUAGES,
        widget=forms.RadioSelect,
    )
