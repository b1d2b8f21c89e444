"""Real processes for the outbox benchmarks: a private redis-server, Celery workers and beat.

Every process is started in a session (and so a process group) of its own, writes its output to a
log file under the run's directory, and is stopped by its process id: SIGTERM, then SIGKILL to its
group if it does not go. Nothing here touches the machine's own Redis or any process it did not
start.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
READY_DEADLINE = 60.0  # seconds for a worker to say it is ready (Django and Celery import slowly)
STOP_GRACE = 10.0  # seconds for a warm shutdown before the group is killed


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def exit_on_sigterm() -> None:
    """Turn SIGTERM (a `timeout`, a CI runner giving up) into SystemExit, so that the benchmark's
    finally blocks still stop what it started and drop its database."""
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _group_members(pgid: int) -> list[int]:
    """The live processes of a process group, read from /proc."""
    members = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        # The command name (field 2) may hold spaces; the fields after its ")" are plain.
        fields = stat.rsplit(")", 1)[1].split()
        state, group = fields[0], int(fields[2])
        if group == pgid and state != "Z":
            members.append(int(entry))
    return members


class Process:
    """One started command in its own process group, its output in `log_path`."""

    def __init__(self, name: str, argv: list[str], env: Mapping[str, str], log_path: Path) -> None:
        self.name = name
        self.argv = argv
        self.env = dict(env)
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log_path.open("ab") as out:
            self.process = subprocess.Popen(
                self.argv,
                cwd=ROOT,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: a kill takes its children too
            )

    @property
    def pid(self) -> int:
        assert self.process is not None, f"{self.name} was never started"
        return self.process.pid

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def output(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def kill(self) -> list[int]:
        """SIGKILL to the whole process group; returns the ids of the processes it held."""
        if self.process is None:
            return []
        members = _group_members(self.process.pid)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=STOP_GRACE)
        self._reap_group()
        return members

    def stop(self) -> None:
        """SIGTERM (a warm shutdown), then SIGKILL to the group if it does not end in time."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=STOP_GRACE)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)  # stragglers: pool children
        if self.process.poll() is None:
            self.process.wait(timeout=STOP_GRACE)
        self._reap_group()

    def _reap_group(self) -> None:
        """Wait until no process of the group is left (children die just after their parent)."""
        assert self.process is not None
        deadline = time.monotonic() + STOP_GRACE
        while _group_members(self.process.pid) and time.monotonic() < deadline:
            time.sleep(0.02)


class RedisServer:
    """A private redis-server on a loopback port, nothing saved to disk. `restart()` stops it and
    starts it again on the same port: everything it held (queued tasks) is gone, as after a crash
    of a Redis without persistence."""

    def __init__(self, workdir: Path, port: int | None = None) -> None:
        if shutil.which("redis-server") is None:
            raise SystemExit("redis-server is not on PATH: the outbox benchmarks start their own")
        self.port = port or free_port()
        self.workdir = workdir
        self.starts = 0
        self._process: Process | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.starts += 1
        argv = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--dir", str(self.workdir),
                "--daemonize", "no"]  # fmt: skip
        self._process = Process(
            "redis", argv, os.environ, self.workdir / f"redis-{self.starts}.log"
        )
        self._process.start()
        deadline = time.monotonic() + 10
        while not self.answers():
            if not self._process.running():
                raise SystemExit(f"redis-server exited:\n{self._process.output()}")
            if time.monotonic() > deadline:
                raise SystemExit(f"redis-server did not answer on {self.port}")
            time.sleep(0.02)

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        if self._process is not None:
            self._process.stop()
            self._process = None

    def restart(self) -> None:
        self.stop()
        self.start()


