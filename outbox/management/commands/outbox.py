"""The outbox from a shell: what is stuck, one dispatcher pass now, a dead message retried.

    python manage.py outbox status      counts by status; the failing and dead messages
    python manage.py outbox dispatch    hand every due message to the workers, now
    python manage.py outbox retry ID    put a dead message back in the queue
    python manage.py outbox expire      the retention rule now: messages sent more than
                                        OUTBOX_RETENTION_DAYS ago lose their bodies

Output names recipients and subjects only (subjects carry no health detail); never a body.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from outbox.models import Message
from outbox.services import (
    counts_by_status,
    dispatch_due_messages,
    remove_old_content,
    retry_dead_message,
)

TROUBLED = (Message.Status.FAILED, Message.Status.DEAD)
COLUMNS = (("id", 6), ("status", 8), ("to", 32), ("subject", 40), ("tries", 5), ("due", 16))


class Command(BaseCommand):
    help = "Look at the outbox, run one dispatcher pass, or retry a dead message."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        status = actions.add_parser("status", help="Counts by status; failing and dead messages.")
        status.add_argument(
            "--limit", type=int, default=100, help="At most this many messages (default 100)."
        )
        actions.add_parser("dispatch", help="Hand every due message to the workers now.")
        retry = actions.add_parser("retry", help="Put a dead message back in the queue.")
        retry.add_argument("message_id", type=int, metavar="ID")
        actions.add_parser(
            "expire",
            help="Blank the bodies and attachments of messages sent more than "
            "OUTBOX_RETENTION_DAYS ago (who, what kind and when are kept).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "status":
            self.status(limit=options["limit"])
        elif action == "dispatch":
            self.dispatch()
        elif action == "expire":
            self.expire()
        else:
            self.retry(message_id=options["message_id"])

    def status(self, *, limit: int) -> None:
        counts = counts_by_status()
        width = max(len(s.label) for s in Message.Status)
        for status in Message.Status:
            self.stdout.write(f"{status.label:<{width}}  {counts[status.value]:>7}")
        self.stdout.write(f"{'All':<{width}}  {sum(counts.values()):>7}")

        troubled = list(
            Message.objects.filter(status__in=TROUBLED)
            .only("pk", "status", "to_email", "subject", "attempts", "last_error", "due_at")
            .order_by("status", "due_at", "id")[:limit]
        )
        total = sum(counts[s] for s in TROUBLED)
        self.stdout.write("")
        if not troubled:
            self.stdout.write("No failing or dead messages.")
            return
        self.stdout.write("Failing and dead messages:")
        self.stdout.write("  ".join(f"{name:<{size}}" for name, size in COLUMNS) + "  last error")
        for message in troubled:
            due = (
                "-"
                if message.status == Message.Status.DEAD
                else f"{timezone.localtime(message.due_at):%Y-%m-%d %H:%M}"
            )
            cells = (
                str(message.pk),
                message.status,
                message.to_email,
                message.subject,
                str(message.attempts),
                due,
            )
            line = "  ".join(
                f"{_clip(cell, size):<{size}}"
                for cell, (_, size) in zip(cells, COLUMNS, strict=True)
            )
            self.stdout.write(f"{line}  {_clip(' '.join(message.last_error.split()), 100)}")
        if total > len(troubled):
            self.stdout.write(f"... and {total - len(troubled)} more (--limit).")

    def dispatch(self) -> None:
        handed = dispatch_due_messages()
        self.stdout.write(f"Handed {handed} due message(s) to the workers.")

    def expire(self) -> None:
        removed = remove_old_content()
        self.stdout.write(
            f"{removed} message(s) older than {settings.OUTBOX_RETENTION_DAYS} days lost their "
            "bodies and attachments."
        )

    def retry(self, *, message_id: int) -> None:
        try:
            message = retry_dead_message(message_id=message_id)
        except Message.DoesNotExist:
            raise CommandError(f"There is no message {message_id}.") from None
        except ValueError:
            status = Message.objects.values_list("status", flat=True).get(pk=message_id)
            raise CommandError(
                f"Message {message_id} is {Message.Status(status).label.lower()}, not dead: "
                "only a dead message can be retried."
            ) from None
        self.stdout.write(f"Message {message.pk} to {message.to_email} is back in the queue.")


def _clip(text: str, size: int) -> str:
    return text if len(text) <= size else text[: size - 1] + "…"
