"""Every write triage makes: one function per clinical action."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from patients.models import Intake, Patient
from triage import rules
from triage.models import Assessment, Case, Urgency


def current_ruleset() -> rules.RuleSet:
    return rules.ruleset_for(
        medium_psychosocial_risk_is_routine=settings.TRIAGE_MEDIUM_PSYCHOSOCIAL_RISK_IS_ROUTINE
    )


@transaction.atomic(savepoint=False)  # all or nothing with the intake it assesses
def assess_intake(*, intake: Intake, new_patient: bool = False) -> Assessment:
    """Triage an intake, store the result for good, and put the patient in the queue.

    `new_patient`: the patient was registered in this transaction, so has no open case to join.
    """
    result = current_ruleset().evaluate(rules.Answers.from_mapping(intake.answers))
    now = timezone.now()
    urgency = Urgency(int(result.urgency))
    if new_patient:
        case = Case.objects.create(
            patient=intake.patient, urgency=urgency, opened_at=now, due_at=now + urgency.sla
        )
    else:
        case = _open_or_raise_case(patient=intake.patient, urgency=urgency, now=now)
    assessment = Assessment.objects.create(
        intake=intake,
        case=case,
        urgency=urgency,
        rules=result.as_json()["rules"],
        ruleset=result.ruleset,
        created_at=now,
    )
    case.current_assessment = assessment
    case.save(update_fields=["current_assessment", "urgency", "due_at", "updated_at"])
    return assessment


def _open_or_raise_case(*, patient: Patient, urgency: Urgency, now: datetime) -> Case:
    """The patient's open case, raised to `urgency` if that is higher, or a new one.

    A new intake never lowers an open case's urgency or pushes back its deadline: only a
    clinician's override (with a reason) may do that.
    """
    case = Case.objects.select_for_update().filter(patient=patient, status=Case.Status.OPEN).first()
    deadline = now + urgency.sla
    if case is None:
        return Case.objects.create(patient=patient, urgency=urgency, opened_at=now, due_at=deadline)
    if urgency > case.urgency:
        case.urgency = urgency
    case.due_at = min(case.due_at, deadline)
    return case
