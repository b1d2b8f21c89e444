"""The clinic's choice while the database is down: a process that never read it takes it from the
shared cache (Redis), and advice falls back to the first released version only when the cache
does not know it either.

The database goes away for real, as in tests/test_database_down.py: the connection is pointed at
a port where nothing listens. Each test has a cache key prefix of its own, so parallel test
processes on the same Redis never read each other's choice.
"""

from __future__ import annotations

import uuid

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.db import DatabaseError

from governance import active, services
from tests.support.clock import Clock
from tests.test_database_down import EMERGENCY, Desk, database_down, page_text
from tests.test_database_down import desk as desk
from tests.test_submit_queries import form_data
from triage.rules import registry

pytestmark = [pytest.mark.postgres, pytest.mark.redis]
CANDIDATE = "2026.2-rc1"


@pytest.fixture(autouse=True)
def production(settings) -> None:  # type: ignore[no-untyped-def]
    settings.TRIAGE_UNSIGNED_RULESET_ALLOWED = False
    settings.CACHES = {
        "default": settings.CACHES["default"] | {"KEY_PREFIX": f"test-{uuid.uuid4().hex}"}
    }
    assert "RedisCache" in settings.CACHES["default"]["BACKEND"]


def choose(version: str, officer: User) -> None:
    trial = services.run_trial(version, by=officer)
    services.sign_off(
        version=version, trial=trial, reason="Read the trial", lowered_reviewed=True, by=officer
    )
    services.choose(version=version, reason="Clinic decision", by=officer)


def test_a_process_that_never_read_the_choice_takes_it_from_the_cache_while_the_database_is_down(
    transactional_db: None, officer: User
) -> None:
    # Given the clinic's choice read once by some process (it leaves it in the cache),
    choose(CANDIDATE, officer)
    assert active.active_ruleset().version == CANDIDATE
    # when a fresh process (no copy of its own) needs it with the database down,
    active.forget()
    with database_down():
        found = active.active()
        advice = active.advice_ruleset()

    # then it is the clinic's signed-off choice, checked against the code as a read row is.
    assert isinstance(found, active.Active)
    assert (found.version, found.signed_off) == (CANDIDATE, True)
    assert advice.version == CANDIDATE
    assert cache.get(active.CACHE_KEY)[:2] == [CANDIDATE, registry.fingerprint(CANDIDATE)]


def test_a_cached_choice_whose_code_changed_is_not_signed_off(
    transactional_db: None, officer: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    choose(CANDIDATE, officer)
    active.active()
    active.forget()
    monkeypatch.setattr(registry, "fingerprint", lambda name: "0" * 64)
    with database_down():
        found = active.active()
        advice = active.advice_ruleset()

    assert isinstance(found, active.NotSignedOff)
    assert advice.version == registry.RELEASED[0].name


def test_with_neither_database_nor_cache_advice_is_the_first_released_version(
    transactional_db: None,
) -> None:
    active.forget()
    assert cache.get(active.CACHE_KEY) is None
    with database_down():
        with pytest.raises(DatabaseError):
            active.active()
        assert active.advice_ruleset().version == registry.RELEASED[0].name


def test_reception_is_advised_with_the_cached_choice_while_the_database_is_down(
    desk: Desk, officer: User, clock: Clock
) -> None:
    choose(CANDIDATE, officer)
    active.active()
    active.forget()  # the web process restarted while the database was away

    with database_down():
        response = desk.post(form_data(EMERGENCY, clock.now.date()))

    assert response.status_code == 503
    text = page_text(response)
    assert "NOT SAVED" in text
    assert f"Rule set {CANDIDATE}." in text
