"""Questions in the admin: there to look at, never to add, change or delete, and a look at one is
audited like a look at a patient's record."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from audit.models import AuditEvent
from questions.models import Question

pytestmark = pytest.mark.django_db


def test_a_question_in_the_admin_is_read_only_and_a_look_is_audited(
    admin_client_: Client, admin_user_: User, question: Question
) -> None:
    url = reverse("admin:questions_question_change", args=[question.pk])

    page = admin_client_.get(url)

    assert page.status_code == 200
    assert question.text in page.content.decode()
    event = AuditEvent.objects.get(actor=admin_user_, action=AuditEvent.Action.VIEW)
    assert (event.record, event.patient_id) == (f"question {question.pk}", question.patient_id)
    assert admin_client_.post(url, {"text": "Changed", "status": "closed"}).status_code == 403
    assert Question.objects.get(pk=question.pk).text == question.text
    assert admin_client_.get(reverse("admin:questions_question_add")).status_code == 403
    delete = reverse("admin:questions_question_delete", args=[question.pk])
    assert admin_client_.post(delete, {"post": "yes"}).status_code == 403
    assert Question.objects.filter(pk=question.pk).exists()


def test_the_admin_list_names_the_patient_but_not_what_was_asked(
    admin_client_: Client, question: Question
) -> None:
    page = admin_client_.get(reverse("admin:questions_question_changelist")).content.decode()

    assert question.patient.family_name in page
    assert question.text not in page


def test_a_clinician_without_staff_rights_cannot_open_the_admin(
    clinician_client: Client, question: Question
) -> None:
    url = reverse("admin:questions_question_change", args=[question.pk])
    assert clinician_client.get(url).status_code == 302
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.VIEW).exists()
