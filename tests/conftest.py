"""What every test shares.

Staff passwords are hashed with a fast hasher: the real one (PBKDF2, as production runs it) costs
about a quarter of a second per user, which no test is about.

Intakes are triaged with the rule set the environment names, unsigned, as in the embedded demo:
the tests of triage, intakes and programmes are not about governance. The process's copy of the
clinic's choice is set to that before each test, so no test's query count depends on when the
copy was last read (`governance/active.py`); tests/governance/ signs versions off for real, and
shows that production refuses an unsigned one.

The `clock` fixture is the test's clock, at fixed instants (`tests/support/clock.py`).

One member of staff in each role, and a test client signed in as each, with the second factor
where the role requires one (`tests/support/two_factor.py`). Every `*_client` is a client of its
own, so a test can hold several and still use `client` as someone signed out (a patient). Others
in a role come from the factories (`tests/support/factories.py`).
"""

from __future__ import annotations

import uuid

import pytest
from django.contrib.auth.models import User
from django.test import Client
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from tests.support.clock import clock_fixture  # noqa: F401 - the clock fixture
from tests.support.factories import (
    AdminFactory,
    ClinicianFactory,
    ClinicLeadFactory,
    ReceptionistFactory,
)
from tests.support.two_factor import sign_in

# Property tests run the same examples on every run (derandomized: a failure on CI is one anyone
# reproduces), and a busy machine never fails them for generating slowly or for a slow example:
# their subject is the rules' properties, not the machine's speed.
hypothesis_settings.register_profile(
    "clinic",
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    print_blob=True,
)
hypothesis_settings.load_profile("clinic")


def pytest_configure(config: pytest.Config) -> None:
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.TRIAGE_UNSIGNED_RULESET_ALLOWED = True
    settings.GOVERNANCE_ACTIVE_CACHE_SECONDS = float("inf")


@pytest.fixture(autouse=True)
def _demo_rule_set() -> None:
    from governance import active

    active.prime(active.Active(active.environment_ruleset(), False, why_unsigned="tests"))


@pytest.fixture(autouse=True)
def _a_cache_of_its_own(settings, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    """Each test reads and writes its own keys in the shared cache (Redis when REDIS_URL is set:
    governance/active.py keeps the clinic's choice there), and so do the web servers and workers
    it starts (CACHE_KEY_PREFIX in their environment): no test sees what another test, another
    test process or an earlier run left there."""
    prefix = f"test-{uuid.uuid4().hex}"
    settings.CACHES = {
        name: config | {"KEY_PREFIX": prefix} for name, config in settings.CACHES.items()
    }
    monkeypatch.setenv("CACHE_KEY_PREFIX", prefix)


@pytest.fixture(autouse=True)
def _no_queue_snapshot_from_another_test() -> None:
    """A queue poll may be answered from a snapshot up to half a second old
    (triage/queue_views.py): one test's must never answer another's."""
    from triage import queue_views

    queue_views.forget_snapshots()


@pytest.fixture
def receptionist(db: None) -> User:
    return ReceptionistFactory(username="rita", first_name="Rita", last_name="Reed")


@pytest.fixture
def reception(receptionist: User) -> User:
    """The receptionist, by the name some tests know her by."""
    return receptionist


@pytest.fixture
def clinician(db: None) -> User:
    return ClinicianFactory(
        username="carl", first_name="Carl", last_name="Cole", email="carl@example.org"
    )


@pytest.fixture
def lead(db: None) -> User:
    return ClinicLeadFactory(username="lead", first_name="Lena", last_name="Lead")


@pytest.fixture
def admin_user_(db: None) -> User:
    """A superuser (not pytest-django's `admin_user`, who has no second factor)."""
    return AdminFactory(username="boss", email="boss@example.com")


@pytest.fixture
def receptionist_client(receptionist: User) -> Client:
    return sign_in(Client(), receptionist)


@pytest.fixture
def reception_client(receptionist_client: Client) -> Client:
    return receptionist_client


@pytest.fixture
def clinician_client(clinician: User) -> Client:
    return sign_in(Client(), clinician)


@pytest.fixture
def lead_client(lead: User) -> Client:
    return sign_in(Client(), lead)


@pytest.fixture
def admin_client_(admin_user_: User) -> Client:
    return sign_in(Client(), admin_user_)
