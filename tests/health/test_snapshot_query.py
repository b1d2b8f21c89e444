"""The banner's one query, compiled once: the same SQL and parameters as the ORM builds for the
instant asked about, and the snapshot it reads follows the messages as they change."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from health import services
from outbox.models import Message
from tests.outbox.helpers import make_message

pytestmark = pytest.mark.django_db

INSTANTS = [
    datetime(2031, 1, 6, 9, 0, tzinfo=UTC),
    datetime(2031, 7, 1, 23, 59, 59, 999999, tzinfo=UTC),
]


@pytest.mark.parametrize("now", INSTANTS)
def test_the_kept_query_is_what_the_orm_builds_for_that_instant(now):
    services._snapshot_query(INSTANTS[0])  # compiled, once

    assert connection.vendor in services._compiled
    assert services._snapshot_query(now) == services._snapshot_sql(now)


def test_each_instant_reads_the_messages_due_by_then():
    now = INSTANTS[0]
    due_at = now - timedelta(minutes=5)
    make_message(due_at=due_at, status=Message.Status.PENDING)

    assert services.snapshot(now - timedelta(minutes=10)).oldest_due is None
    assert services.snapshot(now).oldest_due == due_at
    assert services.snapshot(now + timedelta(days=1)).oldest_due == due_at
