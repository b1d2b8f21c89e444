"""The FHIR R4 API (`/fhir/`): read, search, `$everything`, and an intake submitted as a
QuestionnaireResponse. Each call that returns or makes a patient's data is audited in the view,
as every page is: who (the client), which patients, which resources."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from audit import services as audit
from audit.models import AuditEvent
from examination.models import Examination
from governance.active import NotSignedOff
from interop import capability, codes, intake, resources, services
from interop.api import fhir_view, not_acceptable, outcome, public_view, refused_scope, respond
from interop.models import ApiClient, Scope
from patients.models import Intake, Patient
from patients.nhs import normalise_nhs_number
from patients.services import IdentityMismatch
from programmes.models import CheckIn, Programme
from referrals.models import Referral
from triage.models import Assessment, UrgencyOverride
from triage.rules.contract import Answers, ContractError

MAX_ID_DIGITS = 18
ID = re.compile(r"\A[A-Za-z0-9\-.]{1,64}\Z")
IDEMPOTENCY_KEY = re.compile(r"\A[\x21-\x7e]{1,200}\Z")
DATE_PREFIXES = ("eq", "ne", "gt", "lt", "ge", "le")
SEARCH_PARAMS = {
    kind: {name for name, _kind, _text in params} for kind, params in capability.SEARCH_DOCS.items()
}
IGNORED_PARAMS = {"_format", "_pretty"}


def _base(request: HttpRequest) -> str:
    return request.build_absolute_uri("/fhir/").rstrip("/")


def _number(text: str) -> int | None:
    if text.isascii() and text.isdigit() and len(text) <= MAX_ID_DIGITS:
        return int(text)
    return None


def _bundle(request: HttpRequest, kind: str, found: list[dict[str, Any]]) -> dict[str, Any]:
    base = _base(request)
    bundle = {
        "resourceType": "Bundle",
        "type": kind,
        "timestamp": resources.instant(timezone.now()),
        **({"total": len(found)} if kind == "searchset" else {}),
        "link": [{"relation": "self", "url": request.build_absolute_uri()}],
        "entry": [
            {
                "fullUrl": f"{base}/{r['resourceType']}/{r['id']}",
                "resource": r,
                **({"search": {"mode": "match"}} if kind == "searchset" else {}),
            }
            for r in found
        ],
    }
    if not found:
        del bundle["entry"]  # FHIR allows no empty list
    return bundle


def _audit(
    request: HttpRequest,
    client: ApiClient,
    *,
    action: str,
    record: str,
    found: list[dict[str, Any]],
) -> None:
    by_patient: dict[Any, list[str]] = {}
    for resource in found:
        patient_id: int | None
        if resource["resourceType"] == "Patient":
            patient_id = int(resource["id"])
        else:
            reference = resource.get("subject", {}).get("reference", "")
            patient_id = int(reference.removeprefix("Patient/")) if reference else None
        by_patient.setdefault(patient_id, []).append(f"{resource['resourceType']}/{resource['id']}")
    audit.record_api_call(
        request=request,
        by=client.user,
        client=client.name,
        action=action,
        record=record,
        resources=by_patient,
    )


# --- Open to any caller ------------------------------------------------------------------------


@public_view
@require_GET
def metadata(request: HttpRequest) -> HttpResponse:
    return not_acceptable(request) or respond(capability.capability_statement(_base(request)))


@public_view
@require_GET
def openapi(request: HttpRequest) -> HttpResponse:
    response = respond(capability.openapi(_base(request)))
    response["Content-Type"] = "application/json; charset=utf-8"
    return response


@public_view
def no_such_path(request: HttpRequest) -> HttpResponse:
    """A path the API has not: 404, as an OperationOutcome (it says nothing of any patient)."""
    return outcome(
        404,
        code="not-found",
        text="No such path in this FHIR API: see /fhir/metadata (and no trailing slash).",
    )


# --- Reading ---------------------------------------------------------------------------------


def _patient_of(kind: str, rid: str) -> int | None:
    """The patient a resource id belongs to, or None when there is no such resource."""
    number = _number(rid)
    found: int | None = None
    if kind == "Patient" and number is not None:
        found = Patient.objects.filter(pk=number).values_list("pk", flat=True).first()
    elif kind == "QuestionnaireResponse" and number is not None:
        found = Intake.objects.filter(pk=number).values_list("patient_id", flat=True).first()
    elif kind == "RiskAssessment":
        if rid.startswith("override-") and (n := _number(rid.removeprefix("override-"))):
            query = UrgencyOverride.objects.filter(pk=n)
        else:
            query = Assessment.objects.filter(pk=number) if number is not None else None  # type: ignore[assignment]
        if query is not None:
            found = query.values_list("case__patient_id", flat=True).first()
    elif kind in ("ServiceRequest", "DocumentReference") and number is not None:
        found = (
            Referral.objects.filter(pk=number).values_list("case__patient_id", flat=True).first()
        )
    elif kind == "CarePlan" and number is not None:
        found = Programme.objects.filter(pk=number).values_list("patient_id", flat=True).first()
    elif kind == "Observation":
        for prefix in ("checkin-pain-", "checkin-ndi-"):
            if rid.startswith(prefix) and (n := _number(rid.removeprefix(prefix))) is not None:
                found = (
                    CheckIn.objects.filter(pk=n)
                    .values_list("programme__patient_id", flat=True)
                    .first()
                )
        if rid.startswith("exam-") and (n := _number(rid.removeprefix("exam-"))) is not None:
            found = (
                Examination.objects.filter(pk=n).values_list("case__patient_id", flat=True).first()
            )
    return found


def _not_found(kind: str, rid: str) -> HttpResponse:
    return outcome(404, code="not-found", text=f"No {kind} has the id {rid[:64]!r}.")


@fhir_view(scope=None)
def read(
    request: HttpRequest, client: ApiClient, resource_type: str, resource_id: str
) -> HttpResponse:
    """`GET /fhir/<type>/<id>`."""
    if resource_type == "Questionnaire":
        if resource_id != codes.QUESTIONNAIRE_ID:
            return _not_found(resource_type, resource_id)
        return respond(intake.questionnaire())
    if resource_type not in resources.RESOURCE_TYPES:
        return outcome(404, code="not-supported", text="No such resource type here.")
    if Scope.READ_PATIENTS not in client.scopes:
        return refused_scope(client, Scope.READ_PATIENTS)
    if not ID.match(resource_id):
        return _not_found(resource_type, resource_id)
    patient_id = _patient_of(resource_type, resource_id)
    if patient_id is None:
        return _not_found(resource_type, resource_id)
    history = resources.load([patient_id], [resource_type])
    found = [r for r in resources.build(history, [resource_type]) if r["id"] == resource_id]
    if not found:
        return _not_found(resource_type, resource_id)
    resource = found[0]
    if resource_type == "DocumentReference":
        pdf = (
            Referral.objects.filter(pk=int(resource_id))
            .values_list("letter_pdf", flat=True)
            .first()
        )
        referral = next(r for r in history.referrals if r.pk == int(resource_id))
        resource = resources.letter(referral, patient_id, pdf=bytes(pdf) if pdf else None)
    _audit(
        request,
        client,
        action=AuditEvent.Action.VIEW,
        record=f"FHIR {resource_type}/{resource_id}",
        found=[resource],
    )
    return respond(resource)


@fhir_view(scope=Scope.READ_PATIENTS)
def everything(request: HttpRequest, client: ApiClient, resource_id: str) -> HttpResponse:
    """`GET /fhir/Patient/<id>/$everything`: a searchset Bundle of everything held about them."""
    number = _number(resource_id)
    history = resources.load([number]) if number is not None else None
    if history is None or not history.patients:
        return _not_found("Patient", resource_id)
    found = resources.build(history)
    _audit(
        request,
        client,
        action=AuditEvent.Action.EXPORT,
        record=f"FHIR Patient/{number}/$everything",
        found=found,
    )
    return respond(_bundle(request, "searchset", found))


# --- Searching -------------------------------------------------------------------------------


class BadSearch(ValueError):
    pass


def _date_range(text: str) -> tuple[str, datetime, datetime]:
    """A `date` parameter's prefix and the instants [start, end) its value covers."""
    prefix = text[:2] if text[:2] in DATE_PREFIXES else "eq"
    value = text[2:] if text[:2] in DATE_PREFIXES else text
    zone = timezone.get_current_timezone()
    end_of: Callable[[], datetime]
    try:
        if re.fullmatch(r"\d{4}", value):
            start = datetime(int(value), 1, 1, tzinfo=zone)
            end_of = lambda: datetime(start.year + 1, 1, 1, tzinfo=zone)  # noqa: E731
        elif re.fullmatch(r"\d{4}-\d{2}", value):
            year, month = int(value[:4]), int(value[5:])
            start = datetime(year, month, 1, tzinfo=zone)
            end_of = lambda: datetime(year + month // 12, month % 12 + 1, 1, tzinfo=zone)  # noqa: E731
        elif re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            day = date.fromisoformat(value)
            start = datetime(day.year, day.month, day.day, tzinfo=zone)
            end_of = lambda: start + timedelta(days=1)  # noqa: E731
        else:
            start = datetime.fromisoformat(value)
            if start.tzinfo is None:
                raise ValueError(value)
            end_of = lambda: start + timedelta(seconds=1)  # noqa: E731
    except (ValueError, OverflowError) as error:
        raise BadSearch(
            f"date {text[:40]!r} is not a FHIR date or dateTime with a zone."
        ) from error
    try:
        end = end_of()
    except (ValueError, OverflowError):  # the last year, month, day or second Python has
        end = datetime.max.replace(tzinfo=UTC)
    return prefix, start, end


def _matches(moment: datetime, prefix: str, start: datetime, end: datetime) -> bool:
    inside = start <= moment < end
    return {
        "eq": inside,
        "ne": not inside,
        "gt": moment >= end,
        "ge": moment >= start,
        "lt": moment < start,
        "le": moment < end,
    }[prefix]


def _identifier_patients(value: str) -> list[int]:
    system, bar, number = value.rpartition("|")
    if bar and system not in ("", codes.NHS_NUMBER):
        return []
    digits = normalise_nhs_number(number)
    if not digits:
        return []
    return list(Patient.objects.filter(nhs_number=digits).values_list("pk", flat=True)[:1])


def _search_patients(kind: str, params: dict[str, list[str]]) -> list[int]:
    ids: set[int] | None = None

    def narrow(found: list[int]) -> None:
        nonlocal ids
        ids = set(found) if ids is None else ids & set(found)

    for name, values in params.items():
        for value in values:
            if name in ("identifier", "patient.identifier", "subject.identifier"):
                narrow(_identifier_patients(value))
            elif name in ("_id", "patient", "subject"):
                number = _number(value.removeprefix("Patient/"))
                narrow(
                    list(Patient.objects.filter(pk=number).values_list("pk", flat=True))
                    if number is not None
                    else []
                )
    if ids is None:
        raise BadSearch(
            "A search is about one patient: give identifier or _id (Patient), or patient or "
            "patient.identifier (every other type)."
        )
    return sorted(ids)


@fhir_view(scope=None, methods=("GET", "POST"))
def by_type(request: HttpRequest, client: ApiClient, resource_type: str) -> HttpResponse:
    """`GET /fhir/<type>?...` searches; `POST /fhir/QuestionnaireResponse` submits an intake."""
    if request.method == "POST":
        if resource_type != "QuestionnaireResponse":
            return outcome(
                405,
                code="not-supported",
                text="Only a QuestionnaireResponse is submitted here.",
                Allow="GET",
            )
        if Scope.SUBMIT_INTAKES not in client.scopes:
            return refused_scope(client, Scope.SUBMIT_INTAKES)
        return _submit(request, client)
    if resource_type not in SEARCH_PARAMS:
        return outcome(404, code="not-supported", text="No such resource type here.")
    if Scope.READ_PATIENTS not in client.scopes:
        return refused_scope(client, Scope.READ_PATIENTS)
    params = {k: request.GET.getlist(k) for k in request.GET if k not in IGNORED_PARAMS}
    unknown = sorted(set(params) - SEARCH_PARAMS[resource_type])
    if unknown:
        return outcome(
            400,
            [
                (name[:60], name[:60], f"{name[:60]} is not a search parameter of {resource_type}.")
                for name in unknown
            ],
            code="not-supported",
        )
    try:
        patient_ids = _search_patients(resource_type, params)
        dates = [_date_range(value) for value in params.get("date", [])]
    except BadSearch as error:
        return outcome(400, code="invalid", text=str(error))
    found = resources.build(resources.load(patient_ids, [resource_type]), [resource_type])
    if dates:
        kept = []
        for resource in found:
            when = resources.resource_date(resource)
            moment = datetime.fromisoformat(when) if when else None
            if moment is not None and all(_matches(moment, *d) for d in dates):
                kept.append(resource)
        found = kept
    _audit(
        request,
        client,
        action=AuditEvent.Action.SEARCH,
        record=f"FHIR {resource_type} search",
        found=found,
    )
    return respond(_bundle(request, "searchset", found))


# --- An intake from another system -------------------------------------------------------------


class RepeatedKey(ValueError):
    """A JSON object with the same name twice: FHIR's JSON has each element once, and which of
    the two a reader keeps is up to the reader."""


def _no_repeated_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found = dict(pairs)
    if len(found) != len(pairs):
        seen: set[str] = set()
        for name, _value in pairs:
            if name in seen:
                raise RepeatedKey(name)
            seen.add(name)
    return found


def _no_constant(name: str) -> Any:
    """NaN and Infinity, which Python's reader takes and JSON (RFC 8259) has not."""
    raise ValueError(name)


def _submit(request: HttpRequest, client: ApiClient) -> HttpResponse:
    content_type = request.content_type or ""
    if content_type not in ("application/fhir+json", "application/json"):
        return outcome(
            415,
            code="not-supported",
            text="Send the QuestionnaireResponse as application/fhir+json.",
        )
    key = request.headers.get("Idempotency-Key", "")
    if key and not IDEMPOTENCY_KEY.match(key):
        return outcome(
            400, code="invalid", text="Idempotency-Key must be 1 to 200 visible ASCII characters."
        )
    try:
        body = json.loads(
            request.body, object_pairs_hook=_no_repeated_keys, parse_constant=_no_constant
        )
    except RequestDataTooBig:
        return outcome(413, code="too-costly", text="The request is too large.")
    except RepeatedKey as repeated:
        return outcome(
            400,
            code="structure",
            text=f"The body has the element {str(repeated)[:60]!r} twice in one object.",
        )
    except (ValueError, UnicodeDecodeError, RecursionError):
        return outcome(400, code="structure", text="The body is not JSON.")
    read, problems = intake.read_response(body)
    if read is None:
        return outcome(422, problems.issues)
    try:
        answers = Answers.from_mapping(read.answers)
    except ContractError as error:
        return outcome(
            422,
            [
                (name, f"QuestionnaireResponse.item.where(linkId='{name}')", f"{name} {problem}")
                for name, problem in error.errors
            ],
        )
    patient = read.patient
    submission = services.Submission(answers=answers, details=read.details, patient=patient)
    idempotency_key = key or (f"identifier:{read.identifier}" if read.identifier else "")
    try:
        made, created = services.submit_intake(
            client=client,
            submission=submission,
            idempotency_key=idempotency_key or services.fresh_key(),
        )
    except NotSignedOff as refused:
        # Nothing saved (the transaction rolled back): the sender tries again later.
        return outcome(
            503,
            code="transient",
            text=(
                "The clinic cannot triage intakes right now: no signed-off rule set is chosen "
                f"({refused}). Nothing was saved; send the QuestionnaireResponse again later."
            ),
            Retry_After="300",
        )
    except services.KeyReused:
        return outcome(
            422,
            code="duplicate",
            text="This Idempotency-Key (or identifier) was sent before with another request.",
        )
    except IdentityMismatch as mismatch:
        where = "QuestionnaireResponse.contained.where(resourceType='Patient')"
        fields = {"given_name": "name", "family_name": "name", "date_of_birth": "birthDate"}
        return outcome(
            409,
            [
                (
                    f"{where}.{fields[d.field]}",
                    f"{where}.{fields[d.field]}",
                    "The NHS number is on file for a patient with another "
                    f"{fields[d.field]}: reception must settle which patient this is.",
                )
                for d in mismatch.differences
            ],
            code="conflict",
        )
    history = resources.load(
        [made.patient_id], ["Patient", "QuestionnaireResponse", "RiskAssessment"]
    )
    history.intakes = [i for i in history.intakes if i.pk == made.pk]
    found = resources.build(history, ["Patient", "QuestionnaireResponse", "RiskAssessment"])
    _audit(
        request,
        client,
        action=AuditEvent.Action.CREATE if created else AuditEvent.Action.VIEW,
        record=f"FHIR QuestionnaireResponse/{made.pk}",
        found=found,
    )
    return respond(
        _bundle(request, "collection", found),
        201 if created else 200,
        Location=f"{_base(request)}/QuestionnaireResponse/{made.pk}",
    )
