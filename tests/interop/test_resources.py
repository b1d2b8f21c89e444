"""Every resource type the API gives, exported from a patient's whole history and read back by an
independent copy of the FHIR R4 models (`fhir.resources`, R4B): Patient, Questionnaire,
QuestionnaireResponse, RiskAssessment (triage and override), ServiceRequest, DocumentReference,
CarePlan and Observation (check-in pain and NDI, the examination)."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from interop import codes
from referrals.models import Referral
from tests.audit.test_subject_access import _full_history
from tests.interop.helpers import api_client, body, get, validated
from tests.support.clock import Clock
from triage.models import Assessment, UrgencyOverride
from triage.rules import QUESTIONS
from triage.rules.contract import CONTRACT_VERSION, TRAUMA_MECHANISMS

pytestmark = pytest.mark.django_db


def _everything(patient_id: int, token: str) -> list[dict[str, Any]]:
    response = get(f"/fhir/Patient/{patient_id}/$everything", token)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/fhir+json")
    assert response["Cache-Control"] == "no-store"
    bundle = body(response)
    validated(bundle)
    assert bundle["type"] == "searchset"
    assert bundle["total"] == len(bundle["entry"])
    return [entry["resource"] for entry in bundle["entry"]]


def test_a_whole_history_exports_every_resource_type_each_valid_r4(clock: Clock) -> None:
    history = _full_history(clock)
    _client, token = api_client()

    found = _everything(history.patient.pk, token)

    kinds = Counter(r["resourceType"] for r in found)
    assert set(kinds) == {
        "Patient",
        "QuestionnaireResponse",
        "RiskAssessment",
        "ServiceRequest",
        "DocumentReference",
        "CarePlan",
        "Observation",
    }
    for resource in found:
        validated(resource)
    # Each is also read by its id, the same resource.
    for resource in found:
        one = get(f"/fhir/{resource['resourceType']}/{resource['id']}", token)
        assert one.status_code == 200, resource["id"]
        read = body(one)
        validated(read)
        if resource["resourceType"] != "DocumentReference":  # the read adds the PDF as sent
            assert read == resource


def test_each_resource_says_what_its_record_holds(clock: Clock) -> None:
    # One whole history (it takes a while to build), each resource type checked against it.
    history = _full_history(clock)
    history.patient.nhs_number = "9434765919"
    history.patient.save()
    _client, token = api_client()
    found = _everything(history.patient.pk, token)

    _check_patient(history, token)
    _check_intakes(history, found)
    _check_assessment(found, history)
    _check_override(found, history)
    _check_referral(found, history, token)
    _check_programme_and_observations(found, history)


def _check_patient(history: Any, token: str) -> None:
    patient = body(get(f"/fhir/Patient/{history.patient.pk}", token))

    assert patient["identifier"] == [
        {"system": "https://fhir.nhs.uk/Id/nhs-number", "value": "9434765919"}
    ]
    assert patient["name"] == [{"use": "official", "family": "Quartermaine", "given": ["Ada"]}]
    assert (patient["gender"], patient["birthDate"]) == ("female", "1985-03-14")
    assert {"system": "phone", "value": "01632 960999"} in patient["telecom"]


def test_the_questionnaire_has_one_item_per_contract_key_with_its_answer_type() -> None:
    _client, token = api_client(read=False)

    questionnaire = body(get("/fhir/Questionnaire/intake-1", token))

    validated(questionnaire)
    assert questionnaire["url"] == codes.QUESTIONNAIRE_URL
    assert questionnaire["version"] == CONTRACT_VERSION
    items = {item["linkId"]: item for item in questionnaire["item"]}
    assert list(items) == [q.name for q in QUESTIONS]
    assert items["chest_pain"]["type"] == "boolean"
    assert items["pain_score_now"]["type"] == "integer"
    assert [e["valueInteger"] for e in items["pain_score_now"]["extension"]] == [0, 10]
    mechanism = items["trauma_mechanism"]
    assert mechanism["type"] == "choice"
    assert [o["valueCoding"]["code"] for o in mechanism["answerOption"]] == list(TRAUMA_MECHANISMS)
    assert mechanism["enableWhen"] == [
        {"question": "recent_significant_trauma", "operator": "=", "answerBoolean": True}
    ]
    assert mechanism["required"] is False
    assert all(item["required"] for name, item in items.items() if name != "trauma_mechanism")


def _by_id(found: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {r["id"]: r for r in found if r["resourceType"] == kind}


def _check_intakes(history: Any, found: list[dict[str, Any]]) -> None:
    # Each names its author: the member of staff, or the patient for their own self-intake.
    responses = _by_id(found, "QuestionnaireResponse")

    intakes = {i.pk: i for i in history.patient.intakes.all()}
    assert len(responses) == len(intakes) == 2  # reception's and the patient's own
    assert any(i.entered_by is None for i in intakes.values())
    for rid, response in responses.items():
        intake = intakes[int(rid)]
        assert response["authored"].startswith(intake.created_at.astimezone().isoformat()[:10])
        if intake.entered_by is None:
            assert response["author"] == {
                "reference": f"Patient/{history.patient.pk}",
                "type": "Patient",
            }
        else:
            assert response["author"]["identifier"]["value"] == intake.entered_by.username
        answered = {item["linkId"] for item in response["item"]}
        assert answered >= {q.name for q in QUESTIONS} - {"trauma_mechanism"}


def _check_assessment(found: list[dict[str, Any]], history: Any) -> None:
    # The urgency, each fired rule with its ID, reason and source, and the rule-set version.
    risks = _by_id(found, "RiskAssessment")

    assessment = Assessment.objects.filter(intake__patient=history.patient).earliest("created_at")
    risk = risks[str(assessment.pk)]
    assert risk["prediction"][0]["qualitativeRisk"]["coding"][0] == {
        "system": codes.URGENCY_SYSTEM,
        "code": assessment.urgency_key,
        "display": codes.URGENCY_LABELS[assessment.urgency_key],
    }
    assert risk["method"]["coding"][0]["version"] == assessment.ruleset
    assert risk["basis"] == [{"reference": f"QuestionnaireResponse/{assessment.intake_id}"}]
    fired = [
        (c["coding"][0]["code"], c["text"], c["extension"][0]["valueString"])
        for c in risk["reasonCode"]
    ]
    assert fired == [(r["id"], r["reason"], r["source"]) for r in assessment.rules]
    assert fired  # the tingling fired a rule


def _check_override(found: list[dict[str, Any]], history: Any) -> None:
    # A RiskAssessment of its own, naming the one it overrides.
    risks = _by_id(found, "RiskAssessment")

    o = UrgencyOverride.objects.get(case__patient=history.patient)
    risk = risks[f"override-{o.pk}"]
    assert risk["parent"] == {"reference": f"RiskAssessment/{o.assessment_id}"}
    assert risk["prediction"][0]["qualitativeRisk"]["coding"][0]["code"] == "SOON"
    assert risk["performer"]["identifier"]["value"] == history.doctor.username
    assert "Tingling worse at night" in risk["note"][0]["text"]
    # The examination's triage is there too, on the examination's Observation.
    exam_risks = [
        r for r in risks.values() if r["basis"][0]["reference"].startswith("Observation/")
    ]
    assert len(exam_risks) == 1


def _check_referral(found: list[dict[str, Any]], history: Any, token: str) -> None:
    # A ServiceRequest, its letter a DocumentReference.
    referral = Referral.objects.get(case__patient=history.patient)

    request = _by_id(found, "ServiceRequest")[str(referral.pk)]
    assert request["status"] == "active"
    assert request["priority"] == codes.PRIORITY_OF[referral.urgency_key]
    assert request["performer"] == [{"display": "Riverside MRI"}]
    assert request["supportingInfo"] == [{"reference": f"DocumentReference/{referral.pk}"}]
    letter = _by_id(found, "DocumentReference")[str(referral.pk)]
    assert [c["attachment"]["contentType"] for c in letter["content"]] == [
        "text/plain; charset=utf-8"
    ]
    # Read by id, the letter comes with the PDF as sent.
    read = body(get(f"/fhir/DocumentReference/{referral.pk}", token))
    assert [c["attachment"]["contentType"] for c in read["content"]][1:] == (
        ["application/pdf"] if referral.letter_pdf else []
    )


def _check_programme_and_observations(found: list[dict[str, Any]], history: Any) -> None:
    # A CarePlan with an activity per exercise; check-ins and the examination as Observations.

    plan = _by_id(found, "CarePlan")[str(history.programme.pk)]
    exercises = sum(p.exercises.count() for p in history.programme.phases.all())
    assert len(plan["activity"]) == exercises > 0
    # The German the patient reads, beside the English, as HL7's translation extension.
    programme = history.programme
    assert programme.name_de and plan["title"] == programme.name

    def german(element: dict[str, Any]) -> dict[str, str]:
        (translation,) = element["extension"]
        assert translation["url"] == "http://hl7.org/fhir/StructureDefinition/translation"
        return {
            part["url"]: part.get("valueCode") or part["valueString"]
            for part in translation["extension"]
        }

    assert german(plan["_title"]) == {"lang": "de", "content": programme.name_de}
    assert german(plan["_description"])["content"] == programme.template.summary_de
    first = programme.phases.order_by("position").first().exercises.order_by("position").first()
    codes = [a["detail"]["code"] for a in plan["activity"]]
    assert {"lang": "de", "content": first.exercise.name_de} in [german(c["_text"]) for c in codes]
    observations = _by_id(found, "Observation")
    check_in = history.programme.check_ins.get(week=0)
    pain = observations[f"checkin-pain-{check_in.pk}"]
    assert pain["code"]["coding"][0]["system"] == "http://loinc.org"
    assert pain["code"]["coding"][0]["code"] == "72514-3"
    assert pain["valueInteger"] == 4
    ndi = observations[f"checkin-ndi-{check_in.pk}"]
    assert ndi["valueQuantity"]["value"] == 10.0
    (exam,) = [o for oid, o in observations.items() if oid.startswith("exam-")]
    components = {c["code"]["coding"][0]["code"]: c for c in exam["component"]}
    assert components["orthopaedic_tests.spurling.left"]["valueString"] == "positive"
    assert components["impression.category"]["valueString"] == "radicular_pain"
