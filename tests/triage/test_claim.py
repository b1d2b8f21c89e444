"""Claiming a case from its page: the clinician who takes it, the one who comes second, and the
roles that may not; a claim stops the escalation. The case page also shows what was emailed."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from outbox.models import Message
from tests.outbox.helpers import BODY, make_message, make_sent
from tests.patients.helpers import make_intake, make_user, patient_details
from tests.support.two_factor import sign_in
from triage.models import Case
from triage.services import escalate_unclaimed_cases

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("clock")]  # the test's clock


@pytest.fixture
def urgent_case(reception: User, carl: User, dana: User) -> Case:
    """An URGENT case: the clinicians were alerted, and it escalates unless somebody claims it."""
    intake = make_intake(
        entered_by=reception,
        details=patient_details(given_name="Una", family_name="Urgent"),
        chest_pain=True,
    )
    return Case.objects.get(pk=intake.assessment.case.pk)


def _claim_url(case: Case) -> str:
    return reverse("triage:case_claim", args=[case.pk])


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


# --- Claiming --------------------------------------------------------------------------------


def test_unclaimed_case_page_offers_the_claim_button(
    carl_client: Client, urgent_case: Case
) -> None:
    html = carl_client.get(urgent_case.get_absolute_url()).content.decode()
    assert f'action="{_claim_url(urgent_case)}"' in html
    assert "Claim this case" in html
    assert "Not claimed yet" in html


def test_clinician_claims_a_case_and_the_page_says_so(
    carl_client: Client, carl: User, urgent_case: Case
) -> None:
    response = carl_client.post(_claim_url(urgent_case))

    assert response.status_code == 302
    assert response["Location"] == urgent_case.get_absolute_url()
    urgent_case.refresh_from_db()
    assert urgent_case.claimed_by == carl
    assert urgent_case.claimed_at is not None
    page = carl_client.get(response["Location"])
    html = page.content.decode()
    assert "You have claimed this case. Its escalation has stopped." in _messages(page)
    assert "Claimed by Carl Cole (you) at" in html
    assert "Claim this case" not in html


def test_claim_time_is_shown_in_clinic_time(
    carl_client: Client, carl: User, urgent_case: Case
) -> None:
    # 12:00 UTC in July is 13:00 in London (BST).
    Case.objects.filter(pk=urgent_case.pk).update(
        claimed_by=carl, claimed_at=datetime(2026, 7, 1, 12, 0, tzinfo=UTC)
    )
    html = carl_client.get(urgent_case.get_absolute_url()).content.decode()
    assert "Claimed by Carl Cole (you) at Wed 1 Jul 2026, 13:00" in html


def test_second_clinician_is_told_who_has_the_case(
    carl_client: Client, dana_client: Client, carl: User, urgent_case: Case
) -> None:
    carl_client.post(_claim_url(urgent_case))

    response = dana_client.post(_claim_url(urgent_case), follow=True)

    assert response.status_code == 200
    assert _messages(response) == ["Carl Cole has already claimed this case"]
    html = response.content.decode()
    assert 'class="alert alert-danger"' in html
    assert "Claimed by Carl Cole at" in html
    assert "(you)" not in html
    urgent_case.refresh_from_db()
    assert urgent_case.claimed_by == carl


def test_claiming_again_your_own_case_keeps_it(
    carl_client: Client, carl: User, urgent_case: Case
) -> None:
    carl_client.post(_claim_url(urgent_case))
    urgent_case.refresh_from_db()
    first_claimed_at = urgent_case.claimed_at

    response = carl_client.post(_claim_url(urgent_case))

    assert response.status_code == 302
    urgent_case.refresh_from_db()
    assert urgent_case.claimed_by == carl
    assert urgent_case.claimed_at == first_claimed_at


def test_reception_cannot_claim(client: Client, reception: User, urgent_case: Case) -> None:
    sign_in(client, reception)

    response = client.post(_claim_url(urgent_case))

    assert response.status_code == 403
    urgent_case.refresh_from_db()
    assert urgent_case.claimed_by is None


def test_anonymous_user_is_sent_to_login(client: Client, urgent_case: Case) -> None:
    response = client.post(_claim_url(urgent_case))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    urgent_case.refresh_from_db()
    assert urgent_case.claimed_by is None


def test_claim_is_a_post_only(carl_client: Client, urgent_case: Case) -> None:
    assert carl_client.get(_claim_url(urgent_case)).status_code == 405
    urgent_case.refresh_from_db()
    assert urgent_case.claimed_by is None


def test_claiming_an_unknown_case_is_not_found(carl_client: Client) -> None:
    assert carl_client.post(reverse("triage:case_claim", args=[999999])).status_code == 404


def test_closed_case_offers_no_claim_button(carl_client: Client, urgent_case: Case) -> None:
    Case.objects.filter(pk=urgent_case.pk).update(status=Case.Status.CLOSED)
    html = carl_client.get(urgent_case.get_absolute_url()).content.decode()
    assert "Claim this case" not in html


# --- A claim stops the escalation ------------------------------------------------------------


def test_claim_stops_escalation_and_cancels_escalations_not_yet_sent(
    carl_client: Client, urgent_case: Case
) -> None:
    # Given nobody claimed it by its deadline, so it escalated to every clinician
    assert urgent_case.escalate_at is not None
    later = urgent_case.escalate_at + timedelta(seconds=1)
    assert escalate_unclaimed_cases(now=later) == 1
    escalations = Message.objects.filter(case=urgent_case, kind=Message.Kind.ESCALATION)
    assert set(escalations.values_list("status", flat=True)) == {Message.Status.PENDING}
    assert escalations.count() == 2
    alerts = Message.objects.filter(case=urgent_case, kind=Message.Kind.CLINICIAN_ALERT)
    assert alerts.count() == 2

    # When a clinician claims it from its page
    carl_client.post(_claim_url(urgent_case))

    # Then it escalates no more, the queued escalations will not go, and the alerts are as they were
    urgent_case.refresh_from_db()
    assert urgent_case.escalate_at is None
    assert set(escalations.values_list("status", flat=True)) == {Message.Status.CANCELLED}
    assert set(alerts.values_list("status", flat=True)) == {Message.Status.PENDING}
    assert escalate_unclaimed_cases(now=later + timedelta(days=1)) == 0


def test_escalation_already_sent_stays_sent_after_a_claim(
    carl_client: Client, urgent_case: Case
) -> None:
    sent = make_sent(case=urgent_case, kind=Message.Kind.ESCALATION)
    carl_client.post(_claim_url(urgent_case))
    sent.refresh_from_db()
    assert sent.status == Message.Status.SENT


# --- The queue shows who has each case -------------------------------------------------------


def test_queue_row_shows_who_has_claimed_the_case(
    carl_client: Client, dana_client: Client, reception: User, urgent_case: Case
) -> None:
    other = make_intake(
        entered_by=reception, details=patient_details(given_name="Olly", family_name="Other")
    )
    carl_client.post(_claim_url(urgent_case))

    html = dana_client.get(reverse("triage:queue")).content.decode()

    cells = re.findall(r'<td class="case-claimed-by">(.*?)</td>', html, re.S)
    assert len(cells) == 2
    assert "Carl Cole" in cells[0]
    assert "Nobody yet" in cells[1]
    assert other.assessment.case.claimed_by is None


def test_queue_query_count_does_not_grow_with_claimed_cases(
    carl_client: Client, reception: User
) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert carl_client.get(reverse("triage:queue")).status_code == 200
        return len(captured)

    def add_claimed(n: int) -> None:
        for _ in range(n):
            case = make_intake(entered_by=reception, chest_pain=True).assessment.case
            Case.objects.filter(pk=case.pk).update(
                claimed_by=make_user(role="clinician", first_name="C"), claimed_at=timezone.now()
            )

    add_claimed(2)
    few = queries()
    add_claimed(10)
    assert queries() == few


# --- What was sent about the case ------------------------------------------------------------


def test_case_page_lists_every_message_about_the_case(
    carl_client: Client, urgent_case: Case, reception: User
) -> None:
    # The alerts the intake queued, one to each clinician, and an escalation sent in July
    sent = make_sent(
        case=urgent_case,
        kind=Message.Kind.ESCALATION,
        to_name="Lee Lead",
        to_email="lead@example.org",
        subject="Clinic: case is still unclaimed",
        sent_at=datetime(2026, 7, 1, 12, 0, tzinfo=UTC),  # 13:00 in London
    )
    elsewhere = make_intake(entered_by=reception).assessment.case
    make_message(case=elsewhere, to_email="not-this-case@example.org")

    response = carl_client.get(urgent_case.get_absolute_url())

    listed = response.context["case_messages"]
    assert {m.to_email for m in listed} == {
        "carl@example.org",
        "dana@example.org",
        "lead@example.org",
    }
    html = response.content.decode()
    row = html[html.index(f'id="case-message-{sent.pk}"') :]
    row = row[: row.index("</tr>")]
    assert "Lee Lead" in row and "lead@example.org" in row
    assert "Clinic: case is still unclaimed" in row
    assert "Escalation" in row
    assert "Sent" in row
    assert "1 Jul 2026, 13:00" in row
    assert "Clinician alert" in html
    assert "not-this-case@example.org" not in html
    assert BODY not in html


def test_case_page_says_when_nothing_was_sent(carl_client: Client, reception: User) -> None:
    case = make_intake(entered_by=reception).assessment.case  # SELF_CARE: nobody is alerted
    html = carl_client.get(case.get_absolute_url()).content.decode()
    assert "No email has been sent about this case." in html


def test_case_page_query_count_does_not_grow_with_its_messages(
    carl_client: Client, urgent_case: Case
) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert carl_client.get(urgent_case.get_absolute_url()).status_code == 200
        return len(captured)

    few = queries()
    for _ in range(10):
        make_sent(case=urgent_case, recipient=make_user(role="clinician"))
    assert queries() == few
