"""Embedded default (`make run`): the same path end to end, with no server; sent mail lands where a
person can read it.

The commands `make run` runs, in a folder of the test's own: `manage.py migrate`, `manage.py
seed_demo`, then a real `celery -A clinic worker` and `celery -A clinic beat`, on SQLite, the
filesystem broker and the file email backend under VAR_DIR. No PostgreSQL, no Redis, no SMTP.
The demo's EMERGENCY and URGENT intakes alert the demo clinician, who is on duty all week; the
alerts go through the outbox like any other mail and are written to VAR_DIR/mail.
"""

from __future__ import annotations

import email
import os
import re
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from email.message import Message as EmailMessage
from email.utils import getaddresses
from pathlib import Path
from typing import TypeVar

import pytest

from clinic.demo import PATIENTS
from clinic.management.commands.seed_demo import DEMO_PROGRAMMES
from tests.integration.outbox_stack import PROJECT_ROOT, Process, free_port
from triage.rules import Urgency

DEADLINE = 60.0  # seconds for anything the test waits on, before it fails with the logs
COMMAND_DEADLINE = 60.0  # seconds for one manage.py command
# The file email backend writes each message, then a line of 79 dashes.
SEPARATOR = re.compile(rb"^-{79}\n", re.MULTILINE)
CLINICIAN = "clinician@clinic.example"
CLINIC_NAME = "Riverside Spine & Posture Clinic"  # the default of settings.CLINIC_NAME
# Words that would tell a reader of the subject line something about the patient's health.
HEALTH_WORDS = ("EMERGENCY", "Emergency", "URGENT", "Urgent", "urgent", "pain", "999", "A&E")

T = TypeVar("T")


class EmbeddedClinic:
    """`make run` in a temporary folder: its environment, commands, worker and beat."""

    def __init__(self, var_dir: Path) -> None:
        self.var_dir = var_dir
        self.site_url = f"http://127.0.0.1:{free_port()}"
        self.processes: list[Process] = []

    @property
    def mail_dir(self) -> Path:
        return self.var_dir / "mail"

    def env(self) -> dict[str, str]:
        """What `make run` sets, and nothing of this test run's own services: no REDIS_URL (the
        filesystem broker), no EMAIL_URL (the file backend), SQLite under VAR_DIR."""
        return {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": os.environ.get("HOME", "/root"),
            "LANG": "C.UTF-8",
            "DJANGO_SETTINGS_MODULE": "clinic.settings",
            "ENV_FILE": "",  # the checkout's .env is `make run`'s own; the test sets its values
            "DEBUG": "true",
            "VAR_DIR": str(self.var_dir),
            "DATABASE_URL": f"sqlite:///{self.var_dir / 'clinic.sqlite3'}",
            "SITE_URL": self.site_url,
            "OUTBOX_DISPATCH_SECONDS": "1",
        }

    def manage(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=PROJECT_ROOT,
            env=self.env(),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=COMMAND_DEADLINE,
            check=False,
        )
        if done.returncode != 0:
            pytest.fail(
                f"manage.py {' '.join(args)} exited with {done.returncode}:\n"
                f"{done.stdout[-2000:]}{done.stderr[-4000:]}"
            )
        return done.stdout

    def start(self, name: str, *args: str) -> Process:
        """`celery -A clinic <args>` in a process group of its own."""
        log = self.var_dir / f"{name}.log"
        with log.open("wb") as out:
            popen = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "clinic", *args, "--loglevel=INFO"],
                cwd=PROJECT_ROOT,
                env=self.env(),
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        process = Process(name=name, process=popen, log=log)
        self.processes.append(process)
        return process

    def start_worker(self) -> Process:
        # As scripts/run-embedded starts it: the default (prefork) pool, one child.
        name = f"embedded-{uuid.uuid4().hex[:8]}"
        return self.start(name, "worker", "--concurrency=1", f"--hostname={name}@%h")

    def start_beat(self) -> Process:
        return self.start("beat", "beat", f"--pidfile={self.var_dir / 'beat.pid'}")

    def wait_until(self, condition: Callable[[], T], what: str) -> T:
        """Poll `condition` until it returns something true; fail with the logs at the deadline."""
        deadline = time.monotonic() + DEADLINE
        while True:
            value = condition()
            if value:
                return value
            for process in self.processes:
                if process.process.poll() is not None:
                    pytest.fail(f"{process.name} exited while waiting for {what}:\n{self.logs()}")
            if time.monotonic() > deadline:
                pytest.fail(f"waited {DEADLINE:.0f}s for {what}\n{self.logs()}")
            time.sleep(0.2)

    def logs(self) -> str:
        return "\n".join(f"--- {p.name}:\n{p.output()[-4000:]}" for p in self.processes)

    def mail(self) -> list[EmailMessage]:
        """Every message written to the mail folder so far. A file holds the messages sent over
        one connection, each followed by the separator line; a message still being written has
        no separator yet and is left for the next look."""
        messages = []
        for path in sorted(self.mail_dir.glob("*.log")):
            *written, _rest = SEPARATOR.split(path.read_bytes())
            messages.extend(email.message_from_bytes(raw) for raw in written)
        return messages

    def stop(self) -> None:
        for process in self.processes:  # all at once: each warm shutdown takes a moment
            process.terminate()
        for process in self.processes:
            process.wait()


