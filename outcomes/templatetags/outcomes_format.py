"""How the dashboard words its figures: a share as a percentage, a time as minutes, hours or
days; a figure with nothing to count is a dash."""

from __future__ import annotations

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _

register = template.Library()

DASH = "—"


@register.filter
def percent(value: float | None) -> str:
    if value is None:
        return DASH
    return f"{number_format(round(100 * value, 1), decimal_pos=1)}%"


@register.filter
def duration(seconds: float | None) -> str:
    if seconds is None:
        return DASH
    if seconds < 3600:
        return _("%(n)s min") % {"n": number_format(round(seconds / 60, 1), decimal_pos=1)}
    if seconds < 2 * 86400:
        return _("%(n)s h") % {"n": number_format(round(seconds / 3600, 1), decimal_pos=1)}
    return _("%(n)s days") % {"n": number_format(round(seconds / 86400, 1), decimal_pos=1)}
