"""PostgreSQL stopped under the reception desk, then started again: advice, then one intake.

A PostgreSQL cluster of the test's own (the shared one serves other runs and is never stopped),
the product served by gunicorn as in production (DEBUG off), and reception's browser played by
an HTTP client with cookies: sign in, open the form, the database stops, the EMERGENCY intake is
submitted (the rules' advice, marked NOT SAVED), the database starts, the same form is sent again
(one intake, one case, one alert), and once more (still one).
"""

from __future__ import annotations

import http.cookiejar
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from html import unescape
from pathlib import Path

import psycopg
import pytest
from django.utils import timezone

from clinic.demo import PATIENTS
from tests.integration.outbox_stack import DEADLINE, PROJECT_ROOT, Process, free_port
from tests.integration.private_postgres import (
    PostgresCluster,
    private_postgres,  # noqa: F401 - the private_postgres fixture
)
from tests.test_submit_queries import CSRF_INPUT, form_data

pytestmark = [pytest.mark.postgres]

PASSWORD = "desk-password-for-tests"
EMERGENCY = {p.key: p for p in PATIENTS}["interscapular-pain-sweating-breathless"]
SET_UP = f"""
import django
django.setup()
from django.contrib.auth.models import Group, User
from triage.models import DutySlot
desk = User.objects.create_user("desk", password="{PASSWORD}")
desk.groups.add(Group.objects.get(name="reception"))
olu = User.objects.create_user("olu", email="olu@clinic.example")
olu.groups.add(Group.objects.get(name="clinician"))
for day in range(7):
    DutySlot.objects.create(clinician=olu, weekday=day, starts="00:00", ends="00:00")
# As production requires (governance/): the clinical safety officer signs the release off and
# chooses it before the first intake.
from clinic.roles import Role
from governance import services
officer = User.objects.create_user("safety")
officer.groups.add(Group.objects.get(name=str(Role.SAFETY_OFFICER)))
trial = services.run_trial("2026.1", by=officer)
services.sign_off(version="2026.1", trial=trial, reason="Set-up", lowered_reviewed=True, by=officer)
services.choose(version="2026.1", reason="Set-up", by=officer)
"""


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None  # a 302 is an answer to read, not to follow


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    text: str


class Browser:
    def __init__(self, base: str) -> None:
        self.base = base
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirects()
        )

    def request(self, path: str, data: dict[str, str] | None = None) -> Answer:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        # Only ever http://127.0.0.1:<port> of the test's own server.
        url, headers = self.base + path, {"Referer": self.base}
        request = urllib.request.Request(url, data=body, headers=headers)  # noqa: S310
        try:
            with self.opener.open(request, timeout=30) as response:
                return Answer(response.status, dict(response.headers), response.read().decode())
        except urllib.error.HTTPError as error:
            return Answer(error.code, dict(error.headers), error.read().decode())

    def csrf(self, page: Answer) -> str:
        match = CSRF_INPUT.search(page.text)
        assert match, page.text[:500]
        return match.group(1)


@dataclass
class Site:
    cluster: PostgresCluster
    database_url: str
    url: str
    server: Process

    def rows(self, query: str) -> list[tuple[object, ...]]:
        with psycopg.connect(self.database_url, connect_timeout=5) as connection:
            return connection.execute(query).fetchall()


def _env(database_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "ENV_FILE": "",
        "DJANGO_SETTINGS_MODULE": "clinic.settings",
        "DATABASE_URL": database_url,
        "DEBUG": "false",
        "SECURE_SSL_REDIRECT": "false",
        "SESSION_COOKIE_SECURE": "false",
        "CSRF_COOKIE_SECURE": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_CONNECT_TIMEOUT": "2",
        "CONN_MAX_AGE": "0",
        "CELERY_QUEUE": f"desk-down-{uuid.uuid4().hex[:8]}",  # alerts reach no other test's worker
    }


def _run(env: dict[str, str], *args: str) -> None:
    done = subprocess.run(
        [sys.executable, *args],
        cwd=PROJECT_ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-4000:]


@pytest.fixture
def site(
    tmp_path: Path,
    private_postgres: PostgresCluster,  # noqa: F811 - the fixture imported above
) -> Iterator[Site]:
    database_url = private_postgres.create_database("desk")
    env = _env(database_url)
    _run(env, "manage.py", "migrate", "--noinput")
    _run(env, "-c", SET_UP)
    port = free_port()
    log = tmp_path / "gunicorn.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                *(sys.executable, "-m", "gunicorn", "clinic.wsgi"),
                *(f"--bind=127.0.0.1:{port}", "--workers=1", "--timeout=60"),
            ],
            cwd=PROJECT_ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = Process("gunicorn", process, log)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + DEADLINE
    while True:
        try:
            urllib.request.urlopen(url + "/accounts/login/", timeout=10).close()  # noqa: S310
            break
        except OSError:
            # Refused before gunicorn listens, or no answer yet while its worker warms up (it
            # compiles every template and freezes its heap before its first request:
            # clinic/warmup.py): a read timeout is "not ready yet", not a failure.
            assert time.monotonic() < deadline, server.output()[-4000:]
            time.sleep(0.2)
    try:
        yield Site(private_postgres, database_url, url, server)
    finally:
        server.stop()


def text_of(answer: Answer) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", answer.text)).split())


def test_the_database_stopped_under_the_desk_gives_advice_then_one_intake_when_back(site: Site):
    browser = Browser(site.url)
    login = browser.request("/accounts/login/")
    signed_in = browser.request(
        "/accounts/login/",
        {"username": "desk", "password": PASSWORD, "csrfmiddlewaretoken": browser.csrf(login)},
    )
    assert signed_in.status == 302, text_of(signed_in)[:500]
    form_page = browser.request("/patients/intakes/new/")
    assert form_page.status == 200
    # The clinic's date, as the server reckons the patient's age from the date of birth.
    today = timezone.localdate()
    data = form_data(EMERGENCY, today) | {"csrfmiddlewaretoken": browser.csrf(form_page)}

    site.cluster.stop(mode="fast")
    down = browser.request("/patients/intakes/new/", data)
    assert down.status == 503, site.server.output()[-3000:]
    text = text_of(down)
    assert "NOT SAVED: enter it again when the system is back" in text
    assert "Call 999" in text
    assert "Phone the duty clinician now" in text
    assert f'value="{data["submission_token"]}"' in down.text  # the same submission, kept
    assert f'value="{data["date_of_birth"]}"' in down.text
    queue = browser.request("/patients/")
    assert queue.status == 503 and "The system cannot reach its database" in text_of(queue)

    site.cluster.start()
    site.cluster.wait_until_accepting()
    saved = browser.request("/patients/intakes/new/", data)
    assert saved.status == 302, text_of(saved)[:1000]
    again = browser.request("/patients/intakes/new/", data)
    assert again.status == 302 and again.headers["Location"] == saved.headers["Location"]

    assert site.rows("SELECT count(*) FROM patients_intake") == [(1,)]
    assert site.rows("SELECT count(*) FROM triage_case") == [(1,)]
    alerts = site.rows("SELECT to_email FROM outbox_message WHERE kind = 'clinician_alert'")
    assert alerts == [("olu@clinic.example",)]
