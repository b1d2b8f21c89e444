"""The case page's self-intake panel (registered in SelfIntakeConfig.ready(), triage/panels.py):
the case's intakes the patient entered themselves, whether staff have gone through them with the
patient (who, when), where to send the patient a link, and whether the patient referred
themselves from the clinic's public page (their record was made on their word alone)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.http import HttpRequest

from patients.models import Intake
from selfintake.models import AnswersCheck, SelfReferral
from triage.models import Case


@dataclass(frozen=True, slots=True)
class SelfEntered:
    intake_id: int
    at: datetime
    checked_by: str
    checked_at: datetime | None


def case_context(request: HttpRequest, case: Case, state: Any) -> dict[str, object]:
    """Three queries, however many intakes the case has."""
    intakes = list(
        Intake.objects.filter(assessment__case=case, source=Intake.Source.SELF)
        .order_by("-created_at")
        .values_list("pk", "created_at")
    )
    checks = (
        {
            check.intake_id: check
            for check in AnswersCheck.objects.filter(
                intake_id__in=[pk for pk, _at in intakes]
            ).select_related("checked_by")
        }
        if intakes
        else {}
    )
    rows = []
    for pk, at in intakes:
        check = checks.get(pk)
        by = check.checked_by if check else None
        rows.append(
            SelfEntered(
                intake_id=pk,
                at=at,
                checked_by=(by.get_full_name() or by.get_username()) if by else "",
                checked_at=check.checked_at if check else None,
            )
        )
    referral = SelfReferral.objects.filter(patient_id=case.patient_id).first()
    return {
        "self_entered": rows,
        "self_intake_patient_id": case.patient_id,
        "self_referral": referral,
    }
