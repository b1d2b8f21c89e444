"""`{% crispy_cached form %}`: `{% crispy form %}`, rendered once for each shape of an unbound form.

Crispy renders a form field by field through several templates each: reception's empty intake
form cost 85% of its page's time, a patient's session-log and schedule forms half of theirs.
An unbound form's markup is a function of its fields (labels, help, widgets and their attributes,
choices, initial values), its crispy layout and the language, and of nothing else unless the
layout reads the context (an `HTML` object including a template). So the markup is kept in this
process, keyed by all of those, and rendered again only when one of them changes: a label edited
in the admin, another exercise, a new questionnaire.

A form opts in with `markup_key()`: a hashable value standing for whatever its layout reads
besides its fields (the questionnaire a template names), or None not to be kept (a form filled in
for a returning patient: their details are not kept in memory). The fields it names in
`markup_variables` change with every request (a submission token): the markup is kept with a
placeholder in their place, and each render puts in the value, escaped as the widget would.

The session's CSRF token (crispy writes `{% csrf_token %}` into a POST form unless its helper
says `disable_csrf`) is no part of the shape either: kept as a slot, filled in each render from
the request's context, as `{% csrf_token %}` would. A bound form is never kept: its markup
carries the answers and the errors.
"""

from __future__ import annotations

import secrets
import threading
from collections import OrderedDict
from collections.abc import Hashable, Iterator
from typing import Any

from crispy_forms.layout import HTML, LayoutObject
from crispy_forms.templatetags.crispy_forms_tags import CrispyFormNode, do_uni_form
from django import forms, template
from django.template import Context
from django.template.base import Parser, Token
from django.template.defaulttags import CsrfTokenNode
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

register = template.Library()

KEPT_MAX = 512  # shapes kept per process: an intake form, a few hundred patients' session forms
# The session's CSRF token is no part of a form's shape: kept as a slot, filled in each render.
_CSRF_PLACEHOLDER = f"kept-csrf-{secrets.token_hex(12)}"
_CSRF_SLOT = str(CsrfTokenNode().render(Context({"csrf_token": _CSRF_PLACEHOLDER})))
_kept: OrderedDict[Hashable, tuple[str, dict[str, str]]] = OrderedDict()
_lock = threading.Lock()


def clear() -> None:
    """Forget every kept markup (tests)."""
    with _lock:
        _kept.clear()


def _text(value: Any) -> Any:
    """A label or a choice as it renders (lazy translations resolved), hashable."""
    if isinstance(value, list | tuple):
        return tuple(_text(item) for item in value)
    if isinstance(value, dict):
        return tuple(sorted((str(k), _text(v)) for k, v in value.items()))
    if value is None or isinstance(value, bool | int | float):
        return value
    return str(value)


def _field_signature(form: forms.BaseForm, variables: frozenset[str]) -> Iterator[Hashable]:
    for name, field in form.fields.items():
        widget = field.widget
        choices = getattr(field, "choices", None)
        yield (
            name,
            type(field).__qualname__,
            type(widget).__qualname__,
            _text(field.label),
            _text(field.help_text),
            field.required,
            field.disabled,
            _text(widget.attrs),
            _choices_signature(choices),
            None if name in variables else _text(form.get_initial_for_field(field, name)),
        )


def _choices_signature(choices: Any) -> Hashable:
    """A field's choices as they render; or, for a list the process holds constant (a
    time-zone select's 600 zones), the name it gives itself as `markup_signature`."""
    if choices is None:
        return None
    constant = getattr(choices, "markup_signature", None)
    if constant is not None:
        return ("constant", constant)
    return _text(list(choices))


def _layout_signature(item: Any) -> Hashable:
    """Every layout object's kind, settings and children (a field's classes, a legend, HTML)."""
    if isinstance(item, str):
        return item
    if isinstance(item, HTML):
        return ("HTML", item.html)
    if isinstance(item, LayoutObject):
        settings = tuple(
            sorted((key, _text(value)) for key, value in vars(item).items() if key != "fields")
        )
        children = tuple(_layout_signature(child) for child in getattr(item, "fields", ()))
        return (type(item).__qualname__, settings, children)
    return repr(item)


class CrispyCachedNode(CrispyFormNode):
    def render(self, context: template.Context) -> SafeString | str:
        form = template.Variable(self.form).resolve(context)
        key = None
        if isinstance(form, forms.BaseForm) and not form.is_bound:
            markup_key = getattr(form, "markup_key", None)
            key = markup_key() if callable(markup_key) else None
        if key is None or not context.get("csrf_token"):
            # Without a request's token the markup's whitespace differs: not worth keeping.
            return super().render(context)
        variables = frozenset(getattr(form, "markup_variables", ()))
        helper = getattr(form, "helper", None)
        full_key = (
            type(form).__module__,
            type(form).__qualname__,
            get_language(),
            key,
            tuple(_field_signature(form, variables)),
            _layout_signature(getattr(helper, "layout", None)),
            getattr(helper, "form_tag", None),
        )
        values = {name: form.get_initial_for_field(form.fields[name], name) for name in variables}
        with _lock:
            kept = _kept.get(full_key)
            if kept is not None:
                _kept.move_to_end(full_key)
        if kept is None:
            kept = self._render_with_placeholders(form, variables, context)
            with _lock:
                _kept[full_key] = kept
                while len(_kept) > KEPT_MAX:
                    _kept.popitem(last=False)
        markup, placeholders = kept
        for name, placeholder in placeholders.items():
            value = values[name]
            markup = markup.replace(placeholder, conditional_escape("" if value is None else value))
        # Crispy writes {% csrf_token %} into a POST form's markup: this request's own goes in.
        markup = markup.replace(_CSRF_SLOT, CsrfTokenNode().render(context))
        # crispy's own (safe) markup, with values escaped above.
        return mark_safe(markup)  # noqa: S308

    def _render_with_placeholders(
        self, form: forms.BaseForm, variables: frozenset[str], context: template.Context
    ) -> tuple[str, dict[str, str]]:
        placeholders = {name: f"kept-{secrets.token_hex(12)}" for name in variables}
        initial = form.initial
        form.initial = {**initial, **placeholders}
        # Bound fields read their initial value once: none made before this render may be used.
        bound_fields: dict[str, Any] = form._bound_fields_cache  # type: ignore[attr-defined]
        bound_fields.clear()
        try:
            with context.push(csrf_token=_CSRF_PLACEHOLDER):
                markup = str(super().render(context))
        finally:
            form.initial = initial
            bound_fields.clear()
        # A placeholder the markup does not carry would leave the value out: refuse to keep it.
        missing = [name for name, placeholder in placeholders.items() if placeholder not in markup]
        if missing:
            raise template.TemplateSyntaxError(
                f"crispy_cached: the markup of {type(form).__qualname__} does not show {missing}"
            )
        return markup, placeholders


@register.tag(name="crispy_cached")
def crispy_cached(parser: Parser, token: Token) -> CrispyCachedNode:
    node = do_uni_form(parser, token)
    return CrispyCachedNode(node.form, node.helper, template_pack=node.template_pack)
