"""A QuestionnaireResponse POSTed while no signed-off rule set is chosen (production): 503 with an
OperationOutcome, and nothing saved."""

from __future__ import annotations

import pytest

from audit.models import AuditEvent
from governance import active
from outbox.models import Message
from patients.models import Intake, Patient
from tests.interop.helpers import api_client, body, post, response, validated
from tests.patients.helpers import answers
from triage.models import Assessment, Case

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

URL = "/fhir/QuestionnaireResponse"
EMERGENCY = {"chest_pain": True, "sweating_or_nausea_with_pain": True, "shortness_of_breath": True}


@pytest.fixture(autouse=True)
def production(settings) -> None:  # type: ignore[no-untyped-def]
    settings.TRIAGE_UNSIGNED_RULESET_ALLOWED = False
    active.forget()  # read the clinic's choice for real: none is chosen


def test_an_intake_without_a_signed_off_rule_set_is_refused_with_503_and_nothing_saved() -> None:
    _client, token = api_client()

    resp = post(URL, response(answers(**EMERGENCY)), token, **{"Idempotency-Key": "order-1"})

    assert resp.status_code == 503, resp.content
    assert resp["Retry-After"] == "300"
    outcome = body(resp)
    validated(outcome)  # a valid FHIR R4 OperationOutcome
    assert outcome["resourceType"] == "OperationOutcome"
    [issue] = outcome["issue"]
    assert (issue["severity"], issue["code"]) == ("error", "transient")
    assert "no signed-off rule set is chosen" in issue["diagnostics"]
    assert "Nothing was saved" in issue["diagnostics"]
    assert not Intake.objects.exists()
    assert not Patient.objects.exists()
    assert not Assessment.objects.exists() and not Case.objects.exists()
    assert not Message.objects.exists()
    assert not AuditEvent.objects.filter(record__startswith="FHIR QuestionnaireResponse").exists()
