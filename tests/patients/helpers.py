"""Factory functions for the page tests: staff in a role, complete intakes, a valid form POST.

Each takes keyword arguments with sensible defaults, so a test says only what it depends on.
"""

from __future__ import annotations

import itertools
import uuid
from datetime import date, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.utils import timezone

from patients.models import Intake
from patients.services import PatientDetails, submit_intake
from tests.rules.answers import NO_FLAGS
from tests.support.factories import PASSWORD as PASSWORD  # tests import it from here too
from tests.support.factories import StaffFactory
from triage.models import Case
from triage.rules import QUESTIONS, Answers

VALID_NHS_NUMBER = "9434765919"  # the NHS Data Dictionary's worked example
OTHER_VALID_NHS_NUMBER = "4010232137"
BAD_CHECK_DIGIT_NHS_NUMBER = "9434765918"

_numbers = itertools.count(1)


def make_user(*, role: str | None, username: str | None = None, **fields: Any) -> User:
    """A member of staff in `role` ("reception", "clinician", "clinic lead") or in no role at all
    (tests/support/factories.py)."""
    return StaffFactory(
        username=username or f"staff{next(_numbers)}",
        roles=() if role is None else (role,),
        **fields,
    )


def answers(**overrides: Any) -> dict[str, Any]:
    """A complete intake-contract mapping with no red flags (triages as SELF_CARE)."""
    return {**NO_FLAGS, "age": 40} | overrides


def patient_details(**overrides: Any) -> PatientDetails:
    fields: dict[str, Any] = {
        "given_name": "Ada",
        "family_name": f"Patient{next(_numbers)}",
        "date_of_birth": date(1985, 3, 14),
        "sex": "F",
        "email": "",
        "phone": "01632 960001",
        "nhs_number": "",
    }
    return PatientDetails(**(fields | overrides))


def make_intake(
    *,
    entered_by: User,
    details: PatientDetails | None = None,
    waiting: timedelta | None = None,
    **answer_overrides: Any,
) -> Intake:
    """An intake submitted through the service (so it is triaged and queued).

    `waiting` backdates the case: it entered the queue that long ago, and its deadline moves
    back with it.
    """
    intake = submit_intake(
        details=details or patient_details(),
        answers=Answers.from_mapping(answers(**answer_overrides)),
        entered_by=entered_by,
        submission_token=uuid.uuid4(),
    )
    if waiting is not None:
        case = intake.assessment.case
        now = timezone.now()
        Case.objects.filter(pk=case.pk).update(
            opened_at=now - waiting, due_at=case.due_at - (case.opened_at - (now - waiting))
        )
    return intake


def intake_post(**overrides: Any) -> dict[str, str]:
    """A complete, valid reception form POST with no red flags.

    Override any field by name; None leaves the field out, as a browser does for an unanswered
    question.
    """
    data: dict[str, str] = {q.name: "no" for q in QUESTIONS if q.kind is bool}
    data |= {
        "given_name": "Grace",
        "family_name": "Hopper",
        "date_of_birth": "1970-01-31",
        "sex": "F",
        "email": "grace@example.com",
        "phone": "01632 960002",
        "nhs_number": "",
        "preferred_language": "en",
        "email_consent": "yes",
        "submission_token": str(uuid.uuid4()),
        "pain_region": "neck",
        "duration_days": "10",
        "pain_score_now": "4",
        "previous_similar_episodes": "yes",
        "trauma_mechanism": "",
    }
    for name, value in overrides.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = str(value)
    return data
