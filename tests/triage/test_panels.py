"""The case page's panels from other apps (triage/panels.py): each app registers its own in its
AppConfig.ready(), and triage's views import none of the other apps' views."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ImproperlyConfigured
from django.test import Client

from tests.patients.helpers import make_intake
from triage import panels

ROOT = Path(__file__).resolve().parents[2]
# The apps whose pages live beside triage's: triage may read their models and services, never
# import their views.
OTHER_APPS = ("programmes", "referrals", "outbox", "patients", "audit", "health", "clinic")
TRIAGE_PAGES = ("triage/views.py", "triage/queue_views.py")


def views_imported(source: str) -> list[str]:
    """Every module of another app's views that `source` imports, at the top or in a function:
    `programmes.views`, `from referrals import views`, `outbox.views.message_list`..."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        else:
            continue
        for name in names:
            parts = name.split(".")
            if parts[0] in OTHER_APPS and any(part.endswith("views") for part in parts[1:]):
                found.append(name)
    return found


def test_the_import_check_finds_each_way_of_importing_a_view() -> None:
    source = """
import outbox.views
from programmes.views import case_programmes
from referrals import views as referral_views
def later():
    from programmes.patient_views import programme_page
from programmes.models import Programme
from triage.views import case_detail
"""
    assert views_imported(source) == [
        "outbox.views",
        "programmes.views",
        "programmes.views.case_programmes",
        "referrals.views",
        "programmes.patient_views",
        "programmes.patient_views.programme_page",
    ]


@pytest.mark.parametrize("path", TRIAGE_PAGES)
def test_the_case_page_and_the_queue_import_no_other_apps_views(path: str) -> None:
    assert views_imported((ROOT / path).read_text()) == []


def test_each_app_registers_its_own_panel_in_order() -> None:
    registered = panels.registered_panels()
    assert [(panel.name, panel.template) for panel in registered] == [
        ("selfintake", "selfintake/partials/case_self_intake.html"),
        ("examination", "examination/partials/case_examinations.html"),
        ("referrals", "referrals/partials/case_referrals.html"),
        ("programmes", "programmes/partials/case_programme.html"),
        ("outcomes", "outcomes/partials/case_flags.html"),
        ("questions", "questions/partials/case_questions.html"),
        ("outbox", "outbox/partials/case_messages.html"),
    ]
    assert all(panel.context_fn.__module__.split(".")[0] == panel.name for panel in registered)


@pytest.mark.django_db
def test_the_case_page_shows_every_registered_panel(carl_client: Client, reception: User) -> None:
    case = make_intake(entered_by=reception, chest_pain=True).assessment.case

    response = carl_client.get(case.get_absolute_url())

    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="referrals"' in html and "No referrals for this case." in html
    assert 'id="programmes"' in html and "No programme has been prescribed" in html
    assert 'id="messages-title"' in html
    assert response.context["referrals"] == []
    assert response.context["programme_panels"] == []
    # The messages panel reads the case's messages, and puts each on the timeline.
    messages = response.context["case_messages"]
    assert messages, "an URGENT case alerts the clinicians"
    anchors = {entry.anchor for entry in response.context["timeline"]}
    assert {f"timeline-message-{message.pk}" for message in messages} <= anchors


@pytest.mark.django_db
def test_a_panel_may_not_take_a_name_the_page_already_uses(
    carl_client: Client, reception: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    def clashing(request: Any, case: Any, state: Any) -> dict[str, Any]:
        return {"patient": "not the patient"}

    monkeypatch.setattr(panels, "_PANELS", dict(panels._PANELS))
    panels.register_case_panel(
        "clashing", order=99, template="outbox/partials/case_messages.html", context_fn=clashing
    )
    case = make_intake(entered_by=reception).assessment.case

    with pytest.raises(ImproperlyConfigured, match=r"'clashing'.*patient"):
        carl_client.get(case.get_absolute_url())


@pytest.mark.django_db
def test_a_registered_panel_gets_the_state_its_app_hands_back(
    carl_client: Client, reception: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[Any] = []

    def remembering(request: Any, case: Any, state: Any) -> dict[str, Any]:
        seen.append(state)
        return {}

    monkeypatch.setattr(panels, "_PANELS", dict(panels._PANELS))
    panels.register_case_panel(
        "remembering",
        order=5,
        template="outbox/partials/case_messages.html",
        context_fn=remembering,
    )
    case = make_intake(entered_by=reception).assessment.case
    from triage.views import render_case_page

    request = carl_client.get(case.get_absolute_url()).wsgi_request
    response = render_case_page(
        request, case.pk, status=409, panel_state={"remembering": "as typed"}
    )

    assert response.status_code == 409
    assert seen == [None, "as typed"]
