"""The real stack the outbox's integration tests run on, and the people and intakes they need.

`outbox_stack` gives a test a queue of its own on the real Redis: this process's Celery app
publishes to it for the length of the test, and the workers and beat the test starts consume it.
They run `celery -A clinic` on the test's own database (xdist gives each process its own) and send
to the test's SMTP sink. `private_redis_stack` does the same on a Redis server of the test's own,
which the test may stop and start without disturbing anything else.

Nothing here sleeps blindly: `OutboxStack.wait_until` polls a condition up to a deadline and, when
it is not met, fails with what the processes logged.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from datetime import time as clock_time
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

import pytest
import redis
from aiosmtpd.controller import Controller
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.db import connection, transaction
from kombu import pools

from clinic import celery_app
from clinic.roles import Role
from outbox.models import Message
from outbox.services import Email, Recipient, queue_emails
from patients.models import Intake
from patients.services import PatientDetails, submit_intake
from tests.rules.answers import answers
from tests.support.smtp_sink import SmtpSink
from triage.models import DutySlot, Weekday

PROJECT_ROOT = Path(__file__).resolve().parents[2]
READY_DEADLINE = 30.0  # seconds for a worker to answer a ping after it starts
DEADLINE = 60.0  # seconds for anything a test waits on, before it fails with the logs
STOP_GRACE = 10.0  # seconds for a warm shutdown before the process group is killed

T = TypeVar("T")


def database_url() -> str:
    """The URL of the database this test runs on (the test database, e.g. test_test_gw0)."""
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Process:
    """A `celery -A clinic` worker or beat, in a process group of its own."""

    name: str
    process: subprocess.Popen[bytes]
    log: Path

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def kill(self) -> None:
        """SIGKILL the whole process group: no warm shutdown, nothing acked or given back."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=STOP_GRACE)

    def logged(self, text: str) -> bool:
        return text in self.output()

    def stop(self) -> None:
        self.terminate()
        self.wait()

    def terminate(self) -> None:
        """Ask for a warm shutdown (SIGTERM): a worker finishes the task in hand first."""
        if self.process.poll() is None:
            self.process.terminate()

    def wait(self) -> None:
        """Wait for the process to end; SIGKILL its group if that takes too long."""
        try:
            self.process.wait(timeout=STOP_GRACE)
        except subprocess.TimeoutExpired:
            self.kill()


