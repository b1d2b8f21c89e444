"""What every test shares.

Staff passwords are hashed with a fast hasher: the real one (PBKDF2, as production runs it) costs
about a quarter of a second per user, which no test is about.

The `clock` fixture is the test's clock, at fixed instants (`tests/support/clock.py`).
"""

from __future__ import annotations

import pytest

from tests.support.clock import clock_fixture  # noqa: F401 - the clock fixture


def pytest_configure(config: pytest.Config) -> None:
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
