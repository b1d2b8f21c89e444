"""/healthz, /readyz and /metrics: open liveness that tells nothing, and readiness and metrics
only with the token or from an allowed address, never with a patient's data."""

from __future__ import annotations

import json
from datetime import timedelta
from ipaddress import ip_network

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from health import services
from health.services import DISPATCHER, ESCALATIONS, PROGRAMME_MAIL
from tests.patients.helpers import make_intake, make_user
from tests.support.clock import Clock
from tests.support.two_factor import sign_in

pytestmark = pytest.mark.django_db

TOKEN = "t" * 40


@pytest.fixture(autouse=True)
def health_settings(settings):  # type: ignore[no-untyped-def]
    settings.HEALTH_TOKEN = TOKEN
    settings.HEALTH_ALLOWED_NETWORKS = []
    # Email to files: nothing to ask an SMTP server.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return settings


def all_running() -> None:
    for name in (ESCALATIONS, DISPATCHER, PROGRAMME_MAIL):
        services.beat_finished(name=name, duration=timedelta(milliseconds=250))
    services.beat_handed_out()
    services.worker_took_work(hostname="worker@clinic")


def test_healthz_answers_anyone_and_says_nothing_else():
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok\n"


@pytest.mark.parametrize("path", ["/readyz", "/metrics"])
def test_readiness_and_metrics_are_refused_without_the_token(path):
    client = Client()
    assert client.get(path).status_code == 403
    assert client.get(path, {"token": "wrong"}).status_code == 403
    assert client.get(path, headers={"Authorization": "Bearer wrong"}).status_code == 403
    assert client.get(path, headers={"Authorization": TOKEN}).status_code == 403  # no "Bearer"


@pytest.mark.parametrize("path", ["/readyz", "/metrics"])
def test_no_token_set_refuses_every_token(path, health_settings):
    health_settings.HEALTH_TOKEN = ""
    assert Client().get(path, headers={"Authorization": "Bearer "}).status_code == 403
    assert Client().get(path, {"token": ""}).status_code == 403


@pytest.mark.parametrize("path", ["/readyz", "/metrics"])
def test_a_signed_in_member_of_staff_is_refused_too(path):
    client = Client()
    client.force_login(make_user(role="reception"))
    assert client.get(path).status_code == 403


def test_an_allowed_address_needs_no_token(health_settings):
    health_settings.HEALTH_ALLOWED_NETWORKS = [ip_network("10.1.0.0/16")]
    assert Client(REMOTE_ADDR="10.1.2.3").get("/metrics").status_code == 200
    assert Client(REMOTE_ADDR="10.2.0.1").get("/metrics").status_code == 403


def test_readyz_is_ready_when_everything_runs(clock: Clock):
    all_running()
    response = Client().get("/readyz", headers={"Authorization": f"Bearer {TOKEN}"})
    body = json.loads(response.content)
    assert response.status_code == 200, body
    assert body["status"] == "ok"
    assert set(body["checks"]) == {"database", "broker", "smtp", "beat", "worker"}


def test_readyz_says_which_beat_entries_are_stale_with_503(clock: Clock):
    all_running()
    clock.advance(timedelta(seconds=90))
    services.beat_finished(name=DISPATCHER, duration=timedelta(seconds=1))
    services.beat_handed_out()
    response = Client().get("/readyz", {"token": TOKEN})
    body = json.loads(response.content)
    assert response.status_code == 503
    assert body["checks"]["beat"] == {"ok": False, "detail": f"stale: {ESCALATIONS}"}
    assert body["checks"]["database"]["ok"] is True


def test_metrics_are_prometheus_text_with_counts_and_ages_and_no_patient_data(clock: Clock):
    all_running()
    reception = make_user(role="reception")
    make_intake(entered_by=reception, bladder_or_bowel_change=True)  # EMERGENCY, alerts queued
    clock.advance(timedelta(minutes=2))
    response = Client().get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    text = response.content.decode()

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=0.0.4")
    lines = text.splitlines()
    assert 'clinic_open_cases{urgency="EMERGENCY"} 1' in lines
    assert 'clinic_open_cases{urgency="ROUTINE"} 0' in lines
    assert "clinic_oldest_unclaimed_emergency_seconds 120" in lines
    assert f'clinic_heartbeat_age_seconds{{name="{ESCALATIONS}"}} 120' in lines
    assert f'clinic_heartbeat_duration_seconds{{name="{ESCALATIONS}"}} 0.25' in lines
    assert 'clinic_heartbeat_age_seconds{name="worker:worker@clinic"} 120' in lines
    assert any(line.startswith('clinic_outbox_messages{status="pending"}') for line in lines)
    assert "# TYPE clinic_open_cases gauge" in lines
    for line in lines:
        assert line.startswith("#") or line.startswith("clinic_"), line
    for word in ("Ada", "Patient", "bladder", "@example"):
        assert word not in text


def test_the_beat_containers_check_fails_when_beat_hands_out_nothing(clock: Clock):
    all_running()
    call_command("health_check", "beat")
    clock.advance(timedelta(minutes=2, seconds=1))
    with pytest.raises(CommandError, match="beat"):
        call_command("health_check", "beat")


def test_the_worker_containers_check_fails_only_while_beat_hands_out_work(clock: Clock):
    all_running()
    clock.advance(timedelta(minutes=4))
    # Beat silent too: nothing was handed out, so the worker is not the one to restart.
    call_command("health_check", "worker")
    services.beat_handed_out()
    with pytest.raises(CommandError, match="worker"):
        call_command("health_check", "worker")


def test_an_admin_reads_the_heartbeats_and_cannot_change_them(admin_user, clock: Clock):
    all_running()
    admin_client = sign_in(Client(), admin_user)
    listing = admin_client.get("/admin/health/heartbeat/")
    assert listing.status_code == 200
    assert ESCALATIONS in listing.content.decode()
    assert admin_client.get("/admin/health/heartbeat/add/").status_code == 403
