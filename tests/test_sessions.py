"""Sessions end after SESSION_IDLE_MINUTES without activity and SESSION_ABSOLUTE_HOURS in all; the
queue's automatic refresh is not activity; "Stay signed in" is (clinic/sessions.py).

Through the test client, on the test's clock.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.urls import reverse

from tests.patients.helpers import make_user
from tests.support.two_factor import sign_in

pytestmark = pytest.mark.django_db

IDLE = timedelta(minutes=settings.SESSION_IDLE_MINUTES)
QUEUE_REFRESH = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TRIGGER": "queue"}


@pytest.fixture
def clinician_client(clock, clinician_client):
    """The root conftest's clinician client, its session started on the test's clock."""
    assert clinician_client.get(reverse("triage:queue")).status_code == 200
    return clinician_client


def _is_sent_to_sign_in(response, *, next_page: str) -> bool:
    return response.status_code == 302 and response["Location"] == (
        f"{reverse('login')}?next={next_page.replace('?', '%3F').replace('=', '%3D')}"
    )


def test_a_session_idle_for_the_limit_is_signed_out_with_a_message(clinician_client, clock):
    clock.advance(IDLE)

    response = clinician_client.get(reverse("triage:queue"))

    assert _is_sent_to_sign_in(response, next_page=reverse("triage:queue"))
    assert "_auth_user_id" not in clinician_client.session
    sign_in = clinician_client.get(response["Location"])
    assert "You were signed out after 15 minutes without activity" in sign_in.content.decode()


def test_activity_just_inside_the_limit_keeps_the_session(clinician_client, clock):
    for _ in range(4):
        clock.advance(IDLE - timedelta(seconds=1))
        assert clinician_client.get(reverse("triage:queue")).status_code == 200


def test_the_queue_refresh_is_not_activity(clinician_client, clock):
    page = reverse("triage:queue")
    refreshed = []
    for _ in clock.steps(until=clock.now + IDLE - timedelta(seconds=4), every=timedelta(seconds=4)):
        refreshed.append(clinician_client.get(page, **QUEUE_REFRESH).status_code)
    assert set(refreshed) == {200}

    clock.advance(timedelta(seconds=4))
    response = clinician_client.get(
        page, HTTP_HX_CURRENT_URL=f"http://testserver{page}", **QUEUE_REFRESH
    )

    # The refresh is refused too, and htmx takes the whole page to the sign-in page.
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith(reverse("login"))
    assert "next=/triage/queue/" in response["HX-Redirect"]
    assert "_auth_user_id" not in clinician_client.session


def test_a_click_inside_the_queue_is_activity(clinician_client, clock):
    page = reverse("triage:queue")
    clock.advance(IDLE - timedelta(minutes=1))
    # A page link or filter inside #queue is triggered by itself, not by the polling element.
    assert clinician_client.get(page, HTTP_HX_REQUEST="true").status_code == 200

    clock.advance(IDLE - timedelta(minutes=1))

    assert clinician_client.get(page).status_code == 200


def test_keep_alive_counts_as_activity(clinician_client, clock):
    clock.advance(IDLE - timedelta(minutes=2))  # the warning shows; "Stay signed in"
    response = clinician_client.post(reverse("keep_alive"))
    assert response.status_code == 204

    clock.advance(IDLE - timedelta(minutes=1))

    assert clinician_client.get(reverse("triage:queue")).status_code == 200


def test_keep_alive_after_the_limit_is_refused(clinician_client, clock):
    clock.advance(IDLE)

    response = clinician_client.post(reverse("keep_alive"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert "_auth_user_id" not in clinician_client.session


def test_keep_alive_needs_a_signed_in_user(client, clock):
    response = client.post(reverse("keep_alive"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_a_session_ends_after_the_absolute_limit_however_active(clinician_client, clock):
    page = reverse("triage:queue")
    total = timedelta(hours=settings.SESSION_ABSOLUTE_HOURS)
    end = clock.now + total
    for _ in clock.steps(until=end - timedelta(minutes=1), every=timedelta(minutes=10)):
        assert clinician_client.get(page).status_code == 200

    clock.move_to(end)
    response = clinician_client.get(page)

    assert _is_sent_to_sign_in(response, next_page=page)
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert messages == [
        "You were signed out because a session lasts at most 10 hours. Sign in again to carry on."
    ]


def test_signing_in_again_starts_a_new_session(clinician_client, clock):
    clock.advance(IDLE)
    clinician_client.get(reverse("triage:queue"))  # signed out
    sign_in(clinician_client, make_user(role="clinician"))

    assert clinician_client.get(reverse("triage:queue")).status_code == 200
    clock.advance(IDLE - timedelta(seconds=1))
    assert clinician_client.get(reverse("triage:queue")).status_code == 200


def test_pages_tell_the_warning_how_long_is_left(clinician_client, clock):
    clock.advance(timedelta(minutes=10))

    page = clinician_client.get(reverse("triage:queue")).content.decode()

    assert f'data-session-idle-seconds="{int(IDLE.total_seconds())}"' in page
    assert f'data-session-idle-left-seconds="{int(IDLE.total_seconds())}"' in page
    assert f'data-session-remaining-seconds="{10 * 3600 - 600}"' in page
    assert 'role="alertdialog"' in page
    assert "clinic/session.js" in page


def test_sessions_end_when_the_browser_closes():
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
