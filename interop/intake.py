"""The intake contract `intake/1` as a FHIR Questionnaire, an intake as a QuestionnaireResponse,
and a submitted QuestionnaireResponse read back into contract answers.

One item per contract key (`linkId` = the key), in the contract's order and grouped by nothing:
a yes/no answer is `boolean`, a number `integer` (with the contract's bounds as minValue and
maxValue extensions), a choice `choice` with the contract's values as its options. The trauma
mechanism is asked when the patient answers yes to a recent significant injury (`enableWhen`);
when it is not answered it is "none", as reception's form derives it. A fall or collision named
after a no to the injury question, or "none" after a yes, is refused naming the mechanism, as
reception's form and the check-in refuse it: never guessed either way (a gym strain after a no is
no injury, and is kept).

A submitted response is read strictly: an element FHIR's QuestionnaireResponse (or its item, or
answer) has not, a nested item, null or an empty value, a modifier extension, or a JSON object
with an element twice is refused, naming it, rather than dropped unread.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone

from clinic.text import BIDI_CONTROLS, collapse_spaces, text_problem
from interop import codes
from interop.codes import INTAKE_KEY_SYSTEM, QUESTIONNAIRE_ID, QUESTIONNAIRE_URL
from patients.models import Patient
from patients.nhs import nhs_number_is_valid, normalise_nhs_number
from patients.services import PatientDetails
from triage.rules.contract import (
    CONTRACT_VERSION,
    NO_INJURY_MECHANISMS,
    QUESTIONS,
    QUESTIONS_BY_NAME,
    Question,
)

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

# The elements FHIR R4 gives a QuestionnaireResponse, an item and an answer. Anything else is not
# FHIR: refused, naming it, rather than dropped unread (the sender meant something by it).
RESPONSE_ELEMENTS = frozenset(
    {
        "resourceType",
        "id",
        "meta",
        "implicitRules",
        "language",
        "text",
        "contained",
        "extension",
        "modifierExtension",
        "identifier",
        "basedOn",
        "partOf",
        "questionnaire",
        "status",
        "subject",
        "encounter",
        "authored",
        "author",
        "source",
        "item",
    }
)
RESPONSE_PRIMITIVES = frozenset({"id", "implicitRules", "language", "questionnaire", "status"})
ITEM_ELEMENTS = frozenset(
    {"id", "extension", "modifierExtension", "linkId", "definition", "text", "answer", "item"}
)
ITEM_PRIMITIVES = frozenset({"linkId", "definition", "text"})
ANSWER_ELEMENTS = frozenset({"id", "extension", "modifierExtension"})
# How deep a response's JSON may nest: the intake's own go four levels down (item, answer,
# valueCoding, its code); a contained Patient's a few more.
MAX_DEPTH = 16
# FHIR R4's dateTime (datatypes.html#dateTime): a year, a month or a day, or a time with a zone.
DATE_TIME = re.compile(
    r"\A([0-9]{4})(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01])(T([01][0-9]|2[0-3]):[0-5][0-9]:"
    r"([0-5][0-9]|60)(\.[0-9]+)?(Z|[+-]((0[0-9]|1[0-3]):[0-5][0-9]|14:00)))?)?)?\Z"
)
FHIR_DATE = re.compile(r"\A[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
MAX_AGE = QUESTIONS_BY_NAME["age"].maximum or 125
MAX_EMAIL = 254
MAX_PHONE = 32
CONTAINED_PATIENT = "QuestionnaireResponse.contained.where(resourceType='Patient')"
IDENTIFIER = re.compile(r"\A[A-Za-z_][A-Za-z0-9_]*\Z")


def fhirpath_string(text: str) -> str:
    """`text` as the inside of a FHIRPath string literal: quotes, backslashes, control and
    text-direction characters escaped, so that a linkId as sent cannot break the expression
    (or show reversed where the sender reads it)."""
    out = []
    for ch in text:
        if ch in "'\\":
            out.append("\\" + ch)
        elif ord(ch) < 0x20 or ch in BIDI_CONTROLS or unicodedata.category(ch) in ("Cc", "Cs"):
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return "".join(out)


def _step(name: str) -> str:
    """An element's name as a FHIRPath step: as it is, or `delimited` when it is no identifier."""
    if IDENTIFIER.match(name):
        return name
    return "`" + fhirpath_string(name[:40]).replace("`", "\\`") + "`"


