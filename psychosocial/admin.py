"""The clinic's psychosocial questionnaire in the admin: the tool, its items and its category bands
on one page, every change audited (audit.admin.AuditedAdmin).

A save is refused unless the tool is consistent (`psychosocial.scoring.problems`): every item's
answers make sense, and every set of answers a patient can give falls in exactly one band, with no
gaps and no overlaps. An inactive tool with neither items nor bands may be saved as a draft.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from audit.admin import AuditedAdmin
from clinic.admin_widgets import LabelledTabularInline
from psychosocial import scoring
from psychosocial.models import Band, Item, Scale, Tool

PROBLEMS: dict[str, Any] = {
    "no_items": _("Add the tool's items."),
    "too_few_answers": _("Item %(item)s: an item needs at least two answers."),
    "duplicate_value": _("Item %(item)s: two answers are the same."),
    "negative_score": _("Item %(item)s: a score cannot be below 0."),
    "no_bands": _("Add the category bands that turn the scores into low, medium or high risk."),
    "bounds_reversed": _("Band %(band)s: its %(what)s starts above where it ends."),
    "subscale_without_items": _(
        "Band %(band)s bounds the subscale, but no item is marked as in the subscale."
    ),
    "too_many_combinations": _(
        "The items' scores make too many combinations of total and subscale to check that each "
        "has one category: use smaller scores."
    ),
    "gap": _("No band gives a category for %(pairs)s: the bands leave a gap."),
    "overlap": _("Bands %(bands)s overlap: each gives a category for %(pairs)s."),
    "unreachable": _("Band %(band)s: no set of answers reaches it; check its numbers."),
}
WHAT = {"total": _("total"), "subscale": _("subscale")}


def problem_text(problem: scoring.Problem, *, with_subscale: bool) -> str:
    """A problem in the admin's words."""
    if with_subscale:
        pairs = [
            str(_("total %(t)s with subscale %(s)s") % {"t": t, "s": s}) for t, s in problem.pairs
        ]
    else:
        pairs = [str(_("a total of %(t)s") % {"t": t}) for t, _s in problem.pairs]
    listed = "; ".join(pairs)
    if problem.more:
        listed = str(_("%(listed)s, and %(more)s more") % {"listed": listed, "more": problem.more})
    return str(PROBLEMS[problem.kind]) % {
        "item": problem.item,
        "band": problem.band,
        "what": WHAT.get(problem.what, ""),
        "pairs": listed,
        "bands": ", ".join(str(n) for n in problem.bands),
    }


class ToolForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Tool
        fields = (
            "name",
            "version",
            "licence_holder",
            "licence_notes",
            "source",
            "subscale_name",
            "active",
        )
        widgets = {
            "licence_notes": forms.Textarea(attrs={"rows": 3}),
            "source": forms.Textarea(attrs={"rows": 3}),
        }

    def clean_active(self) -> bool:
        active: bool = self.cleaned_data["active"]
        other = Tool.objects.filter(active=True).exclude(pk=self.instance.pk).first()
        if active and other is not None:
            raise ValidationError(
                _(
                    "“%(other)s” is the active questionnaire: make it inactive first (the intake "
                    "asks one questionnaire)."
                ),
                params={"other": other},
            )
        return active


class ItemForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Item
        fields = (
            "position",
            "wording",
            "scale",
            "scale_min",
            "scale_max",
            "options",
            "reverse_scored",
            "in_subscale",
        )
        widgets = {
            "wording": forms.Textarea(attrs={"rows": 3, "cols": 40}),
            "options": forms.Textarea(attrs={"rows": 3, "cols": 24}),
        }

    def clean(self) -> dict[str, Any]:
        cleaned: dict[str, Any] = super().clean() or {}
        self.spec: scoring.Item | None = None
        scale = cleaned.get("scale")
        if scale is None or cleaned.get("position") is None:
            return cleaned
        item = Item(
            position=cleaned["position"],
            scale=scale,
            scale_min=cleaned.get("scale_min"),
            scale_max=cleaned.get("scale_max"),
            options=cleaned.get("options", ""),
            reverse_scored=cleaned.get("reverse_scored", False),
            in_subscale=cleaned.get("in_subscale", False),
        )
        try:
            self.spec = item.spec()
        except ValidationError as error:
            self.add_error("options" if scale == Scale.OPTIONS else "scale_max", error)
        return cleaned


