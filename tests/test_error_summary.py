"""The staff account forms refused (sign-in, the second factor, the password change) and the
audit reports' period: each shows the one error summary (templates/clinic/error_summary.html),
each entry a link to a real input; before any submit no field is marked invalid."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from clinic.roles import Role
from tests.patients.helpers import PASSWORD, make_user
from tests.support.clock import Clock
from tests.support.error_summary import has_summary, invalid_fields, summary_links
from tests.support.two_factor import authenticator, sign_in

pytestmark = pytest.mark.django_db


def _fresh(content: bytes) -> bool:
    return invalid_fields(content) == [] and not has_summary(content)


def test_a_wrong_password_links_to_the_username(client: Client) -> None:
    make_user(role="reception", username="rita")
    assert _fresh(client.get(reverse("login")).content)

    response = client.post(reverse("login"), {"username": "rita", "password": "not-it"})

    [(target, text)] = summary_links(response.content)
    assert target == "id_username"  # a non-field error: the form's first field
    assert "username" in text.lower() or "password" in text.lower()
    assert 'value="rita"' in response.content.decode()


def test_an_empty_sign_in_links_to_both_fields(client: Client) -> None:
    response = client.post(reverse("login"), {"username": "", "password": ""})

    assert [target for target, _ in summary_links(response.content)] == [
        "id_username",
        "id_password",
    ]


def test_a_wrong_code_links_to_the_code(client: Client, clock: Clock) -> None:
    cara = make_user(role="clinician", username="cara")
    authenticator(cara)
    client.post(reverse("login"), {"username": "cara", "password": PASSWORD})
    assert _fresh(client.get(reverse("two_factor:verify")).content)

    response = client.post(reverse("two_factor:verify"), {"code": "000000"})

    [(target, text)] = summary_links(response.content)
    assert target == "id_code" and "not right" in text


def test_a_wrong_code_at_set_up_links_to_the_code(client: Client, clock: Clock) -> None:
    rita = make_user(role="reception", username="rita")
    sign_in(client, rita)
    assert _fresh(client.get(reverse("two_factor:setup")).content)

    response = client.post(reverse("two_factor:setup"), {"code": "000000"})

    [(target, _)] = summary_links(response.content)
    assert target == "id_code"


def test_a_refused_new_password_links_to_it(client: Client) -> None:
    sign_in(client, make_user(role="reception", username="rita"))
    assert _fresh(client.get(reverse("password_change")).content)

    response = client.post(
        reverse("password_change"),
        {"old_password": "wrong", "new_password1": "short", "new_password2": "other"},
    )

    targets = [target for target, _ in summary_links(response.content)]
    assert targets[0] == "id_old_password"
    assert "id_new_password2" in targets


def test_a_period_that_ends_before_it_starts_links_to_its_start(client: Client) -> None:
    lead = make_user(role=Role.LEAD, username="lead")
    sign_in(client, lead)
    url = reverse("audit:staff_activity", args=[lead.pk])
    assert _fresh(client.get(url).content)

    response = client.get(url, {"start": "2026-03-02", "end": "2026-03-01"})

    assert summary_links(response.content) == [
        ("id_start", "The start of the period is after its end.")
    ]
    assert 'value="2026-03-02"' in response.content.decode()
