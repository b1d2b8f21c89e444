"""A trial started on the page runs in a Celery worker: one run per version and days at a time,
its progress polled into a live region, its report kept as a `Trial` the sign-off attaches; a
failed run says so and starts again; a run whose worker went quiet is marked failed.

The worker's part is called here as the task calls it (`services.run_trial_run`); the real
worker runs it in tests/integration/test_governance_trial_worker.py."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from governance import services
from governance.models import SignOff, Trial, TrialRun
from tests.governance.conftest import intake_aged
from tests.support.clock import Clock

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]
CANDIDATE = "2026.2-rc1"
START = datetime(2026, 4, 6, 9, 0, tzinfo=UTC)


@pytest.fixture
def history(receptionist: User) -> None:
    intake_aged(17, entered_by=receptionist)  # ROUTINE -> SELF_CARE in the candidate: lowered
    intake_aged(40, entered_by=receptionist)


def start(officer: User, **days: object) -> TrialRun:
    return services.start_trial_run(CANDIDATE, by=officer, **days)  # type: ignore[arg-type]


def test_starting_a_run_twice_gives_the_same_run_and_hands_it_over_once(
    officer: User, lead: User, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    with django_capture_on_commit_callbacks() as handed_over:
        first = start(officer)
        second = services.start_trial_run(CANDIDATE, by=lead)  # someone else, the same trial
        other_days = start(officer, date_from=START.date())

    assert first == second
    assert first.status == TrialRun.Status.QUEUED and first.started_by == officer
    assert other_days != first  # another range is another trial
    assert len(handed_over) == 2


def test_the_worker_keeps_the_report_as_a_trial_with_who_when_and_what(
    history: None, officer: User
) -> None:
    run = start(officer)

    services.run_trial_run(run_id=run.pk)

    run.refresh_from_db()
    assert run.status == TrialRun.Status.DONE
    assert (run.intakes_total, run.intakes_done) == (2, 2)
    trial = run.trial
    assert trial is not None
    assert (trial.candidate, trial.run_by, trial.date_from, trial.date_to) == (
        CANDIDATE, officer, None, None,
    )  # fmt: skip
    assert trial.report["intakes"] == 2 and trial.lowered == 1
    # A task delivered twice (a redelivery) leaves the finished run and its trial alone.
    services.run_trial_run(run_id=run.pk)
    assert Trial.objects.count() == 1
    # Once it has finished, the same trial may be started again.
    assert start(officer) != run


def test_the_sign_off_attaches_the_finished_report(history: None, officer: User) -> None:
    run = start(officer)
    services.run_trial_run(run_id=run.pk)
    run.refresh_from_db()
    assert run.trial is not None

    signed = services.sign_off(
        version=CANDIDATE, trial=run.trial, reason="Read", lowered_reviewed=True, by=officer
    )

    assert signed.trial == run.trial
    assert SignOff.objects.get().trial.run == run


def test_the_run_page_polls_a_live_region_while_it_runs_and_stops_when_it_ends(
    history: None, officer: User, officer_client: Client
) -> None:
    run = start(officer)
    status_url = reverse("governance:trial_run_status", args=[run.pk])

    page = officer_client.get(reverse("governance:trial_run", args=[run.pk])).content.decode()
    waiting = officer_client.get(status_url)

    assert 'role="status" aria-live="polite"' in page
    assert f'hx-get="{status_url}" hx-trigger="every 2s"' in page
    assert waiting.status_code == 200
    assert "Waiting for a worker" in waiting.content.decode()

    TrialRun.objects.filter(pk=run.pk).update(
        status=TrialRun.Status.RUNNING, intakes_total=2, intakes_done=1
    )
    running = officer_client.get(status_url).content.decode()
    assert "Running" in running and "1 of 2 intakes read." in running
    assert '<progress max="2" value="1"' in running

    TrialRun.objects.filter(pk=run.pk).update(status=TrialRun.Status.QUEUED)
    services.run_trial_run(run_id=run.pk)
    finished = officer_client.get(status_url)
    trial = Trial.objects.get()
    assert finished.status_code == 286  # htmx stops polling
    assert f'href="{reverse("governance:trial", args=[trial.pk])}"' in finished.content.decode()
    page = officer_client.get(reverse("governance:trial_run", args=[run.pk])).content.decode()
    assert "hx-get" not in page


def test_a_failed_run_says_so_and_starts_again(
    history: None, officer: User, officer_client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    run = start(officer)

    def broken(*args: object, **kwargs: object) -> None:
        raise MemoryError

    monkeypatch.setattr(services, "evaluate", broken)
    services.run_trial_run(run_id=run.pk)

    run.refresh_from_db()
    assert run.status == TrialRun.Status.FAILED and "MemoryError" in run.error
    assert not Trial.objects.exists()
    page = officer_client.get(reverse("governance:trial_run", args=[run.pk])).content.decode()
    assert "The trial failed." in page and "Start it again" in page
    index = officer_client.get(reverse("governance:index")).content.decode()
    assert "failed" in index

    again = officer_client.post(reverse("governance:trial_run_retry", args=[run.pk]))

    [new] = TrialRun.objects.exclude(pk=run.pk)
    assert again["Location"] == reverse("governance:trial_run", args=[new.pk])
    assert new.status == TrialRun.Status.QUEUED
    assert (new.candidate, new.date_from, new.date_to) == (run.candidate, None, None)


def test_a_run_whose_worker_went_quiet_is_marked_failed_after_the_settable_time(
    officer: User, officer_client: Client, clock: Clock, settings
) -> None:  # type: ignore[no-untyped-def]
    settings.GOVERNANCE_TRIAL_STALE_SECONDS = 120
    run = start(officer)
    TrialRun.objects.filter(pk=run.pk).update(status=TrialRun.Status.RUNNING)

    clock.advance(timedelta(seconds=119))
    assert services.fail_stale_runs() == 0
    clock.advance(timedelta(seconds=2))
    status = officer_client.get(reverse("governance:trial_run_status", args=[run.pk]))

    run.refresh_from_db()
    assert run.status == TrialRun.Status.FAILED
    assert status.status_code == 286 and "No word from the worker" in status.content.decode()
    # The worker, still alive after all, finds its run taken from it and keeps nothing.
    TrialRun.objects.filter(pk=run.pk).update(status=TrialRun.Status.FAILED)
    services.run_trial_run(run_id=run.pk)
    assert not Trial.objects.exists()
    # The same trial can be started again at once.
    assert start(officer) != run


def test_a_broker_that_does_not_take_the_run_fails_it_with_the_reason(
    officer: User, monkeypatch: pytest.MonkeyPatch, django_capture_on_commit_callbacks
) -> None:  # type: ignore[no-untyped-def]
    from governance import tasks

    def refused(*args: object, **kwargs: object) -> None:
        raise OSError("connection refused")

    monkeypatch.setattr(tasks.run_trial, "apply_async", refused)
    with django_capture_on_commit_callbacks(execute=True):
        run = start(officer)

    run.refresh_from_db()
    assert run.status == TrialRun.Status.FAILED
    assert "could not be reached" in run.error


@pytest.mark.parametrize("role", ["reception", "clinician"])
def test_only_the_safety_officer_and_the_clinic_lead_start_or_read_a_run(
    role: str, officer: User
) -> None:
    from tests.patients.helpers import make_user
    from tests.support.two_factor import sign_in

    run = start(officer)
    client = sign_in(Client(), make_user(role=role))
    assert client.get(reverse("governance:trial_run", args=[run.pk])).status_code == 403
    assert client.get(reverse("governance:trial_run_status", args=[run.pk])).status_code == 403
    assert client.post(reverse("governance:trial_run_retry", args=[run.pk])).status_code == 403
    with pytest.raises(services.GovernanceError):
        services.start_trial_run(CANDIDATE, by=make_user(role=role))
