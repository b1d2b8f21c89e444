"""The examination form: HTTP in, the `exam/1` mapping out. Nothing saves here.

Every finding is a field named by its contract path ("neurological.myotomes.C5.left" is
`neurological__myotomes__C5__left`), asked with no default: an unanswered finding is refused by
name, and "Not tested" is an answer the clinician gives. After the fields' own checks the mapping
goes through the contract (`Findings.from_mapping`), whose few cross-field problems (a weakness
not placed in time, "other" without words) come back beside their field in the page's words.
"""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from clinic.text import clean_text
from examination import readable
from triage.rules.exam import (
    CCR_LOW_RISK_FACTORS,
    FACTOR_VALUES,
    IMPRESSIONS,
    LEVELS,
    MOTOR_DEFICIT,
    MOVEMENTS,
    NOTE_LENGTH,
    NYSTAGMUS,
    PLAN_LENGTH,
    REFLEXES,
    REGIONS,
    ROM_GRADES,
    ROM_MAXIMUM,
    SENSATION,
    SIDED_SIGNS,
    SIDES,
    SIGN_RESULTS,
    TENDERNESS,
    TEST_RESULTS,
    ExamContractError,
    Findings,
    Problem,
    TestSpec,
)

DEGREES = "degrees"
YES, NO = "yes", "no"


def field_name(path: str) -> str:
    return path.replace(".", "__")


def _choices(values: tuple[str, ...] | list[str]) -> list[tuple[str, Any]]:
    return [(value, readable.VALUE_LABELS.get(value, value)) for value in values]


def _radio(label: Any, values: Any, required: Any, *, required_field: bool = True) -> Any:
    return forms.ChoiceField(
        label=label,
        choices=_choices(values) if not isinstance(values, list) else values,
        widget=forms.RadioSelect,
        required=required_field,
        error_messages={"required": required, "invalid_choice": required},
    )


def _select(label: Any, choices: list[tuple[str, Any]], required: Any) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=[("", _("Choose")), *choices],
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={"required": required, "invalid_choice": required},
    )


def _text(label: Any, *, required: bool = False, limit: int = NOTE_LENGTH, rows: int = 2) -> Any:
    return forms.CharField(
        label=label,
        required=required,
        max_length=limit,
        strip=False,
        widget=forms.Textarea(attrs={"rows": rows, "class": "form-control"}),
        error_messages={"required": _("Write the plan: what happens next for the patient.")},
    )


MRC_CHOICES = [(str(g), readable.MRC_LABELS[g]) for g in (5, 4, 3, 2, 1, 0)] + [
    ("not_tested", readable.VALUE_LABELS["not_tested"])
]
NINDS_CHOICES = [(str(g), readable.NINDS_LABELS[g]) for g in (0, 1, 2, 3, 4)] + [
    ("not_tested", readable.VALUE_LABELS["not_tested"])
]
MOVEMENT_CHOICES = [(DEGREES, _("Measured, in degrees")), *_choices([*ROM_GRADES, "not_tested"])]
YES_NO = [(YES, _("Yes")), (NO, _("No"))]


