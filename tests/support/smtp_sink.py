"""A real SMTP server on a free loopback port that keeps what it accepts (aiosmtpd).

Used by the integration tests and the benchmarks as the far end of the outbox. It can refuse the
first N messages with a temporary error (451), or refuse everything, to show retries and dead
letters against a real SMTP conversation.
"""

from __future__ import annotations

import email
import socket
import threading
import time
from dataclasses import dataclass, field
from email.message import Message as EmailMessage
from typing import Any

from aiosmtpd.controller import Controller


@dataclass(frozen=True)
class Received:
    message_id: str
    to: tuple[str, ...]
    subject: str
    at: float  # time.time() when the sink accepted it
    parsed: EmailMessage = field(repr=False, compare=False)

    def body(self, subtype: str = "plain") -> str:
        for part in self.parsed.walk():
            if part.get_content_type() == f"text/{subtype}":
                payload = part.get_payload(decode=True)
                return payload.decode(part.get_content_charset() or "utf-8") if payload else ""
        return ""


class _Handler:
    def __init__(self, sink: SmtpSink) -> None:
        self.sink = sink

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        return self.sink._accept(envelope)


class SmtpSink:
    """Start with `with SmtpSink() as sink:`; `sink.port`, `sink.received`, `sink.wait_for(n)`."""

    def __init__(self, *, refuse_first: int = 0, refuse_all: bool = False) -> None:
        self.refuse_first = refuse_first
        self.refuse_all = refuse_all
        self.refused = 0
        self.received: list[Received] = []
        self._lock = threading.Condition()
        self.port = _free_port()
        self._controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> SmtpSink:
        self._controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._controller.stop()

    @property
    def email_url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def _accept(self, envelope: Any) -> str:
        with self._lock:
            if self.refuse_all or self.refused < self.refuse_first:
                self.refused += 1
                return "451 4.3.0 Try again later"
            parsed = email.message_from_bytes(envelope.original_content or envelope.content)
            self.received.append(
                Received(
                    message_id=parsed.get("Message-ID", ""),
                    to=tuple(envelope.rcpt_tos),
                    subject=str(parsed.get("Subject", "")),
                    at=time.time(),
                    parsed=parsed,
                )
            )
            self._lock.notify_all()
        return "250 OK"

    def wait_for(self, count: int, timeout: float = 30.0) -> list[Received]:
        """Wait until at least `count` messages have arrived (or the timeout passes)."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while len(self.received) < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._lock.wait(left)
            return list(self.received)

    def message_ids(self) -> list[str]:
        with self._lock:
            return [r.message_id for r in self.received]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
