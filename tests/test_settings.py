"""What the environment does to the settings: each case imports them in a fresh process.

The embedded defaults are what `make run` relies on (no server needed); DATABASE_URL, REDIS_URL and
EMAIL_URL are what docker-compose.yml and a deployment set.
"""

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[1]
# What the settings read that this run's environment may carry (tests/services_plugin.py sets some).
CONFIG_KEYS = {
    "DATABASE_URL",
    "REDIS_URL",
    "EMAIL_URL",
    "SECRET_KEY",
    "DEBUG",
    "VAR_DIR",
    "ALLOWED_HOSTS",
    "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "STATICFILES_BACKEND",
    "DJANGO_SETTINGS_MODULE",
}
READ_SETTINGS = """
import json, os
os.environ["DJANGO_SETTINGS_MODULE"] = "clinic.settings"
from django.conf import settings
from clinic.celery import app
db = settings.DATABASES["default"]
print(json.dumps({
    "db_engine": db["ENGINE"], "db_name": str(db["NAME"]), "db_host": db.get("HOST", ""),
    "db_port": db.get("PORT", ""), "db_user": db.get("USER", ""),
    "db_health_checks": db.get("CONN_HEALTH_CHECKS", False),
    "broker": settings.CELERY_BROKER_URL, "app_broker": app.conf.broker_url,
    "broker_options": settings.CELERY_BROKER_TRANSPORT_OPTIONS,
    "email_backend": settings.EMAIL_BACKEND,
    "email_file_path": str(getattr(settings, "EMAIL_FILE_PATH", "")),
    "email_host": settings.EMAIL_HOST, "email_port": settings.EMAIL_PORT,
    "email_user": settings.EMAIL_HOST_USER, "email_use_tls": settings.EMAIL_USE_TLS,
    "debug": settings.DEBUG, "secret_key": settings.SECRET_KEY,
    "ssl_redirect": settings.SECURE_SSL_REDIRECT,
    "session_cookie_secure": settings.SESSION_COOKIE_SECURE,
    "csrf_cookie_secure": settings.CSRF_COOKIE_SECURE,
}))
"""


def load_settings(tmp_path: Path, **env: str) -> dict[str, Any]:
    """The settings a process started with `env` (over a clean configuration) would see."""
    process_env = {
        key: value
        for key, value in os.environ.items()
        if key not in CONFIG_KEYS and not key.startswith("CELERY_")
    }
    process_env |= {"SECRET_KEY": "s" * 64, "DEBUG": "false", "VAR_DIR": str(tmp_path / "var")}
    process_env |= env
    done = subprocess.run(
        [sys.executable, "-c", READ_SETTINGS],
        cwd=PROJECT_ROOT,
        env=process_env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


def test_without_database_url_the_database_is_sqlite_under_var_dir(tmp_path):
    loaded = load_settings(tmp_path)

    assert loaded["db_engine"] == "django.db.backends.sqlite3"
    assert loaded["db_name"] == str(tmp_path / "var" / "clinic.sqlite3")
    assert (tmp_path / "var").is_dir()


def test_an_empty_database_url_is_the_embedded_default_not_an_error(tmp_path):
    loaded = load_settings(tmp_path, DATABASE_URL="")

    assert loaded["db_engine"] == "django.db.backends.sqlite3"
    assert loaded["db_name"] == str(tmp_path / "var" / "clinic.sqlite3")


def test_database_url_switches_to_postgresql(tmp_path):
    loaded = load_settings(tmp_path, DATABASE_URL="postgres://clinic:pw@postgres:5432/clinic")

    assert loaded["db_engine"] == "django.db.backends.postgresql"
    assert (loaded["db_host"], loaded["db_port"], loaded["db_user"], loaded["db_name"]) == (
        "postgres",
        5432,
        "clinic",
        "clinic",
    )
    assert loaded["db_health_checks"] is True


def test_without_redis_url_celery_uses_a_filesystem_broker_under_var_dir(tmp_path):
    loaded = load_settings(tmp_path)

    assert loaded["broker"] == loaded["app_broker"] == "filesystem://"
    queue = str(tmp_path / "var" / "celery" / "queue")
    assert loaded["broker_options"]["data_folder_in"] == queue
    assert loaded["broker_options"]["data_folder_out"] == queue


def test_redis_url_switches_celery_to_redis(tmp_path):
    loaded = load_settings(tmp_path, REDIS_URL="redis://redis:6379/0")

    assert loaded["broker"] == loaded["app_broker"] == "redis://redis:6379/0"


def test_without_email_url_email_is_written_to_files_under_var_dir(tmp_path):
    loaded = load_settings(tmp_path)

    assert loaded["email_backend"] == "django.core.mail.backends.filebased.EmailBackend"
    assert loaded["email_file_path"] == str(tmp_path / "var" / "mail")


@pytest.mark.parametrize(
    ("email_url", "host", "port", "user", "tls"),
    [
        ("smtp://mailpit:1025", "mailpit", 1025, None, False),
        ("smtp+tls://clinic:secret@smtp.example.org:587", "smtp.example.org", 587, "clinic", True),
    ],
)
def test_email_url_switches_to_smtp(tmp_path, email_url, host, port, user, tls):
    loaded = load_settings(tmp_path, EMAIL_URL=email_url)

    assert loaded["email_backend"] == "django.core.mail.backends.smtp.EmailBackend"
    assert (loaded["email_host"], loaded["email_port"]) == (host, port)
    assert loaded["email_user"] == user
    assert loaded["email_use_tls"] is tls


def test_debug_without_secret_key_starts_with_a_demo_key(tmp_path):
    loaded = load_settings(tmp_path, DEBUG="true", SECRET_KEY="")

    assert loaded["debug"] is True
    assert loaded["secret_key"]


def test_with_debug_off_cookies_are_secure_and_http_redirects_to_https(tmp_path):
    loaded = load_settings(tmp_path)

    assert loaded["ssl_redirect"] is True
    assert loaded["session_cookie_secure"] is True
    assert loaded["csrf_cookie_secure"] is True


def test_ssl_redirect_can_be_left_to_a_tls_proxy(tmp_path):
    # docker-compose.yml sets this: TLS ends at the proxy in front of gunicorn.
    loaded = load_settings(tmp_path, SECURE_SSL_REDIRECT="false")

    assert loaded["ssl_redirect"] is False
    assert loaded["session_cookie_secure"] is True
