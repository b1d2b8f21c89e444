"""If PostgreSQL restarts mid-dispatch, nothing is lost.

A PostgreSQL cluster and a Redis server of the test's own (the shared ones serve other runs and
are never touched), a real Celery worker and beat on them, and a slow aiosmtpd sink, so that the
restart lands while the worker is part-way through the backlog. The database is migrated and the
messages are queued by subprocesses, as `manage.py` and the web process would; this test uses no
pytest-django database.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

import psycopg
import pytest
from django.conf import settings

from outbox.models import Message
from tests.integration.outbox_stack import (
    DEADLINE,
    PROJECT_ROOT,
    OutboxStack,
    Process,
    RedisServer,
    SlowSmtpSink,
    broker,
)
from tests.integration.private_postgres import (
    PostgresCluster,
    private_postgres,  # noqa: F401 - the private_postgres fixture
)
from tests.support.smtp_sink import SmtpSink

pytestmark = [pytest.mark.postgres, pytest.mark.redis]

COUNT = 300  # messages queued at once: six batches of 50
SINK_DELAY = 0.03  # seconds the sink takes over each message: the backlog lasts ten seconds or so
RESTART_AFTER = 80  # messages arrived when PostgreSQL goes away: inside the second batch
LEASE_SECONDS = "3"  # a claim the restart broke is free to take again soon after
# The worker's solo pool sends one message at a time: all it can have had in hand.
SENDING_AT_ONCE = 1
COMMAND_DEADLINE = 60.0

T = TypeVar("T")

# Queues COUNT clinician alerts in one transaction, as an event in the web process would; the
# transaction's commit hands them to the workers (the on-commit hand-over publishes a task per
# batch of 50 to the broker). Prints {key: Message-ID}.
QUEUE_ALERTS = """
import json, sys

import django

django.setup()

from django.conf import settings
from django.db import transaction

from outbox.models import Message
from outbox.services import Email, Recipient, queue_emails

prefix, count = sys.argv[1], int(sys.argv[2])
with transaction.atomic():
    messages = queue_emails(
        [
            Email(
                key=f"{prefix}.{n}",
                kind=Message.Kind.CLINICIAN_ALERT,
                to=Recipient(email="olu@clinic.example", name="Olu Staff"),
                template="clinician_alert",
                context={
                    "case_ref": n,
                    "case_url": f"{settings.SITE_URL}/triage/cases/{n}/",
                    "clinic_name": settings.CLINIC_NAME,
                    "recipient_name": "Olu Staff",
                },
            )
            for n in range(count)
        ]
    )
print(json.dumps({m.key: m.message_id for m in messages}))
"""


class PrivateDatabaseStack(OutboxStack):
    """The outbox stack on a database of the test's own rather than pytest-django's."""

    def __init__(self, *, tmp_path: Path, redis_url: str, cluster: PostgresCluster) -> None:
        super().__init__(tmp_path=tmp_path, redis_url=redis_url)
        self.cluster = cluster
        self.database_url = cluster.create_database("outbox")

    def env(self, sink: SmtpSink | None, **extra: str) -> dict[str, str]:
        return {
            **os.environ,
            "ENV_FILE": "",
            "DJANGO_SETTINGS_MODULE": "clinic.settings",
            "DATABASE_URL": self.database_url,
            "REDIS_URL": self.redis_url,
            "EMAIL_URL": sink.email_url if sink else "",
            "CELERY_QUEUE": self.queue,
            "SITE_URL": settings.SITE_URL,
            **extra,
        }

    def run(self, *args: str) -> str:
        """Run `python *args` in the project on this stack's database; its output."""
        done = subprocess.run(
            [sys.executable, *args],
            cwd=PROJECT_ROOT,
            env=self.env(None),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=COMMAND_DEADLINE,
            check=False,
        )
        if done.returncode != 0:
            pytest.fail(f"python {args[0]} exited with {done.returncode}:\n{done.stderr[-4000:]}")
        return done.stdout

    def wait_until(self, condition: Callable[[], T], what: str, *, timeout: float = DEADLINE) -> T:
        """As OutboxStack.wait_until, with the cluster's server log when it fails."""
        try:
            return super().wait_until(condition, what, timeout=timeout)
        except pytest.fail.Exception as failed:
            pytest.fail(f"{failed.msg}\n--- postgres:\n{self.cluster.log_tail()}")

    def rows(self) -> dict[str, str] | None:
        """Every message's status by key, read straight from the database; None while the
        database does not answer."""
        query = f"SELECT key, status FROM {Message._meta.db_table}"  # noqa: S608 - a constant
        try:
            with psycopg.connect(self.database_url, connect_timeout=2) as connection:
                return dict(connection.execute(query).fetchall())
        except psycopg.OperationalError:
            return None


