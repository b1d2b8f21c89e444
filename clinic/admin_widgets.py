"""The admin's widgets, where Django's own fail an accessibility check (tests/browser/axe.py)."""

from __future__ import annotations

from django.contrib.admin.widgets import AdminSplitDateTime


class LabelledSplitDateTime(AdminSplitDateTime):
    """Django's date and time inputs, each with a label of its own (Django writes "Date:" and
    "Time:" beside them as text, so neither input has a label a screen reader can announce)."""

    template_name = "clinic/widgets/split_datetime.html"
