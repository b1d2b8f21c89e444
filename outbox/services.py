"""The one way anything leaves the system by email.

A message is a row written in the transaction of the event that causes it (`queue_email`). A
message due now is handed to a worker as soon as that transaction commits; the dispatcher (a beat
entry every minute) claims every due row with SELECT ... FOR UPDATE SKIP LOCKED and a lease, as the
safety net and for everything scheduled later. Sending takes each row under a row lock, so a row
already sent is never sent again; a worker that dies mid-batch leaves its rows to be claimed again
when their lease runs out, so at most the message it was sending goes twice. Nothing scheduled
lives only in Redis: if the broker is down, the rows wait in the database.
"""

from __future__ import annotations

import logging
import smtplib
import time
import uuid
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import connection, models, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

from outbox.models import KEY_PATTERN, Message

log = logging.getLogger(__name__)

# Errors worth another try: the SMTP server said no for now, or the network let us down.
TRANSIENT_ERRORS = (smtplib.SMTPException, OSError)


@dataclass(frozen=True)
class Recipient:
    email: str
    name: str = ""
    user_id: int | None = None


@dataclass(frozen=True)
class Email:
    """One message to queue: its idempotency key, who it is for, and what it says."""

    key: str
    kind: str
    to: Recipient
    template: str
    context: dict[str, Any]
    due_at: datetime | None = None
    patient_id: int | None = None
    case_id: int | None = None
    attachment: bytes | None = None
    attachment_name: str | None = None
    attachment_type: str | None = None
    headers: dict[str, str] | None = None
    # The language the message is written in (settings.LANGUAGES): a patient's own
    # (clinic.language.for_patient); English when not given, whoever's request queued it.
    language: str | None = None


# A kind's last check before one of its messages leaves, run in a transaction that lasts until
# the send is recorded: the check locks what it reads (the case of an escalation, the programme of
# a reminder), so a change that commits first stops the message, and one that comes after waits
# for the send. False cancels the message.
SendGuard = Callable[[Message], bool]
_SEND_GUARDS: dict[str, SendGuard] = {}


def register_send_guard(kind: str, guard: SendGuard) -> None:
    """Called from an app's ready(): `guard` decides, under its locks, whether a message of
    `kind` still goes."""
    _SEND_GUARDS[kind] = guard


def queue_email(**spec: Any) -> Message:
    """Queue one message (see queue_emails)."""
    return queue_emails([Email(**spec)])[0]


def queue_emails(emails: Sequence[Email]) -> list[Message]:
    """Write messages in the caller's transaction, in one insert. A key already queued keeps its
    first message (idempotent): the same event twice never sends twice. Messages due now are
    handed to a worker when the transaction commits. Subjects come from templates that carry no
    health detail. Each is written in its own language (`Email.language`)."""
    now = timezone.now()
    rows = []
    for email in emails:
        if not KEY_PATTERN.match(email.key):
            raise ValueError(f"an outbox key must match {KEY_PATTERN.pattern}: {email.key!r}")
        with translation.override(email.language or settings.LANGUAGE_CODE):
            rows.append(_message(email, now))
    if not rows:
        return []
    created = _insert_new(rows)
    for row in rows:
        row.pk = created.get(row.key)
        if row.pk is not None:
            row._state.adding, row._state.db = False, connection.alias  # as if read back
    # A key queued before keeps its first message, read back (rare: a repeated event).
    earlier = [row.key for row in rows if row.pk is None]
    by_key = Message.objects.in_bulk(earlier, field_name="key") if earlier else {}
    messages = [by_key[row.key] if row.pk is None else row for row in rows]
    # Hand over what this call created (a key queued before keeps its own course).
    due_now = [row for row in rows if row.pk is not None and row.due_at <= now]
    for urgent in (True, False):
        ids = [m.pk for m in due_now if (m.kind in Message.URGENT_KINDS) == urgent]
        if ids:
            hand_over_on_commit(ids, urgent=urgent)
    return messages


