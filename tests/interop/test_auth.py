"""Who may call the API: a bearer token per client, stored only as its digest, with scopes; no
token, an unknown one or a revoked one is refused (401), a client without the scope too (403);
every call is audited (the client, the patient, the resources); the CapabilityStatement and the
OpenAPI description are open to anybody."""

from __future__ import annotations

import hashlib
import re

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import URLPattern, get_resolver

from audit.models import AuditEvent
from interop import services
from interop.models import ApiClient
from patients.models import Intake
from tests.interop.helpers import api_client, body, get, post, response, validated
from tests.patients.helpers import answers, make_intake
from tests.support.two_factor import sign_in

pytestmark = pytest.mark.django_db

READ_CALLS = [
    "/fhir/Patient/{p}",
    "/fhir/Patient/{p}/$everything",
    "/fhir/QuestionnaireResponse?patient={p}",
    "/fhir/RiskAssessment/{a}",
    "/fhir/Patient?_id={p}",
]


@pytest.fixture
def intake(receptionist: User) -> Intake:
    return make_intake(entered_by=receptionist, chest_pain=True)


def _paths(intake: Intake) -> list[str]:
    return [p.format(p=intake.patient_id, a=intake.assessment.pk) for p in READ_CALLS]


def _submit(token: str | None) -> int:
    status: int = post("/fhir/QuestionnaireResponse", response(answers()), token).status_code
    return status


def test_a_call_without_a_token_is_refused(intake: Intake) -> None:
    for path in _paths(intake):
        resp = get(path)
        assert resp.status_code == 401, path
        assert resp["WWW-Authenticate"] == 'Bearer realm="fhir"'
        validated(body(resp))
    assert _submit(None) == 401
    assert get("/fhir/Questionnaire/intake-1").status_code == 401
    assert Intake.objects.count() == 1


def test_a_session_is_no_token(intake: Intake, clinician: User) -> None:
    browser = Client()
    sign_in(browser, clinician)

    assert browser.get(f"/fhir/Patient/{intake.patient_id}").status_code == 401


def test_an_unknown_token_is_refused(intake: Intake) -> None:
    for token in ("ctk_nothing", "x" * 5000, "ctk_\u202e"):
        for path in _paths(intake):
            resp = get(path, token)
            assert resp.status_code == 401
            assert 'error="invalid_token"' in resp["WWW-Authenticate"]
        assert _submit(token) == 401


def test_a_revoked_token_is_refused_from_then_on(intake: Intake) -> None:
    client, token = api_client()
    assert get(_paths(intake)[0], token).status_code == 200

    services.revoke_client(client=client, by=None)

    for path in _paths(intake):
        resp = get(path, token)
        assert resp.status_code == 401
        assert body(resp)["issue"][0]["code"] == "expired"
    assert _submit(token) == 401
    assert Intake.objects.count() == 1


def test_a_new_token_ends_the_old_one(intake: Intake) -> None:
    client, old = api_client()

    new = services.issue_token(client=client, by=None)

    assert get(_paths(intake)[0], old).status_code == 401
    assert get(_paths(intake)[0], new).status_code == 200


def test_the_wrong_scope_is_refused(intake: Intake) -> None:
    _reader, read_only = api_client("Reader", submit=False)
    _submitter, submit_only = api_client("Submitter", read=False)

    assert _submit(read_only) == 403
    for path in _paths(intake):
        resp = get(path, submit_only)
        assert resp.status_code == 403, path
        assert "insufficient_scope" in resp["WWW-Authenticate"]
    # Each may do what it holds; the intake Questionnaire is for any client.
    assert all(get(path, read_only).status_code == 200 for path in _paths(intake))
    assert _submit(submit_only) == 201
    assert get("/fhir/Questionnaire/intake-1", submit_only).status_code == 200
    assert Intake.objects.count() == 2


def test_only_the_tokens_digest_is_kept() -> None:
    client, token = api_client()

    stored = ApiClient.objects.filter(pk=client.pk).values().get()
    assert token not in {str(v) for v in stored.values()}
    assert stored["token_hash"] == hashlib.sha256(token.encode()).hexdigest()
    assert token.startswith(stored["token_hint"])
    # Its account cannot sign in.
    assert not client.user.is_active and not client.user.has_usable_password()


