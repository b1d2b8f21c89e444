"""An outside checker's malformed QuestionnaireResponses, beyond test_submit.py's: each is refused
with a 4xx OperationOutcome (valid FHIR) whose every issue has a code, diagnostics and an
`expression` naming the linkId or element, and nothing is saved: no Patient, intake, assessment,
case, outbox message or audit row. Then bodies that are no response at all: not JSON, empty, the
wrong media type, too large, nested too deep, a JSON object with an element twice."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from audit.models import AuditEvent
from outbox.models import Message
from patients.models import Intake, Patient, PatientDetailChange
from tests.interop.helpers import FHIR, api_client, body, post, response, validated
from tests.patients.helpers import answers
from tests.support.clock import Clock
from triage.models import Assessment, Case

pytestmark = pytest.mark.django_db

URL = "/fhir/QuestionnaireResponse"
CODING = "https://clinic-triage.example/fhir/CodeSystem/intake-1"
P = "QuestionnaireResponse.contained.where(resourceType='Patient')"
QR = "QuestionnaireResponse"

Change = Callable[[dict[str, Any]], None]


def _item(qr: dict[str, Any], link_id: str) -> dict[str, Any]:
    found: dict[str, Any] = next(i for i in qr["item"] if i["linkId"] == link_id)
    return found


def _drop(*link_ids: str) -> Change:
    return lambda qr: qr.__setitem__("item", [i for i in qr["item"] if i["linkId"] not in link_ids])


def _answer(link_id: str, *answer: Any) -> Change:
    return lambda qr: _item(qr, link_id).__setitem__("answer", list(answer))


def _coding(link_id: str, code: Any, system: str = CODING) -> Change:
    return _answer(link_id, {"valueCoding": {"system": system, "code": code}})


def _in_item(link_id: str, key: str, value: Any) -> Change:
    return lambda qr: _item(qr, link_id).__setitem__(key, value)


def _set(key: str, value: Any) -> Change:
    return lambda qr: qr.__setitem__(key, value)


def _pop(key: str) -> Change:
    return lambda qr: qr.pop(key)


def _patient(key: str, value: Any) -> Change:
    return lambda qr: qr["contained"][0].__setitem__(key, value)


def _add(item: dict[str, Any]) -> Change:
    return lambda qr: qr["item"].append(item)


def _both(*changes: Change) -> Change:
    def change(qr: dict[str, Any]) -> None:
        for c in changes:
            c(qr)

    return change


def _only_the_item_without(key: str) -> Change:
    return lambda qr: _item(qr, "chest_pain").pop(key)


INJURED = _answer("recent_significant_trauma", {"valueBoolean": True})
NESTED = [{"linkId": "chest_pain", "answer": [{"valueBoolean": True}]}]

# (name, change, what the issues name: linkIds, or elements by their FHIRPath)
MALFORMED: list[tuple[str, Change, set[str]]] = [
    # Missing, unknown and repeated items.
    (
        "three required items missing",
        _drop("sex", "osteoporosis", "gait_disturbance"),
        {"sex", "osteoporosis", "gait_disturbance"},
    ),
    (
        "a repeated item with another answer",
        _add({"linkId": "fever_or_chills", "answer": [{"valueBoolean": True}]}),
        {"fever_or_chills"},
    ),
    (
        "an unknown item whose linkId has a quote",
        _add({"linkId": "it's", "answer": [{"valueBoolean": True}]}),
        {"it\\'s"},
    ),
    (
        "a linkId with a text-direction override",
        _add({"linkId": "chest_pain\u202e", "answer": [{"valueBoolean": True}]}),
        {"chest_pain\\u202e"},
    ),
    (
        "a linkId with a zero-width joiner",
        _add({"linkId": "chest\u200dpain", "answer": [{"valueBoolean": True}]}),
        {"chest\u200dpain"},
    ),
    (
        "an item without a linkId",
        lambda qr: qr["item"].insert(0, {"answer": [{"valueBoolean": True}]}),
        {f"{QR}.item[0]"},
    ),
    # The wrong value[x].
    (
        "a boolean as the string true",
        _answer("chest_pain", {"valueBoolean": "true"}),
        {"chest_pain"},
    ),
    (
        "a boolean as the string false",
        _answer("iv_drug_use", {"valueBoolean": "false"}),
        {"iv_drug_use"},
    ),
    (
        "a boolean as valueString",
        _answer("fever_or_chills", {"valueString": "no"}),
        {"fever_or_chills"},
    ),
    ("a boolean as 0", _answer("fever_or_chills", {"valueBoolean": 0}), {"fever_or_chills"}),
    ("a coding as valueInteger", _answer("sex", {"valueInteger": 1}), {"sex"}),
    ("a coding as valueString", _answer("pain_region", {"valueString": "neck"}), {"pain_region"}),
    ("a decimal age", _answer("age", {"valueDecimal": 40.5}), {"age"}),
    ("an age of 40.0 as valueInteger", _answer("age", {"valueInteger": 40.0}), {"age"}),
    ("a pain score as text", _answer("pain_score_now", {"valueInteger": "5"}), {"pain_score_now"}),
    (
        "two value[x] in one answer",
        _answer("chest_pain", {"valueBoolean": True, "valueString": "yes"}),
        {"chest_pain"},
    ),
    # Out of range.
    ("a pain score of -1", _answer("pain_score_now", {"valueInteger": -1}), {"pain_score_now"}),
    ("an age of -1", _answer("age", {"valueInteger": -1}), {"age"}),
    (
        "a duration past the contract",
        _answer("duration_days", {"valueInteger": 36501}),
        {"duration_days"},
    ),
    # Codings outside the value set.
    ("sex as female", _coding("sex", "female"), {"sex"}),
    (
        "a region from another system",
        _coding("pain_region", "neck", "http://snomed.info/sct"),
        {"pain_region"},
    ),
    (
        "a mechanism not in the options",
        _both(INJURED, _coding("trauma_mechanism", "skiing")),
        {"trauma_mechanism"},
    ),
    (
        "a psychosocial category not in the options",
        _coding("psychosocial_risk_category", "very_high"),
        {"psychosocial_risk_category"},
    ),
    ("a code as a list", _coding("sex", ["F"]), {"sex"}),
    # The trauma mechanism as reception's form takes it.
    (
        "a dangerous mechanism after no injury",
        _coding("trauma_mechanism", "high_speed_or_rollover_collision"),
        {"trauma_mechanism"},
    ),
    (
        "a low-energy mechanism after no injury",
        _coding("trauma_mechanism", "minor_fall_standing_height"),
        {"trauma_mechanism"},
    ),
    (
        "an injury with the mechanism none",
        _both(INJURED, _coding("trauma_mechanism", "none")),
        {"trauma_mechanism"},
    ),
    # Answers.
    ("an item with no answer element", _only_the_item_without("answer"), {"chest_pain"}),
    ("an answer that is null", _in_item("chest_pain", "answer", None), {"chest_pain"}),
    (
        "two answers of two types",
        _answer("chest_pain", {"valueBoolean": True}, {"valueInteger": 1}),
        {"chest_pain"},
    ),
    # Nesting where none belongs.
    ("an item nested in an item", _in_item("onset_sudden", "item", NESTED), {"onset_sudden"}),
    (
        "an item nested in an answer",
        _answer("onset_sudden", {"valueBoolean": False, "item": NESTED}),
        {"onset_sudden"},
    ),
    # The questionnaire and the status.
    ("no questionnaire", _pop("questionnaire"), {f"{QR}.questionnaire"}),
    (
        "a relative questionnaire",
        _set("questionnaire", "Questionnaire/intake-1"),
        {f"{QR}.questionnaire"},
    ),
    ("no status", _pop("status"), {f"{QR}.status"}),
    ("status entered-in-error", _set("status", "entered-in-error"), {f"{QR}.status"}),
    ("status stopped", _set("status", "stopped"), {f"{QR}.status"}),
    # The subject.
    (
        "a subject by identifier only",
        _set("subject", {"identifier": {"value": "9434765919"}}),
        {f"{QR}.subject"},
    ),
    ("a subject Patient/abc", _set("subject", {"reference": "Patient/abc"}), {f"{QR}.subject"}),
    ("a subject Patient/0", _set("subject", {"reference": "Patient/0"}), {f"{QR}.subject"}),
    (
        "a subject by absolute URL",
        _set("subject", {"reference": "https://elsewhere.example/fhir/Patient/1"}),
        {f"{QR}.subject"},
    ),
    ("a contained patient of another id", _set("subject", {"reference": "#q"}), {f"{QR}.subject"}),
    # The contained Patient.
    ("a gender as a list", _patient("gender", ["female"]), {f"{P}.gender"}),
    ("a gender as an object", _patient("gender", {"code": "female"}), {f"{P}.gender"}),
    ("a birth date without its dashes", _patient("birthDate", "19710602"), {f"{P}.birthDate"}),
    ("a birth date 130 years ago", _patient("birthDate", "1896-01-01"), {f"{P}.birthDate"}),
    ("a birth date as a number", _patient("birthDate", 1971), {f"{P}.birthDate"}),
    (
        "a phone number with a text-direction override",
        _patient("telecom", [{"system": "phone", "value": "\u202e01632 960123"}]),
        {f"{P}.telecom"},
    ),
    (
        "a phone number too long to keep",
        _patient("telecom", [{"system": "phone", "value": "0" * 40}]),
        {f"{P}.telecom"},
    ),
    (
        "an email too long to keep",
        _patient("telecom", [{"system": "email", "value": "a" * 250 + "@example.org"}]),
        {f"{P}.telecom"},
    ),
    (
        "a duration longer than the patient's life",
        _answer("duration_days", {"valueInteger": 36000}),
        {"duration_days"},
    ),
    # Elements FHIR has not, nulls and empties, modifiers.
    ("an unknown top-level element", _set("priority", "high"), {f"{QR}.priority"}),
    ("an unknown element in an item", _in_item("chest_pain", "answered", True), {"chest_pain"}),
    ("an identifier of null", _set("identifier", None), {f"{QR}.identifier"}),
    ("items of null", _set("item", None), {f"{QR}.item"}),
    ("an empty text of an item", _in_item("chest_pain", "text", ""), {"chest_pain"}),
    (
        "an empty object in the subject",
        _set("subject", {"reference": "#p", "identifier": {}}),
        {f"{QR}.subject.identifier"},
    ),
    ("a null in the contained patient", _patient("telecom", None), {f"{P}.telecom"}),
    (
        "a modifier extension on the response",
        _set("modifierExtension", [{"url": "https://x.example/not-really", "valueBoolean": True}]),
        {f"{QR}.modifierExtension"},
    ),
    (
        "a modifier extension on an item",
        _in_item(
            "chest_pain",
            "modifierExtension",
            [{"url": "https://x.example/n", "valueBoolean": True}],
        ),
        {"chest_pain"},
    ),
    ("an authored that is no dateTime", _set("authored", "yesterday"), {f"{QR}.authored"}),
]


def _counts() -> tuple[int, ...]:
    return tuple(
        model.objects.count()
        for model in (Patient, Intake, Assessment, Case, Message, AuditEvent, PatientDetailChange)
    )


def _refused(resp: Any, status: int = 422) -> list[dict[str, Any]]:
    assert resp.status_code == status, resp.content
    assert resp["Content-Type"].startswith("application/fhir+json")
    outcome = body(resp)
    validated(outcome)
    assert outcome["resourceType"] == "OperationOutcome"
    for issue in outcome["issue"]:
        assert issue["severity"] == "error" and issue["code"] and issue["diagnostics"]
    issues: list[dict[str, Any]] = outcome["issue"]
    return issues


def test_the_table_holds_at_least_thirty_distinct_inputs() -> None:
    names = [name for name, _change, _named in MALFORMED]
    assert len(set(names)) == len(names) >= 30


@pytest.mark.parametrize(
    ("change", "named"), [pytest.param(c, n, id=name) for name, c, n in MALFORMED]
)
def test_each_malformed_response_is_refused_naming_its_items_and_nothing_is_saved(
    change: Change, named: set[str], clock: Clock
) -> None:
    _client, token = api_client()
    qr = response(answers())
    change(qr)
    before = _counts()

    issues = _refused(post(URL, qr, token))

    assert {issue["location"][0] for issue in issues} == named, issues
    for issue in issues:
        (expression,) = issue["expression"]
        location = issue["location"][0]
        if location.startswith(QR):
            assert expression == location
        else:
            assert expression == f"QuestionnaireResponse.item.where(linkId='{location}')"
    assert _counts() == before


def test_a_duration_longer_than_the_life_of_a_patient_named_by_reference_is_refused(
    clock: Clock,
) -> None:
    _client, token = api_client()
    born_2020 = response(
        answers(), patient=response(answers())["contained"][0] | {"birthDate": "2020-01-01"}
    )
    first = post(URL, born_2020, token)
    assert first.status_code == 201
    patient = Patient.objects.get()
    before = _counts()

    qr = response(answers(duration_days=5000), subject=f"Patient/{patient.pk}")
    (issue,) = _refused(post(URL, qr, token))

    assert issue["location"] == ["duration_days"] and issue["code"] == "business-rule"
    assert _counts() == before


def test_a_gym_strain_after_no_injury_is_taken_as_it_is_no_injury(clock: Clock) -> None:
    _client, token = api_client()

    resp = post(URL, response(answers(trauma_mechanism="exertional_strain")), token)

    assert resp.status_code == 201
    assert Intake.objects.get().answers["trauma_mechanism"] == "exertional_strain"


def test_an_extension_on_an_answer_and_an_item_s_text_are_taken() -> None:
    # What FHIR lets an item carry besides its answer: taken, not refused.
    _client, token = api_client()
    qr = response(answers())
    _item(qr, "chest_pain")["text"] = "New or unexplained chest pain?"
    _item(qr, "chest_pain")["answer"][0]["extension"] = [
        {"url": "https://booking.example/answered-by", "valueString": "patient"}
    ]
    qr["_status"] = {"extension": [{"url": "https://booking.example/x", "valueBoolean": True}]}

    assert post(URL, qr, token).status_code == 201


def test_a_name_written_decomposed_is_the_same_patient_as_one_written_composed() -> None:
    # "Zoë" typed with the combining diaeresis is the name reception keeps composed (NFC): the
    # same NHS number is the same person, not a conflict for reception to settle.
    _client, token = api_client()
    nhs = [{"system": "https://fhir.nhs.uk/Id/nhs-number", "value": "9434765919"}]
    patient = {
        "resourceType": "Patient",
        "id": "p",
        "gender": "female",
        "birthDate": "1971-06-02",
        "identifier": nhs,
    }
    composed = patient | {"name": [{"family": "Brontë", "given": ["Zoë"]}]}
    decomposed = patient | {"name": [{"family": "Bronte\u0308", "given": ["Zoe\u0308"]}]}

    first = post(URL, response(answers(), patient=composed), token)
    again = post(URL, response(answers(), patient=decomposed), token)

    assert (first.status_code, again.status_code) == (201, 201), again.content
    assert Patient.objects.get().given_name == "Zoë"
    assert Intake.objects.count() == 2


# --- Bodies that are no QuestionnaireResponse ------------------------------------------------

DEEP = "[" * 100_000 + "]" * 100_000


def _deep_but_parsed() -> str:
    """A response whose meta nests 200 extensions deep: JSON the parser reads, deeper than any
    intake needs."""
    nest: Any = {"url": "https://x.example/e", "valueBoolean": True}
    for _ in range(200):
        nest = {"url": "https://x.example/e", "extension": [nest]}
    return json.dumps(response(answers()) | {"meta": {"extension": [nest]}})


@pytest.mark.parametrize(
    ("raw", "content_type", "status"),
    [
        pytest.param("{not json", FHIR, 400, id="not JSON"),
        pytest.param("", FHIR, 400, id="empty"),
        pytest.param("[]", FHIR, 422, id="a JSON array"),
        pytest.param('"QuestionnaireResponse"', FHIR, 422, id="a JSON string"),
        pytest.param("null", FHIR, 422, id="JSON null"),
        pytest.param("NaN", FHIR, 400, id="NaN, which JSON has not"),
        pytest.param(
            '{"resourceType": "QuestionnaireResponse", "status": "in-progress", '
            '"status": "completed"}',
            FHIR,
            400,
            id="an element twice",
        ),
        pytest.param('{"resourceType": "Bundle", "type": "transaction"}', FHIR, 422, id="a Bundle"),
        pytest.param('{"resourceType": "Patient"}', FHIR, 422, id="a Patient"),
        pytest.param(DEEP, FHIR, 400, id="nested past the parser"),
        pytest.param(_deep_but_parsed(), FHIR, 422, id="nested deep but parsed"),
        pytest.param(json.dumps(response(answers())), "text/plain", 415, id="text/plain"),
        pytest.param(json.dumps(response(answers())), "application/xml", 415, id="XML"),
        pytest.param(
            json.dumps(response(answers())),
            "application/x-www-form-urlencoded",
            415,
            id="a form",
        ),
        pytest.param("x" * 3_000_000, FHIR, 413, id="a huge body"),
    ],
)
def test_a_body_that_is_no_response_is_refused_with_an_outcome_and_nothing_saved(
    raw: str, content_type: str, status: int
) -> None:
    _client, token = api_client()
    before = _counts()

    # The Content-Type set as it is sent, so that an empty body still carries it.
    resp = Client().generic(
        "POST",
        URL,
        raw.encode(),
        content_type=content_type,
        headers={"Authorization": f"Bearer {token}"},
        CONTENT_TYPE=content_type,
    )

    _refused(resp, status)
    assert _counts() == before
