"""An intake from another system: a QuestionnaireResponse POSTed against the intake
Questionnaire is checked against the contract, triaged exactly as reception's intake is (the same
service, alerts included), and answered with what it made; a malformed one is refused with every
failing item named and nothing saved; the same request twice makes one intake; and an intake
exported, then submitted back, triages the same."""

from __future__ import annotations

import copy
import random
import uuid
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from audit.models import AuditEvent
from outbox.models import Message
from patients.models import Intake, Patient
from patients.services import submit_intake
from tests.interop.helpers import api_client, body, get, post, response, validated, varied_answers
from tests.patients.helpers import answers, make_user, patient_details
from triage.models import Assessment, Case
from triage.rules import Answers

pytestmark = pytest.mark.django_db

URL = "/fhir/QuestionnaireResponse"
EMERGENCY = {"chest_pain": True, "sweating_or_nausea_with_pain": True, "shortness_of_breath": True}


def _rules(assessment: Assessment) -> list[tuple[str, str, str]]:
    return [(r["id"], r["reason"], r["source"]) for r in assessment.rules]


def _made(resp: Any) -> dict[str, dict[str, Any]]:
    bundle = body(resp)
    validated(bundle)
    return {entry["resource"]["resourceType"]: entry["resource"] for entry in bundle["entry"]}


def test_an_intake_is_stored_triaged_and_answered_with_what_it_made(clinician: User) -> None:
    client, token = api_client()

    resp = post(URL, response(answers(**EMERGENCY)), token)

    assert resp.status_code == 201, resp.content
    made = _made(resp)
    intake = Intake.objects.get()
    assert made["QuestionnaireResponse"]["id"] == str(intake.pk)
    assert resp["Location"].endswith(f"/fhir/QuestionnaireResponse/{intake.pk}")
    assert (intake.source, intake.entered_by) == (Intake.Source.IMPORT, client.user)
    patient = intake.patient
    assert (patient.given_name, patient.family_name, patient.nhs_number) == (
        "Ngozi",
        "Okafor",
        "9434765919",
    )
    assert made["Patient"]["id"] == str(patient.pk)
    risk = made["RiskAssessment"]
    assert risk["prediction"][0]["qualitativeRisk"]["coding"][0]["code"] == "EMERGENCY"
    # Queued like reception's: an EMERGENCY case, and its clinician alert.
    case = Case.objects.get(patient=patient)
    assert case.urgency_key == "EMERGENCY"
    assert Message.objects.filter(case=case, kind=Message.Kind.CLINICIAN_ALERT).exists()
    # The author is the client.
    assert made["QuestionnaireResponse"]["author"]["display"] == "API client Booking system"


def test_it_triages_exactly_as_reception_does_alerts_included(clinician: User) -> None:
    _client, token = api_client()
    reception = make_user(role="reception")
    given = answers(**EMERGENCY, numbness_or_tingling_arms=True)
    at_the_desk = submit_intake(
        details=patient_details(),
        answers=Answers.from_mapping(given),
        entered_by=reception,
        submission_token=uuid.uuid4(),
    )

    post(URL, response(given), token)

    by_api = Intake.objects.exclude(pk=at_the_desk.pk).get()
    assert by_api.assessment.urgency == at_the_desk.assessment.urgency
    assert _rules(by_api.assessment) == _rules(at_the_desk.assessment)
    assert by_api.assessment.ruleset == at_the_desk.assessment.ruleset

    def alerts(intake: Intake) -> int:
        return Message.objects.filter(
            case=intake.assessment.case, kind=Message.Kind.CLINICIAN_ALERT
        ).count()

    assert alerts(by_api) == alerts(at_the_desk) >= 1