@pytest.fixture
def clinic(tmp_path: Path) -> Iterator[EmbeddedClinic]:
    embedded = EmbeddedClinic(tmp_path / "var")
    try:
        yield embedded
    finally:
        embedded.stop()


def status_counts(status: str) -> dict[str, int]:
    """`manage.py outbox status` counts by status label ("Sent", "Waiting", ..., "All")."""
    return {
        label: int(count)
        for label, count in re.findall(r"^(\w[\w ]*?)\s+(\d+)$", status, re.MULTILINE)
    }


def test_make_run_sends_the_demo_alerts_to_files_a_person_can_read_with_no_server(
    clinic: EmbeddedClinic,
):
    alerted = [p for p in PATIENTS if p.expected in (Urgency.EMERGENCY, Urgency.URGENT)]
    assert alerted, "the demo has EMERGENCY and URGENT patients"
    # The alerts, and the programme email of each demo patient already on a programme.
    emails = len(alerted) + len(DEMO_PROGRAMMES)

    clinic.manage("migrate", "--noinput")
    seeded = clinic.manage("seed_demo")
    assert f"{len(PATIENTS)} added" in seeded
    clinic.start_worker()
    clinic.start_beat()

    # The alerts were handed to the filesystem broker when seed_demo committed; the worker
    # takes them, and beat's dispatcher (every second) brings anything that was missed.
    clinic.wait_until(lambda: len(clinic.mail()) >= emails, "the emails in the mail folder")
    counts = clinic.wait_until(
        lambda: (
            counts
            if (counts := status_counts(clinic.manage("outbox", "status")))["Sent"] == emails
            else None
        ),
        "`outbox status` to show every email sent",
    )

    # Nothing waiting, being sent, failing or dead: every message there is has been sent.
    assert counts == {
        "Waiting": 0,
        "Sending": 0,
        "Sent": emails,
        "Failed for now": 0,
        "Dead": 0,
        "Cancelled": 0,
        "All": emails,
    }
    everything = clinic.mail()
    assert len(everything) == emails
    message_ids = Counter(message["Message-ID"] for message in everything)
    assert all(message_ids) and set(message_ids.values()) == {1}, message_ids
    # The programme emails go to the patients (one in German), the alerts to the clinician.
    programmes = [m for m in everything if CLINICIAN not in str(m["To"])]
    assert len(programmes) == len(DEMO_PROGRAMMES)
    assert all(m["List-Unsubscribe"] for m in programmes)
    mail = [m for m in everything if m not in programmes]

    patient_words = {word for p in alerted for word in (p.given_name, p.family_name)}
    patient_words |= {p.nhs_number for p in alerted if p.nhs_number}
    cases = set()
    for message in mail:
        [(_, to)] = getaddresses(message.get_all("To", []))
        assert to == CLINICIAN
        subject = str(message["Subject"])
        match = re.fullmatch(rf"{re.escape(CLINIC_NAME)}: case (\d+) needs a clinician", subject)
        assert match, subject
        for word in (*HEALTH_WORDS, *patient_words):
            assert word not in subject, f"{word!r} in the subject {subject!r}"
        cases.add(match[1])
        # A link to the case on the site `make run` serves, for a person to follow.
        plain = next(p for p in message.walk() if p.get_content_type() == "text/plain")
        body = plain.get_payload(decode=True).decode(plain.get_content_charset() or "utf-8")
        assert f"{clinic.site_url}/triage/cases/{match[1]}/" in body
    assert len(cases) == len(alerted)  # one alert for each case, none twice
