"""A production-like environment passes Django's deployment checks; a missing key stops start-up.

Each case runs manage.py in its own process with an environment built here, not the one
tests/services_plugin.py gives this test run (a test key, plain HTTP, plain static storage).
"""

import os
import secrets
import subprocess
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
# Everything the settings read that this run's environment may carry.
CONFIG_KEYS = {
    "DATABASE_URL",
    "REDIS_URL",
    "EMAIL_URL",
    "ALLOW_PLAIN_SMTP_FOR_LETTERS",
    "SECRET_KEY",
    "DEBUG",
    "VAR_DIR",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_PRELOAD",
    "STATICFILES_BACKEND",
    "DJANGO_SETTINGS_MODULE",
    "DJANGO_ALLOW_ASYNC_UNSAFE",  # for Playwright and live_server only; the deploy check refuses it
}


def manage(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    process_env = {
        key: value
        for key, value in os.environ.items()
        if key not in CONFIG_KEYS and not key.startswith("CELERY_")
    }
    process_env |= {"VAR_DIR": str(tmp_path / "var"), **env}
    return subprocess.run(
        [sys.executable, str(PROJECT_ROOT / "manage.py"), *args],
        cwd=PROJECT_ROOT,
        env=process_env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def production_env(tmp_path: Path) -> dict[str, str]:
    return {
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "clinic.example.org",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'clinic.sqlite3'}",
        "REDIS_URL": "redis://redis.invalid:6379/0",
        "EMAIL_URL": "smtp+tls://mail.invalid:587",  # letters with health data need TLS
        "SECURE_SSL_REDIRECT": "true",
        "SESSION_COOKIE_SECURE": "true",
        "CSRF_COOKIE_SECURE": "true",
    }


def test_production_settings_pass_the_deployment_checks(tmp_path):
    done = manage(
        tmp_path, "check", "--deploy", "--fail-level", "WARNING", **production_env(tmp_path)
    )

    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout


def test_the_deployment_checks_name_plain_smtp_for_letters(tmp_path):
    plain = production_env(tmp_path) | {"EMAIL_URL": "smtp://mail.invalid:25"}

    held = manage(tmp_path, "check", "--deploy", **plain)
    allowed = manage(
        tmp_path, "check", "--deploy", **(plain | {"ALLOW_PLAIN_SMTP_FOR_LETTERS": "true"})
    )

    assert "outbox.W002" in held.stderr + held.stdout
    assert "referral letters will be held" in held.stderr + held.stdout
    assert "outbox.W001" in allowed.stderr + allowed.stdout


def test_debug_off_without_secret_key_refuses_to_start(tmp_path):
    env = production_env(tmp_path)
    del env["SECRET_KEY"]

    done = manage(tmp_path, "check", **env)

    assert done.returncode != 0
    assert "SECRET_KEY is not set" in done.stderr
    assert "SECRET_KEY environment variable" in done.stderr


def test_debug_off_with_an_empty_secret_key_refuses_to_start(tmp_path):
    done = manage(tmp_path, "check", **(production_env(tmp_path) | {"SECRET_KEY": ""}))

    assert done.returncode != 0
    assert "SECRET_KEY is not set" in done.stderr
