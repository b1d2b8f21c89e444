"""Real processes for integration tests: a Celery worker on the real Redis broker.

`celery_worker` gives a test a worker process that consumes only its own queue, so parallel xdist
workers and other runs on the same Redis never take each other's tasks. `start_celery_worker`
starts more, or one with extra environment (for example a DATABASE_URL naming the test
database). Every worker started here is stopped when its test ends: terminated, then killed.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import redis
from celery.backends.redis import RedisBackend

from clinic.celery import app

PROJECT_ROOT = Path(__file__).resolve().parents[2]
READY_DEADLINE = 30.0  # seconds for a worker to answer a control ping after it starts
RESULT_DEADLINE = 30.0  # seconds for a task sent to a ready worker to come back with its result
STOP_GRACE = 10.0  # seconds for a warm shutdown before the worker is killed


@dataclass
class CeleryWorker:
    """A running `celery -A clinic worker` process that consumes only `queue`."""

    hostname: str
    queue: str
    process: subprocess.Popen[bytes]
    log: Path
    redis_url: str
    _backend: RedisBackend | None = field(default=None, repr=False)

    def run(
        self, name: str, args: tuple[Any, ...] = (), kwargs: dict[str, Any] | None = None
    ) -> Any:
        """Send task `name` to this worker's queue and return what the worker's run of it returned.

        The project ignores task results (CELERY_TASK_IGNORE_RESULT). This worker is started with a
        result backend on the same Redis, and the message asks for its result, so the value read
        back here can only come from the worker having run the task.
        """
        if self._backend is None:
            self._backend = RedisBackend(app=app, url=self.redis_url)
        sent = app.send_task(
            name, args=args, kwargs=kwargs or {}, queue=self.queue, ignore_result=False
        )
        result = app.AsyncResult(sent.id, backend=self._backend)
        try:
            return result.get(timeout=RESULT_DEADLINE)
        finally:
            result.forget()

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()  # SIGTERM: a warm shutdown finishes the task in hand
            try:
                self.process.wait(timeout=STOP_GRACE)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=STOP_GRACE)

    def forget_queue(self) -> None:
        """Remove this worker's queue and its binding from Redis: they were its alone."""
        if self._backend is not None:
            self._backend.client.close()
        client = redis.Redis.from_url(self.redis_url)
        try:
            for queue in (self.queue, f"{self.queue}.urgent"):
                client.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")
        finally:
            client.close()


def _wait_until_ready(worker: CeleryWorker) -> None:
    deadline = time.monotonic() + READY_DEADLINE
    while time.monotonic() < deadline:
        if worker.process.poll() is not None:
            pytest.fail(
                f"Celery worker exited with {worker.process.returncode} before it was ready:\n"
                f"{worker.output()}"
            )
        if app.control.ping(destination=[worker.hostname], timeout=0.5):
            return
    pytest.fail(
        f"Celery worker {worker.hostname} did not answer a ping within {READY_DEADLINE:.0f}s:\n"
        f"{worker.output()}"
    )


@pytest.fixture
def start_celery_worker(tmp_path: Path) -> Iterator[Callable[..., CeleryWorker]]:
    """Start real Celery workers, each on a queue of its own; all are stopped at teardown."""
    redis_url = os.environ.get("REDIS_URL", "")
    if not redis_url:
        pytest.fail("a Celery worker needs REDIS_URL: mark the test @pytest.mark.redis")
    started: list[CeleryWorker] = []

    def start(extra_env: Mapping[str, str] | None = None) -> CeleryWorker:
        name = f"test-{uuid.uuid4().hex[:12]}"
        env = {**os.environ, "CELERY_RESULT_BACKEND": redis_url, **(extra_env or {})}
        log = tmp_path / f"{name}.log"
        with log.open("wb") as out:
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "clinic",
                    "worker",
                    "--pool=solo",
                    "--concurrency=1",
                    f"--queues={name}.urgent,{name}",
                    f"--hostname={name}@%h",
                    # No talk with other workers on the same Redis: start-up stays quick.
                    "--without-mingle",
                    "--without-gossip",
                    "--without-heartbeat",
                    "--loglevel=INFO",
                ],
                cwd=PROJECT_ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        worker = CeleryWorker(
            hostname=f"{name}@{socket.gethostname()}",
            queue=name,
            process=process,
            log=log,
            redis_url=redis_url,
        )
        started.append(worker)
        _wait_until_ready(worker)
        return worker

    try:
        yield start
    finally:
        for worker in started:
            worker.stop()
        for worker in started:
            worker.forget_queue()


@pytest.fixture
def celery_worker(start_celery_worker: Callable[..., CeleryWorker]) -> CeleryWorker:
    """A running Celery worker, ready for tasks sent to `celery_worker.queue`."""
    return start_celery_worker()