class ExaminationForm(forms.Form):
    """One examination, asked in the sections a clinician examines in. `library`: the active
    orthopaedic tests (code to spec, in the admin's order); `correcting`: the examination
    being corrected, if any (the correction then needs a reason)."""

    submission_token = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(
        self,
        *args: Any,
        library: dict[str, TestSpec],
        correcting: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.library = library
        self.correcting = correcting
        self.findings: dict[str, Any] | None = None
        self.fields.update(self._finding_fields())
        if correcting:
            self.fields["correction_reason"] = forms.CharField(
                label=_("What does this correct?"),
                max_length=NOTE_LENGTH,
                widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
                error_messages={
                    "required": _("Say what this correction corrects in the earlier examination.")
                },
            )

    # --- The fields ----------------------------------------------------------------------

    def _finding_fields(self) -> dict[str, forms.Field]:
        fields: dict[str, forms.Field] = {
            "observation": _text(_("Observation")),
            "posture": _text(_("Posture")),
        }
        for region in REGIONS:
            for name in MOVEMENTS:
                path = f"range_of_movement.{region}.{name}"
                label = readable.movement_label(region, name)
                fields[field_name(path)] = _select(
                    label,
                    MOVEMENT_CHOICES,
                    _("%(movement)s: choose how it moved, or “Not tested”") % {"movement": label},
                )
                fields[field_name(f"{path}.degrees")] = forms.IntegerField(
                    label=_("%(movement)s in degrees") % {"movement": label},
                    required=False,
                    min_value=0,
                    max_value=ROM_MAXIMUM[(region, name)],
                    widget=forms.NumberInput(
                        attrs={"class": "form-control", "inputmode": "numeric"}
                    ),
                    error_messages={
                        "invalid": _("%(movement)s: enter whole degrees") % {"movement": label},
                        "min_value": _("%(movement)s: degrees cannot be below 0")
                        % {"movement": label},
                        "max_value": _(
                            "%(movement)s: %(maximum)s° is the most an adult moves; check the "
                            "measurement"
                        )
                        % {"movement": label, "maximum": ROM_MAXIMUM[(region, name)]},
                    },
                )
                fields[field_name(f"{path}.pain")] = _radio(
                    _("%(movement)s painful?") % {"movement": label},
                    YES_NO,
                    _("%(movement)s: did it hurt? Answer yes or no") % {"movement": label},
                    required_field=False,
                )
        for key in ("midline_cervical_tenderness", "midline_thoracic_tenderness"):
            label = readable.path_label(f"palpation.{key}")
            fields[field_name(f"palpation.{key}")] = _radio(
                label,
                TENDERNESS,
                _("%(finding)s: choose present, absent or not tested") % {"finding": label},
            )
        fields["palpation__notes"] = _text(_("Palpation notes"))
        for level in LEVELS:
            for side in SIDES:
                path = f"neurological.myotomes.{level}.{side}"
                label = readable.path_label(path)
                fields[field_name(path)] = _select(
                    label,
                    MRC_CHOICES,
                    _("%(finding)s: choose a grade, or “Not tested”") % {"finding": label},
                )
        for level in LEVELS:
            for side in SIDES:
                path = f"neurological.dermatomes.{level}.{side}"
                label = readable.path_label(path)
                fields[field_name(path)] = _select(
                    label,
                    _choices(SENSATION),
                    _("%(finding)s: choose normal, altered, absent or not tested")
                    % {"finding": label},
                )
        for reflex in REFLEXES:
            for side in SIDES:
                path = f"neurological.reflexes.{reflex}.{side}"
                label = readable.path_label(path)
                fields[field_name(path)] = _select(
                    label,
                    NINDS_CHOICES,
                    _("%(finding)s: choose a grade, or “Not tested”") % {"finding": label},
                )
        fields["neurological__motor_deficit"] = _radio(
            _("Is a weakness found long-standing, new or progressing?"),
            MOTOR_DEFICIT,
            _("Motor deficit: say whether a weakness is long-standing, new or progressing"),
        )
        fields["neurological__nystagmus"] = _radio(
            _("Nystagmus"),
            NYSTAGMUS,
            _("Nystagmus: choose present, absent or not tested"),
        )
        for sign in SIDED_SIGNS:
            for side in SIDES:
                path = f"upper_motor_neurone.{sign}.{side}"
                label = readable.path_label(path)
                fields[field_name(path)] = _radio(
                    label,
                    SIGN_RESULTS,
                    _("%(finding)s: choose positive, negative or not tested") % {"finding": label},
                )
        fields["upper_motor_neurone__romberg"] = _radio(
            readable.SIGN_LABELS["romberg"],
            SIGN_RESULTS,
            _("Romberg's test: choose positive, negative or not tested"),
        )
        fields["upper_motor_neurone__tandem_gait"] = _radio(
            readable.SIGN_LABELS["tandem_gait"],
            ("normal", "abnormal", "not_tested"),
            _("Tandem gait: choose normal, abnormal or not tested"),
        )
        for factor in CCR_LOW_RISK_FACTORS:
            factor_label = readable.CCR_LABELS[factor]
            fields[f"canadian_c_spine__{factor}"] = _radio(
                factor_label,
                FACTOR_VALUES,
                _("%(factor)s: choose present, absent or not assessed") % {"factor": factor_label},
            )
        for code, spec in self.library.items():
            sides: tuple[str | None, ...] = SIDES if spec.needs_side else (None,)
            for test_side in sides:
                path = f"orthopaedic_tests.{code}" + (f".{test_side}" if test_side else "")
                test_label = readable.sided(spec.name, test_side) if test_side else spec.name
                fields[field_name(path)] = _radio(
                    test_label,
                    TEST_RESULTS,
                    _("%(test)s: choose positive, negative or not done") % {"test": test_label},
                )
        fields["impression__category"] = _radio(
            _("Working impression"),
            [(value, readable.IMPRESSION_LABELS[value]) for value in IMPRESSIONS],
            _("Choose the working impression"),
        )
        fields["impression__notes"] = _text(_("About the impression"))
        fields["plan"] = _text(_("Plan"), required=True, limit=PLAN_LENGTH, rows=3)
        return fields

    # --- For the template -----------------------------------------------------------------

    def bound(self, path: str) -> forms.BoundField:
        return self[field_name(path)]

    # --- Validation -----------------------------------------------------------------------

    def clean_submission_token(self) -> uuid.UUID:
        # A form without its token (an old tab, a hand-made request) still saves once.
        token: uuid.UUID | None = self.cleaned_data.get("submission_token")
        return token or uuid.uuid4()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for name in ("observation", "posture", "palpation__notes", "impression__notes", "plan"):
            value = cleaned.get(name)
            if isinstance(value, str):
                try:
                    cleaned[name] = clean_text(value, multiline=True)
                except forms.ValidationError as problem:
                    self.add_error(name, problem)
        if "correction_reason" in cleaned:
            try:
                cleaned["correction_reason"] = clean_text(
                    cleaned["correction_reason"], multiline=True
                )
            except forms.ValidationError as problem:
                self.add_error("correction_reason", problem)
        self._check_movements(cleaned)
        if self.errors:
            return cleaned
        mapping = self._mapping(cleaned)
        try:
            Findings.from_mapping(mapping, tests=self.library)
        except ExamContractError as refused:
            for found in refused.problems:
                self._add_problem(found)
        else:
            self.findings = mapping
        return cleaned

    def _check_movements(self, cleaned: dict[str, Any]) -> None:
        for region in REGIONS:
            for name in MOVEMENTS:
                base = field_name(f"range_of_movement.{region}.{name}")
                how = cleaned.get(base)
                degrees = cleaned.get(f"{base}__degrees")
                label = readable.movement_label(region, name)
                if how is None or base in self.errors:
                    continue
                if how == DEGREES and degrees is None and f"{base}__degrees" not in self.errors:
                    self.add_error(
                        f"{base}__degrees",
                        _("%(movement)s: enter the degrees measured") % {"movement": label},
                    )
                elif how not in (DEGREES,) and degrees is not None:
                    self.add_error(
                        f"{base}__degrees",
                        _(
                            "%(movement)s: degrees are given but it is marked “%(how)s”; choose "
                            "“Measured, in degrees” or clear the degrees"
                        )
                        % {"movement": label, "how": readable.VALUE_LABELS[how]},
                    )
                if how != "not_tested" and not cleaned.get(f"{base}__pain"):
                    self.add_error(
                        f"{base}__pain",
                        _("%(movement)s: did it hurt? Answer yes or no") % {"movement": label},
                    )

    def _mapping(self, cleaned: dict[str, Any]) -> dict[str, Any]:
        """The cleaned answers as the examination contract's mapping."""

        def grade(value: str) -> Any:
            return value if value == "not_tested" else int(value)

        rom: dict[str, dict[str, Any]] = {}
        for region in REGIONS:
            rom[region] = {}
            for name in MOVEMENTS:
                base = field_name(f"range_of_movement.{region}.{name}")
                how = cleaned[base]
                pain = cleaned.get(f"{base}__pain") == YES
                if how == "not_tested":
                    rom[region][name] = "not_tested"
                elif how == DEGREES:
                    rom[region][name] = {"degrees": cleaned[f"{base}__degrees"], "pain": pain}
                else:
                    rom[region][name] = {"grade": how, "pain": pain}
        tests = []
        for code, spec in self.library.items():
            for side in SIDES if spec.needs_side else (None,):
                name = field_name(f"orthopaedic_tests.{code}" + (f".{side}" if side else ""))
                tests.append({"test": code, "side": side, "result": cleaned[name]})
        return {
            "observation": cleaned["observation"],
            "posture": cleaned["posture"],
            "range_of_movement": rom,
            "palpation": {
                "midline_cervical_tenderness": cleaned["palpation__midline_cervical_tenderness"],
                "midline_thoracic_tenderness": cleaned["palpation__midline_thoracic_tenderness"],
                "notes": cleaned["palpation__notes"],
            },
            "neurological": {
                "myotomes": {
                    level: {
                        side: grade(cleaned[f"neurological__myotomes__{level}__{side}"])
                        for side in SIDES
                    }
                    for level in LEVELS
                },
                "dermatomes": {
                    level: {
                        side: cleaned[f"neurological__dermatomes__{level}__{side}"]
                        for side in SIDES
                    }
                    for level in LEVELS
                },
                "reflexes": {
                    reflex: {
                        side: grade(cleaned[f"neurological__reflexes__{reflex}__{side}"])
                        for side in SIDES
                    }
                    for reflex in REFLEXES
                },
                "motor_deficit": cleaned["neurological__motor_deficit"],
                "nystagmus": cleaned["neurological__nystagmus"],
            },
            "upper_motor_neurone": {
                **{
                    sign: {side: cleaned[f"upper_motor_neurone__{sign}__{side}"] for side in SIDES}
                    for sign in SIDED_SIGNS
                },
                "romberg": cleaned["upper_motor_neurone__romberg"],
                "tandem_gait": cleaned["upper_motor_neurone__tandem_gait"],
            },
            "canadian_c_spine": {
                factor: cleaned[f"canadian_c_spine__{factor}"] for factor in CCR_LOW_RISK_FACTORS
            },
            "orthopaedic_tests": tests,
            "impression": {
                "category": cleaned["impression__category"],
                "notes": cleaned["impression__notes"],
            },
            "plan": cleaned["plan"],
        }

    def _add_problem(self, problem: Problem) -> None:
        """A contract problem beside the field it is about, in the page's words."""
        path = problem.path
        messages: dict[str, Any] = {
            "weakness_without_deficit": _(
                "A myotome is graded below 5: say whether the weakness is long-standing, new or "
                "progressing"
            ),
            "deficit_without_weakness": _(
                "No myotome is graded below 5: choose “No deficit”, or grade the weak myotome"
            ),
            "deficit_untested": _("No myotome was tested: choose “Not tested”"),
            "deficit_not_recorded": _("Myotomes were tested and none is weak: choose “No deficit”"),
            "notes_needed": _("Say what the impression is when it is “Other”"),
        }
        message = messages.get(
            problem.code,
            _("%(finding)s: this answer is not one the examination takes")
            % {"finding": readable.path_label(path, self.library)},
        )
        name = field_name(path)
        if path.startswith("orthopaedic_tests.") or name not in self.fields:
            self.add_error(None, message)
        else:
            self.add_error(name, message)

    def full_clean(self) -> None:
        super().full_clean()
        # Each refused field marked for the eye and for screen readers, its message beside it.
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs["class"] = f"{attrs.get('class', '')} is-invalid".strip()
                attrs["aria-invalid"] = "true"
                attrs["aria-describedby"] = f"{self[name].auto_id}-error"

    # --- Initial values ------------------------------------------------------------------

    @classmethod
    def initial_from(cls, findings: dict[str, Any]) -> dict[str, Any]:
        """The form's answers for stored findings (a correction starts from what was recorded)."""
        initial: dict[str, Any] = {}

        def walk(prefix: str, value: Any) -> None:
            if prefix.startswith("range_of_movement.") and prefix.count(".") == 2:
                name = field_name(prefix)
                if value == "not_tested":
                    initial[name] = "not_tested"
                elif isinstance(value, dict):
                    initial[name] = DEGREES if "degrees" in value else value.get("grade")
                    initial[f"{name}__degrees"] = value.get("degrees")
                    initial[f"{name}__pain"] = YES if value.get("pain") else NO
                return
            if isinstance(value, dict):
                for key, inner in value.items():
                    walk(f"{prefix}.{key}" if prefix else key, inner)
                return
            initial[field_name(prefix)] = str(value)

        for key, value in findings.items():
            if key == "orthopaedic_tests":
                for test in value:
                    path = f"orthopaedic_tests.{test['test']}" + (
                        f".{test['side']}" if test.get("side") else ""
                    )
                    initial[field_name(path)] = test["result"]
            else:
                walk(key, value)
        return initial
