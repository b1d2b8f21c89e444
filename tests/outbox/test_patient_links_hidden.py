"""A patient's link opens their programme page without a login: no page staff see of the outbox
(the admin's list, a message's page and its history, /outbox/ by every status) carries one that
works. The row keeps the body as it was sent; only what is shown is masked."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from outbox.models import Message
from outbox.redaction import for_staff
from programmes import links, reminders
from programmes.models import Programme
from tests.patients.helpers import make_user
from tests.programmes.helpers import prescribe
from tests.support.clock import Clock
from tests.support.two_factor import sign_in

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]

PATIENT_PATH = re.compile(r"/p/(?:u/)?([^/?#\s\"'<>]+)")


@pytest.fixture
def programme(clock: Clock) -> Programme:
    """A programme whose emails are all in the outbox: the programme itself, a reminder, a new
    link; in every state a page shows."""
    programme = prescribe()
    assert programme.next_reminder_at is not None
    reminders.queue_due_programme_emails(now=programme.next_reminder_at)
    reminders.send_new_link(programme_id=programme.pk)
    programme.refresh_from_db()
    rows = list(Message.objects.filter(patient_id=programme.patient_id).order_by("id"))
    assert len(rows) >= 3
    for row, status in zip(rows, [Message.Status.SENT, Message.Status.DEAD], strict=False):
        Message.objects.filter(pk=row.pk).update(status=status, last_error="OSError: down")
    return programme


def staff_pages(client: Client) -> dict[str, str]:
    pages = {"admin list": reverse("admin:outbox_message_changelist")}
    for message in Message.objects.all():
        pages[f"admin {message.pk}"] = reverse("admin:outbox_message_change", args=[message.pk])
        pages[f"history {message.pk}"] = reverse("admin:outbox_message_history", args=[message.pk])
    pages["outbox"] = reverse("outbox:message_list")
    for status in Message.Status.values:
        pages[f"outbox {status}"] = reverse("outbox:message_list") + f"?status={status}"
    html = {}
    for name, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, name
        html[name] = response.content.decode()
    return html


def opens_something(token: str) -> bool:
    for resolve in (links.programme_for_page, links.programme_for_unsubscribe):
        try:
            resolve(token)
        except links.LinkProblem as problem:
            if problem.programme is not None:
                return True  # genuine, if expired: it asks for a fresh link to the patient
            continue
        return True
    return False


@pytest.mark.parametrize("who", ["superuser", "clinician"])
def test_no_working_patient_link_on_any_staff_page_of_the_outbox(
    programme: Programme, who: str
) -> None:
    # The rows themselves keep what was sent (a retry sends exactly what was queued).
    page_token, unsubscribe_token = links.page_token(programme), links.unsubscribe_token(programme)
    assert any(page_token in m.body_text for m in Message.objects.all())
    user: User = (
        User.objects.create_superuser("boss", "boss@example.com", "x-long-pw-1")
        if who == "superuser"
        else make_user(role="clinician")
    )
    client = Client()
    sign_in(client, user)
    html = (
        staff_pages(client)
        if who == "superuser"
        else {"outbox": client.get(reverse("outbox:message_list")).content.decode()}
    )

    for name, page in html.items():
        assert page_token not in page and unsubscribe_token not in page, name
        for token in PATIENT_PATH.findall(page):
            assert token == "new-link" or not opens_something(token), (name, token)
    if who == "superuser":
        programme_email = Message.objects.get(kind=Message.Kind.PROGRAMME)
        shown = html[f"admin {programme_email.pk}"]
        assert "/p/…redacted…/" in shown
        assert "/p/u/…redacted…/" in shown  # the unsubscribe link
        body = programme_email.body_text
        assert shown.count("…redacted…") == body.count("/p/") - body.count("/p/new-link/")


def test_masking_leaves_everything_but_the_token() -> None:
    text = (
        "Open https://clinic.example/p/.eJyrVipQsjI0MDA1NzAyMjA2szQzMDTTUSpILC5OLSq2UqouVkpJTU5Nz"
        "M9JSSzJzM8rUaqtBQDbTQ6B:1v2:abc/ today; stop at https://clinic.example/p/u/.eJy:xyz/ "
        "or ask for a new link at /p/new-link/.\n"
        '<a href="https://clinic.example/p/tok3n/check-in/2/">'
    )

    assert for_staff(text) == (
        "Open https://clinic.example/p/…redacted…/ today; stop at "
        "https://clinic.example/p/u/…redacted…/ or ask for a new link at /p/new-link/.\n"
        '<a href="https://clinic.example/p/…redacted…/check-in/2/">'
    )
    assert for_staff("no links here") == "no links here"
