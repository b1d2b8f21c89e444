"""What the API says about itself: the FHIR CapabilityStatement (`/fhir/metadata`) and an OpenAPI
3.1 description (`/fhir/openapi.json`), both written here by hand from the same table of
resources, so the two cannot disagree; a test checks that every route of interop/urls.py is in
the OpenAPI document and every path of it answers."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from interop import codes
from interop.models import Scope
from interop.resources import RESOURCE_TYPES

API_VERSION = "1.0.0"

_PATIENT_PARAMS = [
    ("patient", "reference", "The patient's id (or Patient/<id>)."),
    (
        "patient.identifier",
        "token",
        f"The patient's NHS number: {codes.NHS_NUMBER}|<ten digits>, or the digits.",
    ),
    ("subject", "reference", "As patient."),
    ("subject.identifier", "token", "As patient.identifier."),
    (
        "date",
        "date",
        "When it was made (authored, occurrence, effective, created); eq, ne, gt, ge, lt, le "
        "prefixes; repeat for a range.",
    ),
]
# Each resource type's search parameters: (name, FHIR search type, what it matches).
SEARCH_DOCS: dict[str, list[tuple[str, str, str]]] = {
    "Patient": [
        ("_id", "token", "The patient's id."),
        ("identifier", "token", f"The NHS number: {codes.NHS_NUMBER}|<ten digits>, or the digits."),
    ],
    **{kind: _PATIENT_PARAMS for kind in RESOURCE_TYPES if kind != "Patient"},
}


def capability_statement(base: str) -> dict[str, Any]:
    resources: list[dict[str, Any]] = [
        {
            "type": "Questionnaire",
            "interaction": [{"code": "read"}],
            "documentation": f"Questionnaire/{codes.QUESTIONNAIRE_ID}: the intake contract "
            "intake/1, which intakes are submitted against. Any client may read it.",
        }
    ]
    for kind in RESOURCE_TYPES:
        entry: dict[str, Any] = {
            "type": kind,
            "interaction": [{"code": "read"}, {"code": "search-type"}],
            "searchParam": [
                {"name": name, "type": kind_of, "documentation": text}
                for name, kind_of, text in SEARCH_DOCS[kind]
            ],
            "documentation": f"Needs the scope {Scope.READ_PATIENTS.value}. A search is about "
            "one patient.",
        }
        if kind == "Patient":
            entry["operation"] = [
                {
                    "name": "everything",
                    "definition": "http://hl7.org/fhir/OperationDefinition/Patient-everything",
                    "documentation": "Everything held about the patient, as a searchset Bundle.",
                }
            ]
        if kind == "QuestionnaireResponse":
            entry["interaction"].append(
                {
                    "code": "create",
                    "documentation": f"Needs the scope {Scope.SUBMIT_INTAKES.value}. An intake "
                    f"against {codes.QUESTIONNAIRE_URL}|intake/1, triaged as reception's is. "
                    "The same Idempotency-Key header (or the same identifier) twice makes one "
                    "intake.",
                }
            )
        resources.append(entry)
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": timezone.localdate().isoformat(),
        "publisher": "Clinic triage",
        "kind": "instance",
        "software": {"name": "Clinic triage FHIR API", "version": API_VERSION},
        "implementation": {"description": "The clinic's FHIR R4 API", "url": base},
        "fhirVersion": codes.FHIR_VERSION,
        "format": ["application/fhir+json"],
        "rest": [
            {
                "mode": "server",
                "documentation": f"OpenAPI description: {base}/openapi.json",
                "security": {
                    "cors": False,
                    "description": "Each client holds its own bearer token (Authorization: "
                    "Bearer <token>), issued by an admin with the scopes "
                    f"{Scope.READ_PATIENTS.value} and/or {Scope.SUBMIT_INTAKES.value}; a "
                    "revoked token is refused. Every call is audited.",
                },
                "resource": resources,
            }
        ],
    }


def _fhir_response(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/fhir+json": {"schema": {"$ref": "#/components/schemas/Resource"}}},
    }


ERRORS = {
    "401": _fhir_response("No token, an unknown one or a revoked one (OperationOutcome)"),
    "403": _fhir_response("The client lacks the scope (OperationOutcome)"),
}


def openapi(base: str) -> dict[str, Any]:
    read_ops: dict[str, Any] = {}
    for kind in ("Questionnaire", *RESOURCE_TYPES):
        read_ops[f"/{kind}/{{id}}"] = {
            "get": {
                "summary": f"Read a {kind}",
                "operationId": f"read{kind}",
                "parameters": [
                    {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
                ],
                "responses": {
                    "200": _fhir_response(kind),
                    "404": _fhir_response("No such resource (OperationOutcome)"),
                    **ERRORS,
                },
            }
        }
    search_ops: dict[str, Any] = {}
    for kind in RESOURCE_TYPES:
        search_ops[f"/{kind}"] = {
            "get": {
                "summary": f"Search {kind} resources of one patient",
                "operationId": f"search{kind}",
                "parameters": [
                    {
                        "name": name,
                        "in": "query",
                        "required": False,
                        "schema": {"type": "string"},
                        "description": text,
                    }
                    for name, _kind, text in SEARCH_DOCS[kind]
                ],
                "responses": {
                    "200": _fhir_response("A searchset Bundle"),
                    "400": _fhir_response("A search the API does not take (OperationOutcome)"),
                    **ERRORS,
                },
            }
        }
    search_ops["/QuestionnaireResponse"]["post"] = {
        "summary": "Submit an intake",
        "operationId": "submitIntake",
        "description": "A QuestionnaireResponse against the intake Questionnaire, its subject a "
        "Patient/<id> or a contained Patient (name, birthDate, gender, NHS number). Validated "
        "against the contract and triaged exactly as reception's intake is, alerts included.",
        "parameters": [
            {
                "name": "Idempotency-Key",
                "in": "header",
                "required": False,
                "schema": {"type": "string", "maxLength": 200},
                "description": "The same key (or the same identifier) twice makes one intake.",
            }
        ],
        "requestBody": {
            "required": True,
            "content": {
                "application/fhir+json": {"schema": {"$ref": "#/components/schemas/Resource"}}
            },
        },
        "responses": {
            "201": _fhir_response(
                "A collection Bundle: the Patient, QuestionnaireResponse and RiskAssessment made"
            ),
            "200": _fhir_response("The same request again: the intake it made"),
            "409": _fhir_response("The NHS number is on file for somebody else (OperationOutcome)"),
            "422": _fhir_response("An OperationOutcome naming each failing item; nothing saved"),
            **ERRORS,
        },
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Clinic triage FHIR R4 API",
            "version": API_VERSION,
            "description": "FHIR R4 (4.0.1) resources of the clinic's patients, intakes, triage, "
            "referrals, programmes, check-ins and examinations. The CapabilityStatement is at "
            "/metadata.",
        },
        "servers": [{"url": base}],
        "security": [{"bearer": []}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Resource": {
                    "type": "object",
                    "required": ["resourceType"],
                    "properties": {"resourceType": {"type": "string"}},
                    "description": "A FHIR R4 resource (http://hl7.org/fhir/R4/).",
                }
            },
        },
        "paths": {
            "/metadata": {
                "get": {
                    "summary": "The CapabilityStatement",
                    "operationId": "capabilities",
                    "security": [],
                    "responses": {"200": _fhir_response("CapabilityStatement")},
                }
            },
            "/openapi.json": {
                "get": {
                    "summary": "This description",
                    "operationId": "openapi",
                    "security": [],
                    "responses": {"200": {"description": "OpenAPI 3.1"}},
                }
            },
            "/Patient/{id}/$everything": {
                "get": {
                    "summary": "Everything held about a patient",
                    "operationId": "patientEverything",
                    "parameters": [
                        {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
                    ],
                    "responses": {
                        "200": _fhir_response("A searchset Bundle"),
                        "404": _fhir_response("No such patient (OperationOutcome)"),
                        **ERRORS,
                    },
                }
            },
            **read_ops,
            **search_ops,
        },
    }
