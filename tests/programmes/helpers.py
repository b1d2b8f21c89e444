"""Factory functions for programme tests: a SELF_CARE case ready for a programme, and a programme
prescribed from it through the service, as a clinician would."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.utils import timezone

from patients.models import Intake
from programmes.models import Programme, ProgrammeTemplate
from programmes.prescribing import prescribe_programme
from programmes.seed import seed_library
from tests.patients.helpers import make_intake, make_user, patient_details

KETTLEBELL = "upper-back-kettlebell-foundations"
DESK = "desk-posture-mobility"


def clinician(**fields: Any) -> User:
    fields.setdefault("email", "clinician@example.org")
    return make_user(role="clinician", **fields)


def self_care_intake(*, entered_by: User | None = None, **answers: Any) -> Intake:
    """A patient with an email address and consent, triaged SELF_CARE (unless `answers` say
    otherwise): six weeks of neck pain scoring 5."""
    answers = {"duration_days": 42, "pain_score_now": 5, "pain_region": "neck"} | answers
    return make_intake(
        entered_by=entered_by or make_user(role="reception"),
        details=patient_details(email="ada@example.org", email_consent=True),
        **answers,
    )


def prescribe(
    *,
    by: User | None = None,
    intake: Intake | None = None,
    template: str = KETTLEBELL,
    start: date | None = None,
    **answers: Any,
) -> Programme:
    intake = intake or self_care_intake(**answers)
    # A transactional test flushes the tables afterwards, the library the migration seeded
    # among them: the next one puts it back.
    seed_library()
    return prescribe_programme(
        case_id=intake.assessment.case_id,
        clinician=by or clinician(),
        template_id=ProgrammeTemplate.objects.get(slug=template).pk,
        start_date=start or timezone.localdate() + timedelta(days=1),
    )
