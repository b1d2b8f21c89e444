"""What a refused form's error summary lists: each message with the id of the input it is about.

The GOV.UK design system's error summary (templates/clinic/error_summary.html, every form's):
each entry links to its field's input (a radio or checkbox group's first option), so a click, or
static/clinic/error_summary.js, puts the person on the question. Non-field errors link to the
field they concern when the form names it (`non_field_error_field`), else to its first visible
field; an error on a hidden field is listed without a link (there is nothing to focus).
A form whose template renders a field's inputs by hand names their ids in `error_anchors`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms, template
from django.utils.translation import gettext as _

register = template.Library()


@dataclass(frozen=True)
class ErrorLink:
    message: str
    anchor: str  # the id of the input to focus; "" when there is none


def field_anchor(field: forms.BoundField) -> str:
    """The id a summary link targets: the input itself, or a group's first option."""
    anchors: dict[str, str] = getattr(field.form, "error_anchors", None) or {}
    if field.name in anchors:
        return anchors[field.name]
    if field.is_hidden:
        return ""
    widget = field.field.widget
    if isinstance(widget, (forms.RadioSelect, forms.CheckboxSelectMultiple)):
        options = field.subwidgets
        return str(options[0].id_for_label) if options else field.auto_id or ""
    return str(field.id_for_label or field.auto_id or "")


def _first_anchor(form: forms.BaseForm) -> str:
    named = getattr(form, "non_field_error_field", None)
    if named and named in form.fields:
        return field_anchor(form[named])
    for field in form.visible_fields():
        if anchor := field_anchor(field):
            return anchor
    return ""


def form_error_links(form: forms.BaseForm, *, label_fields: bool = False) -> list[ErrorLink]:
    """Every error of one form, non-field errors first, then the fields in the order asked."""
    if not form.is_bound or not form.errors:
        return []
    links = [ErrorLink(str(message), _first_anchor(form)) for message in form.non_field_errors()]
    for field in form:
        for message in field.errors:
            text = str(message)
            label = str(field.label or "")
            if label_fields and label and label not in text:
                text = _("%(label)s: %(message)s") % {"label": label, "message": text}
            links.append(ErrorLink(text, field_anchor(field)))
    return links


@register.simple_tag
def error_links(form: Any, formset: Any = None) -> list[ErrorLink]:
    """`{% error_links form formset as links %}`: the summary's entries, in page order.

    Either may be missing from the context (a template variable that is not there is "").
    """
    links = form_error_links(form) if isinstance(form, forms.BaseForm) else []
    if isinstance(formset, forms.BaseFormSet) and formset.is_bound:
        forms_shown = [f for f in formset.forms if f.errors]
        first = _first_anchor(formset.forms[0]) if formset.forms else ""
        links += [ErrorLink(str(message), first) for message in formset.non_form_errors()]
        for subform in forms_shown:
            links += form_error_links(subform, label_fields=True)
    return links
