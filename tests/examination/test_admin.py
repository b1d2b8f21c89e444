"""The test library in the admin: a test added, changed and its changes audited; a red flag without
its urgency refused beside the field; the code fixed once saved; nothing deleted. Examinations
are there to look at, never to change, and a look is audited."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from audit.models import AuditEvent
from examination.models import OrthopaedicTest
from tests.examination.helpers import make_case, stored_examination
from tests.patients.helpers import make_user

pytestmark = pytest.mark.django_db

ADD = reverse("admin:examination_orthopaedictest_add")
NEW_TEST: dict[str, Any] = {
    "name": "Sharp-Purser test",
    "code": "sharp_purser",
    "screens_for": "Upper cervical instability",
    "how_to": "Patient seated with the head a little flexed; stabilise C2 and glide the head back.",
    "source": "Uitvlugt G, Indenbaum S. Arthritis Rheum 1988;31(7):918-922",
    "needs_side": "",
    "red_flag": "on",
    "red_flag_urgency": "5",
    "position": "20",
    "active": "on",
}


def test_an_admin_adds_a_test_and_the_change_is_audited(
    admin_client_: Client, admin_user_: User
) -> None:
    response = admin_client_.post(ADD, NEW_TEST)
    assert response.status_code == 302, response.content.decode()[:2000]
    test = OrthopaedicTest.objects.get(code="sharp_purser")
    assert test.spec().red_flag == 5 and not test.needs_side
    event = AuditEvent.objects.get(actor=admin_user_, action=AuditEvent.Action.CREATE)
    assert "Sharp-Purser" in event.record
    assert event.details["changes"]["red_flag_urgency"]["new"] == "Emergency"


def test_a_red_flag_without_an_urgency_is_refused_beside_its_field(admin_client_: Client) -> None:
    response = admin_client_.post(ADD, NEW_TEST | {"red_flag_urgency": ""})
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["red_flag_urgency"] == [
        "Choose the urgency a positive result carries: it is a red flag."
    ]
    response = admin_client_.post(ADD, NEW_TEST | {"red_flag": ""})
    assert "Leave the urgency empty" in str(response.context["adminform"].form.errors)
    assert not OrthopaedicTest.objects.filter(code="sharp_purser").exists()


def test_changing_a_test_is_audited_with_old_and_new_and_its_code_stays(
    admin_client_: Client, admin_user_: User
) -> None:
    neer = OrthopaedicTest.objects.get(code="neer")
    url = reverse("admin:examination_orthopaedictest_change", args=[neer.pk])
    page = admin_client_.get(url)
    assert page.status_code == 200
    assert 'name="code"' not in page.content.decode()
    data = {
        "name": neer.name,
        "code": "renamed",
        "screens_for": neer.screens_for,
        "how_to": "A shorter description of how it is done, for the plinth.",
        "source": neer.source,
        "needs_side": "on",
        "red_flag": "",
        "red_flag_urgency": "",
        "position": str(neer.position),
        "active": "on",
    }
    assert admin_client_.post(url, data).status_code == 302
    neer.refresh_from_db()
    assert neer.code == "neer"
    event = AuditEvent.objects.get(actor=admin_user_, action=AuditEvent.Action.CHANGE)
    assert set(event.details["changes"]) == {"how_to"}


def test_a_test_cannot_be_deleted(admin_client_: Client) -> None:
    neer = OrthopaedicTest.objects.get(code="neer")
    url = reverse("admin:examination_orthopaedictest_delete", args=[neer.pk])
    assert admin_client_.get(url).status_code == 403


def test_an_examination_in_the_admin_is_read_only_and_a_look_is_audited(
    admin_client_: Client, admin_user_: User
) -> None:
    case = make_case()
    examination = stored_examination(case=case, examiner=make_user(role="clinician"))
    url = reverse("admin:examination_examination_change", args=[examination.pk])
    assert admin_client_.get(url).status_code == 200
    event = AuditEvent.objects.get(actor=admin_user_, action=AuditEvent.Action.VIEW)
    assert event.record == f"examination {examination.pk}"
    assert event.patient_id == case.patient_id
    assert admin_client_.post(url, {}).status_code == 403
    add = reverse("admin:examination_examination_add")
    assert admin_client_.get(add).status_code == 403
