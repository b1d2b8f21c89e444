"""The intake contract `intake/1` as a FHIR Questionnaire, an intake as a QuestionnaireResponse,
and a submitted QuestionnaireResponse read back into contract answers.

One item per contract key (`linkId` = the key), in the contract's order and grouped by nothing:
a yes/no answer is `boolean`, a number `integer` (with the contract's bounds as minValue and
maxValue extensions), a choice `choice` with the contract's values as its options. The trauma
mechanism is asked when the patient answers yes to a recent significant injury (`enableWhen`);
when it is not answered it is "none", as reception's form derives it. A mechanism given all the
same is kept: the rule set reads a fall or collision named as the mechanism as an injury.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone

from clinic.text import collapse_spaces, text_problem
from interop import codes
from interop.codes import INTAKE_KEY_SYSTEM, QUESTIONNAIRE_ID, QUESTIONNAIRE_URL
from patients.nhs import nhs_number_is_valid, normalise_nhs_number
from patients.services import PatientDetails
from triage.rules.contract import CONTRACT_VERSION, QUESTIONS, QUESTIONS_BY_NAME, Question

MIN_VALUE = "http://hl7.org/fhir/StructureDefinition/minValue"
MAX_VALUE = "http://hl7.org/fhir/StructureDefinition/maxValue"
TRAUMA_KEY = "recent_significant_trauma"
MECHANISM_KEY = "trauma_mechanism"
MAX_NAME = 100
MAX_ITEMS = 500


def _item(question: Question) -> dict[str, Any]:
    item: dict[str, Any] = {
        "linkId": question.name,
        "code": [{"system": INTAKE_KEY_SYSTEM, "code": question.name}],
        "prefix": question.section,
        "text": question.question,
        "required": question.name != MECHANISM_KEY,
        "repeats": False,
    }
    if question.kind is bool:
        item["type"] = "boolean"
    elif question.kind is int:
        item["type"] = "integer"
        item["extension"] = [
            {"url": MIN_VALUE, "valueInteger": question.minimum},
            {"url": MAX_VALUE, "valueInteger": question.maximum},
        ]
    else:
        item["type"] = "choice"
        item["answerOption"] = [
            {"valueCoding": {"system": INTAKE_KEY_SYSTEM, "code": choice, "display": choice}}
            for choice in question.choices
        ]
    if question.name == MECHANISM_KEY:
        item["enableWhen"] = [{"question": TRAUMA_KEY, "operator": "=", "answerBoolean": True}]
    return item


def questionnaire() -> dict[str, Any]:
    """The intake contract as a Questionnaire: the one intakes are submitted against."""
    return {
        "resourceType": "Questionnaire",
        "id": QUESTIONNAIRE_ID,
        "url": QUESTIONNAIRE_URL,
        "version": CONTRACT_VERSION,
        "name": "OrthopaedicIntake",
        "title": "Orthopaedic intake (intake contract intake/1)",
        "status": "active",
        "subjectType": ["Patient"],
        "description": (
            "Every answer of the intake contract intake/1, one item per contract key (linkId is "
            "the key). Every item is required but the trauma mechanism, which is asked when "
            "recent_significant_trauma is true and taken as 'none' when not answered. age and "
            "sex are checked against the contract; the stored intake takes them from the "
            "Patient record, as reception's form does."
        ),
        "item": [_item(q) for q in QUESTIONS],
    }


def _answer(question: Question, value: Any) -> dict[str, Any]:
    if question.kind is bool:
        return {"valueBoolean": value}
    if question.kind is int:
        return {"valueInteger": value}
    return {"valueCoding": {"system": INTAKE_KEY_SYSTEM, "code": value, "display": value}}


def response_items(answers: Mapping[str, Any]) -> list[dict[str, Any]]:
    """An intake's answers as QuestionnaireResponse items, in the contract's order. The trauma
    mechanism is left out only when it was disabled and is the derived "none"."""
    items = []
    for question in QUESTIONS:
        if question.name not in answers:
            continue
        value = answers[question.name]
        if question.name == MECHANISM_KEY and value == "none" and not answers.get(TRAUMA_KEY):
            continue
        # The question's wording is the Questionnaire's (item.text there): not repeated here,
        # twenty intakes' worth of it would double a patient's $everything.
        items.append({"linkId": question.name, "answer": [_answer(question, value)]})
    return items


# --- Reading a submitted QuestionnaireResponse -----------------------------------------------


@dataclass
class Problems:
    """What is wrong with a submitted response, each against the place it is wrong: a linkId,
    or a FHIRPath to another element."""

    issues: list[tuple[str, str, str]] = field(default_factory=list)  # (location, expression, text)

    def item(self, link_id: str, text: str) -> None:
        self.issues.append((link_id, f"QuestionnaireResponse.item.where(linkId='{link_id}')", text))

    def element(self, path: str, text: str) -> None:
        self.issues.append((path, path, text))

    def __bool__(self) -> bool:
        return bool(self.issues)


@dataclass(frozen=True)
class Read:
    answers: dict[str, Any]
    # The response's subject: a Patient by id ("Patient/12"), or the contained Patient's details.
    patient_id: int | None
    details: PatientDetails | None
    identifier: str  # the client's own identifier of the response ("system|value"), or ""


def read_response(body: Any) -> tuple[Read | None, Problems]:
    """Read `body` (parsed JSON) as a QuestionnaireResponse against the intake Questionnaire.
    Every problem is collected, each naming its item; the contract's own checks come after."""
    problems = Problems()
    if not isinstance(body, dict):
        problems.element("QuestionnaireResponse", "The body must be a JSON object.")
        return None, problems
    if body.get("resourceType") != "QuestionnaireResponse":
        problems.element("resourceType", "resourceType must be QuestionnaireResponse.")
        return None, problems
    canonical = body.get("questionnaire")
    if not isinstance(canonical, str) or canonical.split("|")[0] != QUESTIONNAIRE_URL:
        problems.element(
            "QuestionnaireResponse.questionnaire",
            f"questionnaire must be {QUESTIONNAIRE_URL}|{CONTRACT_VERSION}.",
        )
    elif "|" in canonical and canonical.split("|", 1)[1] != CONTRACT_VERSION:
        problems.element(
            "QuestionnaireResponse.questionnaire",
            f"Only version {CONTRACT_VERSION} of the intake questionnaire is accepted.",
        )
    if body.get("status") not in ("completed", "amended"):
        problems.element(
            "QuestionnaireResponse.status", "status must be completed: an intake is whole."
        )
    identifier = _identifier(body.get("identifier"), problems)
    patient_id, details = _subject(body, problems)
    answers = _answers(body.get("item"), problems)
    if problems:
        return None, problems
    return Read(
        answers=answers, patient_id=patient_id, details=details, identifier=identifier
    ), problems