def test_a_known_patient_is_named_by_reference_and_their_record_is_left_alone() -> None:
    _client, token = api_client()
    patient = Patient.objects.create(
        given_name="Ada", family_name="Lovelace", date_of_birth=date(1985, 3, 14), sex="F"
    )

    resp = post(URL, response(answers(), subject=f"Patient/{patient.pk}"), token)

    assert resp.status_code == 201
    intake = Intake.objects.get()
    assert intake.patient == patient
    assert intake.answers["age"] == patient.age_on(intake.created_at.date())
    assert Patient.objects.count() == 1


def test_a_returning_patient_is_matched_by_nhs_number_and_contact_details_stay() -> None:
    _client, token = api_client()
    first = post(URL, response(answers()), token)
    contained = response(answers())["contained"][0] | {
        "telecom": [{"system": "phone", "value": "01632 960123"}]
    }

    again = post(URL, response(answers(), patient=contained), token)

    assert (first.status_code, again.status_code) == (201, 201)
    assert Patient.objects.count() == 1
    assert Patient.objects.get().phone == ""
    assert Intake.objects.count() == 2


def test_an_nhs_number_on_file_for_somebody_else_is_refused_for_reception_to_settle() -> None:
    _client, token = api_client()
    post(URL, response(answers()), token)
    other = response(answers())["contained"][0] | {"birthDate": "1990-01-01"}

    resp = post(URL, response(answers(), patient=other), token)

    assert resp.status_code == 409
    (issue,) = body(resp)["issue"]
    assert issue["expression"][0].endswith(".birthDate")
    assert Intake.objects.count() == 1


# --- The same request twice ----------------------------------------------------------------


def test_the_same_idempotency_key_twice_makes_one_intake() -> None:
    _client, token = api_client()
    given = response(answers())

    first = post(URL, given, token, **{"Idempotency-Key": "booking-4411"})
    second = post(URL, given, token, **{"Idempotency-Key": "booking-4411"})

    assert (first.status_code, second.status_code) == (201, 200)
    assert Intake.objects.count() == 1
    assert _made(first) == {**_made(second)} | {}
    assert first["Location"] == second["Location"]


def test_the_same_client_supplied_identifier_twice_makes_one_intake() -> None:
    _client, token = api_client()
    given = response(answers(), identifier={"system": "urn:booking", "value": "Q-77"})

    statuses = [post(URL, given, token).status_code for _ in range(3)]

    assert statuses == [201, 200, 200]
    assert Intake.objects.count() == 1


def test_without_a_key_each_request_is_a_new_intake() -> None:
    _client, token = api_client()

    post(URL, response(answers()), token)
    post(URL, response(answers()), token)

    assert Intake.objects.count() == 2


def test_a_key_reused_with_other_answers_is_refused() -> None:
    _client, token = api_client()
    post(URL, response(answers()), token, **{"Idempotency-Key": "k-1"})

    resp = post(URL, response(answers(chest_pain=True)), token, **{"Idempotency-Key": "k-1"})

    assert resp.status_code == 422
    assert body(resp)["issue"][0]["code"] == "duplicate"
    assert Intake.objects.count() == 1


def test_two_clients_with_the_same_key_make_two_intakes() -> None:
    _a, token_a = api_client("Booking")
    _b, token_b = api_client("E-referrals")

    post(URL, response(answers()), token_a, **{"Idempotency-Key": "same"})
    post(URL, response(answers()), token_b, **{"Idempotency-Key": "same"})

    assert Intake.objects.count() == 2


# --- Malformed responses: each refused, its items named, nothing saved -----------------------

Change = Callable[[dict[str, Any]], None]


def _item(qr: dict[str, Any], link_id: str) -> dict[str, Any]:
    item: dict[str, Any] = next(i for i in qr["item"] if i["linkId"] == link_id)
    return item


def _drop(link_id: str) -> Change:
    return lambda qr: qr.__setitem__("item", [i for i in qr["item"] if i["linkId"] != link_id])


def _answer(link_id: str, answer: Any) -> Change:
    return lambda qr: _item(qr, link_id).__setitem__("answer", answer)


def _set(key: str, value: Any) -> Change:
    return lambda qr: qr.__setitem__(key, value)


