"""The Celery application. Configuration lives in settings.py under the CELERY_ namespace."""

import logging
import os
from typing import Any

from celery import Celery
from celery.signals import after_setup_logger, after_setup_task_logger

from clinic.logging import RedactPatientData
from health.signals import connect as leave_heartbeats

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clinic.settings")

app = Celery("clinic")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Workers and beat leave heartbeats in the database (health/): connected here, before beat or a
# worker starts, since beat may never load Django's apps otherwise.
leave_heartbeats()


@after_setup_logger.connect
@after_setup_task_logger.connect
def redact_worker_logs(logger: logging.Logger, **kwargs: Any) -> None:
    """A worker replaces the root logger's handlers with its own (and gives task loggers theirs):
    each gets the filter settings.LOGGING gives Django's, so no patient link or query string
    reaches a worker's log either."""
    for handler in logger.handlers:
        if not any(isinstance(f, RedactPatientData) for f in handler.filters):
            handler.addFilter(RedactPatientData())
