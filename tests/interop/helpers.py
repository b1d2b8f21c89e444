"""API clients, calls with their tokens, and an independent check of every resource: the
`fhir.resources` package's R4B models (pydantic), which know nothing of this code."""

from __future__ import annotations

import json
import random
from typing import Any

from django.test import Client

from interop import services
from interop.codes import INTAKE_KEY_SYSTEM, QUESTIONNAIRE_URL
from interop.models import ApiClient
from triage.rules import QUESTIONS
from triage.rules.contract import DANGEROUS_MECHANISMS, LOW_ENERGY_MECHANISMS

FHIR = "application/fhir+json"


def api_client(
    name: str = "Booking system", *, read: bool = True, submit: bool = True
) -> tuple[ApiClient, str]:
    return services.register_client(
        name=name, can_read_patients=read, can_submit_intakes=submit, by=None
    )


def get(path: str, token: str | None = None, **params: Any) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return Client().get(path, params, headers=headers)


def post(path: str, body: Any, token: str | None = None, **headers: str) -> Any:
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return Client().post(path, data, content_type=FHIR, headers=headers)


def body(response: Any) -> Any:
    return json.loads(response.content)


def validated(resource: dict[str, Any]) -> Any:
    """`resource` read by the R4B model of its type; raises when it is not valid FHIR. Also
    refused: empty elements (FHIR forbids `[]`, `{}`, `""` and null anywhere)."""
    from fhir.resources.R4B import get_fhir_model_class

    _no_empty(resource, resource["resourceType"])
    return get_fhir_model_class(resource["resourceType"]).model_validate(resource)


def _no_empty(value: Any, path: str) -> None:
    assert value not in (None, "", [], {}), f"empty element at {path}"
    if isinstance(value, dict):
        for key, inner in value.items():
            _no_empty(inner, f"{path}.{key}")
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            _no_empty(inner, f"{path}[{index}]")


def varied_answers(rng: random.Random) -> dict[str, Any]:
    """Complete intake-contract answers with a clinic's spread (after bench/intake_submit.py):
    each intake says yes to none, a few or many questions, so that every urgency comes up."""
    answers: dict[str, Any] = {}
    yes = rng.choice([0.0, 0.01, 0.03, 0.125])
    for question in QUESTIONS:
        if question.kind is bool:
            answers[question.name] = rng.random() < yes
        elif question.kind is int:
            answers[question.name] = rng.randint(question.minimum or 0, question.maximum or 0)
        else:
            answers[question.name] = rng.choice(question.choices)
    answers["duration_days"] = rng.choice([0, 1, 3, 7, 8, 14, 27, 28, 45, 91, 200, 400])
    answers["age"] = rng.randint(18, 90)
    # As the desk takes the mechanism: how it happened after a yes to an injury; after a no,
    # "none" (or a gym strain, which is no injury), never a fall or collision (refused).
    if answers["recent_significant_trauma"]:
        answers["trauma_mechanism"] = rng.choice(
            [*LOW_ENERGY_MECHANISMS, *sorted(DANGEROUS_MECHANISMS)]
        )
    else:
        answers["trauma_mechanism"] = rng.choice(["none", "none", "none", "exertional_strain"])
    return answers


def _answer(value: Any) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"valueBoolean": value}
    if isinstance(value, int):
        return {"valueInteger": value}
    return {"valueCoding": {"system": INTAKE_KEY_SYSTEM, "code": value}}


def response(
    answers: dict[str, Any],
    *,
    subject: str = "#p",
    patient: dict[str, Any] | None = None,
    **fields: Any,
) -> dict[str, Any]:
    """A QuestionnaireResponse of `answers`, written as another system would write it; its
    subject a contained Patient (`#p`) unless told."""
    resource: dict[str, Any] = {
        "resourceType": "QuestionnaireResponse",
        "questionnaire": f"{QUESTIONNAIRE_URL}|intake/1",
        "status": "completed",
        "subject": {"reference": subject},
        "item": [{"linkId": name, "answer": [_answer(value)]} for name, value in answers.items()],
    }
    if subject == "#p":
        resource["contained"] = [
            patient
            or {
                "resourceType": "Patient",
                "id": "p",
                "name": [{"family": "Okafor", "given": ["Ngozi"]}],
                "gender": "female",
                "birthDate": "1971-06-02",
                "identifier": [
                    {"system": "https://fhir.nhs.uk/Id/nhs-number", "value": "9434765919"}
                ],
            }
        ]
    return resource | fields


def history_of(
    *,
    intakes: int,
    programmes: int,
    check_ins: int = 6,
    reception: Any,
    clinician: Any,
    family_name: str = "Longhistory",
) -> Any:
    """One patient with `intakes` intakes, each its own case (`programmes` of them decided by a
    programme, the rest discharged), every programme with `check_ins` completed check-ins (pain,
    and the Neck Disability Index at the first and the last). Returns the patient."""
    from datetime import timedelta

    from django.utils import timezone

    from programmes.check_ins import stop_programme
    from programmes.models import CheckIn
    from tests.patients.helpers import make_intake, patient_details
    from tests.programmes.helpers import prescribe
    from triage.services import discharge_case

    details = patient_details(
        family_name=family_name, email=f"{family_name.lower()}@example.org", email_consent=True
    )
    patient = None
    for n in range(intakes):
        intake = make_intake(
            entered_by=reception,
            details=details,
            duration_days=42,
            pain_score_now=5,
            numbness_or_tingling_arms=n % 3 == 0 and n >= programmes,
        )
        patient = intake.patient
        case_id = intake.assessment.case_id
        if n < programmes:
            programme = prescribe(by=clinician, intake=intake, start=timezone.localdate())
            rows = list(programme.check_ins.order_by("week"))
            for week in range(len(rows), check_ins):
                rows.append(
                    CheckIn.objects.create(
                        programme=programme, week=week * 2 + 1, due_at=timezone.now()
                    )
                )
            for k, row in enumerate(rows[:check_ins]):
                row.completed_at = timezone.now() + timedelta(weeks=k)
                row.pain = 5 - k % 3
                row.sessions_done = 3
                if k in (0, check_ins - 1):
                    row.ndi_points, row.ndi_percent = 14 - k, (14 - k) * 2
                row.save()
            stop_programme(programme_id=programme.pk, clinician=clinician, reason="Moved away")
        else:
            discharge_case(case_id=case_id, clinician=clinician, advice="Keep moving gently")
    return patient
