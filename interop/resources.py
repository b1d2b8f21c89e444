"""The clinic's records as FHIR R4 resources (plain dicts, serialised as JSON), and the loader that
reads everything about some patients in a fixed number of queries, whatever their history.

| record | resource | id |
|---|---|---|
| patient | Patient (NHS number in `https://fhir.nhs.uk/Id/nhs-number`) | `<patient id>` |
| intake | QuestionnaireResponse against Questionnaire/intake-1 | `<intake id>` |
| triage of an intake or an examination | RiskAssessment | `<assessment id>` |
| a clinician's urgency override | RiskAssessment (method: clinician override) | `override-<id>` |
| referral | ServiceRequest, and its letter as a DocumentReference | `<referral id>` |
| programme | CarePlan, an activity per prescribed exercise | `<programme id>` |
| check-in | Observation: pain (LOINC 72514-3), Neck Disability Index | `checkin-pain-<id>`, `checkin-ndi-<id>` |
| examination | Observation, a component per recorded finding (`exam/1`) | `exam-<examination id>` |

An override is a RiskAssessment of its own rather than a Provenance: it is a clinician's judgement
of the same risk, with its own urgency, performer, time and reason, and it names the assessment it
overrides (`basis`, `parent`). The triage RiskAssessment it overrides stays as the rule set made
it, as the database keeps it; a system that wants the urgency in force reads the latest of a
case's RiskAssessments.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.db.models import Exists, OuterRef, Prefetch
from django.utils import timezone

from examination.models import Examination
from examination.readable import path_label
from interop import codes
from interop.intake import response_items
from patients.models import Intake, Patient
from programmes.models import CheckIn, Programme, ProgrammeExercise
from referrals.models import Referral
from triage.models import Assessment, Urgency, UrgencyOverride
from triage.rules.contract import CONTRACT_VERSION

Resource = dict[str, Any]
NOT_RECORDED = frozenset({"not_tested", "not_done", "not_assessed", ""})


def instant(moment: datetime) -> str:
    return timezone.localtime(moment).isoformat(timespec="seconds")


def _kept(resource: Resource) -> Resource:
    """`resource` without its empty elements: FHIR allows no null, "" or [] anywhere."""
    return {key: value for key, value in resource.items() if value not in (None, "", [], {})}


def _ref(kind: str, pk: Any) -> dict[str, str]:
    return {"reference": f"{kind}/{pk}"}


def _staff(user: User | None) -> dict[str, Any] | None:
    if user is None:
        return None
    name = user.get_full_name() or user.get_username()
    return {
        "type": "Practitioner",
        "identifier": {"system": codes.STAFF_SYSTEM, "value": user.get_username()},
        "display": name,
    }


def _urgency_concept(urgency: int) -> dict[str, Any]:
    key = Urgency(urgency).key
    risk, risk_label = codes.RISK_OF[key]
    return {
        "coding": [
            {"system": codes.URGENCY_SYSTEM, "code": key, "display": codes.URGENCY_LABELS[key]},
            {"system": codes.RISK_PROBABILITY, "code": risk, "display": risk_label},
        ],
        "text": codes.URGENCY_LABELS[key],
    }


# --- Patient ---------------------------------------------------------------------------


def patient(p: Patient) -> Resource:
    resource: Resource = {
        "resourceType": "Patient",
        "id": str(p.pk),
        "meta": {"lastUpdated": instant(p.updated_at)},
        "name": [{"use": "official", "family": p.family_name, "given": [p.given_name]}],
        "gender": codes.GENDER_OF[p.sex],
        "birthDate": p.date_of_birth.isoformat(),
        "communication": [
            {"language": {"coding": [{"system": "urn:ietf:bcp:47", "code": p.preferred_language}]}}
        ]
        if p.preferred_language != "other"
        else [],
    }
    if p.nhs_number:
        resource["identifier"] = [{"system": codes.NHS_NUMBER, "value": p.nhs_number}]
    telecom = []
    if p.email:
        telecom.append({"system": "email", "value": p.email})
    if p.phone:
        telecom.append({"system": "phone", "value": p.phone})
    if telecom:
        resource["telecom"] = telecom
    return _kept(resource)


# --- Intakes and their triage ----------------------------------------------------------------


def _intake_author(intake: Intake) -> dict[str, Any]:
    user = intake.entered_by
    if user is None:  # the patient's own self-intake or check-in
        return {**_ref("Patient", intake.patient_id), "type": "Patient"}
    client = getattr(user, "api_client", None)
    if client is not None:
        return {
            "type": "Device",
            "identifier": {"system": codes.CLIENT_SYSTEM, "value": str(client.pk)},
            "display": f"API client {client.name}",
        }
    return _staff(user) or {}


def questionnaire_response(intake: Intake) -> Resource:
    resource: Resource = {
        "resourceType": "QuestionnaireResponse",
        "id": str(intake.pk),
        "identifier": {"system": codes.INTAKE_ID_SYSTEM, "value": str(intake.pk)},
        "questionnaire": f"{codes.QUESTIONNAIRE_URL}|{intake.contract_version or CONTRACT_VERSION}",
        "status": "completed",
        "subject": _ref("Patient", intake.patient_id),
        "authored": instant(intake.created_at),
        "author": _intake_author(intake),
        "item": response_items(intake.answers),
    }
    # Who gave the answers: the patient for their own self-intake or check-in; a member of staff
    # who took them down otherwise (an API client's source is the other system's own business).
    if intake.source in (Intake.Source.SELF, Intake.Source.CHECK_IN) or intake.entered_by is None:
        resource["source"] = {**_ref("Patient", intake.patient_id), "type": "Patient"}
    elif resource["author"].get("type") == "Practitioner":
        resource["source"] = resource["author"]
    return _kept(resource)


def _fired_rule(rule: dict[str, Any]) -> dict[str, Any]:
    concept: dict[str, Any] = {
        "coding": [{"system": codes.RULE_SYSTEM, "code": rule["id"], "display": rule["reason"]}],
        "text": rule["reason"],
        "extension": [{"url": codes.RULE_SOURCE_EXTENSION, "valueString": rule["source"]}],
    }
    if rule.get("urgency"):
        concept["extension"].append(
            {"url": codes.RULE_URGENCY_EXTENSION, "valueCode": rule["urgency"]}
        )
    return concept


def risk_assessment(assessment: Assessment, patient_id: int) -> Resource:
    resource: Resource = {
        "resourceType": "RiskAssessment",
        "id": str(assessment.pk),
        "status": "final",
        "subject": _ref("Patient", patient_id),
        "occurrenceDateTime": instant(assessment.created_at),
        "code": {
            "coding": [
                {
                    "system": codes.SNOMED,
                    "code": codes.RISK_ASSESSMENT_CODE[0],
                    "display": codes.RISK_ASSESSMENT_CODE[1],
                }
            ]
        },
        "method": {
            "coding": [
                {
                    "system": codes.RULESET_SYSTEM,
                    "code": "exam-rules" if assessment.examination_id else "intake-rules",
                    "version": assessment.ruleset,
                    "display": f"Rule set {assessment.ruleset}",
                }
            ],
            "text": f"Rule set {assessment.ruleset}",
        },
        "prediction": [
            {
                "outcome": {"text": "Urgency"},
                "qualitativeRisk": _urgency_concept(assessment.urgency),
            }
        ],
        "reasonCode": [_fired_rule(rule) for rule in assessment.rules],
    }
    if assessment.intake_id:
        resource["basis"] = [_ref("QuestionnaireResponse", assessment.intake_id)]
    else:
        resource["basis"] = [_ref("Observation", f"exam-{assessment.examination_id}")]
    if assessment.imaging:
        resource["note"] = [{"text": f"Imaging: {assessment.imaging.get('decision', '')}"}]
    return _kept(resource)


def override(o: UrgencyOverride, patient_id: int) -> Resource:
    return _kept(
        {
            "resourceType": "RiskAssessment",
            "id": f"override-{o.pk}",
            "status": "amended",
            "subject": _ref("Patient", patient_id),
            "occurrenceDateTime": instant(o.created_at),
            "performer": _staff(o.by),
            "parent": _ref("RiskAssessment", o.assessment_id),
            "basis": [_ref("RiskAssessment", o.assessment_id)],
            "method": {
                "coding": [
                    {
                        "system": codes.RULESET_SYSTEM,
                        "code": codes.OVERRIDE_METHOD[0],
                        "display": codes.OVERRIDE_METHOD[1],
                    }
                ],
                "text": codes.OVERRIDE_METHOD[1],
            },
            "prediction": [
                {"outcome": {"text": "Urgency"}, "qualitativeRisk": _urgency_concept(o.to_urgency)}
            ],
            "note": [
                {
                    "text": f"Urgency changed from {Urgency(o.from_urgency).key} to "
                    f"{Urgency(o.to_urgency).key}: {o.reason}",
                    "time": instant(o.created_at),
                }
            ],
        }
    )


# --- Referrals -------------------------------------------------------------------------------

REFERRAL_STATUS = {
    Referral.Status.DRAFT: "draft",
    Referral.Status.SENT: "active",
    Referral.Status.PRINTED: "active",
    Referral.Status.ACKNOWLEDGED: "active",
    Referral.Status.COMPLETED: "completed",
    Referral.Status.CANCELLED: "revoked",
}


def service_request(referral: Referral, patient_id: int) -> Resource:
    destination = referral.destination
    resource: Resource = {
        "resourceType": "ServiceRequest",
        "id": str(referral.pk),
        "identifier": [{"system": codes.REFERRAL_ID_SYSTEM, "value": referral.reference}],
        "status": REFERRAL_STATUS[Referral.Status(referral.status)],
        "intent": "order",
        "priority": codes.PRIORITY_OF[referral.urgency_key],
        "code": {
            "coding": [
                {
                    "system": codes.DESTINATION_SYSTEM,
                    "code": destination.kind,
                    "display": destination.get_kind_display(),
                }
            ],
            "text": f"Referral to {destination.name}",
        },
        "subject": _ref("Patient", patient_id),
        "authoredOn": instant(referral.sent_at or referral.created_at),
        "requester": _staff(referral.referred_by),
        "performer": [{"display": destination.name}],
        "supportingInfo": [_ref("DocumentReference", referral.pk)],
        "extension": [
            {
                "url": f"{codes.CLINIC}/StructureDefinition/referral-status",
                "valueCode": referral.status,
            },
            {
                "url": f"{codes.CLINIC}/StructureDefinition/urgency-asked-for",
                "valueCode": referral.urgency_key,
            },
        ],
    }
    return _kept(resource)


def letter(referral: Referral, patient_id: int, *, pdf: bytes | None = None) -> Resource:
    """The referral letter: its text as the clinician left it, and the PDF as sent when there is
    one (read by id only: $everything leaves the PDF's bytes out and says where to read them)."""
    content: list[dict[str, Any]] = [
        {
            "attachment": {
                "contentType": "text/plain; charset=utf-8",
                "language": "en-GB",
                "data": base64.b64encode(referral.letter.encode()).decode(),
                "title": f"Referral letter {referral.reference}",
            }
        }
    ]
    if pdf:
        content.append(
            {
                "attachment": {
                    "contentType": "application/pdf",
                    "data": base64.b64encode(pdf).decode(),
                    "size": len(pdf),
                    "title": f"Referral letter {referral.reference} as sent",
                }
            }
        )
    return _kept(
        {
            "resourceType": "DocumentReference",
            "id": str(referral.pk),
            "status": "current",
            "docStatus": "final" if referral.sent_at else "preliminary",
            "type": {"text": "Referral letter"},
            "subject": _ref("Patient", patient_id),
            "date": instant(referral.sent_at or referral.created_at),
            "author": [a for a in [_staff(referral.referred_by)] if a],
            "content": content,
            "context": {"related": [_ref("ServiceRequest", referral.pk)]},
        }
    )


# --- Programmes, check-ins and examinations ----------------------------------------------------

CARE_PLAN_STATUS = {
    Programme.Status.ACTIVE: "active",
    Programme.Status.ON_HOLD: "on-hold",
    Programme.Status.COMPLETED: "completed",
    Programme.Status.STOPPED: "revoked",
}


def _german(text: str) -> dict[str, Any] | None:
    """A string element's German twin (`_title`, `_text`) as the translation extension: what the
    German-speaking patient reads beside the English, or nothing where none is written."""
    if not text.strip():
        return None
    return {
        "extension": [
            {
                "url": codes.TRANSLATION_EXTENSION,
                "extension": [
                    {"url": "lang", "valueCode": "de"},
                    {"url": "content", "valueString": text},
                ],
            }
        ]
    }


def care_plan(programme: Programme, exercises: list[Any]) -> Resource:
    """`exercises`: the programme's prescribed exercises as rows of EXERCISE_FIELDS."""
    activities = []
    for row in exercises:
        position = row.phase__position
        current = position == programme.current_phase
        done = position < programme.current_phase
        # The dose as the programme's pages word it (Dose.dose_text reads the four numbers).
        dose = ProgrammeExercise.dose_text(row, per_side=row.exercise__per_side)
        activities.append(
            {
                "detail": {
                    "kind": "Task",
                    "code": _kept(
                        {"text": row.exercise__name, "_text": _german(row.exercise__name_de)}
                    ),
                    "status": "completed" if done else "in-progress" if current else "not-started",
                    "description": (
                        f"Phase {position} ({row.phase__name}, {row.phase__weeks} weeks): "
                        f"{row.exercise__name}, {dose}, {row.days_per_week} days a week"
                    ),
                }
            }
        )
    return _kept(
        {
            "resourceType": "CarePlan",
            "id": str(programme.pk),
            "status": CARE_PLAN_STATUS[Programme.Status(programme.status)],
            "intent": "plan",
            "title": programme.name,
            "_title": _german(programme.name_de),
            "description": programme.template.summary if programme.template_id else programme.name,
            "_description": _german(
                programme.template.summary_de if programme.template_id else programme.name_de
            ),
            "subject": _ref("Patient", programme.patient_id),
            "period": {"start": programme.start_date.isoformat()},
            "created": instant(programme.prescribed_at),
            "author": _staff(programme.prescribed_by),
            "activity": activities,
            "note": [{"text": programme.note}] if programme.note else None,
        }
    )


def _observation(oid: str, patient_id: int, when: datetime, code: dict[str, Any]) -> Resource:
    return {
        "resourceType": "Observation",
        "id": oid,
        "status": "final",
        "category": [
            {
                "coding": [
                    {"system": codes.OBSERVATION_CATEGORY, "code": "survey", "display": "Survey"}
                ]
            }
        ],
        "code": code,
        "subject": _ref("Patient", patient_id),
        "effectiveDateTime": instant(when),
    }


def check_in_observations(check_in: CheckIn, programme: Programme) -> list[Resource]:
    if check_in.completed_at is None:
        return []
    found = []
    if check_in.pain is not None:
        obs = _observation(
            f"checkin-pain-{check_in.pk}",
            programme.patient_id,
            check_in.completed_at,
            {
                "coding": [
                    {
                        "system": codes.LOINC,
                        "code": codes.PAIN_SCORE[0],
                        "display": codes.PAIN_SCORE[1],
                    }
                ],
                "text": "Pain now (0-10)",
            },
        )
        obs["valueInteger"] = check_in.pain
        obs["basedOn"] = [_ref("CarePlan", programme.pk)]
        obs["note"] = [{"text": check_in.title}]
        found.append(obs)
    if check_in.ndi_points is not None:
        obs = _observation(
            f"checkin-ndi-{check_in.pk}",
            programme.patient_id,
            check_in.completed_at,
            {
                "coding": [
                    {
                        "system": codes.NDI_SYSTEM,
                        "code": codes.NDI_SCORE[0],
                        "display": codes.NDI_SCORE[1],
                    }
                ],
                "text": codes.NDI_SCORE[1],
            },
        )
        obs["valueQuantity"] = {
            "value": float(check_in.ndi_points),
            "unit": "points (0-50)",
            "system": "http://unitsofmeasure.org",
            "code": "{score}",
        }
        if check_in.ndi_percent is not None:
            obs["component"] = [
                {
                    "code": {"text": "Neck Disability Index (percent)"},
                    "valueQuantity": {
                        "value": float(check_in.ndi_percent),
                        "unit": "%",
                        "system": "http://unitsofmeasure.org",
                        "code": "%",
                    },
                }
            ]
        obs["basedOn"] = [_ref("CarePlan", programme.pk)]
        obs["note"] = [{"text": check_in.title}]
        found.append(obs)
    return found


def _findings(value: Any, path: str) -> Iterator[tuple[str, Any]]:
    """The recorded findings of `exam/1` as (dotted path, plain value); unrecorded ones left out."""
    if isinstance(value, dict):
        if "degrees" in value or "grade" in value:
            for key in ("degrees", "grade", "pain"):
                if value.get(key) is not None:
                    yield f"{path}.{key}", value[key]
            return
        for key, inner in value.items():
            yield from _findings(inner, f"{path}.{key}" if path else key)
    elif isinstance(value, list):  # the orthopaedic tests
        for test in value:
            if isinstance(test, dict) and test.get("result") not in NOT_RECORDED:
                side = f".{test['side']}" if test.get("side") else ""
                yield f"{path}.{test.get('test')}{side}", test.get("result")
    elif value not in NOT_RECORDED and value is not None:
        yield path, value


def _component_value(value: Any) -> dict[str, Any]:
    if isinstance(value, bool):
        return {"valueBoolean": value}
    if isinstance(value, int):
        return {"valueInteger": value}
    if isinstance(value, float | Decimal):
        return {"valueQuantity": {"value": float(value)}}
    return {"valueString": str(value)}


def examination_observation(examination: Examination, patient_id: int) -> Resource:
    obs = _observation(
        f"exam-{examination.pk}",
        patient_id,
        examination.examined_at,
        {
            "coding": [
                {
                    "system": codes.EXAM_KEY_SYSTEM,
                    "code": examination.contract_version,
                    "display": "Musculoskeletal examination",
                }
            ],
            "text": "Musculoskeletal examination",
        },
    )
    obs["category"] = [
        {"coding": [{"system": codes.OBSERVATION_CATEGORY, "code": "exam", "display": "Exam"}]}
    ]
    performer = _staff(examination.examiner)
    if performer:
        obs["performer"] = [performer]
    obs["component"] = [
        {
            "code": {
                "coding": [
                    {"system": codes.EXAM_KEY_SYSTEM, "code": path, "display": _label(path)}
                ],
                "text": _label(path),
            },
            **_component_value(value),
        }
        for path, value in _findings(examination.findings, "")
    ]
    if examination.corrects_id:
        obs["status"] = "corrected"
        obs["derivedFrom"] = [_ref("Observation", f"exam-{examination.corrects_id}")]
    return _kept(obs)


def _label(path: str) -> str:
    try:
        return path_label(path)
    except (KeyError, IndexError):
        return path


# --- Everything about some patients, in a fixed number of queries ------------------------------


@dataclass
class History:
    patients: list[Patient] = field(default_factory=list)
    intakes: list[Intake] = field(default_factory=list)
    exam_assessments: list[Assessment] = field(default_factory=list)
    overrides: list[UrgencyOverride] = field(default_factory=list)
    referrals: list[Referral] = field(default_factory=list)
    programmes: list[Programme] = field(default_factory=list)
    examinations: list[Examination] = field(default_factory=list)
    # Each programme's prescribed exercises, phase by phase (by programme id).
    exercises: dict[int, list[Any]] = field(default_factory=dict)


# The resource types each part of the history gives.
PARTS: dict[str, tuple[str, ...]] = {
    "Patient": ("patients",),
    "QuestionnaireResponse": ("intakes",),
    "RiskAssessment": ("intakes", "exam_assessments", "overrides"),
    "ServiceRequest": ("referrals",),
    "DocumentReference": ("referrals",),
    "CarePlan": ("programmes",),
    "Observation": ("programmes", "examinations"),
}
RESOURCE_TYPES = tuple(PARTS)
# What a CarePlan reads of a programme and its exercises (the library's long texts stay behind).
PROGRAMME_FIELDS = (
    "patient_id",
    "case_id",
    "name",
    "name_de",
    "status",
    "prescribed_at",
    "start_date",
    "note",
    "current_phase",
    "template",
    "template__summary",
    "template__summary_de",
    "prescribed_by",
    *(f"prescribed_by__{name}" for name in ("username", "first_name", "last_name")),
)
EXERCISE_FIELDS = (
    "sets",
    "reps",
    "hold_seconds",
    "load_kg",
    "days_per_week",
    "phase__programme",
    "phase__position",
    "phase__name",
    "phase__weeks",
    "exercise__name",
    "exercise__name_de",
    "exercise__per_side",
)


def load(patient_ids: list[int], types: Iterable[str] = RESOURCE_TYPES) -> History:
    """What the patients' resources of `types` are built from: one query per part, and none
    for a part the patients' rows say is empty (most patients have no override, examination or
    referral: asking would cost a round trip each)."""
    wanted = {part for kind in types for part in PARTS[kind]}
    history = History()
    if not patient_ids:
        return history
    held = {
        "overrides": Exists(UrgencyOverride.objects.filter(case__patient=OuterRef("pk"))),
        "referrals": Exists(Referral.objects.filter(case__patient=OuterRef("pk"))),
        "examinations": Exists(Examination.objects.filter(case__patient=OuterRef("pk"))),
        "programmes": Exists(Programme.objects.filter(patient=OuterRef("pk"))),
    }
    asked = {part: query for part, query in held.items() if part in wanted}
    if "exam_assessments" in wanted:
        asked["examinations"] = held["examinations"]
    history.patients = list(
        Patient.objects.filter(pk__in=patient_ids)
        .annotate(**{f"holds_{part}": query for part, query in asked.items()})
        .order_by("pk")
    )
    holding = {part for part in asked if any(getattr(p, f"holds_{part}") for p in history.patients)}
    if "examinations" in holding and "exam_assessments" in wanted:
        holding.add("exam_assessments")
    wanted = (wanted & holding) | (wanted & {"patients", "intakes"})
    if "intakes" in wanted:
        history.intakes = list(
            Intake.objects.filter(patient_id__in=patient_ids)
            .select_related("entered_by__api_client", "assessment")
            .defer("psychosocial_screen", "fingerprint", "entered_by__password")
            .order_by("created_at", "pk")
        )
    if "exam_assessments" in wanted:
        history.exam_assessments = list(
            Assessment.objects.filter(case__patient_id__in=patient_ids, examination__isnull=False)
            .select_related("case")
            .order_by("created_at", "pk")
        )
    if "overrides" in wanted:
        history.overrides = list(
            UrgencyOverride.objects.filter(case__patient_id__in=patient_ids)
            .select_related("by", "case")
            .order_by("created_at", "pk")
        )
    if "referrals" in wanted:
        history.referrals = list(
            Referral.objects.filter(case__patient_id__in=patient_ids)
            .select_related("destination", "referred_by", "case")
            .defer("letter_pdf")
            .order_by("created_at", "pk")
        )
    if "programmes" in wanted:
        history.programmes = list(
            Programme.objects.filter(patient_id__in=patient_ids)
            .select_related("prescribed_by", "template")
            .only(*PROGRAMME_FIELDS)
            .prefetch_related(
                Prefetch(
                    "check_ins",
                    CheckIn.objects.defer("ndi_answers", "screen", "red_flags").order_by("week"),
                ),
            )
            .order_by("prescribed_at", "pk")
        )
        # Every prescribed exercise with its phase, in one query rather than phases then
        # exercises.
        # As plain rows: some seventy exercises a programme's phases hold would each be three
        # model instances.
        for item in (
            ProgrammeExercise.objects.filter(phase__programme__in=history.programmes)
            .order_by("phase__position", "position", "pk")
            .values_list(*EXERCISE_FIELDS, named=True)
        ):
            history.exercises.setdefault(item.phase__programme, []).append(item)
    if "examinations" in wanted:
        history.examinations = list(
            Examination.objects.filter(case__patient_id__in=patient_ids)
            .select_related("examiner", "case")
            .order_by("examined_at", "pk")
        )
    return history


def build(history: History, types: Iterable[str] = RESOURCE_TYPES) -> list[Resource]:
    """The resources of `types` the history holds, Patient first, each kind in time order."""
    wanted = set(types)
    out: list[Resource] = []
    if "Patient" in wanted:
        out += [patient(p) for p in history.patients]
    if "QuestionnaireResponse" in wanted:
        out += [questionnaire_response(i) for i in history.intakes]
    if "RiskAssessment" in wanted:
        for intake in history.intakes:
            assessment = getattr(intake, "assessment", None)
            if assessment is not None:
                out.append(risk_assessment(assessment, intake.patient_id))
        out += [risk_assessment(a, a.case.patient_id) for a in history.exam_assessments]
        out += [override(o, o.case.patient_id) for o in history.overrides]
    if "ServiceRequest" in wanted:
        out += [service_request(r, r.case.patient_id) for r in history.referrals]
    if "DocumentReference" in wanted:
        out += [letter(r, r.case.patient_id) for r in history.referrals]
    if "CarePlan" in wanted:
        out += [care_plan(p, history.exercises.get(p.pk, [])) for p in history.programmes]
    if "Observation" in wanted:
        for programme in history.programmes:
            for check_in in programme.check_ins.all():
                out += check_in_observations(check_in, programme)
        out += [examination_observation(e, e.case.patient_id) for e in history.examinations]
    return out


def resource_date(resource: Resource) -> str | None:
    """The date a search's `date` parameter compares (ISO text), by resource type."""
    for key in (
        "authored",
        "occurrenceDateTime",
        "authoredOn",
        "date",
        "effectiveDateTime",
        "created",
    ):
        if key in resource:
            value: str = resource[key]
            return value
    return None