@dataclass
class Problems:
    """What is wrong with a submitted response, each against the place it is wrong: a linkId,
    or a FHIRPath to another element; each with its FHIR issue type (IssueType value set)."""

    # (location, expression, text, issue code)
    issues: list[tuple[str, str, str, str]] = field(default_factory=list)

    def item(self, link_id: str, text: str, code: str = "invalid") -> None:
        shown = fhirpath_string(link_id)
        path = f"QuestionnaireResponse.item.where(linkId='{shown}')"
        self.issues.append((shown, path, text, code))

    def element(self, path: str, text: str, code: str = "invalid") -> None:
        self.issues.append((path, path, text, code))

    def about(self, link_id: str) -> bool:
        return any(issue[0] == link_id for issue in self.issues)

    def __bool__(self) -> bool:
        return bool(self.issues)


@dataclass(frozen=True)
class Read:
    answers: dict[str, Any]
    # The response's subject: the Patient it names ("Patient/12"), or the contained Patient's
    # details.
    patient: Patient | None
    details: PatientDetails | None
    identifier: str  # the client's own identifier of the response ("system|value"), or ""


def _find_patient(pk: int) -> Patient | None:
    found: Patient | None = Patient.objects.filter(pk=pk).first()
    return found


def read_response(
    body: Any, *, find_patient: Callable[[int], Patient | None] = _find_patient
) -> tuple[Read | None, Problems]:
    """Read `body` (parsed JSON) as a QuestionnaireResponse against the intake Questionnaire.
    Every problem is collected, each naming its item or element, with the contract's own checks
    and those of the answers against the patient (a duration longer than their life)."""
    problems = Problems()
    if not isinstance(body, dict):
        problems.element("QuestionnaireResponse", "The body must be a JSON object.", "structure")
        return None, problems
    if body.get("resourceType") != "QuestionnaireResponse":
        problems.element("resourceType", "resourceType must be QuestionnaireResponse.", "structure")
        return None, problems
    _structure(body, problems)
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
            "not-supported",
        )
    if body.get("status") not in ("completed", "amended"):
        problems.element(
            "QuestionnaireResponse.status",
            "status must be completed: an intake is whole.",
            "value",
        )
    authored = body.get("authored")
    if authored is not None and not (isinstance(authored, str) and DATE_TIME.match(authored)):
        problems.element(
            "QuestionnaireResponse.authored",
            "authored must be a FHIR dateTime (such as 2026-03-14T09:30:00Z).",
            "value",
        )
    identifier = _identifier(body.get("identifier"), problems)
    patient, details = _subject(body, problems, find_patient)
    answers = _answers(body.get("item"), problems)
    born = (
        patient.date_of_birth if patient is not None else details.date_of_birth if details else None
    )
    _against_patient(answers, born, problems)
    if problems:
        return None, problems
    return Read(answers=answers, patient=patient, details=details, identifier=identifier), problems


def _structure(body: dict[str, Any], problems: Problems) -> None:
    """What FHIR's JSON forbids anywhere in the response, and what this server cannot take:
    an element a QuestionnaireResponse has not, null or an empty value (FHIR JSON has neither),
    a modifier extension (which a receiver that does not know it must not ignore), nesting
    deeper than any response needs. Items are looked at item by item (`_answers`)."""
    for name in body:
        bare = name[1:] if name.startswith("_") else name
        if name not in RESPONSE_ELEMENTS and not (
            name.startswith("_") and bare in RESPONSE_PRIMITIVES | {"authored"}
        ):
            problems.element(
                f"QuestionnaireResponse.{_step(name)}",
                f"{_step(name)} is not an element of a QuestionnaireResponse.",
                "structure",
            )
    for path, problem, code in _walk(body, "QuestionnaireResponse", skip=_ITEMS_AND_CONTAINED):
        problems.element(path, problem, code)
    contained = body.get("contained")
    for index, resource in enumerate(contained if isinstance(contained, list) else []):
        # The contained Patient by the path its other problems are told at.
        is_patient = isinstance(resource, dict) and resource.get("resourceType") == "Patient"
        where = CONTAINED_PATIENT if is_patient else f"QuestionnaireResponse.contained[{index}]"
        for path, problem, code in _walk(resource, where):
            problems.element(path, problem, code)


