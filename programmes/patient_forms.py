"""The patient's forms on their programme page: HTTP in, domain input out. Nothing saves here.

Every question a clinician needs answered has no default: an unanswered red-flag question is
not a "no" (intake-contract.md), and a pre-ticked pain score would be a guess.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Sequence
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar
from zoneinfo import available_timezones

from crispy_forms.bootstrap import InlineRadios
from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Div, Field, Fieldset, Layout
from django import forms
from django.utils.choices import BaseChoiceIterator, normalize_choices
from django.utils.dates import WEEKDAYS as DAY_NAMES
from django.utils.formats import date_format
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from clinic.text import PlainTextAreaField
from programmes import ndi, screen
from programmes.check_ins import LoggedExercise
from programmes.models import CheckIn, ProgrammeExercise, SessionLog

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

YES, NO = "yes", "no"
YES_NO = ((YES, _("Yes")), (NO, _("No")))
NO_DRIVING = "none"
WEEKDAYS = tuple(DAY_NAMES.items())  # (0, "Monday") … (6, "Sunday"), translated
# Shown first in the time-zone list: where most of the clinic's patients are.
COMMON_TIME_ZONES = (
    "Europe/London",
    "Europe/Dublin",
    "Europe/Paris",
    "Europe/Berlin",
    "Europe/Madrid",
    "Europe/Lisbon",
    "America/New_York",
    "America/Los_Angeles",
    "Asia/Dubai",
    "Asia/Kolkata",
    "Australia/Sydney",
    "UTC",
)


@functools.cache
def all_time_zones() -> tuple[str, ...]:
    # available_timezones() walks the zone database on every call: once per process is enough.
    return tuple(sorted(available_timezones()))


def time_zone_choices() -> list[tuple[StrOrPromise, list[tuple[str, str]]]]:
    known = set(all_time_zones())
    common = [(name, name.replace("_", " ")) for name in COMMON_TIME_ZONES if name in known]
    rest = [(name, name.replace("_", " ")) for name in all_time_zones()]
    return [(_("Common"), common), (_("All time zones"), rest)]


class TimeZoneSelect(forms.Select):
    """The time-zone list, its markup made once per process for each value and attributes.

    Some 600 zones, each option rendered through Django's option template: that cost more than
    the rest of the programme page together (bench/clinic_load.py; about 100 ms of CPU a page).
    The list is the process's own constant (`_TimeZoneChoices`), so the markup for a name, a
    value and attributes never changes: it is Django's own rendering, kept. Other choices render
    as any Select's do."""

    CACHE_SIZE: ClassVar[int] = 256  # values a page shows: the common zones, mostly
    _rendered: ClassVar[dict[tuple[Any, ...], SafeString]] = {}

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        if not isinstance(self.choices, _TimeZoneChoices):
            return super().render(name, value, attrs, renderer)
        final_attrs = self.build_attrs(self.attrs, attrs)
        try:
            # The language too: the groups' labels ("Common", "All time zones") are translated.
            key = (
                get_language(),
                type(renderer),
                name,
                tuple(self.format_value(value)),
                *final_attrs.items(),
            )
            html = self._rendered.get(key)
        except TypeError:  # an attribute value that cannot be a key: render it every time
            return super().render(name, value, attrs, renderer)
        if html is None:
            html = super().render(name, value, attrs, renderer)
            if len(self._rendered) < self.CACHE_SIZE:
                self._rendered[key] = html
        return html


class _TimeZoneChoices(BaseChoiceIterator):
    """`time_zone_choices()`, made once a process. A field and its widget take a choice iterator
    as it is: a list would be copied and normalised, zone by zone, for every form made."""

    # The list never changes in a process: {% crispy_cached %} need not read it to know a form.
    markup_signature = "time zones"

    def __iter__(self) -> Iterator[Any]:
        yield from _normalized_time_zone_choices()


@functools.cache
def _normalized_time_zone_choices() -> list[Any]:
    return list(normalize_choices(time_zone_choices()))


def _kept_markup(self: forms.Form) -> tuple[()]:
    """{% crispy_cached %} (clinic/templatetags/crispy_cached.py): an empty form's markup is kept
    by its fields and layout, which are all it reads."""
    return ()


