"""Factory functions for the referral tests: a triaged case, a destination, a clinician."""

from __future__ import annotations

import itertools
import uuid
from datetime import date
from typing import Any

from django.contrib.auth.models import User

from patients.services import PatientDetails, submit_intake
from referrals.models import Destination
from tests.rules.answers import answers
from tests.support.factories import StaffFactory
from triage.models import Case

_numbers = itertools.count(1)


def make_user(*, role: str | None, **fields: Any) -> User:
    return StaffFactory(
        username=f"ref-staff{next(_numbers)}", roles=() if role is None else (role,), **fields
    )


def make_case(
    *, given_name: str = "Maria", family_name: str = "Okafor", **answer_changes: Any
) -> Case:
    """A case opened by submitting an intake through the service, so it is triaged."""
    intake = submit_intake(
        details=PatientDetails(
            given_name=given_name,
            family_name=f"{family_name}",
            date_of_birth=date(1968, 4, 2),
            sex="F",
            email="",
            nhs_number="",
        ),
        answers=answers(**answer_changes),
        entered_by=make_user(role="reception"),
        submission_token=uuid.uuid4(),
    )
    return intake.assessment.case


def make_destination(**fields: Any) -> Destination:
    n = next(_numbers)
    values: dict[str, Any] = {
        "kind": Destination.Kind.MRI,
        "name": f"Imaging department {n}",
        "email": f"imaging{n}@example.org",
        "phone": "01632 960123",
        "address": "1 Hospital Road\nRiverside",
    }
    return Destination.objects.create(**(values | fields))