_ITEMS_AND_CONTAINED = frozenset({"item", "contained"})


def _walk(value: Any, path: str, skip: frozenset[str] = frozenset()) -> list[tuple[str, str, str]]:
    """(path, problem, issue code) for each null, empty value or modifier extension under
    `value`, and for nesting past MAX_DEPTH; without recursion (a body nested a thousand deep
    must not end the request). `skip`: keys of `value` itself looked at but not into."""
    found: list[tuple[str, str, str]] = []
    stack: list[tuple[Any, str, int]] = [(value, path, 0)]
    while stack:
        node, where, depth = stack.pop()
        if depth > MAX_DEPTH:
            found.append((where, "The response nests deeper than any intake needs.", "too-costly"))
            continue
        if isinstance(node, dict):
            children = [(k, v, f"{where}.{_step(k)}") for k, v in node.items()]
        elif isinstance(node, list):
            children = [(None, v, f"{where}[{i}]") for i, v in enumerate(node)]
        else:
            continue
        for key, inner, inner_path in reversed(children):
            if key == "modifierExtension":
                found.append(
                    (
                        inner_path,
                        "A modifier extension is not understood here, and a modifier must not be "
                        "ignored: send the response without it.",
                        "extension",
                    )
                )
            elif inner is None or (isinstance(inner, str | list | dict) and not inner):
                found.append(
                    (
                        inner_path,
                        "FHIR has no null or empty values: leave the element out.",
                        "structure",
                    )
                )
            elif not (depth == 0 and key in skip):
                stack.append((inner, inner_path, depth + 1))
    return found


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
        problems.element("QuestionnaireResponse.item", "item must list the answers.", "required")
        return answers
    if len(items) > MAX_ITEMS:
        problems.element("QuestionnaireResponse.item", f"At most {MAX_ITEMS} items.", "too-costly")
        return answers
    seen: set[str] = set()
    for index, item in enumerate(items):
        link_id = item.get("linkId") if isinstance(item, dict) else None
        if not isinstance(link_id, str) or not link_id:
            problems.element(
                f"QuestionnaireResponse.item[{index}]", "Each item needs a linkId.", "required"
            )
            continue
        question = QUESTIONS_BY_NAME.get(link_id)
        if question is None:
            shown = fhirpath_string(link_id[:60])
            problems.item(
                link_id[:60], f"{shown} is not an item of the intake questionnaire.", "structure"
            )
            continue
        if link_id in seen:
            problems.item(link_id, f"{link_id} is answered more than once.", "structure")
            continue
        seen.add(link_id)
        if not _item_shape(item, link_id, problems):
            continue
        given = item.get("answer")
        if not isinstance(given, list) or len(given) != 1 or not isinstance(given[0], dict):
            problems.item(link_id, f"{link_id} needs exactly one answer.", "structure")
            continue
        value, problem = _value(question, given[0])
        if problem:
            problems.item(link_id, f"{link_id} {problem}", "value")
            continue
        answers[link_id] = value
    _mechanism(answers, problems)
    for question in QUESTIONS:
        if question.name not in seen and question.name != MECHANISM_KEY:
            problems.item(
                question.name,
                f"{question.name} is missing: every item must be answered.",
                "required",
            )
    for question in QUESTIONS:
        if question.name in answers:
            problem = question.problem(answers[question.name])
            if problem:
                problems.item(question.name, f"{question.name} {problem}", "value")
    return answers


