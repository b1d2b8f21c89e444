"""The outbox admin: messages to look at and search, dead ones to retry, nothing to edit."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse

from outbox.models import Message
from tests.outbox.helpers import make_dead, make_message, make_sent
from tests.patients.helpers import make_user
from tests.support.two_factor import sign_in

CHANGELIST = reverse("admin:outbox_message_changelist")

pytestmark = pytest.mark.django_db


def _retry_action(client: Client, *messages: Message, **params: str):
    return client.post(
        CHANGELIST + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else ""),
        {"action": "retry_dead_messages", "_selected_action": [m.pk for m in messages]},
        follow=True,
    )


def test_message_list_shows_the_columns_and_is_searchable(admin_client_: Client) -> None:
    wanted = make_dead(to_email="wanted@example.org", key="alert.c1.a1.u1")
    make_sent(to_email="other@example.org")

    response = admin_client_.get(CHANGELIST, {"q": "wanted@"})

    html = response.content.decode()
    assert response.status_code == 200
    assert "wanted@example.org" in html
    assert "other@example.org" not in html
    assert wanted.key in html
    for column in ["key", "to_email", "subject", "kind", "status", "attempts", "due_at"]:
        assert f"column-{column}" in html
    assert admin_client_.get(CHANGELIST, {"q": "alert.c1.a1"}).context["cl"].result_count == 1


def test_message_list_filters_by_status_and_kind(admin_client_: Client) -> None:
    make_dead(kind=Message.Kind.ESCALATION, to_email="dead-escalation@example.org")
    make_dead(to_email="dead-alert@example.org")
    make_sent(kind=Message.Kind.ESCALATION, to_email="sent-escalation@example.org")

    response = admin_client_.get(CHANGELIST, {"status__exact": "dead", "kind__exact": "escalation"})

    assert [m.to_email for m in response.context["cl"].result_list] == [
        "dead-escalation@example.org"
    ]


def test_a_message_can_be_viewed_but_not_added_changed_or_deleted(admin_client_: Client) -> None:
    message = make_message(subject="Clinic: case 1 needs a clinician")
    change = reverse("admin:outbox_message_change", args=[message.pk])

    page = admin_client_.get(change)

    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert admin_client_.post(change, {"subject": "tampered"}).status_code == 403
    assert admin_client_.get(reverse("admin:outbox_message_add")).status_code == 403
    delete = reverse("admin:outbox_message_delete", args=[message.pk])
    assert admin_client_.get(delete).status_code == 403
    message.refresh_from_db()
    assert message.subject == "Clinic: case 1 needs a clinician"


def test_retry_action_requeues_the_dead_and_leaves_the_rest(
    admin_client_: Client, django_capture_on_commit_callbacks
) -> None:
    dead = [make_dead(), make_dead()]
    sent = make_sent()

    with django_capture_on_commit_callbacks() as handed_over:
        response = _retry_action(admin_client_, *dead, sent)

    assert response.status_code == 200
    shown = [str(m) for m in response.context["messages"]]
    assert "2 dead message(s) are back in the queue." in shown
    assert "1 selected message(s) were not dead and were left as they are." in shown
    assert {m.status for m in Message.objects.filter(pk__in=[m.pk for m in dead])} == {
        Message.Status.PENDING
    }
    sent.refresh_from_db()
    assert sent.status == Message.Status.SENT
    assert len(handed_over) == 2


def test_staff_who_may_only_view_messages_are_not_offered_the_retry(client: Client) -> None:
    viewer = make_user(role=None, is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_message"))
    sign_in(client, viewer)
    dead = make_dead()

    page = client.get(CHANGELIST)
    _retry_action(client, dead)

    assert page.status_code == 200
    assert "retry_dead_messages" not in page.content.decode()
    dead.refresh_from_db()
    assert dead.status == Message.Status.DEAD


def test_staff_who_may_change_messages_can_retry(client: Client) -> None:
    operator = make_user(role=None, is_staff=True)
    operator.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_message", "change_message"])
    )
    sign_in(client, operator)
    dead = make_dead()

    _retry_action(client, dead)

    dead.refresh_from_db()
    assert dead.status == Message.Status.PENDING


def test_clinician_without_admin_rights_cannot_open_the_outbox_admin(client: Client) -> None:
    sign_in(client, make_user(role="clinician", is_staff=True))
    assert client.get(CHANGELIST).status_code == 403


def test_message_list_makes_a_fixed_number_of_queries(
    admin_client_: Client, django_assert_max_num_queries
) -> None:
    for _ in range(10):
        make_dead()
        make_sent()
    with django_assert_max_num_queries(10):
        admin_client_.get(CHANGELIST)
