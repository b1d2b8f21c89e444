"""The programme page's time-zone list: Django's own markup, made once per value and kept.

Its some 600 options, each through Django's option template, cost more than the rest of the
programme page together (bench/clinic_load.py); `TimeZoneSelect` keeps the markup of each value
and attributes it has rendered. Each test here compares it with a plain `Select` rendering the
same choices, so the kept markup can never drift from what Django would write.
"""

import pytest
from django import forms
from django.utils import translation

from programmes.patient_forms import ScheduleForm, TimeZoneSelect, time_zone_choices
from tests.browser.test_german_journey import german_catalogue  # noqa: F401 - compiled, read


def plain_markup(bound: forms.BoundField) -> str:
    """What a plain Select writes for the same field, value and attributes."""
    widget = forms.Select(choices=time_zone_choices(), attrs=bound.field.widget.attrs)
    attrs = bound.build_widget_attrs({})
    attrs["id"] = bound.auto_id
    return widget.render(bound.html_name, bound.value(), attrs, bound.form.renderer)


@pytest.mark.parametrize("zone", ["Europe/London", "Asia/Kolkata", "America/Argentina/Salta"])
def test_the_list_is_djangos_own_markup_with_the_zone_selected(zone):
    bound = ScheduleForm(initial={"time_zone": zone})["time_zone"]
    first, again = str(bound), str(ScheduleForm(initial={"time_zone": zone})["time_zone"])

    assert first == plain_markup(bound)
    assert again == first  # from what was kept
    assert f'<option value="{zone}" selected>' in first
    assert first.count(" selected>") == 1


def test_a_refused_zone_is_shown_as_sent_with_its_error_attributes():
    form = ScheduleForm(
        data={"training_days": ["0"], "reminder_time": "18:00", "time_zone": "Mars/Olympus"}
    )
    assert not form.is_valid()
    bound = form["time_zone"]

    markup = str(bound)

    assert markup == plain_markup(bound)
    assert 'aria-invalid="true"' in markup
    assert " selected>" not in markup


def test_other_choices_render_as_any_select_does():
    widget = TimeZoneSelect(choices=[("a", "A"), ("b", "B")])
    kept = len(TimeZoneSelect._rendered)

    markup = widget.render("zone", "b", {"id": "id_zone"})

    assert markup == forms.Select(choices=[("a", "A"), ("b", "B")]).render(
        "zone", "b", {"id": "id_zone"}
    )
    assert len(TimeZoneSelect._rendered) == kept


@pytest.mark.usefixtures("german_catalogue")
def test_the_kept_list_is_in_the_language_of_the_page():
    # German first, so an English page would be handed the German groups if the language were
    # not part of what the markup is kept by.
    with translation.override("de"):
        bound = ScheduleForm(initial={"time_zone": "Europe/Berlin"})["time_zone"]
        german = str(bound)
        assert german == plain_markup(bound)
    bound = ScheduleForm(initial={"time_zone": "Europe/Berlin"})["time_zone"]
    english = str(bound)

    assert english == plain_markup(bound)
    assert 'label="All time zones"' in english
    assert 'label="All time zones"' not in german
