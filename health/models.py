"""Heartbeats: when each part of the clinic that works in the background last did its work.

Kept in the database, never only in Redis: Redis going away is one of the things they must show.
One row per beat entry (written by the worker that runs it), one for beat itself (written when it
hands out work) and one per worker (written when it finishes a task).
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

BEAT = "beat"
WORKER_PREFIX = "worker:"


class Heartbeat(models.Model):
    name = models.CharField(
        max_length=200,
        unique=True,
        help_text=_('A beat entry\'s name, "beat", or "worker:" and the worker\'s hostname'),
    )
    created_at = models.DateTimeField(default=timezone.now)
    last_started = models.DateTimeField(null=True, blank=True)
    last_finished = models.DateTimeField(
        null=True, blank=True, help_text=_("When a run last finished without an error")
    )
    duration = models.DurationField(null=True, blank=True, help_text=_("How long that run took"))
    last_error = models.CharField(
        max_length=200, blank=True, help_text=_("The kind of error the last run ended with, if any")
    )
    last_error_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_worker(self) -> bool:
        return self.name.startswith(WORKER_PREFIX)
