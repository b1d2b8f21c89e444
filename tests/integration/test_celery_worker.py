import pytest

from tests.integration.conftest import CeleryWorker

pytestmark = pytest.mark.redis


def test_worker_runs_ping_from_the_broker(celery_worker: CeleryWorker):
    assert celery_worker.run("clinic.ping") == "pong"


def test_worker_registers_the_project_tasks(celery_worker: CeleryWorker):
    from clinic.celery import app

    registered = app.control.inspect(destination=[celery_worker.hostname], timeout=5).registered()

    assert registered is not None
    assert "clinic.ping" in registered[celery_worker.hostname]
