"""Twenty reception desks submitting at the same instant, on the real PostgreSQL.

Each desk is its own test client (its own session and database connection) in its own thread;
a barrier releases them together. Before, 20 submissions with one new NHS number gave 19 server
errors, and 20 with one name and birthday made 7 patients with 7 open cases.
"""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from threading import Barrier
from typing import Any

import pytest
from django.db import connections
from django.test import Client
from django.urls import reverse

from patients.models import Intake, Patient
from tests.patients.helpers import VALID_NHS_NUMBER, intake_post, make_user
from tests.support.two_factor import sign_in
from triage.models import Case

URL = reverse("patients:intake_new")
DESKS = 20

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _at_once(posts: list[dict[str, str]]) -> list[Any]:
    """POST each form from its own desk, all released at the same moment."""
    clients = []
    for n in range(len(posts)):
        client = Client(raise_request_exception=False)
        sign_in(client, make_user(role="reception", username=f"desk{n}"))
        clients.append(client)
    start = Barrier(len(posts))

    def submit(n: int) -> Any:
        try:
            start.wait(timeout=30)
            return clients[n].post(URL, posts[n])
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=len(posts)) as pool:
        return list(pool.map(submit, range(len(posts))))


def _statuses(responses: list[Any]) -> list[int]:
    return sorted({r.status_code for r in responses})


def _open_cases() -> int:
    return Case.objects.filter(status=Case.Status.OPEN).count()


@pytest.mark.parametrize(
    "same",
    [
        pytest.param({"nhs_number": VALID_NHS_NUMBER}, id="one-new-nhs-number"),
        pytest.param({"nhs_number": ""}, id="one-name-and-birthday"),
    ],
)
def test_twenty_desks_registering_one_new_patient_make_one_patient_and_one_case(
    same: dict[str, str],
) -> None:
    posts = [intake_post(pain_score_now=str(n % 11), **same) for n in range(DESKS)]

    responses = _at_once(posts)

    assert _statuses(responses) == [302]
    assert Patient.objects.count() == 1
    assert Intake.objects.count() == DESKS
    assert _open_cases() == 1


def test_twenty_clicks_with_one_token_and_one_set_of_answers_make_one_intake() -> None:
    """A browser that resent one submission twenty times (from one desk: one user)."""
    post = intake_post(chest_pain="yes")
    user = make_user(role="reception", username="one-desk")
    start = Barrier(DESKS)

    def click(_: int) -> Any:
        client = Client(raise_request_exception=False)
        sign_in(client, user)
        try:
            start.wait(timeout=30)
            return client.post(URL, post)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=DESKS) as pool:
        responses = list(pool.map(click, range(DESKS)))

    assert _statuses(responses) == [302]
    assert len({r["Location"] for r in responses}) == 1
    assert (Patient.objects.count(), Intake.objects.count(), _open_cases()) == (1, 1, 1)


def test_one_token_with_twenty_different_answers_makes_twenty_intakes() -> None:
    token = str(uuid.uuid4())
    posts = [
        intake_post(submission_token=token, duration_days=str(n + 1), **_sign(n))
        for n in range(DESKS)
    ]

    responses = _at_once(posts)

    assert _statuses(responses) == [302]
    outcomes = {r["Location"] for r in responses}
    assert len(outcomes) == DESKS
    assert Intake.objects.count() == DESKS
    assert _open_cases() == 1


def _sign(n: int) -> dict[str, str]:
    return {"chest_pain": "yes"} if n % 2 else {}


def test_twenty_desks_typing_one_nhs_number_for_two_people_never_misfile() -> None:
    """Half type Grace Hopper, half Zed Stranger, with one NHS number none of them has on file.

    Whoever registers first owns the number; every submission for the other person stops and
    asks reception, and none is filed under the wrong patient.
    """

    def post(n: int) -> dict[str, str]:
        who: dict[str, str] = (
            {}
            if n % 2
            else {"given_name": "Zed", "family_name": "Stranger", "date_of_birth": "2001-02-03"}
        )
        return intake_post(nhs_number=VALID_NHS_NUMBER, **who)

    responses = _at_once([post(n) for n in range(DESKS)])

    assert _statuses(responses) in ([200, 302], [302])
    owner = Patient.objects.get()
    filed = list(Intake.objects.values_list("patient_id", flat=True))
    assert set(filed) == {owner.pk}
    saved = sum(r.status_code == 302 for r in responses)
    asked = [r for r in responses if r.status_code == 200]
    assert saved == len(filed) == DESKS // 2
    assert all(b"on file for another name or date of birth" in r.content for r in asked)
    assert _open_cases() == 1