class OutboxStack:
    """Workers and beat for one test, on the test's own queue and database."""

    def __init__(self, *, tmp_path: Path, redis_url: str) -> None:
        self.tmp_path = tmp_path
        self.redis_url = redis_url
        self.queue = f"outbox-test-{uuid.uuid4().hex[:12]}"
        self.processes: list[Process] = []

    def env(self, sink: SmtpSink | None, **extra: str) -> dict[str, str]:
        return {
            **os.environ,
            "ENV_FILE": "",
            "DATABASE_URL": database_url(),
            "REDIS_URL": self.redis_url,
            "EMAIL_URL": sink.email_url if sink else "",
            "CELERY_QUEUE": self.queue,
            "SITE_URL": settings.SITE_URL,
            **extra,
        }

    def start_worker(self, sink: SmtpSink, **env: str) -> Process:
        """A worker consuming this test's queue and sending to `sink`, one task at a time (the
        solo pool); ready when returned."""
        name = f"outbox-{uuid.uuid4().hex[:12]}"
        worker = self._start(
            name,
            [
                "worker",
                "--pool=solo",
                f"--queues={self.queue}.urgent,{self.queue}",
                f"--hostname={name}@%h",
                # No talk with other workers on the same Redis: start-up stays quick.
                "--without-mingle",
                "--without-gossip",
                "--without-heartbeat",
            ],
            self.env(sink, **env),
        )
        hostname = f"{name}@{socket.gethostname()}"
        self.wait_until(
            lambda: celery_app.control.ping(destination=[hostname], timeout=0.5),
            f"worker {hostname} to answer a ping",
            timeout=READY_DEADLINE,
        )
        return worker

    def start_beat(self, **env: str) -> Process:
        """Celery beat, sending the dispatcher to this test's queue every second."""
        name = f"beat-{uuid.uuid4().hex[:12]}"
        return self._start(
            name,
            [
                "beat",
                f"--schedule={self.tmp_path / name}-schedule",
                f"--pidfile={self.tmp_path / name}.pid",
            ],
            self.env(
                None,
                **{
                    "OUTBOX_DISPATCH_SECONDS": "1",
                    # The escalation check is the escalation tests' to run, when they choose
                    # (unless the test gives beat its own interval for it).
                    "ESCALATION_CHECK_SECONDS": "3600",
                    **env,
                },
            ),
        )

    def _start(self, name: str, args: list[str], env: dict[str, str]) -> Process:
        log = self.tmp_path / f"{name}.log"
        with log.open("wb") as out:
            popen = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "clinic", *args, "--loglevel=INFO"],
                cwd=PROJECT_ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group, so a kill takes its children
            )
        process = Process(name=name, process=popen, log=log)
        self.processes.append(process)
        return process

    def wait_until(self, condition: Callable[[], T], what: str, *, timeout: float = DEADLINE) -> T:
        """Poll `condition` until it returns something true; fail with the logs at the deadline."""
        deadline = time.monotonic() + timeout
        while True:
            value = condition()
            if value:
                return value
            if time.monotonic() > deadline:
                logs = "\n".join(f"--- {p.name}:\n{p.output()[-4000:]}" for p in self.processes)
                pytest.fail(f"waited {timeout:.0f}s for {what}\n{logs}")
            time.sleep(0.05)

    def close(self) -> None:
        for process in self.processes:  # all at once: each warm shutdown takes a second or so
            process.terminate()
        for process in self.processes:
            process.wait()
        self._forget_queue()

    def _forget_queue(self) -> None:
        """Remove this test's queue from Redis, with any task a killed worker left unacked
        there (Redis would hand it back to the queue an hour later)."""
        client = redis.Redis.from_url(self.redis_url)
        try:
            queues = (self.queue, f"{self.queue}.urgent")
            for tag, raw in client.hscan_iter("unacked"):
                if json.loads(raw)[2] in queues:  # [message, exchange, routing key]
                    client.pipeline().hdel("unacked", tag).zrem("unacked_index", tag).execute()
            for queue in queues:
                client.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")
        except redis.ConnectionError:
            pass  # a test's own Redis, already stopped: nothing of the queue is left
        finally:
            client.close()


@contextlib.contextmanager
def tasks_published_to(queue: str) -> Iterator[None]:
    """Tasks this process publishes go to `queue` (CELERY_QUEUE in the workers)."""
    saved = celery_app.conf.task_default_queue
    celery_app.conf.task_default_queue = queue
    try:
        yield
    finally:
        celery_app.conf.task_default_queue = saved


@contextlib.contextmanager
def broker(url: str) -> Iterator[None]:
    """This process's Celery app publishes to, and pings workers on, the broker at `url`, over
    fresh connection pools; the app's own broker and pools come back afterwards."""
    amqp = celery_app.amqp
    saved = (celery_app.conf.broker_url, celery_app._pool, amqp._producer_pool)
    celery_app.conf.broker_url = url
    celery_app._pool = amqp._producer_pool = None
    try:
        yield
    finally:
        for pool in (amqp._producer_pool, celery_app._pool):
            if pool is not None:
                pool.force_close_all()
        # kombu keeps one pool per broker for the whole process; these were the test's.
        key = celery_app.connection_for_write()
        for group in (pools.producers, pools.connections):
            with contextlib.suppress(KeyError):
                del group[key]
        celery_app.conf.broker_url, celery_app._pool, amqp._producer_pool = saved


class RedisServer:
    """A redis-server of the test's own on a free port, without persistence: stopping and
    starting it again is a broker outage that loses everything Redis held."""

    def __init__(self, tmp_path: Path) -> None:
        self.port = free_port()
        self.dir = tmp_path
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        log = (self.dir / f"redis-{self.port}.log").open("ab")
        with log:
            self.process = subprocess.Popen(
                [
                    "redis-server",
                    "--port", str(self.port),
                    "--bind", "127.0.0.1",
                    "--save", "",
                    "--appendonly", "no",
                    "--daemonize", "no",
                    "--dir", str(self.dir),
                ],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
            )  # fmt: skip
        deadline = time.monotonic() + READY_DEADLINE
        client = redis.Redis(port=self.port, socket_connect_timeout=0.5)
        try:
            while True:
                with contextlib.suppress(redis.ConnectionError):
                    if client.ping():
                        return
                if self.process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"redis-server on port {self.port} did not start")
                time.sleep(0.05)
        finally:
            client.close()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=STOP_GRACE)