@pytest.fixture
def stack(
    tmp_path: Path,
    private_postgres: PostgresCluster,  # noqa: F811 - the fixture imported above
) -> Iterator[PrivateDatabaseStack]:
    """Workers and beat on a private PostgreSQL cluster and a private Redis server."""
    redis_server = RedisServer(tmp_path)
    redis_server.start()
    try:
        stack = PrivateDatabaseStack(
            tmp_path=tmp_path, redis_url=redis_server.url, cluster=private_postgres
        )
        with broker(redis_server.url):  # this process pings the workers there
            try:
                yield stack
            finally:
                stack.close()
    finally:
        redis_server.stop()


def found_the_database_gone(worker: Process) -> bool:
    """Whether a task of the worker's ended with the database gone: Celery logs `Task ...
    raised unexpected: OperationalError(...)` for a task that failed, `Task ... retry: Retry in
    ...: OperationalError(...)` for one that asked to be tried again."""
    return ": OperationalError(" in worker.output()


def test_postgresql_restarting_mid_dispatch_loses_no_message_and_repeats_at_most_the_one_in_hand(
    stack: PrivateDatabaseStack,
):
    stack.run("manage.py", "migrate", "--noinput")
    lease = {"OUTBOX_LEASE_SECONDS": LEASE_SECONDS}

    with SlowSmtpSink(delay=SINK_DELAY) as sink:
        worker = stack.start_worker(sink, **lease)
        stack.start_beat(**lease)
        # Due now: the commit of the queueing transaction hands them to the worker; the
        # dispatcher (beat, every second) is the safety net for whatever that misses.
        expected: dict[str, str] = json.loads(stack.run("-c", QUEUE_ALERTS, "restart", str(COUNT)))
        assert len(expected) == COUNT

        assert len(sink.wait_for(RESTART_AFTER)) >= RESTART_AFTER
        stack.cluster.stop(mode="fast")  # every connection is cut, any open transaction lost
        down_at = len(sink.received)
        assert down_at < COUNT, "the backlog was sent before PostgreSQL went away"
        # The worker finds the database gone: the message in hand goes out over SMTP, then
        # recording it as sent fails, and the task ends with the error.
        stack.wait_until(
            lambda: found_the_database_gone(worker), "the worker to find the database gone"
        )
        restarted_at = time.time()
        stack.cluster.start()

        # Every message arrives, and the database says so: nothing is lost.
        stack.wait_until(
            lambda: (
                set(sink.message_ids()) == set(expected.values())
                and (rows := stack.rows()) is not None
                and set(rows.values()) == {Message.Status.SENT}
            ),
            "every message to arrive and be recorded as sent",
        )

    # The worker came through the restart and sent the rest itself. A task that met the error
    # left no broken connection behind (Django closes a connection whose rollback fails, and
    # Celery's Django fix-up closes one that had errors when a task ends), so the next task
    # connected anew; CONN_HEALTH_CHECKS does the same for a connection that broke while idle.
    assert worker.process.poll() is None, worker.output()[-4000:]
    assert any(r.at > restarted_at for r in sink.received)
    rows = stack.rows()
    assert rows is not None and rows.keys() == expected.keys()

    arrived = Counter(sink.message_ids())
    assert set(arrived) == set(expected.values())
    # What can go twice: a message whose SMTP send succeeded but whose UPDATE to "sent" failed
    # with the connection. Its row stays "sending" under the broken claim; when that claim's
    # lease runs out the dispatcher hands it over again, and it is sent a second time. Any
    # other row is either recorded as sent (never taken again: taking a row locks it and skips
    # a sent one), or was never sent (waiting or taken, and sent once later). The worker fails
    # at its first write after the server went away, so only the message in its hand at that
    # moment can repeat: one per restart for each message the worker sends at once (its solo
    # pool sends one).
    repeated = {message_id: n for message_id, n in arrived.items() if n > 1}
    restarts = 1
    assert len(repeated) <= restarts * SENDING_AT_ONCE, repeated
    assert set(repeated.values()) <= {2}, repeated
