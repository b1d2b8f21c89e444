"""The subject-access export (UK GDPR Article 15): everything the clinic holds about one patient,
as one JSON document a machine can read and a PDF a person can.

The JSON's structure, `"format": "clinic-subject-access/1"` (change the number when a key changes
meaning or goes; a key added is the same version):

- `format`, `generated_at` (ISO 8601), `generated_by` (the member of staff who made it), `clinic`.
- `patient`: the demographics as held now; `detail_changes`: each change of a detail (field, old
  and new value, who, when, at an intake or in the admin).
- `intakes`: each intake with its `answers` exactly as stored, `psychosocial_screen` (the
  psychosocial questionnaire behind the answers' risk category: the tool's name and version,
  each item's wording, answer and score, the sums; null when none was asked), `contract_version`, `source`,
  `entered_by` (null: the patient's own check-in), `created_at`, and its `assessment`: `urgency`
  (the contract's name, e.g. `URGENT`), `ruleset` (the rule-set version) and `rules`, every rule
  that fired with its `id`, `urgency`, `reason` and `source`, as stored.
- `cases`: each case (status, urgency, waiting since, deadline, who claimed it) with its
  `assessment_ids`, `activities` (claims, releases, check-ins that brought it back), `overrides`
  (from and to urgency, reason, who, when), `decisions` (kind, note, safety-net advice) and
  `referrals` (destination, urgency asked for, status and its dates, the letter's text, and the
  letter as sent: `letter_pdf` with its file name, size and the PDF itself in `base64`), and
  `examinations`: each clinician's examination with its `findings` exactly as stored (the
  examination contract `exam/1`), `contract_version`, `examined_by`, `examined_at`, the test
  library entries it used (`test_library`), `corrects_id` with `correction_reason` for a
  correction, and its `assessment` as an intake's is, with the `contract_version` and the
  `imaging` decision aid (decision, rule, reason, source) beside the rules (each rule with the
  `findings` that fired it).
- `programmes`: each prescription (who, when, start, the patient's choices of days and reminder
  time; its name, and each phase's name and goal, with the German the patient reads beside the
  English as `name_de`, `goal_de`, `exercise_de`, empty where none is written) with its `phases`
  and their `exercises` (dose, accepted caution clashes), the `sessions`
  the patient logged, `check_ins` (pain 0-10, sessions, Neck Disability Index answers, points and
  percent, the red-flag screen, outcome), `events` (its history), `questions` (each question
  the patient sent from their page: `text`, `asked_at`, `status`, the `reply` with `replied_by`
  and `replied_at`, or `close_note` with `closed_by` and `closed_at`) and `review_flag`: when the
  daily check flagged it to the prescriber as kept to without improving (the figures it read,
  the rule, and who reviewed it and when), or null.
- `self_referral`: the request from the public self-referral page the record was made from (the
  details as typed, the address and consent, when it was made, expires and was confirmed), or
  null.
- `self_intake_links`: each self-intake link sent to the patient (`email`, `sent_by`, when it was
  made, opened, expires, how many wrong dates of birth were given, `submitted_at` and the
  `intake_id` it made, `retired_at` and `retired_because`, `new_link_requested_at`) with its
  `draft`: the answers typed but not yet sent, as typed (null once sent or purged). A self-entered
  intake's `answers_check` says who went through its answers with the patient, and when.
- `messages`: every email the outbox holds to or about the patient: `kind`, `to` (`patient`,
  `staff` or `service`), `subject`, `status`, `created_at`, `due_at`, `sent_at`, the bodies while
  they are still held (`content_removed_at`: when the outbox's retention rule blanked them), and
  the attachment's name.
- `access`: who saw and changed the record, as the patient's access report lists it (intakes
  entered included): `at`, `who`, `as` (staff, the patient, the system), `action`, `record`,
  `page`, `details`. The export itself is the first such row.

Choice fields hold their stored code, with the label beside it as `<field>_label`. Every model
with a path of foreign keys to a patient is listed in `COVERED`; a test walks the app registry so
that a model added later without a place here fails.

Built in a fixed number of queries whatever the history's length (select_related and prefetch).
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Prefetch, Q
from django.template.loader import render_to_string
from django.utils import timezone

from audit.models import AuditEvent
from examination.models import Examination
from examination.readable import IMPRESSION_LABELS
from outbox.models import Message
from outcomes.models import NonResponderFlag
from patients.models import Intake, Patient, PatientDetailChange
from programmes.models import (
    CheckIn,
    Programme,
    ProgrammeEvent,
    ProgrammeExercise,
    ProgrammePhase,
    SessionExercise,
    SessionLog,
    WrittenForPatients,
    text_suffix,
)
from questions.models import Question
from referrals.models import Referral
from selfintake.models import AnswersCheck, Draft, Invitation, SelfReferral
from triage.models import Assessment, Case, CaseActivity, CaseDecision, Urgency, UrgencyOverride

FORMAT = "clinic-subject-access/1"

# Every model holding a patient's data, and where the export puts its rows.
COVERED: dict[type[Any], str] = {
    Patient: "patient",
    PatientDetailChange: "detail_changes",
    Intake: "intakes",
    Assessment: "intakes.assessment",
    Case: "cases",
    CaseActivity: "cases.activities",
    UrgencyOverride: "cases.overrides",
    CaseDecision: "cases.decisions",
    Referral: "cases.referrals",
    Examination: "cases.examinations",
    Programme: "programmes",
    ProgrammePhase: "programmes.phases",
    ProgrammeExercise: "programmes.phases.exercises",
    SessionLog: "programmes.sessions",
    SessionExercise: "programmes.sessions.exercises",
    CheckIn: "programmes.check_ins",
    ProgrammeEvent: "programmes.events",
    Question: "programmes.questions",
    AnswersCheck: "intakes.answers_check",
    Invitation: "self_intake_links",
    Draft: "self_intake_links.draft",
    SelfReferral: "self_referral",
    Message: "messages",
    AuditEvent: "access",
    NonResponderFlag: "programmes.review_flag",
}


def _who(user: User | None) -> str | None:
    if user is None:
        return None
    return user.get_full_name() or user.get_username()


def _urgency(value: int | None) -> str | None:
    return Urgency(value).key if value is not None else None


def _urgency_label(value: int | None) -> str | None:
    return str(Urgency(value).label) if value is not None else None


def _fields(obj: Any, *names: str, labels: Iterable[str] = ()) -> dict[str, Any]:
    row = {name: getattr(obj, name) for name in names}
    for name in labels:
        row[f"{name}_label"] = str(getattr(obj, f"get_{name}_display")())
    return row


def build(*, patient_id: int, by: User | None) -> dict[str, Any]:
    """Everything held about patient `patient_id`, as the documented structure above. Dates and
    times stay Python values here (the PDF formats them); `as_json` writes them as ISO 8601."""
    patient = Patient.objects.select_related("self_referral").get(pk=patient_id)
    changes = PatientDetailChange.objects.filter(patient=patient).select_related("changed_by")
    intakes = list(
        Intake.objects.filter(patient=patient)
        .select_related("entered_by", "assessment", "check_in", "answers_check__checked_by")
        .order_by("created_at", "pk")
    )
    invitations = (
        Invitation.objects.filter(patient=patient)
        .select_related("sent_by", "draft")
        .order_by("created_at", "pk")
    )
    cases = (
        Case.objects.filter(patient=patient)
        .select_related("claimed_by")
        .prefetch_related(
            Prefetch("activities", CaseActivity.objects.select_related("by").order_by("at", "pk")),
            Prefetch(
                "overrides", UrgencyOverride.objects.select_related("by").order_by("created_at")
            ),
            Prefetch("decisions", CaseDecision.objects.select_related("by").order_by("at", "pk")),
            Prefetch(
                "referrals",
                Referral.objects.select_related("destination", "referred_by").order_by(
                    "created_at", "pk"
                ),
            ),
            Prefetch(
                "examinations",
                Examination.objects.select_related("examiner", "assessment").order_by(
                    "examined_at", "pk"
                ),
            ),
        )
        .order_by("opened_at", "pk")
    )
    programmes = (
        Programme.objects.filter(patient=patient)
        .select_related(
            "prescribed_by",
            "non_responder_flag__clinician",
            "non_responder_flag__reviewed_by",
        )
        .prefetch_related(
            Prefetch(
                "phases",
                ProgrammePhase.objects.order_by("position").prefetch_related(
                    Prefetch(
                        "exercises",
                        ProgrammeExercise.objects.select_related("exercise").order_by(
                            "position", "pk"
                        ),
                    )
                ),
            ),
            Prefetch(
                "sessions",
                SessionLog.objects.order_by("performed_on", "pk").prefetch_related(
                    Prefetch(
                        "exercises",
                        SessionExercise.objects.select_related("exercise__exercise").order_by(
                            "exercise__position", "pk"
                        ),
                    )
                ),
            ),
            Prefetch("check_ins", CheckIn.objects.order_by("week")),
            Prefetch("events", ProgrammeEvent.objects.select_related("by").order_by("at", "pk")),
            Prefetch(
                "questions",
                Question.objects.select_related("replied_by", "closed_by").order_by(
                    "asked_at", "pk"
                ),
            ),
        )
        .order_by("prescribed_at", "pk")
    )
    messages = (
        Message.objects.filter(
            Q(patient=patient) | Q(case__in=Case.objects.filter(patient=patient))
        )
        .defer("attachment")
        .order_by("created_at", "pk")
    )
    access = AuditEvent.objects.filter(patient=patient).select_related("actor")

    assessment_ids: dict[int, list[int]] = {}
    for intake in intakes:
        assessment = getattr(intake, "assessment", None)
        if assessment is not None:
            assessment_ids.setdefault(assessment.case_id, []).append(assessment.pk)

    return {
        "format": FORMAT,
        "generated_at": timezone.now(),
        "generated_by": _who(by),
        "clinic": settings.CLINIC_NAME,
        "patient": _patient(patient),
        "detail_changes": [
            _fields(change, "id", "field", "old_value", "new_value", "changed_at", labels=["via"])
            | {
                "via": change.via,
                "changed_by": _who(change.changed_by),
                "intake_id": change.intake_id,
            }
            for change in changes.order_by("changed_at", "pk")
        ],
        "intakes": [_intake(intake) for intake in intakes],
        "cases": [
            _case(
                case,
                assessment_ids.get(case.pk, [])
                + [
                    e.assessment.pk
                    for e in case.examinations.all()
                    if getattr(e, "assessment", None) is not None
                ],
            )
            for case in cases
        ],
        "programmes": [_programme(programme) for programme in programmes],
        "self_intake_links": [_invitation(invitation) for invitation in invitations],
        "self_referral": _self_referral(patient),
        "messages": [_message(message, patient) for message in messages],
        "access": _access(access, intakes),
    }


def _patient(patient: Patient) -> dict[str, Any]:
    return _fields(
        patient,
        "id",
        "given_name",
        "family_name",
        "date_of_birth",
        "sex",
        "email",
        "phone",
        "nhs_number",
        "preferred_language",
        "email_consent",
        "created_at",
        "updated_at",
        labels=["sex", "preferred_language"],
    )


def _assessment(assessment: Assessment | None, *keys: str) -> dict[str, Any] | None:
    if assessment is None:
        return None
    return {
        "id": assessment.pk,
        "created_at": assessment.created_at,
        "case_id": assessment.case_id,
        "urgency": _urgency(assessment.urgency),
        "urgency_label": _urgency_label(assessment.urgency),
        "ruleset": assessment.ruleset,
        "rules": [
            {key: rule.get(key) for key in ("id", "urgency", "reason", "source", *keys)}
            for rule in assessment.rules
        ],
    }


def _intake(intake: Intake) -> dict[str, Any]:
    assessment: Assessment | None = getattr(intake, "assessment", None)
    check_in: CheckIn | None = getattr(intake, "check_in", None)
    checked: AnswersCheck | None = getattr(intake, "answers_check", None)
    return _fields(
        intake,
        "id",
        "created_at",
        "source",
        "contract_version",
        "answers",
        "psychosocial_screen",
        labels=["source"],
    ) | {
        "entered_by": _who(intake.entered_by),
        "check_in_id": check_in.pk if check_in is not None else None,
        "answers_check": None
        if checked is None
        else {"checked_by": _who(checked.checked_by), "checked_at": checked.checked_at},
        "assessment": _assessment(assessment),
    }


def _self_referral(patient: Patient) -> dict[str, Any] | None:
    """The public self-referral request the record was made from, as the patient typed it, or
    None for a record reception made."""
    try:
        referral = patient.self_referral  # read with the patient (select_related)
    except SelfReferral.DoesNotExist:
        return None
    return _fields(
        referral,
        "given_name",
        "family_name",
        "date_of_birth",
        "sex",
        "email",
        "phone",
        "email_consent",
        "created_at",
        "expires_at",
        "confirmed_at",
    ) | {"invitation_id": referral.invitation_id}


def _invitation(invitation: Invitation) -> dict[str, Any]:
    """A self-intake link: where it went, who sent it, how it was used, and the answers the
    patient had typed but not yet sent (the draft, while the link is open)."""
    draft: Draft | None = getattr(invitation, "draft", None)
    return _fields(
        invitation,
        "id",
        "email",
        "created_at",
        "expires_at",
        "first_opened_at",
        "wrong_answers",
        "paused_until",
        "submitted_at",
        "intake_id",
        "retired_at",
        "retired_because",
        "new_link_requested_at",
        labels=["retired_because"],
    ) | {
        "sent_by": _who(invitation.sent_by),
        "draft": None
        if draft is None
        else {"answers": draft.answers, "updated_at": draft.updated_at},
    }


def _case(case: Case, assessment_ids: list[int]) -> dict[str, Any]:
    return _fields(
        case,
        "id",
        "status",
        "opened_at",
        "due_at",
        "closed_at",
        "claimed_at",
        "escalation_level",
        labels=["status"],
    ) | {
        "urgency": _urgency(case.urgency),
        "urgency_label": _urgency_label(case.urgency),
        "claimed_by": _who(case.claimed_by),
        "assessment_ids": assessment_ids,
        "activities": [
            _fields(activity, "id", "kind", "at", "note", "question_id", labels=["kind"])
            | {"by": _who(activity.by)}
            for activity in case.activities.all()
        ],
        "overrides": [
            {
                "id": override.pk,
                "assessment_id": override.assessment_id,
                "from_urgency": _urgency(override.from_urgency),
                "to_urgency": _urgency(override.to_urgency),
                "from_urgency_label": _urgency_label(override.from_urgency),
                "to_urgency_label": _urgency_label(override.to_urgency),
                "reason": override.reason,
                "by": _who(override.by),
                "created_at": override.created_at,
            }
            for override in case.overrides.all()
        ],
        "decisions": [
            _fields(decision, "id", "kind", "at", "note", "safety_net", labels=["kind"])
            | {"by": _who(decision.by)}
            for decision in case.decisions.all()
        ],
        "referrals": [_referral(referral) for referral in case.referrals.all()],
        "examinations": [_examination(e) for e in case.examinations.all()],
    }


def _examination(examination: Examination) -> dict[str, Any]:
    assessment: Assessment | None = getattr(examination, "assessment", None)
    assessed = _assessment(assessment, "findings")
    if assessed is not None and assessment is not None:
        assessed |= {"contract_version": assessment.contract_version, "imaging": assessment.imaging}
    return _fields(
        examination,
        "id",
        "examined_at",
        "contract_version",
        "findings",
        "test_library",
        "corrects_id",
        "correction_reason",
    ) | {
        "examined_by": _who(examination.examiner),
        "impression_label": str(
            IMPRESSION_LABELS.get(
                (examination.findings or {}).get("impression", {}).get("category"), ""
            )
        ),
        "assessment": assessed,
    }


def _referral(referral: Referral) -> dict[str, Any]:
    pdf = bytes(referral.letter_pdf) if referral.letter_pdf is not None else None
    return _fields(
        referral,
        "id",
        "reference",
        "status",
        "letter",
        "created_at",
        "sent_at",
        "expected_by",
        "acknowledged_at",
        "completed_at",
        "cancelled_at",
        labels=["status"],
    ) | {
        "destination": {
            "kind": referral.destination.kind,
            "kind_label": str(referral.destination.get_kind_display()),
            "name": referral.destination.name,
        },
        "urgency": _urgency(referral.urgency),
        "urgency_label": _urgency_label(referral.urgency),
        "referred_by": _who(referral.referred_by),
        "letter_pdf": None
        if pdf is None
        else {
            "filename": f"referral-{referral.reference}.pdf",
            "media_type": "application/pdf",
            "size": len(pdf),
            "base64": base64.b64encode(pdf).decode("ascii"),
        },
    }


def _programme(programme: Programme) -> dict[str, Any]:
    return _fields(
        programme,
        "id",
        "case_id",
        "name",
        "name_de",
        "status",
        "prescribed_at",
        "start_date",
        "note",
        "safety_net",
        "baseline_pain",
        "intake_answers",
        "current_phase",
        "phase_started_on",
        "time_zone",
        "training_days",
        "reminder_time",
        "reminders_paused",
        "unsubscribed_at",
        "last_seen_at",
        "ended_at",
        labels=["status"],
    ) | {
        "prescribed_by": _who(programme.prescribed_by),
        "phases": [
            _fields(phase, "position", "name", "name_de", "weeks", "goal", "goal_de", "advance")
            | {
                "exercises": [
                    _fields(
                        item,
                        "sets",
                        "reps",
                        "hold_seconds",
                        "load_kg",
                        "days_per_week",
                        "clashes",
                        "clash_note",
                    )
                    | {
                        "exercise": item.exercise.name,
                        "exercise_de": item.exercise.name_de,
                        "slug": item.exercise.slug,
                        "dose": item.dose,
                    }
                    for item in phase.exercises.all()
                ]
            }
            for phase in programme.phases.all()
        ],
        "sessions": [
            _fields(session, "id", "performed_on", "phase", "felt", "note", "created_at")
            | {
                "felt_label": str(session.get_felt_display()),
                "exercises": [
                    {
                        "exercise": done.exercise.exercise.name,
                        "done": done.done,
                        "load_kg": done.load_kg,
                    }
                    for done in session.exercises.all()
                ],
            }
            for session in programme.sessions.all()
        ],
        "check_ins": [
            _fields(
                check_in,
                "id",
                "week",
                "due_at",
                "sent_at",
                "completed_at",
                "pain",
                "sessions_done",
                "sessions_planned",
                "ndi_answers",
                "ndi_points",
                "ndi_percent",
                "screen",
                "red_flags",
                "outcome",
                "outcome_reason",
                "intake_id",
                labels=["outcome"],
            )
            for check_in in programme.check_ins.all()
        ],
        "events": [
            _fields(event, "id", "kind", "at", "by_patient", "detail", labels=["kind"])
            | {"by": _who(event.by)}
            for event in programme.events.all()
        ],
        "questions": [
            _fields(
                question,
                "id",
                "asked_at",
                "text",
                "status",
                "reply",
                "replied_at",
                "close_note",
                "closed_at",
                labels=["status"],
            )
            | {"replied_by": _who(question.replied_by), "closed_by": _who(question.closed_by)}
            for question in programme.questions.all()
        ],
        "review_flag": _review_flag(programme),
    }


def _review_flag(programme: Programme) -> dict[str, Any] | None:
    """The programme flagged to its prescriber as not improving (outcomes/), if it was."""
    try:
        flag = programme.non_responder_flag  # type: ignore[attr-defined]
    except NonResponderFlag.DoesNotExist:
        return None
    return _fields(
        flag,
        "id",
        "flagged_at",
        "week",
        "rule",
        "sessions_done",
        "sessions_planned",
        "baseline_pain",
        "pain",
        "ndi_start",
        "ndi",
        "reviewed_at",
        "review_note",
    ) | {"clinician": _who(flag.clinician), "reviewed_by": _who(flag.reviewed_by)}


def _message(message: Message, patient: Patient) -> dict[str, Any]:
    to = (
        "staff"
        if message.recipient_id is not None
        else "patient"
        if message.patient_id == patient.pk and message.kind not in _TO_SERVICES
        else "service"
    )
    return _fields(
        message,
        "id",
        "kind",
        "subject",
        "status",
        "created_at",
        "due_at",
        "sent_at",
        "case_id",
        "body_text",
        "body_html",
        "attachment_name",
        "content_removed_at",
        labels=["kind", "status"],
    ) | {"to": to, "to_email": message.to_email if to == "patient" else None}


# Messages that go to a destination, never to the patient, whoever they are about.
_TO_SERVICES = (Message.Kind.REFERRAL_LETTER, Message.Kind.REFERRAL_REMINDER)


def _access(events: Iterable[AuditEvent], intakes: list[Intake]) -> list[dict[str, Any]]:
    rows = [
        {
            "at": event.at,
            "who": _who(event.actor) or event.actor_name or None,
            "as": event.actor_kind,
            "as_label": str(event.get_actor_kind_display()),
            "action": event.action,
            "action_label": str(event.get_action_display()),
            "record": event.record,
            "page": event.page,
            "details": event.details,
        }
        for event in events
    ]
    # An intake entered is in the access report from the intake row itself (audit/views.py).
    rows += [
        {
            "at": intake.created_at,
            "who": _who(intake.entered_by),
            "as": AuditEvent.ActorKind.STAFF
            if intake.entered_by_id
            else AuditEvent.ActorKind.PATIENT,
            "as_label": str(
                AuditEvent.ActorKind.STAFF.label
                if intake.entered_by_id
                else AuditEvent.ActorKind.PATIENT.label
            ),
            "action": AuditEvent.Action.CREATE.value,
            "action_label": str(AuditEvent.Action.CREATE.label),
            "record": f"intake {intake.pk}",
            "page": str(intake.get_source_display()),
            "details": {},
        }
        for intake in intakes
    ]
    rows.sort(key=lambda row: row["at"], reverse=True)
    return rows


def as_json(data: dict[str, Any]) -> bytes:
    return json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2).encode("utf-8")


def _no_remote_assets(url: str, *args: Any, **kwargs: Any) -> Any:
    raise ValueError(f"the subject-access export loads no external resources ({url[:40]!r})")


def _twin(row: dict[str, Any], field: str, suffix: str) -> Any:
    """`row[field]` in the language of `suffix` ("_de"), the English where none is written."""
    return (row.get(f"{field}{suffix}") or row[field]) if suffix else row[field]


def _in_active_language(programme: dict[str, Any]) -> dict[str, Any]:
    """A programme of the export with its names and goals in the active language, as the
    patient read them (the export itself keeps both)."""
    suffix = text_suffix(None, WrittenForPatients.TEXT_LANGUAGES)
    return programme | {
        "name": _twin(programme, "name", suffix),
        "phases": [
            phase
            | {
                "name": _twin(phase, "name", suffix),
                "goal": _twin(phase, "goal", suffix),
                "exercises": [
                    item | {"exercise": _twin(item, "exercise", suffix)}
                    for item in phase["exercises"]
                ],
            }
            for phase in programme["phases"]
        ],
    }


def render_pdf(data: dict[str, Any]) -> bytes:
    """The export as a PDF a person reads: one heading per section, the answers with their
    questions, in the language of the member of staff who made it."""
    from weasyprint import HTML  # imported here: the system libraries load on first use

    from patients.forms import display_answer
    from triage.rules import QUESTIONS

    # In the contract's order (the order reception asks them), then anything else stored.
    order = {q.name: (position, q.question) for position, q in enumerate(QUESTIONS)}
    intakes = [
        intake
        | {
            "readable": [
                (order.get(name, (0, name))[1], display_answer(name, value))
                for name, value in sorted(
                    intake["answers"].items(),
                    key=lambda item: (item[0] not in order, order.get(item[0], (0, ""))[0]),
                )
            ]
        }
        for intake in data["intakes"]
    ]
    programmes = [_in_active_language(programme) for programme in data["programmes"]]
    html = render_to_string(
        "audit/subject_access_pdf.html",
        {"data": data, "intakes": intakes, "programmes": programmes},
    )
    pdf: bytes = HTML(string=html, url_fetcher=_no_remote_assets).write_pdf()
    return pdf