def _patient(key: str, value: Any) -> Change:
    return lambda qr: qr["contained"][0].__setitem__(key, value)


def _both(*changes: Change) -> Change:
    def change(qr: dict[str, Any]) -> None:
        for c in changes:
            c(qr)

    return change


CODING = "https://clinic-triage.example/fhir/CodeSystem/intake-1"
P = "QuestionnaireResponse.contained.where(resourceType='Patient')"
MALFORMED: list[tuple[str, Change, list[str]]] = [
    ("a question left out", _drop("chest_pain"), ["chest_pain"]),
    ("yes as text", _answer("chest_pain", [{"valueString": "yes"}]), ["chest_pain"]),
    ("a pain score of 11", _answer("pain_score_now", [{"valueInteger": 11}]), ["pain_score_now"]),
    (
        "a decimal pain score",
        _answer("pain_score_now", [{"valueDecimal": 4.5}]),
        ["pain_score_now"],
    ),
    ("a negative duration", _answer("duration_days", [{"valueInteger": -1}]), ["duration_days"]),
    ("an age past the contract", _answer("age", [{"valueInteger": 200}]), ["age"]),
    (
        "a region not in the options",
        _answer("pain_region", [{"valueCoding": {"system": CODING, "code": "knee"}}]),
        ["pain_region"],
    ),
    (
        "an option of another code system",
        _answer(
            "sex",
            [{"valueCoding": {"system": "http://hl7.org/fhir/administrative-gender", "code": "F"}}],
        ),
        ["sex"],
    ),
    ("no answer", _answer("onset_sudden", []), ["onset_sudden"]),
    (
        "two answers",
        _answer("onset_sudden", [{"valueBoolean": True}, {"valueBoolean": False}]),
        ["onset_sudden"],
    ),
    ("an answer as null", _answer("osteoporosis", [{"valueBoolean": None}]), ["osteoporosis"]),
    (
        "an item not in the questionnaire",
        lambda qr: qr["item"].append(
            {"linkId": "favourite_colour", "answer": [{"valueString": "blue"}]}
        ),
        ["favourite_colour"],
    ),
    (
        "a question answered twice",
        lambda qr: qr["item"].append({"linkId": "chest_pain", "answer": [{"valueBoolean": True}]}),
        ["chest_pain"],
    ),
    (
        "an injury without its mechanism",
        _both(
            _answer("recent_significant_trauma", [{"valueBoolean": True}]),
            _drop("trauma_mechanism"),
        ),
        ["trauma_mechanism"],
    ),
    (
        "several problems at once",
        _both(
            _drop("age"), _answer("pain_score_now", [{"valueInteger": 12}]), _drop("coughing_blood")
        ),
        ["age", "pain_score_now", "coughing_blood"],
    ),
    (
        "another questionnaire",
        _set("questionnaire", "http://example.org/Questionnaire/phq9"),
        ["QuestionnaireResponse.questionnaire"],
    ),
    (
        "another version of the contract",
        _set("questionnaire", "https://clinic-triage.example/fhir/Questionnaire/intake-1|intake/2"),
        ["QuestionnaireResponse.questionnaire"],
    ),
    (
        "a response still in progress",
        _set("status", "in-progress"),
        ["QuestionnaireResponse.status"],
    ),
    ("no subject", lambda qr: qr.pop("subject"), ["QuestionnaireResponse.subject"]),
    (
        "a subject nobody is",
        _set("subject", {"reference": "Patient/987654321"}),
        ["QuestionnaireResponse.subject"],
    ),
    (
        "a subject of another kind",
        _set("subject", {"reference": "Group/1"}),
        ["QuestionnaireResponse.subject"],
    ),
    (
        "a contained patient without a birth date",
        _patient("birthDate", "14/03/1985"),
        [f"{P}.birthDate"],
    ),
    ("a contained patient without a name", _patient("name", []), [f"{P}.name"]),
    (
        "a name with a text-direction override",
        _patient("name", [{"family": "\u202eOkafor", "given": ["N"]}]),
        [f"{P}.name"],
    ),
    (
        "an NHS number with a wrong check digit",
        _patient(
            "identifier", [{"system": "https://fhir.nhs.uk/Id/nhs-number", "value": "9434765918"}]
        ),
        [f"{P}.identifier"],
    ),
    ("a gender FHIR has not", _patient("gender", "f"), [f"{P}.gender"]),
    ("no items", _set("item", []), ["QuestionnaireResponse.item"]),
    ("another resource", _set("resourceType", "Observation"), ["resourceType"]),
]