def _no_helper_tag() -> FormHelper:
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    return helper


class SessionForm(forms.Form):
    """A training session: the day, each exercise of the current phase (done, load) and how it
    felt."""

    markup_key = _kept_markup

    performed_on = forms.DateField(
        label=_("Day of the session"),
        # A date input takes only ISO dates; the clinic's locale would write 21/11/2026, which
        # a browser drops, leaving the field empty.
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    felt = forms.ChoiceField(
        label=_("How did it feel?"),
        choices=SessionLog.Felt.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Say how the session felt.")},
    )
    # The patient's own words, read by their clinician: refused with a plain reason when they
    # carry a hidden control or text-direction character, or nothing visible.
    note = PlainTextAreaField(
        label=_("Anything to add? (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(
        self,
        *args: Any,
        exercises: Sequence[ProgrammeExercise],
        today: date,
        starts: date,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.exercises = list(exercises)
        self.today = today
        self.starts = starts
        self.fields["performed_on"].initial = max(today, starts)
        self.fields["performed_on"].widget.attrs.update(
            {"min": starts.isoformat(), "max": today.isoformat()}
        )
        rows = []
        for item in self.exercises:
            done, load = f"done_{item.pk}", f"load_{item.pk}"
            self.fields[done] = forms.BooleanField(
                label=format_html(
                    "{} <span class='text-body-secondary'>({})</span>",
                    item.exercise.text.name,
                    item.dose,
                ),
                required=False,
                initial=True,
            )
            fields: list[Any] = [Field(done)]
            if self.is_loaded(item):
                self.fields[load] = forms.DecimalField(
                    label=_("Weight used (kg)"),
                    required=False,
                    min_value=Decimal(0),
                    max_value=Decimal(100),
                    max_digits=5,
                    decimal_places=1,
                    initial=item.load_kg,
                    widget=forms.NumberInput(attrs={"step": "0.5", "inputmode": "decimal"}),
                )
                fields.append(Field(load, wrapper_class="ms-4 load-field"))
            rows.append(Div(*fields, css_class="border-bottom pb-2 mb-2"))
        self.helper = _no_helper_tag()
        self.helper.layout = Layout(
            Field("performed_on"),
            Fieldset(_("Exercises done"), *rows),
            Field("felt"),
            Field("note"),
        )

    @staticmethod
    def is_loaded(item: ProgrammeExercise) -> bool:
        return item.load_kg is not None or item.exercise.load_min_kg is not None

    def clean_performed_on(self) -> date:
        day: date = self.cleaned_data["performed_on"]
        if day > self.today:
            raise forms.ValidationError(_("The session day cannot be in the future."))
        if day < self.starts:
            raise forms.ValidationError(
                _(
                    "That day is before your programme started: it starts on %(start)s. Choose "
                    "that day or a later one."
                )
                % {"start": date_format(self.starts, str(_("l j F Y")))}
            )
        return day

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.exercises and not any(cleaned.get(f"done_{item.pk}") for item in self.exercises):
            raise forms.ValidationError(_("Tick at least one exercise you did."))
        return cleaned

    def logged(self) -> list[LoggedExercise]:
        return [
            LoggedExercise(
                exercise_id=item.pk,
                done=bool(self.cleaned_data.get(f"done_{item.pk}")),
                load_kg=self.cleaned_data.get(f"load_{item.pk}"),
            )
            for item in self.exercises
        ]


class CheckInForm(forms.Form):
    """Pain now, sessions done, the NDI when asked, and the red-flag screen."""

    markup_key = _kept_markup

    pain = forms.TypedChoiceField(
        label=_(
            "How bad is your neck or upper-back pain right now? 0 is no pain, 10 is the worst "
            "pain you can imagine."
        ),
        choices=[(str(n), str(n)) for n in range(11)],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": _("Please give your pain now, 0 to 10.")},
    )
    sessions_done = forms.IntegerField(
        label=_("How many exercise sessions have you done since your last check-in?"),
        min_value=0,
        max_value=60,
        error_messages={"required": _("Please say how many sessions you have done.")},
    )
    trauma_mechanism = forms.ChoiceField(
        label=_("How did the fall or accident happen?"),
        choices=[("", _("Choose one…")), *screen.TRAUMA_MECHANISM_CHOICES],
        required=False,
    )

    def __init__(self, *args: Any, check_in: CheckIn, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.check_in = check_in
        layout: list[Any] = [InlineRadios("pain", css_class="pain-scale")]
        if check_in.week == 0:
            del self.fields["sessions_done"]
        else:
            layout.append(Field("sessions_done", css_class="w-auto"))
        if check_in.asks_ndi:
            ndi_fields = []
            for section in ndi.SECTIONS:
                choices = [(str(n), text) for n, text in enumerate(section.statements)]
                if section.optional:
                    choices.append((NO_DRIVING, _("I don't drive")))
                name = f"ndi_{section.key}"
                self.fields[name] = forms.ChoiceField(
                    label=section.title,
                    choices=choices,
                    widget=forms.RadioSelect,
                    error_messages={
                        "required": _("Please answer: %(title)s.") % {"title": section.title}
                    },
                )
                ndi_fields.append(Field(name))
            layout.append(
                Fieldset(
                    _(
                        "About your neck: for each section, choose the one statement that fits "
                        "you best today"
                    ),
                    *ndi_fields,
                )
            )
        layout.append(HTML(f"<p class='lead mt-4'>{escape(screen.SCREEN_INTRO)}</p>"))
        groups: dict[StrOrPromise, list[Any]] = {}
        for question in screen.SCREEN_QUESTIONS:
            self.fields[question.field] = forms.ChoiceField(
                label=question.question,
                choices=YES_NO,
                widget=forms.RadioSelect,
                error_messages={
                    "required": _("Please answer yes or no: %(question)s")
                    % {"question": question.question}
                },
            )
            items = groups.setdefault(question.group, [])
            items.append(InlineRadios(question.field))
            if question.field == "recent_significant_trauma":
                items.append(Div(Field("trauma_mechanism"), css_id="trauma-mechanism"))
        layout.extend(Fieldset(group, *items) for group, items in groups.items())
        self.helper = _no_helper_tag()
        self.helper.layout = Layout(*layout)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        trauma = cleaned.get("recent_significant_trauma")
        if trauma == YES and not cleaned.get("trauma_mechanism"):
            self.add_error("trauma_mechanism", _("Please say how the fall or accident happened."))
        if trauma == NO:
            # The select is hidden when the answer is no; anything left in it is not meant.
            cleaned["trauma_mechanism"] = ""
        return cleaned

    def screen_answers(self) -> dict[str, bool]:
        return {field: self.cleaned_data[field] == YES for field in screen.SCREEN_FIELDS}

    def ndi_answers(self) -> dict[str, int | None] | None:
        if not self.check_in.asks_ndi:
            return None
        answers: dict[str, int | None] = {}
        for section in ndi.SECTIONS:
            value = self.cleaned_data[f"ndi_{section.key}"]
            answers[section.key] = None if value == NO_DRIVING else int(value)
        return answers

    def trauma_mechanism_answer(self) -> str | None:
        return self.cleaned_data.get("trauma_mechanism") or None

    def screen_groups(self) -> list[StrOrPromise]:
        return list(dict.fromkeys(q.group for q in screen.SCREEN_QUESTIONS))


class ScheduleForm(forms.Form):
    markup_key = _kept_markup

    training_days = forms.TypedMultipleChoiceField(
        label=_("My training days"),
        choices=WEEKDAYS,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one training day.")},
    )
    reminder_time = forms.TimeField(
        label=_("Remind me at"),
        input_formats=["%H:%M", "%H:%M:%S"],
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    time_zone = forms.ChoiceField(
        label=_("My time zone"), choices=_TimeZoneChoices(), widget=TimeZoneSelect
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].widget.attrs["data-time-zone"] = "1"
        self.helper = _no_helper_tag()
        self.helper.layout = Layout(
            Field("training_days"),
            Field("reminder_time", css_class="w-auto"),
            Field("time_zone"),
        )

    def clean_time_zone(self) -> str:
        value: str = self.cleaned_data["time_zone"]
        if value not in all_time_zones():
            raise forms.ValidationError(_("Choose a time zone from the list."))
        return value


class NewLinkForm(forms.Form):
    token = forms.CharField(max_length=500, widget=forms.HiddenInput)