def test_every_call_is_audited_with_the_client_the_patient_and_the_resources(
    intake: Intake,
) -> None:
    client, token = api_client()

    get(f"/fhir/RiskAssessment/{intake.assessment.pk}", token)
    get(f"/fhir/Patient/{intake.patient_id}/$everything", token)

    read, everything = AuditEvent.objects.filter(actor=client.user).order_by("at", "pk")
    assert (read.patient_id, read.actor_kind, read.action) == (
        intake.patient_id,
        AuditEvent.ActorKind.SYSTEM,
        AuditEvent.Action.VIEW,
    )
    assert read.details == {
        "client": "Booking system",
        "resources": [f"RiskAssessment/{intake.assessment.pk}"],
    }
    assert read.actor_name == "API client Booking system"
    assert everything.action == AuditEvent.Action.EXPORT
    assert set(everything.details["resources"]) == {
        f"Patient/{intake.patient_id}",
        f"QuestionnaireResponse/{intake.pk}",
        f"RiskAssessment/{intake.assessment.pk}",
    }


def test_a_submitted_intake_is_audited_against_its_patient() -> None:
    client, token = api_client()

    _submit(token)

    (event,) = AuditEvent.objects.filter(actor=client.user)
    made = Intake.objects.get()
    assert (event.action, event.patient_id) == (AuditEvent.Action.CREATE, made.patient_id)
    assert f"QuestionnaireResponse/{made.pk}" in event.details["resources"]


def test_the_capability_statement_and_the_openapi_description_are_open() -> None:
    metadata = get("/fhir/metadata")
    openapi = get("/fhir/openapi.json")

    assert (metadata.status_code, openapi.status_code) == (200, 200)
    statement = validated(body(metadata))
    assert statement.fhirVersion == "4.0.1"
    kinds = {r["type"] for r in body(metadata)["rest"][0]["resource"]}
    assert kinds == {
        "Questionnaire",
        "Patient",
        "QuestionnaireResponse",
        "RiskAssessment",
        "ServiceRequest",
        "DocumentReference",
        "CarePlan",
        "Observation",
    }
    assert body(openapi)["openapi"].startswith("3.1")


def test_every_route_of_the_api_is_in_the_openapi_description() -> None:
    paths = set(body(get("/fhir/openapi.json"))["paths"])
    (fhir,) = [p for p in get_resolver().url_patterns if str(p.pattern) == "fhir/"]
    for route in fhir.url_patterns:  # type: ignore[attr-defined,union-attr]
        assert isinstance(route, URLPattern)
        if route.name == "no_such_path":  # the 404 for every other path: no route of the API
            continue
        pattern = str(route.pattern)
        if "<str:resource_type>" in pattern:
            shaped = re.sub(r"<str:resource_type>", "[A-Za-z]+", pattern)
            shaped = re.sub(r"<str:resource_id>", r"\\{id\\}", shaped)
            assert any(re.fullmatch("/" + shaped, p) for p in paths), pattern
        else:
            assert "/" + pattern.replace("<str:resource_id>", "{id}") in paths, pattern


def test_an_admin_registers_a_client_and_sees_its_token_once(admin_user_: User) -> None:
    browser = Client()
    sign_in(browser, admin_user_)

    resp = browser.post(
        "/admin/interop/apiclient/add/",
        {"name": "GP record", "can_read_patients": "on"},
        follow=True,
    )

    assert resp.status_code == 200
    client = ApiClient.objects.get(name="GP record")
    (token,) = re.findall(r"ctk_[A-Za-z0-9_-]{40,}", resp.content.decode())
    assert client.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert client.scopes == {"patients.read"}
    assert AuditEvent.objects.filter(actor=admin_user_, record__contains="GP record").exists()
    # Not on the client's page afterwards.
    page = browser.get(f"/admin/interop/apiclient/{client.pk}/change/")
    assert token not in page.content.decode()
    # Revoked from the list.
    browser.post(
        "/admin/interop/apiclient/",
        {"action": "revoke", "_selected_action": [client.pk]},
    )
    assert get("/fhir/Patient?_id=1", token).status_code == 401
