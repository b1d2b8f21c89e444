"""The admin's widgets, where Django's own fail an accessibility check (tests/browser/axe.py)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.widgets import AdminSplitDateTime
from django.http import HttpRequest
from django.utils.text import capfirst


class LabelledSplitDateTime(AdminSplitDateTime):
    """Django's date and time inputs, each with a label of its own (Django writes "Date:" and
    "Time:" beside them as text, so neither input has a label a screen reader can announce)."""

    template_name = "clinic/widgets/split_datetime.html"


class LabelledTabularInline(admin.TabularInline):  # type: ignore[type-arg]
    """Django's tabular inline names each column in its header, not at its inputs, so no input
    has a label: each is given its field's name (aria-label), as a screen reader needs."""

    def formfield_for_dbfield(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if field is not None:
            field.widget.attrs.setdefault("aria-label", capfirst(str(db_field.verbose_name)))
        return field