# Test modules import these under their function names; tests ask for them by fixture name.
@pytest.fixture(name="outbox_stack")
def outbox_stack_fixture(tmp_path: Path) -> Iterator[OutboxStack]:
    """Workers and beat on a queue of this test's own, on the real Redis."""
    redis_url = os.environ.get("REDIS_URL", "")
    if not redis_url:
        pytest.fail("the outbox stack needs REDIS_URL: mark the test @pytest.mark.redis")
    stack = OutboxStack(tmp_path=tmp_path, redis_url=redis_url)
    with tasks_published_to(stack.queue):
        try:
            yield stack
        finally:
            stack.close()


@pytest.fixture(name="private_redis_stack")
def private_redis_stack_fixture(tmp_path: Path) -> Iterator[tuple[OutboxStack, RedisServer]]:
    """The outbox stack on a Redis server of this test's own, which the test may stop."""
    server = RedisServer(tmp_path)
    server.start()
    stack = OutboxStack(tmp_path=tmp_path, redis_url=server.url)
    try:
        with broker(server.url), tasks_published_to(stack.queue):
            try:
                yield stack, server
            finally:
                stack.close()
    finally:
        server.stop()


class SlowSmtpSink(SmtpSink):
    """An SMTP sink that takes `delay` seconds over each message before accepting it, so a test
    can catch a worker part-way through a batch."""

    def __init__(self, *, delay: float, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._controller = Controller(
            _SlowHandler(self, delay), hostname="127.0.0.1", port=self.port
        )


@dataclass
class _SlowHandler:
    sink: SmtpSink
    delay: float

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        await asyncio.sleep(self.delay)
        return self.sink._accept(envelope)


# People and intakes. A transactional test flushes the tables afterwards, the groups the role
# migrations made among them, so each helper makes the group it needs.


def staff(username: str, role: Role, *, email: str = "", on_duty: bool = False) -> User:
    user = User.objects.create_user(
        username, email=email, first_name=username.title(), last_name="Staff"
    )
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    if on_duty:
        # On duty around the clock all week (an end at the start runs past midnight), so a test
        # running across midnight still finds them on the rota.
        DutySlot.objects.bulk_create(
            DutySlot(clinician=user, weekday=day, starts=clock_time(0), ends=clock_time(0))
            for day in Weekday
        )
    return user


def submit_emergency(
    *, entered_by: User, given_name: str = "Maria", family_name: str = "Okafor"
) -> Intake:
    """Reception submits an intake that triages EMERGENCY (a change in bladder or bowel
    control) for the patient of this name."""
    return submit_intake(
        details=PatientDetails(
            given_name=given_name,
            family_name=family_name,
            date_of_birth=date(1968, 4, 2),
            sex="F",
            email=f"{given_name}.{family_name}@example.org".lower(),
        ),
        answers=answers(bladder_or_bowel_change=True),
        entered_by=entered_by,
    )


def queue_alerts(*keys: str, to: str = "olu@clinic.example") -> list[Message]:
    """Queue clinician alerts under these keys, for no case in particular, as the outbox's own
    tests need; they are handed to the workers when the transaction commits."""
    with transaction.atomic():
        return queue_emails(
            [
                Email(
                    key=key,
                    kind=Message.Kind.CLINICIAN_ALERT,
                    to=Recipient(email=to, name="Olu Staff"),
                    template="clinician_alert",
                    context={
                        "case_ref": ref,
                        "case_url": f"{settings.SITE_URL}/triage/cases/{ref}/",
                        "clinic_name": settings.CLINIC_NAME,
                        "recipient_name": "Olu Staff",
                    },
                )
                for ref, key in enumerate(keys, start=1)
            ]
        )