@pytest.mark.parametrize(
    ("change", "named"), [pytest.param(c, n, id=name) for name, c, n in MALFORMED]
)
def test_a_malformed_response_is_refused_naming_each_item_and_nothing_is_saved(
    change: Change, named: list[str]
) -> None:
    _client, token = api_client()
    qr = response(answers())
    change(qr)
    before = _counts()

    resp = post(URL, qr, token)

    assert resp.status_code == 422, resp.content
    outcome = body(resp)
    validated(outcome)
    locations = [issue["location"][0] for issue in outcome["issue"]]
    assert sorted(set(locations)) == sorted(named), outcome
    for issue in outcome["issue"]:
        if not issue["location"][0].startswith(("Questionnaire", "resourceType")):
            assert issue["expression"] == [
                f"QuestionnaireResponse.item.where(linkId='{issue['location'][0]}')"
            ]
    assert _counts() == before


def _counts() -> tuple[int, ...]:
    return tuple(
        model.objects.count() for model in (Patient, Intake, Assessment, Case, Message, AuditEvent)
    )


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        ("{not json", 400),
        ("[]", 422),
        ('{"resourceType": "QuestionnaireResponse", "item": "x"}', 422),
        (b"\xff\xfe", 400),
    ],
)
def test_a_body_that_is_no_response_is_refused_and_nothing_is_saved(raw: Any, status: int) -> None:
    _client, token = api_client()
    before = _counts()

    resp = post(URL, raw, token)

    assert resp.status_code == status
    assert body(resp)["resourceType"] == "OperationOutcome"
    assert _counts() == before


# --- The round trip ----------------------------------------------------------------------------


def test_an_exported_intake_submitted_back_triages_the_same_over_many_varied_intakes() -> None:
    # Intakes entered at the desk with varied answers (every urgency comes up), each read out as
    # a QuestionnaireResponse and submitted back as a new intake of the same patient.
    _client, token = api_client()
    reception = make_user(role="reception")
    rng = random.Random(13)
    urgencies = set()
    for n in range(60):
        given = varied_answers(rng)
        original = submit_intake(
            details=patient_details(family_name=f"Roundtrip{n}", date_of_birth=_born(given["age"])),
            answers=Answers.from_mapping(given),
            entered_by=reception,
            submission_token=uuid.uuid4(),
        )
        exported = body(get(f"/fhir/QuestionnaireResponse/{original.pk}", token))

        resp = post(URL, copy.deepcopy(exported), token)

        assert resp.status_code == 201, (n, resp.content)
        again = Intake.objects.get(pk=int(_made(resp)["QuestionnaireResponse"]["id"]))
        assert again.pk != original.pk and again.patient_id == original.patient_id
        assert again.answers == original.answers
        assert again.assessment.urgency == original.assessment.urgency
        assert _rules(again.assessment) == _rules(original.assessment)
        urgencies.add(original.assessment.urgency_key)
    assert urgencies == {"EMERGENCY", "URGENT", "SOON", "ROUTINE", "SELF_CARE"}


def _born(age: int) -> date:
    """A date of birth that makes the patient `age` today, whatever day the test runs."""
    today = timezone.localdate()
    year = today.year - age - 1
    try:
        return date(year, today.month, today.day) + timedelta(days=1)
    except ValueError:  # 29 February
        return date(year, 3, 1)
