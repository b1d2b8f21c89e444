"""Search by the patient's identifier (the NHS number) and by date, `$everything`, and its cost:
a fixed number of queries whatever the length of the patient's history."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from patients.models import Intake
from tests.interop.helpers import api_client, body, get, history_of, validated
from tests.patients.helpers import VALID_NHS_NUMBER, make_intake, patient_details
from tests.support.clock import Clock

pytestmark = pytest.mark.django_db

NHS = "https://fhir.nhs.uk/Id/nhs-number"


def _ids(resp: Any) -> list[str]:
    assert resp.status_code == 200, resp.content
    bundle = body(resp)
    validated(bundle)
    return [entry["resource"]["id"] for entry in bundle.get("entry", [])]


def _three_intakes(clock: Clock, receptionist: User) -> list[Intake]:
    details = patient_details(nhs_number=VALID_NHS_NUMBER)
    made = []
    for _ in range(3):
        made.append(make_intake(entered_by=receptionist, details=details))
        clock.advance(timedelta(days=10))
    make_intake(entered_by=receptionist)  # somebody else's
    return made


def test_a_patient_is_found_by_nhs_number(clock: Clock, receptionist: User) -> None:
    first = _three_intakes(clock, receptionist)[0]
    _client, token = api_client()

    assert _ids(get("/fhir/Patient", token, identifier=f"{NHS}|{VALID_NHS_NUMBER}")) == [
        str(first.patient_id)
    ]
    assert _ids(get("/fhir/Patient", token, identifier="943 476 5919")) == [str(first.patient_id)]
    assert _ids(get("/fhir/Patient", token, identifier=f"urn:other|{VALID_NHS_NUMBER}")) == []


def test_a_patients_resources_are_searched_by_identifier_and_date(
    clock: Clock, receptionist: User
) -> None:
    intakes = _three_intakes(clock, receptionist)
    _client, token = api_client()
    who = f"{NHS}|{VALID_NHS_NUMBER}"
    second_day = intakes[1].created_at.date().isoformat()

    everyone = _ids(get("/fhir/QuestionnaireResponse", token, **{"patient.identifier": who}))
    that_day = _ids(
        get("/fhir/QuestionnaireResponse", token, **{"patient.identifier": who, "date": second_day})
    )
    from_then = _ids(
        get(
            "/fhir/RiskAssessment",
            token,
            **{"patient.identifier": who, "date": f"ge{second_day}"},
        )
    )
    before = _ids(
        get(
            f"/fhir/QuestionnaireResponse?patient={intakes[0].patient_id}"
            f"&date=ge{intakes[0].created_at.date()}&date=lt{second_day}",
            token,
        )
    )

    assert everyone == [str(i.pk) for i in intakes]
    assert that_day == [str(intakes[1].pk)]
    assert from_then == [str(i.assessment.pk) for i in intakes[1:]]
    assert before == [str(intakes[0].pk)]


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/fhir/QuestionnaireResponse", 400),  # a search is about one patient
        ("/fhir/Patient", 400),
        ("/fhir/QuestionnaireResponse?name=Ada&patient=1", 400),
        ("/fhir/QuestionnaireResponse?patient=1&date=yesterday", 400),
        ("/fhir/QuestionnaireResponse?patient=1&date=2026-02-30", 400),
        ("/fhir/QuestionnaireResponse?patient=1&date=2026-01-01T10:00", 400),  # no zone
        ("/fhir/Medication?patient=1", 404),
        ("/fhir/Patient/%C2%B2", 404),
        ("/fhir/Patient/99999999999999999999999", 404),
        ("/fhir/RiskAssessment/override-x", 404),
        ("/fhir/Questionnaire/phq-9", 404),
        ("/fhir/Patient/1/$everything", 404),
    ],
)
def test_a_search_or_read_the_api_does_not_take_is_answered_with_an_operation_outcome(
    path: str, status: int
) -> None:
    _client, token = api_client()

    resp = get(path, token)

    assert resp.status_code == status
    validated(body(resp))


def _everything_queries(patient_id: int, token: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        resp = get(f"/fhir/Patient/{patient_id}/$everything", token)
    assert resp.status_code == 200
    return len(queries)


def test_everything_takes_the_same_queries_however_long_the_history(
    receptionist: User, clinician: User
) -> None:
    _client, token = api_client()
    short = history_of(
        intakes=2,
        programmes=1,
        check_ins=2,
        reception=receptionist,
        clinician=clinician,
        family_name="Short",
    )
    long = history_of(
        intakes=8,
        programmes=3,
        check_ins=6,
        reception=receptionist,
        clinician=clinician,
        family_name="Long",
    )

    few, many = _everything_queries(short.pk, token), _everything_queries(long.pk, token)

    assert few == many > 0
    found = body(get(f"/fhir/Patient/{long.pk}/$everything", token))["entry"]
    assert sum(e["resource"]["resourceType"] == "CarePlan" for e in found) == 3
    assert sum(e["resource"]["id"].startswith("checkin-pain-") for e in found) == 18
