"""The clinician's programme forms: they turn HTTP into the services' input and validate it;
they never save."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any, ClassVar, Self

from crispy_forms.bootstrap import InlineRadios
from django import forms
from django.forms import formset_factory
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from clinic.text import PlainTextAreaField
from programmes.models import CAUTION_TAG_CHOICES, CheckIn, Exercise, ProgrammeTemplate
from programmes.patient_forms import CheckInForm
from programmes.prescribing import latest_start

NOTE_MAX_LENGTH = 2000


def tomorrow() -> date:
    return timezone.localdate() + timedelta(days=1)


class TemplateChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: ProgrammeTemplate) -> str:
        return obj.name

    def to_python(self, value: Any) -> ProgrammeTemplate | None:
        # The page offers each template by its id in ASCII digits; anything else (an
        # Arabic-Indic one, which Python would read as 1, a NUL, a number past a bigint) is no
        # choice it made.
        if isinstance(value, str) and value and not (value.isascii() and value.isdigit()):
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            )
        template: ProgrammeTemplate | None = super().to_python(value)
        return template


class ChooseTemplateForm(forms.Form):
    """Step 1: which template, and from when. Sent by GET to step 2 (nothing about the
    patient's health goes in the URL: the note to the patient is written on step 2)."""

    template = TemplateChoiceField(
        queryset=ProgrammeTemplate.objects.filter(active=True),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={
            "required": _("Choose a programme."),
            "invalid_choice": _("Choose a programme."),
        },
    )
    start = forms.DateField(
        label=_("Start date"),
        # A date input sends and shows only ISO dates.
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_(
            "The first training day: tomorrow unless the patient needs longer to get ready."
        ),
        error_messages={"invalid": _("Enter the start date as a real date, e.g. 2026-03-02.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        widget = self.fields["start"].widget
        widget.attrs.update(
            {"min": timezone.localdate().isoformat(), "max": latest_start().isoformat()}
        )

    def clean_start(self) -> date:
        start: date = self.cleaned_data["start"]
        if start < timezone.localdate():
            raise forms.ValidationError(_("The start date is in the past."))
        if start > latest_start():
            raise forms.ValidationError(
                _(
                    "The start date is more than a year ahead: choose %(latest)s or sooner, "
                    "and triage the patient again nearer the time if they need longer."
                )
                % {"latest": date_format(latest_start(), "j F Y")}
            )
        return start


class PrescribeForm(ChooseTemplateForm):
    """Step 2's outer form: the template carried as a hidden field, the start date (shown as the
    plan's heading; an input of its own once it is refused), and the note."""

    note = PlainTextAreaField(
        label=_("Note to the patient"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Goes in the programme email, above the exercises."),
    )

    clash_choice = forms.ChoiceField(
        label=_("The exercises that clash with the patient's answers"),
        choices=[
            ("remove", _("Remove every exercise that clashes")),
            ("keep", _("Keep them all, and say why")),
        ],
        widget=forms.RadioSelect,
        required=False,
    )
    clash_note = PlainTextAreaField(
        label=_("Why they stay"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Kept on the programme beside each exercise that clashes."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["template"].widget = forms.HiddenInput()
        self.start_widget = self.fields["start"].widget
        self.fields["start"].widget = forms.HiddenInput()

    def full_clean(self) -> None:
        super().full_clean()
        if "start" in self.errors:
            # Refused: the clinician corrects it here, on step 2, with every dose kept.
            self.fields["start"].widget = self.start_widget

    @property
    def start_refused(self) -> bool:
        return self.is_bound and "start" in self.errors

    def check_clash_choice(self) -> None:
        """With exercises that clash, one choice for them all: remove them, or keep them with one
        note. Called once the template (and so the clashes) is known."""
        if not hasattr(self, "cleaned_data"):
            return
        choice = self.cleaned_data.get("clash_choice")
        if not choice and "clash_choice" not in self.errors:
            self.add_error(
                "clash_choice",
                _("Choose: remove the exercises that clash, or keep them and say why."),
            )
        elif (
            choice == "keep"
            and "clash_note" not in self.errors
            and not (self.cleaned_data.get("clash_note") or "").strip()
        ):
            self.add_error("clash_note", _("Say why the exercises that clash stay."))


DOSE_FIELDS = ("sets", "reps", "hold_seconds", "load_kg", "days_per_week")


class PlannedExerciseForm(forms.Form):
    """One exercise of one phase: keep it or not, and its dose. What happens to the exercises
    whose caution tags clash with the patient's answers is one choice on the outer form."""

    phase = forms.IntegerField(widget=forms.HiddenInput())
    exercise = forms.IntegerField(widget=forms.HiddenInput())
    keep = forms.BooleanField(label=_("Keep"), required=False)
    sets = forms.IntegerField(label=_("Sets"), min_value=1, max_value=20)
    reps = forms.IntegerField(label=_("Repetitions"), min_value=1, max_value=200, required=False)
    hold_seconds = forms.IntegerField(
        label=_("Hold (s)"), min_value=1, max_value=600, required=False
    )
    load_kg = forms.DecimalField(
        label=_("Load (kg)"),
        min_value=Decimal(0),
        max_value=Decimal(200),
        max_digits=5,
        decimal_places=1,
        required=False,
    )
    days_per_week = forms.IntegerField(label=_("Days a week"), min_value=1, max_value=7)

    # "Give repetitions or a hold time" is about the first of the two.
    non_field_error_field = "reps"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in DOSE_FIELDS:
            self.fields[name].widget.attrs.update({"class": "form-control form-control-sm"})
        self.fields["keep"].widget.attrs.update({"class": "form-check-input"})

    @property
    def name_id(self) -> str:
        """The id of the exercise's name in its row (templates/programmes/prescribe.html)."""
        return f"{self.prefix}-name"

    @property
    def errors_id(self) -> str:
        """The id of the row's own message (repetitions or a hold time), beside the name."""
        return f"{self.prefix}-errors"

    def dose_fields(self) -> list[forms.BoundField]:
        """The dose cells, each input described by its exercise's name (its label is only
        "Sets", "Load (kg)"...) and by the message beside it when there is one, as the template
        gives it the id `<input id>_error`; marked invalid only after a refused submit."""
        row_refused = bool(self.is_bound and self.non_field_errors())
        cells = []
        for name in DOSE_FIELDS:
            bound = self[name]
            described = [self.name_id]
            if bound.errors:
                described.append(f"{bound.auto_id}_error")
            if row_refused and name in ("reps", "hold_seconds"):
                described.append(self.errors_id)
            attrs = self.fields[name].widget.attrs
            attrs["aria-describedby"] = " ".join(described)
            if bound.errors or (row_refused and name in ("reps", "hold_seconds")):
                attrs["aria-invalid"] = "true"
            else:
                attrs.pop("aria-invalid", None)
            cells.append(bound)
        return cells

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("keep") and data.get("reps") is None and data.get("hold_seconds") is None:
            raise forms.ValidationError(_("Give repetitions or a hold time."))
        return data


PlannedExerciseFormSet = formset_factory(PlannedExerciseForm, extra=0, can_delete=False)


class ProgrammeActionForm(forms.Form):
    """A form of the case page's programme panel. Each has a prefix of its own per programme
    ("prg12-resume"), so that two on one page (resume and review both have a note) never share
    a field's name or id, and each is bound only by its own submit."""

    action: ClassVar[str]

    @classmethod
    def prefix_for(cls, programme_id: int) -> str:
        return f"prg{programme_id}-{cls.action}"

    @classmethod
    def for_programme(cls, programme_id: int, data: Any = None) -> Self:
        return cls(data, prefix=cls.prefix_for(programme_id))


class ResumeForm(ProgrammeActionForm):
    action = "resume"
    note = PlainTextAreaField(
        label=_("Why the programme can resume"),
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class StopForm(ProgrammeActionForm):
    action = "stop"
    reason = PlainTextAreaField(
        label=_("Why the programme stops"),
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReviewForm(ProgrammeActionForm):
    action = "review"
    decision = forms.ChoiceField(
        label=_("Progression"),
        choices=[("move_on", _("Move on to the next phase")), ("stay", _("Stay in this phase"))],
        widget=forms.RadioSelect,
    )
    note = PlainTextAreaField(
        label=_("Note"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RecordCheckInForm(CheckInForm):
    """A check-in asked by a member of staff and entered on the patient's behalf: the patient's
    own questions (read to them as written), and how they were asked."""

    how = forms.ChoiceField(
        label=_("How the patient gave these answers"),
        choices=[
            (CheckIn.EnteredHow.PHONE, CheckIn.EnteredHow.PHONE.label),
            (CheckIn.EnteredHow.VISIT, CheckIn.EnteredHow.VISIT.label),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": _("Say how the patient gave these answers.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.order_fields(["how"])
        self.helper.layout.insert(0, InlineRadios("how"))


class CautionTagsAdminMixin(forms.ModelForm):
    """Caution tags as tick boxes, stored as the JSON list the model keeps."""

    caution_tags = forms.MultipleChoiceField(
        choices=CAUTION_TAG_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Prompts for the prescribing clinician, checked against the intake answers."),
    )

    def clean_caution_tags(self) -> list[str]:
        return list(self.cleaned_data.get("caution_tags") or [])


class ExerciseAdminForm(CautionTagsAdminMixin):
    class Meta:
        model = Exercise
        fields = [
            "slug",
            "name",
            "category",
            "region",
            "equipment",
            "setup",
            "movement",
            "good_form",
            "stop_if",
            "sets",
            "reps",
            "hold_seconds",
            "per_side",
            "load_min_kg",
            "load_max_kg",
            "load_step_kg",
            "progression",
            "caution_tags",
            "source",
            "image",
            "image_alt",
            "video",
            "active",
            "name_de",
            "equipment_de",
            "setup_de",
            "movement_de",
            "good_form_de",
            "stop_if_de",
            "progression_de",
            "image_alt_de",
        ]
