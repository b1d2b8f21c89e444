"""A PostgreSQL cluster of the test's own, which the test may stop, start and restart.

The shared cluster on 127.0.0.1:5432 serves every other test run on the machine and must never
be stopped. A test that takes PostgreSQL away from the outbox gets a private cluster instead,
made with Debian's postgresql-common (`pg_createcluster`, `pg_ctlcluster`, `pg_dropcluster`): a
free port, listening on 127.0.0.1 only, trust authentication for the `postgres` user. It is
stopped and dropped, data, configuration and log, when the test ends, whether it passed or not.

Making a cluster needs root (or the postgres user): Debian keeps clusters under /etc/postgresql
and /var/lib/postgresql. The test fails, with the reason, when that is not possible here.
"""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

COMMAND_DEADLINE = 60.0  # seconds for pg_createcluster, pg_ctlcluster or pg_dropcluster
READY_DEADLINE = 30.0  # seconds for a started cluster to accept connections
# Ports below the kernel's ephemeral range (32768 up): no outgoing connection takes one between
# the moment it is found free and the moment PostgreSQL binds it.
PORT_RANGE = (20000, 32000)


def postgres_version() -> str:
    """The PostgreSQL major version whose server is installed (the newest, if several)."""
    if wanted := os.environ.get("PRIVATE_POSTGRES_VERSION"):
        return wanted
    installed = sorted(
        (path.parent.parent.name for path in Path("/usr/lib/postgresql").glob("*/bin/postgres")),
        key=lambda version: int(version) if version.isdigit() else 0,
    )
    if not installed:
        pytest.fail("a private PostgreSQL cluster needs a server under /usr/lib/postgresql")
    return installed[-1]


def free_port() -> int:
    """A loopback TCP port nothing listens on, outside the ephemeral range."""
    for _ in range(200):
        port = random.randrange(*PORT_RANGE)
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
        # A cluster's Unix socket is named after its port, too.
        if not Path(f"/var/run/postgresql/.s.PGSQL.{port}").exists():
            return port
    pytest.fail(f"no free port in {PORT_RANGE} for a private PostgreSQL cluster")


@dataclass
class PostgresCluster:
    """One Debian PostgreSQL cluster: `pg_ctlcluster <version> <name> ...` on `port`."""

    version: str
    name: str
    port: int

    @property
    def config_dir(self) -> Path:
        return Path("/etc/postgresql") / self.version / self.name

    @property
    def log(self) -> Path:
        return Path("/var/log/postgresql") / f"postgresql-{self.version}-{self.name}.log"

    def url(self, database: str = "postgres") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def log_tail(self, chars: int = 4000) -> str:
        try:
            return self.log.read_text(errors="replace")[-chars:]
        except OSError as exc:
            return f"(no log: {exc})"

    def create(self) -> None:
        """initdb with trust authentication, then listen on 127.0.0.1 only.

        `pg_createcluster -o listen_addresses=127.0.0.1` writes the address unquoted (a syntax
        error for the server) and a quoted one gets quoted twice, so the setting is appended to
        the cluster's postgresql.conf, where the last line for a setting wins.
        """
        _run(
            "pg_createcluster",
            self.version,
            self.name,
            "--port",
            str(self.port),
            "--",
            "--auth=trust",  # initdb: trust for local and host lines, IPv4 and IPv6
        )
        with (self.config_dir / "postgresql.conf").open("a") as conf:
            conf.write(
                "\n# A test's private cluster (tests/integration/private_postgres.py).\n"
                "listen_addresses = '127.0.0.1'\n"
            )

    def start(self) -> None:
        self.ctl("start")
        self.wait_until_accepting()

    def stop(self, mode: str = "fast") -> None:
        """Stop the server; `fast` disconnects every client at once and rolls back their work."""
        self.ctl("stop", "-m", mode)

    def restart(self, mode: str = "fast") -> None:
        self.ctl("restart", "-m", mode)
        self.wait_until_accepting()

    def ctl(self, *args: str) -> None:
        _run("pg_ctlcluster", self.version, self.name, *args, log=self)

    def accepting(self) -> bool:
        try:
            with psycopg.connect(self.url(), connect_timeout=1):
                return True
        except psycopg.OperationalError:
            return False

    def wait_until_accepting(self) -> None:
        deadline = time.monotonic() + READY_DEADLINE
        while not self.accepting():
            if time.monotonic() > deadline:
                pytest.fail(
                    f"cluster {self.name} did not accept connections on 127.0.0.1:{self.port} "
                    f"within {READY_DEADLINE:.0f}s:\n{self.log_tail()}"
                )
            time.sleep(0.1)

    def create_database(self, name: str) -> str:
        """A new, empty database; its URL."""
        with psycopg.connect(self.url(), autocommit=True) as connection:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return self.url(name)

    def drop(self) -> None:
        """Stop the cluster if it runs and remove it: data directory, configuration and log."""
        subprocess.run(
            ["pg_dropcluster", "--stop", self.version, self.name],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=COMMAND_DEADLINE,
            check=False,
        )


def _run(*command: str, log: PostgresCluster | None = None) -> None:
    done = subprocess.run(
        command,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=COMMAND_DEADLINE,
        check=False,
    )
    if done.returncode != 0:
        pytest.fail(
            f"{' '.join(command)} exited with {done.returncode}:\n{done.stdout}{done.stderr}"
            + (f"\n--- server log:\n{log.log_tail()}" if log else "")
        )


@pytest.fixture
def private_postgres() -> Iterator[PostgresCluster]:
    """A running PostgreSQL cluster of this test's own; dropped at teardown, even on failure."""
    for tool in ("pg_createcluster", "pg_ctlcluster", "pg_dropcluster"):
        if shutil.which(tool) is None:
            pytest.fail(f"a private PostgreSQL cluster needs {tool} (Debian's postgresql-common)")
    cluster = PostgresCluster(
        version=postgres_version(), name=f"outbox{uuid.uuid4().hex[:10]}", port=free_port()
    )
    try:
        cluster.create()
        cluster.start()
        yield cluster
    finally:
        with contextlib.suppress(subprocess.TimeoutExpired):
            cluster.drop()
