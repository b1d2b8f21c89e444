"""The questionnaire kept in the admin: a consistent tool saved and audited, an inconsistent one
refused with what is wrong, and at most one tool active. Through the test client as an
administrator (second factor included), posting the page as a browser does."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from audit.models import AuditEvent
from psychosocial.models import Band, Item, Tool
from tests.patients.helpers import PASSWORD, make_user
from tests.psychosocial.helpers import make_tool
from tests.support.two_factor import sign_in

pytestmark = pytest.mark.django_db
ADD = reverse("admin:psychosocial_tool_add")


@pytest.fixture
def admin_client_2fa() -> Client:
    boss = User.objects.create_superuser("boss", "boss@example.org", PASSWORD)
    return sign_in(Client(), boss)


def _rows(prefix: str, rows: list[dict[str, Any]], initial: int = 0) -> dict[str, Any]:
    data: dict[str, Any] = {
        f"{prefix}-TOTAL_FORMS": len(rows),
        f"{prefix}-INITIAL_FORMS": initial,
        f"{prefix}-MIN_NUM_FORMS": 0,
        f"{prefix}-MAX_NUM_FORMS": 1000,
    }
    for i, row in enumerate(rows):
        data |= {f"{prefix}-{i}-{name}": value for name, value in row.items()}
    return data


ITEMS = [
    {"position": 1, "wording": "Placeholder A", "scale": "yes_no"},
    {"position": 2, "wording": "Placeholder B", "scale": "numeric", "scale_min": 0, "scale_max": 3},
    {
        "position": 3,
        "wording": "Placeholder C",
        "scale": "options",
        "options": "Never = 0\nSometimes = 1\nOften = 2",
        "in_subscale": "on",
    },
]
# Totals 0-6; subscale (item 3) 0-2.
BANDS = [
    {"position": 1, "category": "low", "total_max": 2},
    {"position": 2, "category": "medium", "total_min": 3, "subscale_max": 1},
    {"position": 3, "category": "high", "total_min": 3, "subscale_min": 2},
]


def _tool_post(
    *, items: list[dict[str, Any]] = ITEMS, bands: list[dict[str, Any]] = BANDS, **tool: Any
) -> dict[str, Any]:
    fields = {
        "name": "Made-up admin screen",
        "version": "1.0",
        "licence_holder": "Test clinic",
        "licence_notes": "",
        "source": "Invented for the tests",
        "subscale_name": "worry",
        "active": "on",
    } | tool
    data = {k: v for k, v in fields.items() if v is not None}
    return data | _rows("items", items) | _rows("bands", bands)


def _refusal(response: Any) -> str:
    assert response.status_code == 200, "the admin saved an inconsistent tool"
    assert not Tool.objects.exists()
    errors = [
        str(e)
        for fs in response.context["inline_admin_formsets"]
        for e in fs.formset.non_form_errors()
    ]
    errors += [str(e) for e in response.context["adminform"].form.errors.values()]
    return " ".join(errors)


def test_a_consistent_tool_is_saved_with_its_items_and_bands_and_audited(
    admin_client_2fa: Client,
) -> None:
    response = admin_client_2fa.post(ADD, _tool_post())

    assert response.status_code == 302, _refusal(response)
    tool = Tool.objects.get()
    assert tool.active and str(tool) == "Made-up admin screen 1.0"
    assert [i.wording for i in tool.items.all()] == [
        "Placeholder A",
        "Placeholder B",
        "Placeholder C",
    ]
    assert [b.category for b in tool.bands.all()] == ["low", "medium", "high"]
    records = list(
        AuditEvent.objects.filter(action=AuditEvent.Action.CREATE).values_list("record", flat=True)
    )
    assert f"questionnaire {tool.pk}: Made-up admin screen 1.0" in records
    assert sum(r.startswith("item ") for r in records) == 3
    assert sum(r.startswith("category band ") for r in records) == 3


def test_bands_that_leave_a_gap_are_refused_naming_the_scores(admin_client_2fa: Client) -> None:
    bands = [BANDS[0], BANDS[2]]  # no medium band
    message = _refusal(admin_client_2fa.post(ADD, _tool_post(bands=bands)))

    assert "No band gives a category for total 3 with subscale 0" in message
    assert "the bands leave a gap" in message


def test_overlapping_bands_are_refused(admin_client_2fa: Client) -> None:
    bands = [{**BANDS[0], "total_max": 3}, BANDS[1], BANDS[2]]
    message = _refusal(admin_client_2fa.post(ADD, _tool_post(bands=bands)))

    assert "Bands 1, 2 overlap" in message


def test_a_band_no_answers_reach_is_refused(admin_client_2fa: Client) -> None:
    bands = [*BANDS, {"position": 4, "category": "high", "total_min": 7}]
    message = _refusal(admin_client_2fa.post(ADD, _tool_post(bands=bands)))

    assert "Band 4: no set of answers reaches it" in message


def test_labelled_answers_that_are_not_words_and_scores_are_refused_beside_the_item(
    admin_client_2fa: Client,
) -> None:
    items = [*ITEMS[:2], {**ITEMS[2], "options": "Never\nSometimes = 1"}]
    response = admin_client_2fa.post(ADD, _tool_post(items=items))

    assert response.status_code == 200
    (items_formset, _bands) = [f.formset for f in response.context["inline_admin_formsets"]]
    assert "Line 1 (“Never”)" in str(items_formset.forms[2].errors["options"])
    assert not Tool.objects.exists()


def test_a_numeric_scale_needs_its_numbers(admin_client_2fa: Client) -> None:
    items = [ITEMS[0], {**ITEMS[1], "scale_max": ""}, ITEMS[2]]
    response = admin_client_2fa.post(ADD, _tool_post(items=items))

    (items_formset, _bands) = [f.formset for f in response.context["inline_admin_formsets"]]
    assert "lowest and highest number" in str(items_formset.forms[1].errors["scale_max"])
    assert not Tool.objects.exists()


def test_subscale_items_need_the_subscale_named(admin_client_2fa: Client) -> None:
    message = _refusal(admin_client_2fa.post(ADD, _tool_post(subscale_name="")))

    assert "name the subscale" in message


def test_a_second_active_tool_is_refused(admin_client_2fa: Client) -> None:
    make_tool(name="Already active")

    response = admin_client_2fa.post(ADD, _tool_post())

    assert response.status_code == 200
    assert "“Already active test-1” is the active questionnaire" in str(
        response.context["adminform"].form.errors["active"]
    )
    assert Tool.objects.count() == 1


def test_an_inactive_draft_without_items_or_bands_may_be_saved(admin_client_2fa: Client) -> None:
    response = admin_client_2fa.post(ADD, _tool_post(items=[], bands=[], active=None))

    assert response.status_code == 302
    assert Tool.objects.get().active is False


def test_an_active_tool_without_items_is_refused(admin_client_2fa: Client) -> None:
    message = _refusal(admin_client_2fa.post(ADD, _tool_post(items=[], bands=[])))

    assert "Add the tool's items" in message


def test_an_item_edited_on_an_active_tool_is_checked_and_audited_old_and_new(
    admin_client_2fa: Client,
) -> None:
    tool = make_tool()
    items = [
        {
            "id": item.pk,
            "tool": tool.pk,
            "position": item.position,
            "wording": item.wording + (" (reworded)" if item.position == 1 else ""),
            "scale": item.scale,
            "options": item.options,
            **({"in_subscale": "on"} if item.in_subscale else {}),
        }
        for item in Item.objects.filter(tool=tool)
    ]
    bands = [
        {"id": b.pk, "tool": tool.pk, "position": b.position, "category": b.category}
        | {
            name: getattr(b, name)
            for name in ("total_min", "total_max", "subscale_min", "subscale_max")
            if getattr(b, name) is not None
        }
        for b in Band.objects.filter(tool=tool)
    ]
    data = _tool_post(
        items=[],
        bands=[],
        name=tool.name,
        version="test-2",
        subscale_name=tool.subscale_name,
        licence_holder="X",
    )
    data |= _rows("items", items, initial=4) | _rows("bands", bands, initial=3)
    url = reverse("admin:psychosocial_tool_change", args=[tool.pk])

    response = admin_client_2fa.post(url, data)

    assert response.status_code == 302, [
        (fs.formset.non_form_errors(), fs.formset.errors)
        for fs in response.context["inline_admin_formsets"]
    ] + [response.context["adminform"].form.errors]
    changed = AuditEvent.objects.get(record__startswith="item ", action=AuditEvent.Action.CHANGE)
    old_new = changed.details["changes"]["wording"]
    assert old_new["new"].endswith("(reworded)")


def test_the_questionnaire_admin_is_for_administrators_only(client: Client) -> None:
    reception = make_user(role="reception", is_staff=False)
    sign_in(client, reception)

    assert client.get(ADD).status_code == 302  # to the admin's sign-in