def _identifier(value: Any, problems: Problems) -> str:
    if value is None:
        return ""
    if (
        not isinstance(value, dict)
        or not isinstance(value.get("value"), str)
        or not value["value"].strip()
        or not isinstance(value.get("system", ""), str)
        or len(value["value"]) > 200
        or len(value.get("system", "")) > 200
    ):
        problems.element(
            "QuestionnaireResponse.identifier",
            "identifier must have a value (and may have a system), each at most 200 characters.",
        )
        return ""
    return f"{value.get('system', '')}|{value['value']}"


def _answers(items: Any, problems: Problems) -> dict[str, Any]:
    answers: dict[str, Any] = {}
    if not isinstance(items, list) or not items:
        problems.element("QuestionnaireResponse.item", "item must list the answers.")
        return answers
    if len(items) > MAX_ITEMS:
        problems.element("QuestionnaireResponse.item", f"At most {MAX_ITEMS} items.")
        return answers
    seen: set[str] = set()
    for index, item in enumerate(items):
        link_id = item.get("linkId") if isinstance(item, dict) else None
        if not isinstance(link_id, str) or not link_id:
            problems.element(f"QuestionnaireResponse.item[{index}]", "Each item needs a linkId.")
            continue
        shown = link_id[:60]
        question = QUESTIONS_BY_NAME.get(link_id)
        if question is None:
            problems.item(shown, f"{shown} is not an item of the intake questionnaire.")
            continue
        if link_id in seen:
            problems.item(link_id, f"{link_id} is answered more than once.")
            continue
        seen.add(link_id)
        given = item.get("answer")
        if not isinstance(given, list) or len(given) != 1 or not isinstance(given[0], dict):
            problems.item(link_id, f"{link_id} needs exactly one answer.")
            continue
        value, problem = _value(question, given[0])
        if problem:
            problems.item(link_id, f"{link_id} {problem}")
            continue
        answers[link_id] = value
    if MECHANISM_KEY not in answers and not any(
        issue[0] == MECHANISM_KEY for issue in problems.issues
    ):
        if answers.get(TRAUMA_KEY) is True:
            problems.item(
                MECHANISM_KEY,
                f"{MECHANISM_KEY} must be answered when {TRAUMA_KEY} is true.",
            )
        else:
            answers[MECHANISM_KEY] = "none"
    for question in QUESTIONS:
        if question.name not in seen and question.name != MECHANISM_KEY:
            problems.item(
                question.name, f"{question.name} is missing: every item must be answered."
            )
    for question in QUESTIONS:
        if question.name in answers:
            problem = question.problem(answers[question.name])
            if problem:
                problems.item(question.name, f"{question.name} {problem}")
    return answers


