"""An outside checker's calls, beyond test_auth.py and test_resources.py: malformed Authorization
headers, tokens revoked or replaced, the wrong scope for each route, a patient id that is nobody's,
a format this server does not write; each answered with its status and a valid OperationOutcome.
Every call that returns or makes a patient's data is one audit row per patient; a refused call
returns nothing and writes none (it is logged). And every resource type, in `$everything` and
read by id, is valid R4 for a German-speaking patient and for records with the optional data
missing: no email or phone, no NHS number, no programme, an intake with no flags."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from audit.models import AuditEvent
from interop import services
from patients.models import Intake, Patient
from tests.audit.test_subject_access import _full_history
from tests.interop.helpers import api_client, body, get, post, response, validated
from tests.patients.helpers import answers, make_intake, patient_details
from tests.support.clock import Clock

pytestmark = pytest.mark.django_db


@pytest.fixture
def intake(receptionist: User) -> Intake:
    return make_intake(entered_by=receptionist, chest_pain=True)


def _paths(intake: Intake) -> list[str]:
    p, a = intake.patient_id, intake.assessment.pk
    return [
        f"/fhir/Patient/{p}",
        f"/fhir/Patient/{p}/$everything",
        f"/fhir/QuestionnaireResponse/{intake.pk}",
        f"/fhir/RiskAssessment/{a}",
        f"/fhir/RiskAssessment?patient={p}",
        f"/fhir/Patient?_id={p}",
    ]


def _outcome(resp: Any, status: int) -> dict[str, Any]:
    assert resp.status_code == status, resp.content
    assert resp["Content-Type"].startswith("application/fhir+json")
    found: dict[str, Any] = body(resp)
    validated(found)
    assert found["resourceType"] == "OperationOutcome"
    assert all(issue["code"] and issue["diagnostics"] for issue in found["issue"])
    return found


def _with_header(path: str, authorization: str) -> Any:
    return Client().get(path, headers={"Authorization": authorization})


# --- Who may call --------------------------------------------------------------------------


def test_malformed_authorization_headers_are_refused(intake: Intake) -> None:
    _client, token = api_client()
    before = AuditEvent.objects.count()
    for header in ("Bearer", "Bearer ", token, f"Token {token}", f"Basic {token}", "Bearer ,"):
        for path in _paths(intake):
            resp = _with_header(path, header)
            _outcome(resp, 401)
            assert resp["WWW-Authenticate"].startswith('Bearer realm="fhir"')
    # The scheme is case-insensitive (RFC 7235), the space before the token any width.
    assert _with_header(_paths(intake)[0], f"bearer {token}").status_code == 200
    assert _with_header(_paths(intake)[0], f"Bearer   {token}").status_code == 200
    assert AuditEvent.objects.count() == before + 2


def test_a_revoked_or_replaced_token_gets_an_outcome_and_writes_no_audit_row(
    intake: Intake,
) -> None:
    revoked, revoked_token = api_client("Revoked")
    replaced, replaced_token = api_client("Replaced")
    services.revoke_client(client=revoked, by=None)
    services.issue_token(client=replaced, by=None)
    before = AuditEvent.objects.filter(actor__in=[revoked.user, replaced.user]).count()

    for path in _paths(intake):
        outcome = _outcome(get(path, revoked_token), 401)
        assert outcome["issue"][0]["code"] == "expired"
        _outcome(get(path, replaced_token), 401)
    _outcome(post("/fhir/QuestionnaireResponse", response(answers()), revoked_token), 401)

    assert AuditEvent.objects.filter(actor__in=[revoked.user, replaced.user]).count() == before
    assert Intake.objects.count() == 1


def test_the_wrong_scope_for_each_route_is_403_with_an_outcome(intake: Intake) -> None:
    _reader, read_only = api_client("Reader", submit=False)
    _submitter, submit_only = api_client("Submitter", read=False)
    _neither, neither = api_client("Neither", read=False, submit=False)

    for token in (submit_only, neither):
        for path in _paths(intake):
            resp = get(path, token)
            _outcome(resp, 403)
            assert 'scope="patients.read"' in resp["WWW-Authenticate"]
    for token in (read_only, neither):
        resp = post("/fhir/QuestionnaireResponse", response(answers()), token)
        _outcome(resp, 403)
        assert 'scope="intakes.submit"' in resp["WWW-Authenticate"]
    assert Intake.objects.count() == 1
    assert not AuditEvent.objects.filter(actor_name__startswith="API client").exists()


def test_a_patient_id_that_is_nobodys_is_404_and_nothing_about_anybody_is_returned(
    intake: Intake,
) -> None:
    # One clinic, one database: another clinic's patient id is an id nobody here has.
    _client, token = api_client()
    missing = intake.patient_id + 1000
    for path in (
        f"/fhir/Patient/{missing}",
        f"/fhir/Patient/{missing}/$everything",
        f"/fhir/QuestionnaireResponse/{intake.pk + 1000}",
        f"/fhir/RiskAssessment/override-{intake.pk + 1000}",
        "/fhir/Observation/checkin-pain-999999",
        "/fhir/Patient/00",
    ):
        assert _outcome(get(path, token), 404)["issue"][0]["code"] in ("not-found", "not-supported")
    # A search for them finds nothing, and says so in an empty Bundle (audited as a search).
    found = body(get("/fhir/RiskAssessment", token, patient=str(missing)))
    validated(found)
    assert found["total"] == 0 and "entry" not in found


def test_a_path_the_api_has_not_is_a_404_outcome(intake: Intake) -> None:
    _client, token = api_client()
    for path in (
        f"/fhir/Patient/{intake.patient_id}/",
        "/fhir/",
        f"/fhir/Patient/{intake.patient_id}/_history/1",
        "/fhir/Patient/1/$everything/x",
    ):
        _outcome(get(path, token), 404)
        _outcome(get(path), 404)


def test_a_format_this_server_does_not_write_is_406(intake: Intake) -> None:
    _client, token = api_client()
    path = f"/fhir/Patient/{intake.patient_id}"

    _outcome(get(path, token, _format="xml"), 406)
    _outcome(get(path, token, _format="application/fhir+xml"), 406)
    xml = Client().get(
        path, headers={"Authorization": f"Bearer {token}", "Accept": "application/fhir+xml"}
    )
    _outcome(xml, 406)
    _outcome(Client().get("/fhir/metadata", {"_format": "xml"}), 406)
    # JSON by any of its names, or anything at all, is JSON.
    for asked in ("json", "application/fhir+json", "application/json"):
        assert get(path, token, _format=asked).status_code == 200
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    for accept in ("application/fhir+json", "application/json", "*/*", browser):
        resp = Client().get(path, headers={"Authorization": f"Bearer {token}", "Accept": accept})
        assert resp.status_code == 200, accept


def test_every_call_that_returns_or_makes_data_is_one_audit_row_per_patient(
    intake: Intake,
) -> None:
    client, token = api_client()

    for path in _paths(intake):
        assert get(path, token).status_code == 200
    get("/fhir/RiskAssessment", token, patient=str(intake.patient_id + 1000))
    made = post("/fhir/QuestionnaireResponse", response(answers()), token)

    rows = list(AuditEvent.objects.filter(actor=client.user).order_by("pk"))
    assert len(rows) == len(_paths(intake)) + 2
    assert [r.patient_id for r in rows[: len(_paths(intake))]] == [intake.patient_id] * 6
    assert rows[-2].patient_id is None and rows[-2].action == AuditEvent.Action.SEARCH
    created = Intake.objects.get(pk=int(made["Location"].rsplit("/", 1)[1]))
    assert (rows[-1].patient_id, rows[-1].action) == (created.patient_id, AuditEvent.Action.CREATE)
    assert all(r.actor_kind == AuditEvent.ActorKind.SYSTEM for r in rows)
    assert all(r.actor_name == "API client Booking system" for r in rows)


# --- Every resource, valid R4, whatever the record holds -------------------------------------


def _every_resource(patient_id: int, token: str, **headers: str) -> list[dict[str, Any]]:
    """$everything, and each resource read by its id: every one valid R4, none empty."""
    auth = {"Authorization": f"Bearer {token}", **headers}
    bundle = body(Client().get(f"/fhir/Patient/{patient_id}/$everything", headers=auth))
    validated(bundle)
    found = [entry["resource"] for entry in bundle["entry"]]
    for resource in found:
        validated(resource)
        one = Client().get(f"/fhir/{resource['resourceType']}/{resource['id']}", headers=auth)
        assert one.status_code == 200, resource["id"]
        validated(body(one))
    return found


def test_a_german_speaking_patient_s_whole_history_is_valid_and_the_same_in_any_language(
    clock: Clock,
) -> None:
    history = _full_history(clock)
    Patient.objects.filter(pk=history.patient.pk).update(preferred_language="de")
    _client, token = api_client()

    in_english = _every_resource(history.patient.pk, token, **{"Accept-Language": "en"})
    in_german = _every_resource(history.patient.pk, token, **{"Accept-Language": "de"})

    assert {r["resourceType"] for r in in_german} >= {"Patient", "CarePlan", "Observation"}
    (patient,) = [r for r in in_german if r["resourceType"] == "Patient"]
    assert patient["communication"][0]["language"]["coding"][0]["code"] == "de"
    # What the API says does not hang on the caller's language: the German the patient reads is
    # beside the English (CarePlan's translation extension), whoever asks.
    assert in_german == in_english
    (request,) = [r for r in in_german if r["resourceType"] == "ServiceRequest"]
    assert request["code"]["coding"][0]["display"] == "Imaging: MRI"
    auth = {"Authorization": f"Bearer {token}", "Accept-Language": "de"}
    read = Client().get(f"/fhir/Patient/{history.patient.pk}", headers=auth)
    assert read["Content-Language"] == "en-gb"


def test_records_with_the_optional_data_missing_are_valid(receptionist: User) -> None:
    # No email, phone or NHS number; no programme, referral or examination; no flags.
    _client, token = api_client()
    bare = make_intake(
        entered_by=receptionist,
        details=patient_details(email="", phone="", nhs_number="", preferred_language="other"),
    )
    assert bare.assessment.rules == []

    found = _every_resource(bare.patient_id, token)

    assert [r["resourceType"] for r in found] == [
        "Patient",
        "QuestionnaireResponse",
        "RiskAssessment",
    ]
    patient, _response, risk = found
    assert not {"telecom", "identifier", "communication"} & set(patient)
    assert "reasonCode" not in risk
    assert risk["prediction"][0]["qualitativeRisk"]["coding"][0]["code"] == "SELF_CARE"


def test_an_intake_submitted_through_the_api_is_valid_read_back(clock: Clock) -> None:
    # Its author is the client (a Device), its patient the contained one.
    _client, token = api_client()
    made = post("/fhir/QuestionnaireResponse", response(answers()), token)
    patient_id = Intake.objects.get(pk=int(made["Location"].rsplit("/", 1)[1])).patient_id

    found = _every_resource(patient_id, token)

    (qr,) = [r for r in found if r["resourceType"] == "QuestionnaireResponse"]
    assert qr["author"]["type"] == "Device" and "source" not in qr


def test_a_date_at_the_end_of_the_calendar_is_a_search_not_a_bad_request(intake: Intake) -> None:
    # The day, month or year after the last one Python has is past every record.
    _client, token = api_client()
    for value in ("lt9999", "lt9999-12", "le9999-12-31", "lt9999-12-31T23:59:59+14:00"):
        resp = get("/fhir/RiskAssessment", token, patient=str(intake.patient_id), date=value)
        assert resp.status_code == 200, (value, resp.content)
        assert body(resp)["total"] == 1, value
    for value in ("gt9999", "ge9999-12-31T23:59:59-12:00"):
        resp = get("/fhir/RiskAssessment", token, patient=str(intake.patient_id), date=value)
        assert (resp.status_code, body(resp)["total"]) == (200, 0), value