class ItemFormSet(BaseInlineFormSet):  # type: ignore[type-arg]
    def kept(self) -> list[Any]:
        """The items the tool will have once saved: neither blank extra rows nor deleted ones."""
        return [f for f in self.forms if _kept(f)]


def _kept(form: Any) -> bool:
    filled = form.has_changed() or form.instance.pk is not None
    return bool(filled and not form.cleaned_data.get("DELETE"))


class BandFormSet(BaseInlineFormSet):  # type: ignore[type-arg]
    """Checks the whole tool: its items (the items' formset, linked by ToolAdmin) with its bands."""

    items: ItemFormSet | None = None

    def clean(self) -> None:
        super().clean()
        items = self.items
        if items is None or not items.is_valid() or any(f.errors for f in self.forms):
            return  # each form's own errors first
        tool: Tool = self.instance
        item_forms = items.kept()
        band_forms = [f for f in self.forms if _kept(f)]
        if not tool.active and not item_forms and not band_forms:
            return  # a draft: the tool's details first, its items and bands later
        positions = [f.cleaned_data["position"] for f in item_forms]
        if len(set(positions)) != len(positions):
            raise ValidationError(_("Two items have the same position."))
        band_positions = [f.cleaned_data["position"] for f in band_forms]
        if len(set(band_positions)) != len(band_positions):
            raise ValidationError(_("Two bands have the same position."))
        spec = scoring.Tool(
            items=tuple(
                f.spec
                for f in sorted(item_forms, key=lambda f: f.cleaned_data["position"])
                if f.spec is not None
            ),
            bands=tuple(
                scoring.Band(
                    category=f.cleaned_data["category"],
                    total_min=f.cleaned_data.get("total_min"),
                    total_max=f.cleaned_data.get("total_max"),
                    subscale_min=f.cleaned_data.get("subscale_min"),
                    subscale_max=f.cleaned_data.get("subscale_max"),
                )
                for f in sorted(band_forms, key=lambda f: f.cleaned_data["position"])
            ),
        )
        found = [problem_text(p, with_subscale=spec.has_subscale) for p in scoring.problems(spec)]
        if spec.has_subscale and not tool.subscale_name:
            found.append(str(_("Items are marked as in the subscale: name the subscale above.")))
        if found:
            raise ValidationError(found)


class ItemInline(LabelledTabularInline):
    model = Item
    form = ItemForm
    formset = ItemFormSet
    extra = 1


class BandInline(LabelledTabularInline):
    model = Band
    formset = BandFormSet
    extra = 1
    fields = ("position", "category", "total_min", "total_max", "subscale_min", "subscale_max")


@admin.register(Tool)
class ToolAdmin(AuditedAdmin):
    """A band's empty bound is open-ended: STarT Back's [S23] low band is total up to 3; its
    medium band total 4 or more with subscale up to 3; its high band subscale 4 or more."""

    form = ToolForm
    list_display = ("name", "version", "licence_holder", "active", "updated_at")
    list_filter = ("active",)
    search_fields = ("name", "licence_holder")
    inlines = [ItemInline, BandInline]

    def _create_formsets(self, request: HttpRequest, obj: Any, change: bool) -> Any:
        # Django validates each inline on its own; the bands' check needs the items beside them.
        formsets, inlines = super()._create_formsets(request, obj, change)  # type: ignore[misc]
        items = next((f for f in formsets if isinstance(f, ItemFormSet)), None)
        for formset in formsets:
            if isinstance(formset, BandFormSet):
                formset.items = items
        return formsets, inlines