def _value(question: Question, answer: dict[str, Any]) -> tuple[Any, str]:
    if question.kind is bool:
        value = answer.get("valueBoolean")
        if type(value) is not bool or len(answer) != 1:
            return None, "must be answered with valueBoolean (true or false)."
        return value, ""
    if question.kind is int:
        value = answer.get("valueInteger")
        if type(value) is not int or len(answer) != 1:
            return None, "must be answered with valueInteger (a whole number)."
        return value, ""
    coding = answer.get("valueCoding")
    if not isinstance(coding, dict) or len(answer) != 1:
        return None, "must be answered with valueCoding, one of the item's answerOptions."
    system, code = coding.get("system", INTAKE_KEY_SYSTEM), coding.get("code")
    if system != INTAKE_KEY_SYSTEM or code not in question.choices:
        return None, f"must be one of {', '.join(question.choices)} (system {INTAKE_KEY_SYSTEM})."
    return code, ""


def _subject(body: dict[str, Any], problems: Problems) -> tuple[int | None, PatientDetails | None]:
    subject = body.get("subject")
    reference = subject.get("reference") if isinstance(subject, dict) else None
    if not isinstance(reference, str):
        problems.element(
            "QuestionnaireResponse.subject",
            "subject must reference the Patient: Patient/<id>, or #<id> of a contained Patient.",
        )
        return None, None
    if reference.startswith("Patient/"):
        text = reference.removeprefix("Patient/")
        if not (text.isascii() and text.isdigit()) or len(text) > 18:
            problems.element("QuestionnaireResponse.subject", "No such Patient.")
            return None, None
        return int(text), None
    if reference.startswith("#"):
        contained = body.get("contained")
        found = [
            r
            for r in (contained if isinstance(contained, list) else [])
            if isinstance(r, dict)
            and r.get("resourceType") == "Patient"
            and r.get("id") == reference[1:]
        ]
        if len(found) != 1:
            problems.element(
                "QuestionnaireResponse.subject",
                f"No contained Patient has the id {reference[1:]!r:.40}.",
            )
            return None, None
        return None, _contained_patient(found[0], problems)
    problems.element(
        "QuestionnaireResponse.subject",
        "subject must reference the Patient: Patient/<id>, or #<id> of a contained Patient.",
    )
    return None, None


def _text(value: Any) -> str:
    """A one-line value as reception's form keeps it; "" for anything unsafe to show."""
    if not isinstance(value, str) or text_problem(value):
        return ""
    return collapse_spaces(value)


def _contained_patient(patient: dict[str, Any], problems: Problems) -> PatientDetails | None:
    where = "QuestionnaireResponse.contained.where(resourceType='Patient')"
    names = patient.get("name")
    name = names[0] if isinstance(names, list) and names and isinstance(names[0], dict) else {}
    given_list = name.get("given")
    given = _text(given_list[0]) if isinstance(given_list, list) and given_list else ""
    family = _text(name.get("family"))
    ok = True
    if not given or not family or len(given) > MAX_NAME or len(family) > MAX_NAME:
        problems.element(f"{where}.name", "The Patient needs a given and a family name.")
        ok = False
    born: date | None = None
    try:
        born = date.fromisoformat(patient.get("birthDate", ""))
    except (TypeError, ValueError):
        problems.element(f"{where}.birthDate", "The Patient needs a birthDate (YYYY-MM-DD).")
        ok = False
    if born is not None and born > timezone.localdate():
        problems.element(f"{where}.birthDate", "The Patient's birthDate is in the future.")
        ok = False
    sex = codes.SEX_OF.get(patient.get("gender", ""))
    if sex is None:
        problems.element(f"{where}.gender", "gender must be female, male, other or unknown.")
        ok = False
    nhs_number = ""
    identifiers = patient.get("identifier")
    for identifier in identifiers if isinstance(identifiers, list) else []:
        if isinstance(identifier, dict) and identifier.get("system") == codes.NHS_NUMBER:
            nhs_number = normalise_nhs_number(_text(identifier.get("value")))
            if not nhs_number_is_valid(nhs_number):
                problems.element(f"{where}.identifier", "The NHS number is not a valid NHS number.")
                ok = False
    email = phone = ""
    telecoms = patient.get("telecom")
    for telecom in telecoms if isinstance(telecoms, list) else []:
        if not isinstance(telecom, dict):
            continue
        if telecom.get("system") == "email" and not email:
            email = _text(telecom.get("value"))[:254]
            try:
                validate_email(email)
            except ValidationError:
                problems.element(f"{where}.telecom", "The Patient's email address is not valid.")
                ok = False
        if telecom.get("system") == "phone" and not phone:
            phone = _text(telecom.get("value"))[:32]
    if not ok or born is None or sex is None:
        return None
    return PatientDetails(
        given_name=given,
        family_name=family,
        date_of_birth=born,
        sex=sex,
        email=email,
        phone=phone,
        nhs_number=nhs_number,
    )
