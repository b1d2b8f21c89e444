"""The staff outbox page and the admin's retry, as the roles that use them and those refused."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from outbox import views
from outbox.models import Message
from tests.outbox.helpers import BODY, make_dead, make_message, make_sent
from tests.patients.helpers import make_intake, make_user
from tests.support.two_factor import sign_in

OUTBOX = reverse("outbox:message_list")

pytestmark = pytest.mark.django_db


def _retry_url(message: Message) -> str:
    return reverse("outbox:retry", args=[message.pk])


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


# --- Who may see it --------------------------------------------------------------------------


def test_anonymous_user_is_sent_to_login(client: Client) -> None:
    response = client.get(OUTBOX)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_reception_is_refused_the_outbox(client: Client) -> None:
    make_message(to_email="someone@example.org")
    sign_in(client, make_user(role="reception"))

    response = client.get(OUTBOX)

    assert response.status_code == 403
    assert "someone@example.org" not in response.content.decode()


def test_staff_member_without_a_role_or_admin_flag_is_refused(client: Client) -> None:
    sign_in(client, make_user(role=None))
    assert client.get(OUTBOX).status_code == 403


def test_clinician_sees_the_outbox(clinician_client: Client) -> None:
    make_message(to_email="carl@example.org")
    response = clinician_client.get(OUTBOX)
    assert response.status_code == 200
    assert "carl@example.org" in response.content.decode()


def test_admin_sees_the_outbox(admin_client_: Client) -> None:
    response = admin_client_.get(OUTBOX)
    assert response.status_code == 200
    assert '<h1 class="page-title">Outbox</h1>' in response.content.decode()


def test_outbox_is_in_the_navigation_for_clinicians_not_reception(
    clinician_client: Client,
) -> None:
    assert f'href="{OUTBOX}"' in clinician_client.get(reverse("triage:queue")).content.decode()
    other = Client()
    sign_in(other, make_user(role="reception"))
    assert f'href="{OUTBOX}"' not in other.get(reverse("patients:intake_new")).content.decode()


# --- What it shows ---------------------------------------------------------------------------


def test_counts_by_status_are_shown_at_the_top(clinician_client: Client) -> None:
    make_message()
    make_message()
    make_message(status=Message.Status.FAILED, attempts=2)
    make_dead()
    for _ in range(3):
        make_sent()
    make_message(status=Message.Status.CANCELLED)

    response = clinician_client.get(OUTBOX)

    counts = {status.value: count for status, count in response.context["counts"]}
    assert counts == {
        "pending": 2, "sending": 0, "sent": 3, "failed": 1, "dead": 1, "cancelled": 1,
    }  # fmt: skip
    html = response.content.decode()
    for status, count, label in [
        ("pending", 2, "Waiting"),
        ("failed", 1, "Failed for now"),
        ("dead", 1, "Dead"),
        ("sent", 3, "Sent"),
    ]:
        tile = rf'id="count-{status}">\s*<div class="count">{count}</div>\s*<div class="label">{label}<'
        assert re.search(tile, html), status
    assert response.context["total"] == 8


def test_dead_message_is_listed_with_its_error(clinician_client: Client) -> None:
    dead = make_dead(
        to_email="gone@example.org", last_error="SMTPRecipientsRefused: 550 no such mailbox"
    )

    response = clinician_client.get(OUTBOX)

    lists = {one.key: one for one in response.context["lists"]}
    assert [m.pk for m in lists["dead"].messages] == [dead.pk]
    html = response.content.decode()
    assert "gone@example.org" in html
    assert "SMTPRecipientsRefused: 550 no such mailbox" in html


def test_failing_messages_show_attempts_due_time_in_clinic_time_and_last_error(
    clinician_client: Client,
) -> None:
    # 09:30 UTC in July is 10:30 in London (BST).
    failing = make_message(
        status=Message.Status.FAILED,
        attempts=3,
        due_at=datetime(2026, 7, 1, 9, 30, tzinfo=UTC),
        last_error="SMTPServerDisconnected: try again",
    )

    response = clinician_client.get(OUTBOX)

    lists = {one.key: one for one in response.context["lists"]}
    assert [m.pk for m in lists["active"].messages] == [failing.pk]
    html = response.content.decode()
    row = html[html.index(f'id="message-{failing.pk}"') :]
    row = row[: row.index("</tr>")]
    assert "3 attempts" in row
    assert "1 Jul 2026, 10:30" in row
    assert "SMTPServerDisconnected: try again" in row
    assert "Failed for now" in row


def test_sent_messages_show_recipient_subject_kind_case_and_times_in_clinic_time(
    clinician_client: Client,
) -> None:
    case = make_intake(entered_by=make_user(role="reception"), chest_pain=True).assessment.case
    sent = make_sent(
        to_name="Dr Carl Cole",
        to_email="carl@example.org",
        subject="Clinic: case 7 needs a clinician",
        kind=Message.Kind.ESCALATION,
        case=case,
        created_at=datetime(2026, 1, 5, 8, 59, tzinfo=UTC),  # GMT in January: 08:59
        sent_at=datetime(2026, 7, 1, 12, 0, tzinfo=UTC),  # BST in July: 13:00
    )

    html = clinician_client.get(OUTBOX).content.decode()

    row = html[html.index(f'id="message-{sent.pk}"') :]
    row = row[: row.index("</tr>")]
    assert "Dr Carl Cole" in row and "carl@example.org" in row
    assert "Clinic: case 7 needs a clinician" in row
    assert "Escalation" in row
    assert f'href="{reverse("triage:case_detail", args=[case.pk])}"' in row
    assert "5 Jan 2026, 08:59" in row
    assert "1 Jul 2026, 13:00" in row


def test_only_the_most_recent_sent_messages_are_listed(clinician_client: Client) -> None:
    now = timezone.now()
    oldest = make_sent(sent_at=now - timedelta(days=1))
    newer = [make_sent(sent_at=now - timedelta(minutes=n)) for n in range(views.RECENT_SENT_LIMIT)]

    response = clinician_client.get(OUTBOX)

    sent = {one.key: one for one in response.context["lists"]}["sent"]
    assert [m.pk for m in sent.messages] == [m.pk for m in newer]
    assert oldest.pk not in {m.pk for m in sent.messages}
    assert sent.total == views.RECENT_SENT_LIMIT + 1
    assert f"Showing {views.RECENT_SENT_LIMIT} of {views.RECENT_SENT_LIMIT + 1}" in (
        response.content.decode()
    )


def test_waiting_messages_are_listed_soonest_due_first(clinician_client: Client) -> None:
    now = timezone.now()
    later = make_message(due_at=now + timedelta(days=7))
    sooner = make_message(due_at=now - timedelta(minutes=1))
    sending = make_message(status=Message.Status.SENDING, due_at=now - timedelta(minutes=5))

    response = clinician_client.get(OUTBOX)

    active = {one.key: one for one in response.context["lists"]}["active"]
    assert [m.pk for m in active.messages] == [sending.pk, sooner.pk, later.pk]


def test_filter_by_status_shows_only_that_status(clinician_client: Client) -> None:
    dead = make_dead(to_email="dead@example.org")
    make_message(to_email="waiting@example.org")
    make_sent(to_email="sent@example.org")

    response = clinician_client.get(OUTBOX, {"status": "dead"})

    assert [one.key for one in response.context["lists"]] == ["dead"]
    assert [m.pk for m in response.context["lists"][0].messages] == [dead.pk]
    html = response.content.decode()
    assert "dead@example.org" in html
    assert "waiting@example.org" not in html
    assert "sent@example.org" not in html


def test_filter_by_cancelled_lists_cancelled_messages(clinician_client: Client) -> None:
    cancelled = make_message(status=Message.Status.CANCELLED, kind=Message.Kind.ESCALATION)
    response = clinician_client.get(OUTBOX, {"status": "cancelled"})
    assert [m.pk for m in response.context["lists"][0].messages] == [cancelled.pk]


def test_unknown_status_filter_shows_everything(clinician_client: Client) -> None:
    make_message(to_email="waiting@example.org")
    response = clinician_client.get(OUTBOX, {"status": "nonsense"})
    assert response.status_code == 200
    assert [one.key for one in response.context["lists"]] == ["active", "dead", "sent"]
    assert "waiting@example.org" in response.content.decode()


def test_bodies_are_never_shown(clinician_client: Client) -> None:
    make_message()
    make_dead()
    make_sent()
    for status in ["", "pending", "dead", "sent"]:
        assert BODY not in clinician_client.get(OUTBOX, {"status": status}).content.decode()


def test_empty_outbox_says_so(clinician_client: Client) -> None:
    html = clinician_client.get(OUTBOX).content.decode()
    assert "Nothing is waiting to go." in html
    assert "No dead messages." in html
    assert "Nothing has been sent yet." in html


def test_query_count_does_not_grow_with_the_number_of_messages(
    admin_client_: Client, clinician_client: Client
) -> None:
    reception = make_user(role="reception")
    cases = [make_intake(entered_by=reception).assessment.case for _ in range(3)]

    def make_some(n: int) -> None:
        for i in range(n):
            case = cases[i % 3]
            make_message(case=case)
            make_message(status=Message.Status.FAILED, attempts=2, last_error="OSError: down")
            make_dead(case=case)
            make_sent(case=case, kind=Message.Kind.ESCALATION)

    def queries(client: Client, **params: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(OUTBOX, params)
        assert response.status_code == 200
        return len(captured)

    make_some(1)
    few = [queries(admin_client_), queries(clinician_client), queries(admin_client_, status="dead")]
    make_some(12)
    many = [
        queries(admin_client_),
        queries(clinician_client),
        queries(admin_client_, status="dead"),
    ]

    assert len(admin_client_.get(OUTBOX).context["lists"][1].messages) == 13
    assert many == few


# --- Retrying a dead message -----------------------------------------------------------------


def test_admin_sees_a_retry_button_on_dead_messages_only(admin_client_: Client) -> None:
    dead = make_dead()
    waiting = make_message()

    html = admin_client_.get(OUTBOX).content.decode()

    assert f'action="{_retry_url(dead)}"' in html
    assert f'action="{_retry_url(waiting)}"' not in html


def test_clinician_sees_no_retry_button(clinician_client: Client) -> None:
    dead = make_dead()
    html = clinician_client.get(OUTBOX).content.decode()
    assert f'action="{_retry_url(dead)}"' not in html
    assert ">Retry</button>" not in html


def test_admin_retry_puts_a_dead_message_back_in_the_queue(
    admin_client_: Client, django_capture_on_commit_callbacks
) -> None:
    dead = make_dead(to_email="gone@example.org")

    with django_capture_on_commit_callbacks() as handed_over:
        response = admin_client_.post(_retry_url(dead))

    assert response.status_code == 302
    assert response["Location"] == OUTBOX
    dead.refresh_from_db()
    assert dead.status == Message.Status.PENDING
    assert dead.attempts == 0
    assert dead.due_at <= timezone.now()
    assert len(handed_over) == 1  # given to a worker once the retry commits
    page = admin_client_.get(response["Location"])
    assert f"Message {dead.pk} to gone@example.org is back in the queue." in _messages(page)


def test_retry_returns_to_the_filtered_list(admin_client_: Client) -> None:
    dead = make_dead()
    response = admin_client_.post(_retry_url(dead), {"status": "dead"})
    assert response["Location"] == f"{OUTBOX}?status=dead"


def test_retry_ignores_a_return_address_it_does_not_know(admin_client_: Client) -> None:
    dead = make_dead()
    response = admin_client_.post(_retry_url(dead), {"status": "https://evil.example/"})
    assert response["Location"] == OUTBOX


def test_retrying_a_message_that_is_not_dead_shows_an_error(admin_client_: Client) -> None:
    sent = make_sent()

    response = admin_client_.post(_retry_url(sent), follow=True)

    assert response.status_code == 200
    assert _messages(response) == [
        f"Message {sent.pk} is sent, not dead: only a dead message can be retried."
    ]
    assert 'class="alert alert-danger"' in response.content.decode()
    sent.refresh_from_db()
    assert sent.status == Message.Status.SENT


def test_retrying_an_unknown_message_is_not_found(admin_client_: Client) -> None:
    assert admin_client_.post(reverse("outbox:retry", args=[999999])).status_code == 404


def test_clinician_cannot_retry(clinician_client: Client) -> None:
    dead = make_dead()

    response = clinician_client.post(_retry_url(dead))

    assert response.status_code == 403
    dead.refresh_from_db()
    assert dead.status == Message.Status.DEAD


def test_reception_cannot_retry(client: Client) -> None:
    dead = make_dead()
    sign_in(client, make_user(role="reception"))
    assert client.post(_retry_url(dead)).status_code == 403
    dead.refresh_from_db()
    assert dead.status == Message.Status.DEAD


def test_retry_is_a_post_only(admin_client_: Client) -> None:
    dead = make_dead()
    assert admin_client_.get(_retry_url(dead)).status_code == 405
    dead.refresh_from_db()
    assert dead.status == Message.Status.DEAD