def _item_shape(item: dict[str, Any], link_id: str, problems: Problems) -> bool:
    """Whether an item holds only what an item of this flat questionnaire may: no nested item
    (the intake Questionnaire has no groups), no element FHIR's item has not, no null, empty
    value or modifier extension. Each problem is told against the item's linkId."""
    ok = True
    for name in item:
        bare = name[1:] if name.startswith("_") else name
        if name == "item":
            problems.item(
                link_id,
                f"{link_id} has nested items: the intake questionnaire has none (every item is "
                "at the top level).",
                "structure",
            )
            ok = False
        elif name not in ITEM_ELEMENTS and not (name.startswith("_") and bare in ITEM_PRIMITIVES):
            problems.item(
                link_id,
                f"{link_id} has {_step(name)}, which is not an element of an item.",
                "structure",
            )
            ok = False
    answers = item.get("answer")
    listed = [a for a in answers if isinstance(a, dict)] if isinstance(answers, list) else []
    if any("item" in answer for answer in listed):
        problems.item(
            link_id,
            f"{link_id} has items nested in its answer: the intake questionnaire has none.",
            "structure",
        )
        ok = False
    # The answer's value is checked by its type (`_value`), nested items above; the rest here.
    found = _walk(item, "item", skip=frozenset({"answer", "item"}))
    for index, answer in enumerate(listed):
        values = frozenset(k for k in answer if k.startswith("value")) | {"item"}
        found += _walk(answer, f"item.answer[{index}]", skip=values)
    for path, problem, code in found:
        problems.item(link_id, f"{link_id} ({path}): {problem}", code)
        ok = False
    return ok


def _value(question: Question, answer: dict[str, Any]) -> tuple[Any, str]:
    given = {k: v for k, v in answer.items() if k not in ANSWER_ELEMENTS}
    if question.kind is bool:
        value = given.get("valueBoolean")
        if type(value) is not bool or len(given) != 1:
            return None, "must be answered with valueBoolean (true or false)."
        return value, ""
    if question.kind is int:
        value = given.get("valueInteger")
        if type(value) is not int or len(given) != 1:
            return None, "must be answered with valueInteger (a whole number)."
        return value, ""
    coding = given.get("valueCoding")
    if not isinstance(coding, dict) or len(given) != 1:
        return None, "must be answered with valueCoding, one of the item's answerOptions."
    system, code = coding.get("system", INTAKE_KEY_SYSTEM), coding.get("code")
    if system != INTAKE_KEY_SYSTEM or not isinstance(code, str) or code not in question.choices:
        return None, f"must be one of {', '.join(question.choices)} (system {INTAKE_KEY_SYSTEM})."
    return code, ""


def _mechanism(answers: dict[str, Any], problems: Problems) -> None:
    """The trauma mechanism as reception's form and the check-in take it: asked after a yes to
    a recent significant injury, "none" after a no. An injury named after a no, or "none" after
    a yes, is refused (never guessed), naming the mechanism."""
    if problems.about(MECHANISM_KEY) or problems.about(TRAUMA_KEY):
        return
    injured = answers.get(TRAUMA_KEY)
    mechanism = answers.get(MECHANISM_KEY)
    if mechanism is None:
        if injured is True:
            problems.item(
                MECHANISM_KEY,
                f"{MECHANISM_KEY} must be answered when {TRAUMA_KEY} is true.",
                "required",
            )
        else:
            answers[MECHANISM_KEY] = "none"
    elif injured is False and mechanism not in NO_INJURY_MECHANISMS:
        problems.item(
            MECHANISM_KEY,
            f"{MECHANISM_KEY} names an injury ({mechanism}), but {TRAUMA_KEY} is false: answer "
            f"{TRAUMA_KEY} true, or leave {MECHANISM_KEY} out.",
            "business-rule",
        )
    elif injured is True and mechanism == "none":
        problems.item(
            MECHANISM_KEY,
            f"{MECHANISM_KEY} must say how the injury happened when {TRAUMA_KEY} is true, not "
            "none.",
            "business-rule",
        )


def _against_patient(answers: dict[str, Any], born: date | None, problems: Problems) -> None:
    """What reception's form checks of the answers against the patient's date of birth: the
    pain cannot have begun before they were born."""
    days = answers.get("duration_days")
    if born is None or type(days) is not int or problems.about("duration_days"):
        return
    if days > (timezone.localdate() - born).days:
        problems.item(
            "duration_days",
            f"duration_days ({days} days) is longer than the patient has been alive: check it, "
            "or the Patient's birthDate.",
            "business-rule",
        )


