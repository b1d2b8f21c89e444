"""Finds the real services before Django's settings load, and reports what could not run.

Loaded with `-p tests.services_plugin` (pyproject.toml), so it runs before pytest-django reads
the settings. DATABASE_URL and REDIS_URL win when set; otherwise the local PostgreSQL and Redis
are used when they answer. Tests marked `postgres`, `redis` or `browser` are skipped, and named at
the end of the run, when their service is missing; with REQUIRE_SERVICES=1 a missing service is a
failure instead, never a skip.
"""

from __future__ import annotations

import os
import shutil
import socket
import tempfile
from pathlib import Path

import pytest

LOCAL_POSTGRES = "postgres://postgres@127.0.0.1:5432/test"
LOCAL_REDIS = "redis://127.0.0.1:6379/15"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")

REQUIRED = os.environ.get("REQUIRE_SERVICES", "") not in ("", "0", "false", "no")
SKIP_PREFIX = "service missing: "

# Test-only settings: a throwaway key and plain HTTP for the test client and live server; the
# checkout's local .env (make install writes one for `make run`) is not read by tests.
os.environ["ENV_FILE"] = ""
os.environ.setdefault("SECRET_KEY", "tests-only-not-a-secret-" + "x" * 40)
os.environ.setdefault("DEBUG", "false")
os.environ.setdefault("SECURE_SSL_REDIRECT", "false")
os.environ.setdefault("SESSION_COOKIE_SECURE", "false")
os.environ.setdefault("CSRF_COOKIE_SECURE", "false")
os.environ.setdefault(
    "STATICFILES_BACKEND", "django.contrib.staticfiles.storage.StaticFilesStorage"
)
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API and live_server
os.environ.setdefault("VAR_DIR", tempfile.mkdtemp(prefix="clinic-tests-"))


def _answers(host: str, port: int, probe: bytes = b"", expect: bytes = b"") -> bool:
    try:
        with socket.create_connection((host, port), timeout=2) as sock:
            if probe:
                sock.sendall(probe)
                return sock.recv(64).startswith(expect)
            return True
    except OSError:
        return False


def _find_services() -> dict[str, str]:
    """Which services are missing, and why."""
    missing: dict[str, str] = {}
    if not os.environ.get("DATABASE_URL"):
        if _answers("127.0.0.1", 5432):
            os.environ["DATABASE_URL"] = LOCAL_POSTGRES
        else:
            missing["postgres"] = "no DATABASE_URL and nothing answers on 127.0.0.1:5432"
    elif not os.environ["DATABASE_URL"].startswith(("postgres", "pgsql")):
        missing["postgres"] = f"DATABASE_URL is not PostgreSQL ({os.environ['DATABASE_URL'][:12]}…)"
    if not os.environ.get("REDIS_URL"):
        if _answers("127.0.0.1", 6379, b"PING\r\n", b"+PONG"):
            os.environ["REDIS_URL"] = LOCAL_REDIS
        else:
            missing["redis"] = "no REDIS_URL and no Redis answers on 127.0.0.1:6379"
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        missing["browser"] = f"no Chromium at {CHROMIUM} (make test installs Debian's chromium)"
    return missing


MISSING = _find_services()


def pytest_configure(config: pytest.Config) -> None:
    if REQUIRED and MISSING:
        lines = "; ".join(f"{name}: {why}" for name, why in MISSING.items())
        raise pytest.UsageError(f"REQUIRE_SERVICES=1 but services are missing: {lines}")


def pytest_report_header(config: pytest.Config) -> list[str]:
    database = os.environ.get("DATABASE_URL", "SQLite (embedded)")
    redis = os.environ.get("REDIS_URL", "none")
    return [f"services: database={database.split('@')[-1]} redis={redis.split('@')[-1]}"]


def pytest_runtest_setup(item: pytest.Item) -> None:
    for marker in ("postgres", "redis", "browser"):
        if item.get_closest_marker(marker) and marker in MISSING:
            pytest.skip(f"{SKIP_PREFIX}{marker}: {MISSING[marker]}")


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    counts: dict[str, int] = {}
    for report in terminalreporter.stats.get("skipped", []):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else ""
        if SKIP_PREFIX in reason:
            what = reason.split(SKIP_PREFIX, 1)[1]
            counts[what] = counts.get(what, 0) + 1
    if not counts:
        return
    terminalreporter.section("tests not run: services missing", yellow=True)
    for what, count in sorted(counts.items()):
        terminalreporter.write_line(f"{count} test(s) not run. {what}")
    terminalreporter.write_line(
        "Start PostgreSQL and Redis (or set DATABASE_URL / REDIS_URL) to run them; "
        "REQUIRE_SERVICES=1 turns a missing service into a failure."
    )