class CeleryWorker(Process):
    """`celery -A clinic worker` on one queue. `pool_processes` are the processes that run tasks
    (and so may hold a message in flight): the main process for the solo pool, the children for
    prefork."""

    READY = re.compile(rb"\bready\.")

    def __init__(
        self,
        name: str,
        env: Mapping[str, str],
        workdir: Path,
        *,
        queue: str,
        pool: str = "prefork",
        concurrency: int = 2,
    ) -> None:
        self.starts = 0
        self.pool = pool
        self.concurrency = concurrency
        argv = [sys.executable, "-m", "celery", "-A", "clinic", "worker",
                f"--pool={pool}", f"--concurrency={concurrency}", f"--queues={queue}.urgent,{queue}",
                f"--hostname={name}@%h", "--without-mingle", "--without-gossip",
                "--without-heartbeat", "--loglevel=INFO"]  # fmt: skip
        super().__init__(name, argv, env, workdir / f"{name}.log")

    def start(self) -> None:
        self.starts += 1
        with self.log_path.open("ab") as out:
            out.write(f"\n=== start {self.starts} at {time.time():.3f}\n".encode())
        self._log_offset = self.log_path.stat().st_size
        super().start()

    def is_ready(self) -> bool:
        """Whether this start of the worker has said it is ready (it consumes from now on)."""
        with self.log_path.open("rb") as log_file:
            log_file.seek(self._log_offset)
            ready = bool(self.READY.search(log_file.read()))
        if not ready and not self.running():
            raise SystemExit(f"worker {self.name} exited before it was ready:\n{self.tail()}")
        return ready

    def wait_ready(self, timeout: float = READY_DEADLINE) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.is_ready():
                return
            time.sleep(0.05)
        raise SystemExit(f"worker {self.name} not ready after {timeout:.0f}s:\n{self.tail()}")

    def pool_processes(self) -> list[int]:
        if not self.running():
            return []
        if self.pool == "solo":
            return [self.pid]
        return [pid for pid in _group_members(self.pid) if pid != self.pid]

    def tail(self, lines: int = 40) -> str:
        return "\n".join(self.output().splitlines()[-lines:])


class CeleryBeat(Process):
    """`celery -A clinic beat` with its schedule file in the run's directory."""

    def __init__(self, env: Mapping[str, str], workdir: Path) -> None:
        argv = [sys.executable, "-m", "celery", "-A", "clinic", "beat",
                f"--schedule={workdir / 'beat-schedule'}", "--max-interval=1",
                "--loglevel=INFO"]  # fmt: skip
        super().__init__("beat", argv, env, workdir / "beat.log")

    def dispatches(self) -> int:
        """How many times beat has sent the outbox's dispatch entry so far."""
        return self.output().count("Sending due task outbox-dispatch")


def celery_env(
    *,
    database_url: str,
    redis_url: str,
    email_url: str,
    queue: str,
    var_dir: Path,
    dispatch_seconds: float,
    extra: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """The environment of a worker or beat of a benchmark: production settings (DEBUG off) on
    the benchmark's database, private Redis, SMTP sink and queue; no .env file read."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "EMAIL_URL": email_url,
        "CELERY_QUEUE": queue,
        "ENV_FILE": "",
        "DEBUG": "false",
        "SECRET_KEY": os.environ.get("SECRET_KEY") or "bench-only-not-a-secret-" + "x" * 40,
        "SECURE_SSL_REDIRECT": "false",
        "VAR_DIR": str(var_dir),
        "OUTBOX_DISPATCH_SECONDS": f"{dispatch_seconds:g}",
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
        **(extra or {}),
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)  # clinic/celery.py sets it
    return env


def start_outbox_stack(
    stack: contextlib.ExitStack,
    *,
    name: str,
    database_url: str,
    redis: RedisServer,
    email_url: str,
    queue: str,
    workdir: Path,
    concurrency: int,
    dispatch_seconds: float,
) -> tuple[CeleryWorker, CeleryBeat]:
    """A private Redis, a real worker and beat for a benchmark; all stopped when `stack` closes."""
    redis.start()
    stack.callback(redis.stop)
    env = celery_env(
        database_url=database_url,
        redis_url=redis.url,
        email_url=email_url,
        queue=queue,
        var_dir=workdir / "var",
        dispatch_seconds=dispatch_seconds,
    )
    worker = CeleryWorker(name, env, workdir, queue=queue, concurrency=concurrency)
    worker.start()
    stack.callback(worker.stop)
    beat = CeleryBeat(env, workdir)
    beat.start()
    stack.callback(beat.stop)
    worker.wait_ready()
    log(f"worker ready ({len(worker.pool_processes())} pool processes), beat started")
    return worker, beat


def run_with_throwaway_database(
    db_prefix: str,
    run: Callable[[contextlib.ExitStack, str], dict[str, Any]],
    *,
    redis: RedisServer,
    workdir: Path,
) -> dict[str, Any]:
    """Run a benchmark on a throwaway database; everything it started is stopped, and its run
    directory removed (kept with BENCH_KEEP_LOGS=1), whatever happens."""
    from _common import throwaway_database

    try:
        with contextlib.ExitStack() as stack:
            db_name = stack.enter_context(throwaway_database(db_prefix))
            log(f"throwaway database {db_name}, private redis on {redis.port}")
            return run(stack, db_name)
    finally:
        if os.environ.get("BENCH_KEEP_LOGS"):
            log(f"logs kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
