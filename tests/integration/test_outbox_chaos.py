"""The outbox when things break: a worker killed part-way through a batch, and Redis down while
intakes are saved. Nothing is lost, and nothing goes twice but what a dead worker had in hand.

Real Celery workers and beat on the test's own queue, real Redis and PostgreSQL, and an aiosmtpd
sink on a free loopback port.
"""

from __future__ import annotations

import time
from collections import Counter

import pytest
from django.conf import settings

from clinic.roles import Role
from outbox.models import Message
from outbox.services import dispatch_due_messages
from tests.integration.outbox_stack import (
    OutboxStack,
    RedisServer,
    SlowSmtpSink,
    outbox_stack_fixture,  # noqa: F401 - the outbox_stack fixture
    private_redis_stack_fixture,  # noqa: F401 - the private_redis_stack fixture
    queue_alerts,
    staff,
    submit_emergency,
)
from tests.support.smtp_sink import SmtpSink

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),  # the worker must see the committed rows
]


# What beat logs when it sends the dispatcher's task, and when the broker does not take it.
DISPATCH_SENT = "Sending due task outbox-dispatch"
DISPATCH_FAILED = "Message Error"


def all_sent(stack: OutboxStack) -> None:
    stack.wait_until(
        lambda: not Message.objects.exclude(status=Message.Status.SENT).exists(),
        "every message to be sent",
    )


def test_a_worker_killed_mid_batch_loses_nothing_and_repeats_at_most_the_message_in_hand(
    outbox_stack: OutboxStack,
):
    batch = settings.OUTBOX_BATCH_SIZE  # messages a task sends over one SMTP connection
    count, killed_after = 6 * batch, batch + batch // 2  # the kill lands inside the second batch
    # A lease of a few seconds: the killed worker's rows are free to claim again soon.
    lease = {"OUTBOX_LEASE_SECONDS": "3"}
    sending_at_once = 1  # what the worker could have had in hand: its solo pool sends one

    with SlowSmtpSink(delay=0.01) as sink:
        worker = outbox_stack.start_worker(sink, **lease)
        outbox_stack.start_beat(**lease)
        queued = queue_alerts(*(f"chaos.{n}" for n in range(count)))
        assert len(sink.wait_for(killed_after)) >= killed_after

        worker.kill()

        # The batch it was part-way through: taken (one attempt), neither sent nor failed.
        assert Message.objects.filter(status=Message.Status.SENDING, attempts=1).exists()
        outbox_stack.start_worker(sink, **lease)
        all_sent(outbox_stack)

    arrived = Counter(sink.message_ids())
    assert set(arrived) == {message.message_id for message in queued}
    repeated = {message_id: n for message_id, n in arrived.items() if n > 1}
    assert len(repeated) <= sending_at_once, repeated
    assert set(repeated.values()) <= {2}, repeated


def test_intakes_save_while_redis_is_down_and_every_alert_arrives_once_it_is_back(
    private_redis_stack: tuple[OutboxStack, RedisServer],
):
    stack, redis_server = private_redis_stack
    on_duty = [
        staff("olu", Role.CLINICIAN, email="olu@clinic.example", on_duty=True),
        staff("ffion", Role.CLINICIAN, email="ffion@clinic.example", on_duty=True),
    ]
    receptionist = staff("rita", Role.RECEPTION)

    with SmtpSink() as sink:
        stack.start_worker(sink)
        beat = stack.start_beat()
        stack.wait_until(lambda: beat.logged(DISPATCH_SENT), "beat to send the dispatcher")
        redis_server.stop()

        for given_name in ("Ada", "Bea", "Cai"):
            started = time.monotonic()
            submit_emergency(entered_by=receptionist, given_name=given_name, family_name="Jones")
            assert time.monotonic() - started < 3.0, "saving an intake waited on the broker"

        # Beat's next turn cannot reach the broker either, and a dispatcher pass that was
        # already running in a worker (or `manage.py outbox dispatch`) hands nothing over and
        # keeps nothing claimed: the rows wait, due, for the first pass once Redis is back.
        stack.wait_until(lambda: beat.logged(DISPATCH_FAILED), "beat to miss the broker")
        assert dispatch_due_messages() == 0
        alerts = list(Message.objects.all())
        assert len(alerts) == len(on_duty) * 3
        assert {(m.status, m.attempts) for m in alerts} == {(Message.Status.PENDING, 0)}

        redis_server.start()  # empty: whatever the broker held is gone
        all_sent(stack)

    assert Counter(sink.message_ids()) == Counter(m.message_id for m in alerts)
    assert sorted(r.to[0] for r in sink.received) == sorted([user.email for user in on_duty] * 3)