def _subject(
    body: dict[str, Any],
    problems: Problems,
    find_patient: Callable[[int], Patient | None],
) -> tuple[Patient | None, PatientDetails | None]:
    subject = body.get("subject")
    reference = subject.get("reference") if isinstance(subject, dict) else None
    if not isinstance(reference, str):
        problems.element(
            "QuestionnaireResponse.subject",
            "subject must reference the Patient: Patient/<id>, or #<id> of a contained Patient.",
            "required",
        )
        return None, None
    if reference.startswith("Patient/"):
        text = reference.removeprefix("Patient/")
        patient = (
            find_patient(int(text))
            if text.isascii() and text.isdigit() and len(text) <= 18
            else None
        )
        if patient is None:
            problems.element("QuestionnaireResponse.subject", "No such Patient.", "not-found")
        return patient, None
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
                f"No contained Patient has the id {fhirpath_string(reference[1:41])!r}.",
                "not-found",
            )
            return None, None
        return None, _contained_patient(found[0], problems)
    problems.element(
        "QuestionnaireResponse.subject",
        "subject must reference the Patient: Patient/<id>, or #<id> of a contained Patient.",
    )
    return None, None


def _text(value: Any) -> str:
    """A one-line value as reception's form keeps it (composed, NFC, so that "Zoë" typed either
    way is one name); "" for anything unsafe to show."""
    if not isinstance(value, str) or text_problem(value):
        return ""
    return unicodedata.normalize("NFC", collapse_spaces(value))


def _contained_patient(patient: dict[str, Any], problems: Problems) -> PatientDetails | None:
    where = CONTAINED_PATIENT
    names = patient.get("name")
    name = names[0] if isinstance(names, list) and names and isinstance(names[0], dict) else {}
    given_list = name.get("given")
    given = _text(given_list[0]) if isinstance(given_list, list) and given_list else ""
    family = _text(name.get("family"))
    ok = True
    if not given or not family or len(given) > MAX_NAME or len(family) > MAX_NAME:
        problems.element(f"{where}.name", "The Patient needs a given and a family name.", "value")
        ok = False
    born: date | None = None
    text = patient.get("birthDate")
    try:
        if not isinstance(text, str) or not FHIR_DATE.match(text):
            raise ValueError(text)
        born = date.fromisoformat(text)
    except ValueError:
        problems.element(
            f"{where}.birthDate", "The Patient needs a birthDate (YYYY-MM-DD).", "value"
        )
        ok = False
    today = timezone.localdate()
    if born is not None and born > today:
        problems.element(f"{where}.birthDate", "The Patient's birthDate is in the future.", "value")
        born, ok = None, False
    if born is not None and Patient(date_of_birth=born).age_on(today) > MAX_AGE:
        problems.element(
            f"{where}.birthDate",
            f"The Patient's birthDate makes them older than {MAX_AGE}: check it.",
            "value",
        )
        born, ok = None, False
    gender = patient.get("gender")
    sex = codes.SEX_OF.get(gender) if isinstance(gender, str) else None
    if sex is None:
        problems.element(
            f"{where}.gender", "gender must be female, male, other or unknown.", "value"
        )
        ok = False
    nhs_number = ""
    identifiers = patient.get("identifier")
    for identifier in identifiers if isinstance(identifiers, list) else []:
        if isinstance(identifier, dict) and identifier.get("system") == codes.NHS_NUMBER:
            nhs_number = normalise_nhs_number(_text(identifier.get("value")))
            if not nhs_number_is_valid(nhs_number):
                problems.element(
                    f"{where}.identifier", "The NHS number is not a valid NHS number.", "value"
                )
                ok = False
    email = phone = ""
    telecoms = patient.get("telecom")
    for telecom in telecoms if isinstance(telecoms, list) else []:
        if not isinstance(telecom, dict):
            continue
        value = _text(telecom.get("value"))
        if telecom.get("system") == "email" and not email:
            email = value
            try:
                if len(email) > MAX_EMAIL:
                    raise ValidationError(email)
                validate_email(email)
            except ValidationError:
                problems.element(
                    f"{where}.telecom", "The Patient's email address is not valid.", "value"
                )
                ok = False
        if telecom.get("system") == "phone" and not phone:
            phone = value
            if not phone or len(phone) > MAX_PHONE:
                problems.element(
                    f"{where}.telecom",
                    f"The Patient's phone number must be plain text of at most {MAX_PHONE} "
                    "characters.",
                    "value",
                )
                ok = False
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
