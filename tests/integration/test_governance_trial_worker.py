"""A trial started on the governance page, run by a real Celery worker on the real Redis and the
test database: the page hands it over once committed, the worker keeps its report as a Trial,
and the run's page then links to it."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from clinic.roles import Role
from governance.models import Trial, TrialRun
from tests.governance.conftest import intake_aged
from tests.integration.outbox_stack import (
    OutboxStack,
    outbox_stack_fixture,  # noqa: F401 - the outbox_stack fixture
    staff,
)
from tests.support.two_factor import sign_in

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),  # the worker must see the committed rows
]
CANDIDATE = "2026.2-rc1"


def test_a_trial_started_on_the_page_is_run_by_the_worker_and_its_report_kept(
    outbox_stack: OutboxStack,
) -> None:
    receptionist = staff("rita", Role.RECEPTION)
    intake_aged(17, entered_by=receptionist)  # lowered by the candidate
    intake_aged(40, entered_by=receptionist)
    officer = staff("sofia", Role.SAFETY_OFFICER)
    client = sign_in(Client(), officer)
    outbox_stack.start_worker(None)  # type: ignore[arg-type]  # no mail in this test

    started = client.post(reverse("governance:trial_new"), {"candidate": CANDIDATE})
    again = client.post(reverse("governance:trial_new"), {"candidate": CANDIDATE})

    run = TrialRun.objects.get()
    assert (
        started["Location"] == again["Location"] == reverse("governance:trial_run", args=[run.pk])
    )
    done = outbox_stack.wait_until(
        lambda: TrialRun.objects.filter(pk=run.pk, status=TrialRun.Status.DONE).first(),
        "the worker to finish the trial",
    )
    trial = Trial.objects.get()
    assert done.trial == trial
    assert (done.intakes_total, done.intakes_done) == (2, 2)
    assert (trial.candidate, trial.run_by, trial.report["lowered"]) == (CANDIDATE, officer, 1)
    status = client.get(reverse("governance:trial_run_status", args=[run.pk]))
    assert status.status_code == 286
    assert reverse("governance:trial", args=[trial.pk]) in status.content.decode()
