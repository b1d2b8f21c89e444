"""Every write about patients and their intakes: one function per action."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import Q

from patients.models import Intake, Patient
from triage import rules


@dataclass(frozen=True, kw_only=True)
class PatientDetails:
    """Who the patient is, as reception took it down."""

    given_name: str
    family_name: str
    date_of_birth: date
    sex: str
    email: str = ""
    phone: str = ""
    nhs_number: str = ""  # ten digits, already checked
    preferred_language: str = "en"
    email_consent: bool = False


def find_returning_patient(details: PatientDetails) -> Patient | None:
    """The patient already on file: same NHS number, or same name and date of birth.

    A name-and-birthday match with a different NHS number on file is somebody else.
    """
    same_person = Q(
        given_name__iexact=details.given_name.strip(),
        family_name__iexact=details.family_name.strip(),
        date_of_birth=details.date_of_birth,
    )
    if details.nhs_number:
        same_person = Q(nhs_number=details.nhs_number) | (
            same_person & Q(nhs_number__in=["", details.nhs_number])
        )
    candidates = list(Patient.objects.filter(same_person)[:5])
    for patient in candidates:
        if details.nhs_number and patient.nhs_number == details.nhs_number:
            return patient
    return candidates[0] if candidates else None


def register_patient(*, details: PatientDetails) -> tuple[Patient, bool]:
    """Find the returning patient and bring their contact details up to date, or register them.

    Returns the patient and whether they are new.
    """
    patient = find_returning_patient(details)
    if patient is None:
        return Patient.objects.create(
            given_name=details.given_name.strip(),
            family_name=details.family_name.strip(),
            date_of_birth=details.date_of_birth,
            sex=details.sex,
            email=details.email,
            phone=details.phone,
            nhs_number=details.nhs_number,
            preferred_language=details.preferred_language,
            email_consent=details.email_consent,
        ), True
    changed = []
    for name in ("sex", "email", "phone", "nhs_number", "preferred_language", "email_consent"):
        new = getattr(details, name)
        if (new or isinstance(new, bool)) and getattr(patient, name) != new:
            setattr(patient, name, new)
            changed.append(name)
    if changed:
        patient.save(update_fields=[*changed, "updated_at"])
    return patient, False


def submit_intake(
    *,
    details: PatientDetails,
    answers: rules.Answers,
    entered_by: User,
    submission_token: uuid.UUID | None = None,
    source: str = Intake.Source.RECEPTION,
) -> Intake:
    """Store an intake as given, triage it and queue the case, all or nothing.

    The same submission token twice (a double click, a browser retry) gives back the first
    intake instead of a second one.
    """
    token = submission_token or uuid.uuid4()
    try:
        return _submit_intake(
            details=details, answers=answers, entered_by=entered_by, token=token, source=source
        )
    except IntegrityError:
        existing = Intake.objects.filter(submission_token=token).first()
        if existing is None:
            raise
        return existing


@transaction.atomic
def _submit_intake(
    *,
    details: PatientDetails,
    answers: rules.Answers,
    entered_by: User,
    token: uuid.UUID,
    source: str,
) -> Intake:
    from triage.services import assess_intake

    # A token seen before fails the unique insert below; submit_intake then returns the first.
    patient, is_new = register_patient(details=details)
    stored: dict[str, Any] = answers.as_mapping()
    intake = Intake.objects.create(
        patient=patient,
        answers=stored,
        contract_version=rules.CONTRACT_VERSION,
        source=source,
        entered_by=entered_by,
        submission_token=token,
    )
    assess_intake(intake=intake, new_patient=is_new)
    return intake