def _message(email: Email, now: datetime) -> Message:
    """The row of one message, its subject and bodies rendered in the active language."""
    subject = " ".join(
        render_to_string(f"outbox/email/{email.template}_subject.txt", email.context).split()
    )
    return Message(
        key=email.key,
        kind=email.kind,
        to_email=email.to.email,
        to_name=email.to.name,
        recipient_id=email.to.user_id,
        patient_id=email.patient_id,
        case_id=email.case_id,
        subject=subject,
        body_text=render_to_string(f"outbox/email/{email.template}.txt", email.context),
        # The HTML part's <title> is the subject (it carries no health detail either).
        body_html=render_to_string(
            f"outbox/email/{email.template}.html", {**email.context, "subject": subject}
        ),
        due_at=email.due_at or now,
        created_at=now,
        attachment=email.attachment,
        attachment_name=email.attachment_name,
        attachment_type=email.attachment_type,
        headers=email.headers or {},
    )


def _insert_new(rows: Sequence[Message]) -> dict[str, int]:
    """Insert `rows` in one statement, skipping any whose key is already queued; the ids of the
    rows this call created, by key.

    `bulk_create(ignore_conflicts=True)` cannot say which rows it created, which would cost a
    second query on every alert; PostgreSQL and SQLite (3.35+) both take ON CONFLICT DO NOTHING
    RETURNING, which answers that in the INSERT itself.
    """
    meta = Message._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    table, key, pk = (
        quote(meta.db_table),
        quote(str(meta.get_field("key").column)),
        quote(str(meta.pk.column)),
    )
    columns = ", ".join(quote(str(f.column)) for f in fields)
    values = ", ".join(["(" + ", ".join(["%s"] * len(fields)) + ")"] * len(rows))
    # Names come from the model, every value is bound: nothing typed reaches the SQL text.
    sql = f"INSERT INTO {table} ({columns}) VALUES {values} ON CONFLICT ({key}) DO NOTHING RETURNING {pk}, {key}"  # noqa: S608
    params = [
        field.get_db_prep_save(field.pre_save(row, add=True), connection)
        for row in rows
        for field in fields
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {key: pk for pk, key in cursor.fetchall()}


def hand_over_on_commit(ids: Sequence[int], *, urgent: bool = False) -> None:
    transaction.on_commit(partial(hand_over, list(ids), urgent=urgent), robust=True)


def hand_over(ids: Sequence[int], *, claim: str | None = None, urgent: bool = False) -> list[int]:
    """Give messages to the workers, a batch a task. If the broker is down the rows stay in the
    database, and the dispatcher hands them over once it is back: the user sees no error.
    Returns the ids the broker did not take (none when it took them all)."""
    from outbox.tasks import send

    batches = list(_batches(ids, settings.OUTBOX_BATCH_SIZE))
    queue = send.app.amqp.queues[_queue_name(send.app.conf.task_default_queue, urgent=urgent)]
    for n, batch in enumerate(batches):
        try:
            # Each batch carries a claim: a redelivered copy of its task may take its rows back.
            send.apply_async(
                args=[batch],
                kwargs={"claim": claim or uuid.uuid4().hex},
                queue=queue,
                # Declared with every publish: a broker that restarted empty, or has not yet
                # seen a worker, would otherwise drop a message for a queue it does not know.
                declare=[queue],
            )
        except Exception as exc:
            left = [pk for rest in batches[n:] for pk in rest]
            log.warning(
                "outbox: broker unavailable (%s); %d message(s) wait for the dispatcher",
                type(exc).__name__,
                len(left),
            )
            return left
    return []


def _queue_name(default: str, *, urgent: bool) -> str:
    """The queue for a batch: alerts and escalations have their own beside the default one."""
    return f"{default}.urgent" if urgent else default


def claim_due_messages(
    *, now: datetime | None = None, limit: int = 500, urgent: bool | None = None
) -> tuple[str, list[int]]:
    """Claim up to `limit` due messages with a lease (only urgent kinds, only the others, or
    any); returns the claim and the ids claimed."""
    now = now or timezone.now()
    claim = uuid.uuid4().hex
    due = Message.objects.due(now)
    if urgent is not None:
        kinds = models.Q(kind__in=Message.URGENT_KINDS)
        due = due.filter(kinds if urgent else ~kinds)
    with transaction.atomic():
        ids = list(
            due.select_for_update(skip_locked=True)
            .order_by("due_at", "id")
            .values_list("id", flat=True)[:limit]
        )
        if ids:
            Message.objects.filter(pk__in=ids).update(
                status=Message.Status.SENDING,
                lease_until=now + settings.OUTBOX_LEASE,
                lease_token=claim,
            )
    return claim, ids


def dispatch_due_messages(*, now: datetime | None = None, budget_seconds: float = 30.0) -> int:
    """The beat entry's work: claim every due message and hand each batch to a worker, alerts
    and escalations first, on their own queue."""
    started = timezone.now()
    handed = 0
    for urgent in (True, False):
        while True:
            claim, ids = claim_due_messages(now=now, urgent=urgent)
            if not ids:
                break
            left = hand_over(ids, claim=claim, urgent=urgent)
            if left:
                # The broker is down. Let go of what it did not take, so the next pass hands it
                # over as soon as the broker is back, not when this claim's lease runs out.
                Message.objects.filter(
                    pk__in=left, lease_token=claim, status=Message.Status.SENDING
                ).update(status=Message.Status.PENDING, lease_until=None, lease_token="")
                return handed + len(ids) - len(left)
            handed += len(ids)
            if (timezone.now() - started).total_seconds() > budget_seconds:
                return handed
    return handed


def send_messages(*, ids: Sequence[int], claim: str | None = None) -> list[int]:
    """Send these messages over one SMTP connection. A message already sent, or held by another
    live claim, is skipped. Returns the ids that failed for now (to be tried again; not the dead)."""
    claim = claim or uuid.uuid4().hex
    to_send = deque(_take(ids, claim=claim))
    failed: list[int] = []
    connection = None
    renewed = time.monotonic()
    try:
        while to_send:
            if time.monotonic() - renewed > settings.OUTBOX_LEASE.total_seconds() / 3:
                # A slow server: keep hold of the rest of the batch, and let go of any row
                # another worker took when our lease ran out (it is sending it now).
                held = _renew_lease([m.pk for m in to_send], claim)
                renewed = time.monotonic()
                to_send = deque(m for m in to_send if m.pk in held)
                if not to_send:
                    break
            message = to_send.popleft()
            if connection is None:
                connection = get_connection(fail_silently=False)
                connection.open()
            if message.kind in Message.LETTER_KINDS and not letters_may_leave_by(connection):
                _hold_letter(message)
                continue
            guard = _SEND_GUARDS.get(message.kind)
            if guard is not None:
                ok = _send_guarded(message, connection, guard)
            else:
                ok = _send_one(message, connection)
            if ok is False or ok is None:
                if ok is False:
                    failed.append(message.pk)
                connection.close()  # a refused or broken session is not reused
                connection = None
    finally:
        if connection is not None:
            connection.close()
    return failed


def letters_may_leave_by(connection: Any) -> bool:
    """Whether a letter with health data may go over `connection`: an SMTP connection only with
    STARTTLS or TLS (EMAIL_USE_TLS, EMAIL_USE_SSL: `smtp+tls://`, `smtps://` in EMAIL_URL),
    unless ALLOW_PLAIN_SMTP_FOR_LETTERS says a plain one will do (a relay on this machine, the
    test sink). A backend that is not SMTP (files, memory) sends nothing off the machine."""
    if settings.ALLOW_PLAIN_SMTP_FOR_LETTERS or not hasattr(connection, "use_tls"):
        return True
    return bool(connection.use_tls or getattr(connection, "use_ssl", False))


PLAIN_SMTP_REFUSED = (
    "Held, not sent: a letter with health data leaves only over an encrypted connection, and "
    "this SMTP connection is plain. Set EMAIL_URL to smtp+tls:// or smtps:// and retry it "
    "(ALLOW_PLAIN_SMTP_FOR_LETTERS=true allows a plain relay on this machine)."
)


def _hold_letter(message: Message) -> None:
    """A letter that would leave in the clear stays here, dead with the reason, for staff to
    see on /outbox/ and retry once the connection is encrypted. Never sent silently."""
    Message.objects.filter(pk=message.pk).update(
        status=Message.Status.DEAD,
        last_error=PLAIN_SMTP_REFUSED,
        lease_until=None,
        lease_token="",
    )
    log.warning("outbox: message %s held: a letter is not sent over plain SMTP", message.pk)


def _renew_lease(ids: Sequence[int], claim: str) -> set[int]:
    """Extend this claim's lease on `ids`; the ids it still holds."""
    held = Message.objects.filter(pk__in=ids, lease_token=claim, status=Message.Status.SENDING)
    held_ids = set(held.values_list("pk", flat=True))
    held.update(lease_until=timezone.now() + settings.OUTBOX_LEASE)
    return held_ids


def _take(ids: Sequence[int], *, claim: str) -> list[Message]:
    """Lock the rows and mark the ones this worker will send: waiting, failed-for-now, held by
    this claim, or held by a claim whose lease ran out."""
    now = timezone.now()
    with transaction.atomic():
        rows = list(Message.objects.select_for_update().filter(pk__in=ids).order_by("id"))
        mine = []
        for row in rows:
            if row.status == Message.Status.PENDING and row.due_at > now:
                continue  # scheduled for later: the dispatcher brings it when due
            held = row.status == Message.Status.SENDING
            if held and row.lease_token != claim and (row.lease_until or now) > now:
                continue  # another worker holds it
            if row.status not in (Message.Status.PENDING, Message.Status.FAILED) and not held:
                continue  # sent, dead or cancelled
            row.status = Message.Status.SENDING
            row.attempts += 1  # read by _record_failure; the UPDATE below counts it in the row
            row.lease_until = now + settings.OUTBOX_LEASE
            row.lease_token = claim
            mine.append(row)
        if mine:
            # One statement for the batch (the same values for every row, already locked).
            Message.objects.filter(pk__in=[row.pk for row in mine]).update(
                status=Message.Status.SENDING,
                attempts=models.F("attempts") + 1,
                lease_until=now + settings.OUTBOX_LEASE,
                lease_token=claim,
            )
    return mine


def _email(message: Message, connection: Any) -> EmailMultiAlternatives:
    email = EmailMultiAlternatives(
        subject=message.subject,
        body=message.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[f"{message.to_name} <{message.to_email}>" if message.to_name else message.to_email],
        connection=connection,
        headers={**(message.headers or {}), "Message-ID": message.message_id},
    )
    if message.body_html:
        email.attach_alternative(message.body_html, "text/html")
    if message.attachment is not None:
        email.attach(
            message.attachment_name or "attachment",
            bytes(message.attachment),  # PostgreSQL hands back a memoryview
            message.attachment_type or "application/octet-stream",
        )
    return email


def _send_one(message: Message, connection: Any) -> bool | None:
    """True when sent; False when it failed for now; None when it failed for the last time."""
    try:
        _email(message, connection).send()
    except TRANSIENT_ERRORS as exc:
        return None if _record_failure(message, exc) else False
    _record_sent(message)
    return True


def _send_guarded(message: Message, connection: Any, guard: SendGuard) -> bool | None:
    with transaction.atomic():
        if not guard(message):
            Message.objects.filter(pk=message.pk).update(
                status=Message.Status.CANCELLED, lease_until=None, lease_token=""
            )
            return True
        return _send_one(message, connection)


def _record_sent(message: Message) -> None:
    Message.objects.filter(pk=message.pk).update(
        status=Message.Status.SENT,
        sent_at=timezone.now(),
        last_error="",
        lease_until=None,
        lease_token="",
    )


def is_permanent(exc: BaseException) -> bool:
    """An SMTP 5xx answer (no such mailbox, message refused): trying again cannot help."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        return bool(codes) and all(500 <= code < 600 for code in codes)
    return isinstance(exc, smtplib.SMTPResponseException) and 500 <= exc.smtp_code < 600


def _record_failure(message: Message, exc: BaseException) -> bool:
    """Record a failed attempt; True when it was the last one (the message is dead)."""
    dead = message.attempts >= settings.OUTBOX_MAX_ATTEMPTS or is_permanent(exc)
    Message.objects.filter(pk=message.pk).update(
        status=Message.Status.DEAD if dead else Message.Status.FAILED,
        last_error=f"{type(exc).__name__}: {exc}"[:1000],
        due_at=timezone.now() + retry_delay(message.attempts),
        lease_until=None,
        lease_token="",
    )
    log.warning(
        "outbox: message %s attempt %s failed (%s)%s",
        message.pk,
        message.attempts,
        type(exc).__name__,
        "; it is dead" if dead else "",
    )
    return dead


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff: 2, 4, 8 ... seconds, at most OUTBOX_MAX_RETRY_DELAY."""
    return min(timedelta(seconds=2**attempts), settings.OUTBOX_MAX_RETRY_DELAY)


@transaction.atomic
def retry_dead_message(*, message_id: int) -> Message:
    """An admin's second chance for a dead message: it goes back in the queue, due now."""
    message = Message.objects.select_for_update().get(pk=message_id)
    if message.status != Message.Status.DEAD:
        raise ValueError("only a dead message can be retried")
    message.status = Message.Status.PENDING
    message.attempts = 0
    message.due_at = timezone.now()
    message.lease_until = None
    message.save(update_fields=["status", "attempts", "due_at", "lease_until", "updated_at"])
    hand_over_on_commit([message.pk], urgent=message.kind in Message.URGENT_KINDS)
    return message


def remove_old_content(*, now: datetime | None = None, batch: int = 500) -> int:
    """The retention rule: a message sent (or cancelled) more than OUTBOX_RETENTION_DAYS ago
    loses its bodies, its attachment and its headers (which carry the patient's unsubscribe
    link). The row keeps who it went to, what kind, its subject (which carries no health detail)
    and when; the record of care (the case, its decisions, the referral and its letter) and the
    audit are kept as they are. Safe to run again: a row is blanked once. Returns how many rows
    this run blanked."""
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.OUTBOX_RETENTION_DAYS)
    expired = Message.objects.filter(content_removed_at__isnull=True).filter(
        models.Q(status=Message.Status.SENT, sent_at__lt=cutoff)
        | models.Q(status=Message.Status.CANCELLED, updated_at__lt=cutoff)
    )
    removed = 0
    while ids := list(expired.order_by("id").values_list("id", flat=True)[:batch]):
        removed += Message.objects.filter(pk__in=ids, content_removed_at__isnull=True).update(
            body_text="",
            body_html="",
            attachment=None,
            headers={},
            content_removed_at=now,
        )
    if removed:
        log.info("outbox: %d message(s) past retention lost their bodies", removed)
    return removed


def counts_by_status() -> dict[str, int]:
    from django.db.models import Count

    counts = dict(Message.objects.values_list("status").annotate(n=Count("id")).order_by())
    return {status: counts.get(status, 0) for status in Message.Status.values}


def _batches(ids: Iterable[int], size: int) -> Iterator[list[int]]:
    batch: list[int] = []
    for pk in ids:
        batch.append(pk)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch
