"""Every write about patients and their intakes: one function per action.

Filing an intake under the right patient is a clinical safety matter: an intake under somebody
else's record shows their history beside the wrong answers, and sends their programme to the
wrong address. So matching is strict and never silent:

- an NHS number already on file whose patient has another name or date of birth stops the
  submission until reception says which it is (`IdentityMismatch`);
- an existing patient's contact details change only when reception has seen and confirmed the
  change (`DetailsDiffer`), and every change is recorded (`PatientDetailChange`);
- two submissions for the same person at once make one patient and one open case: matching runs
  under a lock per identity (PostgreSQL advisory locks, held to the end of the transaction).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from audit import services as audit
from patients.models import Intake, Patient, PatientDetailChange
from triage import rules
from triage.rules.contract import QUESTIONS_BY_NAME

# How many times a submission that lost a race (a token or NHS number inserted meanwhile) is
# tried again; the retry finds what the other submission made.
SUBMIT_ATTEMPTS = 3
IDENTITY_FIELDS = ("given_name", "family_name", "date_of_birth")
# Details reception confirms before an existing record changes (blank typed values keep the
# record's: leaving a field empty is not a request to delete it).
CONTACT_FIELDS = ("sex", "email", "phone", "nhs_number", "preferred_language", "email_consent")
MAX_AGE = QUESTIONS_BY_NAME["age"].maximum or 125


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


class IdentityChoice(StrEnum):
    """What reception says when the NHS number's patient has another name or date of birth."""

    KEEP_RECORD = "keep_record"  # same patient; what was typed has a typo: the record stands
    CORRECT_RECORD = "correct_record"  # same patient; the record had it wrong: correct it
    DIFFERENT_PATIENT = "different_patient"  # somebody else: the NHS number is not theirs


class DetailsChoice(StrEnum):
    """What reception says when an existing patient's contact details were typed differently."""

    UPDATE = "update"
    KEEP = "keep"


@dataclass(frozen=True)
class Difference:
    field: str
    on_file: Any
    typed: Any


@dataclass(frozen=True, kw_only=True)
class Confirmation:
    """Reception's answers to the questions a submission stopped on.

    Each answer holds the key of the question it answers (`NeedsConfirmation.key`): an answer
    given about other records than the ones now matched is not taken, and reception is asked again.
    """

    identity_key: str = ""
    identity: IdentityChoice | None = None
    details_key: str = ""
    details: DetailsChoice | None = None


class NeedsConfirmation(Exception):
    """Reception must confirm something about the patient first; nothing was saved."""

    def __init__(self, patient: Patient, differences: list[Difference]) -> None:
        self.patient = patient
        self.differences = differences
        super().__init__(f"{type(self).__name__} for patient {patient.pk}")

    @property
    def key(self) -> str:
        """Names exactly this question: the record, its values and the typed ones."""
        parts = [type(self).__name__, str(self.patient.pk), str(self.patient.updated_at)]
        parts += [f"{d.field}={d.on_file!s}>{d.typed!s}" for d in self.differences]
        return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:32]


class IdentityMismatch(NeedsConfirmation):
    """The NHS number typed belongs to a patient with another name or date of birth."""


class DetailsDiffer(NeedsConfirmation):
    """An existing patient's contact details were typed differently from their record."""


@dataclass(frozen=True)
class Filed:
    patient: Patient
    is_new: bool


def _same(a: str, b: str) -> bool:
    return a.strip().casefold() == b.strip().casefold()


def _identity_differences(patient: Patient, details: PatientDetails) -> list[Difference]:
    differences = []
    for name in IDENTITY_FIELDS:
        on_file, typed = getattr(patient, name), getattr(details, name)
        if not (_same(on_file, typed) if isinstance(typed, str) else on_file == typed):
            differences.append(Difference(name, on_file, typed))
    return differences


def _contact_differences(patient: Patient, details: PatientDetails) -> list[Difference]:
    differences = []
    for name in CONTACT_FIELDS:
        typed = getattr(details, name)
        if typed == "":
            continue
        on_file = getattr(patient, name)
        unchanged = _same(on_file, typed) if name == "email" else on_file == typed
        if not unchanged:
            differences.append(Difference(name, on_file, typed))
    return differences


def _lock_identities(details: PatientDetails) -> None:
    """Serialise every submission for the same NHS number, or the same name and date of birth.

    Held to the end of the transaction; keys are taken in one order, so two submissions that
    share both never deadlock. SQLite (the embedded set-up) serialises writers by itself.
    """
    if connection.vendor != "postgresql":
        return
    names = [f"name:{_name_key(details)}"]
    if details.nhs_number:
        names.append(f"nhs:{details.nhs_number}")
    keys = sorted(
        {int.from_bytes(hashlib.sha256(n.encode()).digest()[:8], "big", signed=True) for n in names}
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join("pg_advisory_xact_lock(%s)" for _ in keys), keys)


def _name_key(details: PatientDetails) -> str:
    given, family = details.given_name.strip().lower(), details.family_name.strip().lower()
    return f"{given}\x1f{family}\x1f{details.date_of_birth.isoformat()}"


def _by_name_and_birth(details: PatientDetails) -> Q:
    # Lower(...) = lower(value): the expressions of the patient_name_dob_idx index.
    return Q(
        lower_given=details.given_name.strip().lower(),
        lower_family=details.family_name.strip().lower(),
        date_of_birth=details.date_of_birth,
    )


def find_returning_patient(
    details: PatientDetails, *, without_nhs_number: bool = False
) -> Patient | None:
    """The patient already on file: same NHS number, or same name and date of birth.

    A name-and-birthday match with a different NHS number on file is somebody else. Of several
    candidates, the NHS number's patient wins, then the longest on file.
    """
    same_person = _by_name_and_birth(details)
    if without_nhs_number:
        same_person &= Q(nhs_number="")
    elif details.nhs_number:
        same_person = Q(nhs_number=details.nhs_number) | (
            same_person & Q(nhs_number__in=["", details.nhs_number])
        )
    candidates = list(
        Patient.objects.alias(lower_given=Lower("given_name"), lower_family=Lower("family_name"))
        .filter(same_person)
        .order_by("pk")[:5]
    )
    for patient in candidates:
        if details.nhs_number and patient.nhs_number == details.nhs_number:
            return patient
    return candidates[0] if candidates else None


def _ask(question: NeedsConfirmation, key: str, answer: object) -> None:
    """Go on only if reception has answered exactly this question; else ask it."""
    if answer is None or key != question.key:
        raise question


def _file_under(
    *, details: PatientDetails, confirmation: Confirmation
) -> tuple[Filed, list[tuple[str, Any, Any]]]:
    """The patient this intake belongs to, and the changes to record once the intake exists."""
    patient = find_returning_patient(details)
    changes: list[tuple[str, Any, Any]] = []
    if patient is not None and details.nhs_number and patient.nhs_number == details.nhs_number:
        differences = _identity_differences(patient, details)
        if differences:
            _ask(
                IdentityMismatch(patient, differences),
                confirmation.identity_key,
                confirmation.identity,
            )
            if confirmation.identity == IdentityChoice.CORRECT_RECORD:
                changes += [(d.field, d.on_file, d.typed) for d in differences]
            elif confirmation.identity == IdentityChoice.DIFFERENT_PATIENT:
                details = dataclasses.replace(details, nhs_number="")
                # Somebody already on file under this name and birthday, without an NHS number,
                # may be them; anybody with an NHS number is not.
                patient = find_returning_patient(details, without_nhs_number=True)
    if patient is None:
        return Filed(_register(details), is_new=True), []
    differences = _contact_differences(patient, details)
    if differences:
        _ask(DetailsDiffer(patient, differences), confirmation.details_key, confirmation.details)
        if confirmation.details == DetailsChoice.UPDATE:
            changes += [(d.field, d.on_file, d.typed) for d in differences]
    if changes:
        for name, _old, new in changes:
            setattr(patient, name, new)
        patient.save(update_fields=[name for name, _o, _n in changes] + ["updated_at"])
    return Filed(patient, is_new=False), changes


def _register(details: PatientDetails) -> Patient:
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
    )


def _record_changes(
    *,
    patient: Patient,
    changes: list[tuple[str, Any, Any]],
    by: User | None,
    at: Any,
    via: str,
    intake: Intake | None = None,
) -> None:
    if not changes:
        return
    audit.record_change(
        by=by,
        record=f"patient {patient.pk}",
        patient=patient,
        changes={name: (old, new) for name, old, new in changes},
    )
    PatientDetailChange.objects.bulk_create(
        PatientDetailChange(
            patient=patient,
            field=name,
            old_value=_as_text(old),
            new_value=_as_text(new),
            changed_by=by,
            changed_at=at,
            via=via,
            intake=intake,
        )
        for name, old, new in changes
    )


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def correct_patient_details(*, patient: Patient, changes: dict[str, Any], by: User) -> None:
    """An administrator's correction of a record (the admin), recorded field by field."""
    before = Patient.objects.get(pk=patient.pk)
    recorded = [
        (name, getattr(before, name), new)
        for name, new in changes.items()
        if getattr(before, name) != new
    ]
    with transaction.atomic():
        for name, _old, new in recorded:
            setattr(patient, name, new)
        patient.save()
        _record_changes(
            patient=patient,
            changes=recorded,
            by=by,
            at=timezone.now(),
            via=PatientDetailChange.Via.ADMIN,
        )


def set_preferred_language(*, patient: Patient, language: str, by: User) -> bool:
    """Reception's choice of the language of the patient's emails and pages, as they send a
    self-intake link (selfintake/services.py), recorded as any change of their details is.
    In the caller's transaction, with the patient locked; True when it changed."""
    old = patient.preferred_language
    if old == language:
        return False
    patient.preferred_language = language
    patient.save(update_fields=["preferred_language", "updated_at"])
    _record_changes(
        patient=patient,
        changes=[("preferred_language", old, language)],
        by=by,
        at=timezone.now(),
        via=PatientDetailChange.Via.INVITATION,
    )
    return True


def fingerprint(
    details: PatientDetails,
    answers: rules.Answers,
    psychosocial_screen: dict[str, Any] | None = None,
) -> str:
    """What a submission said, hashed: the same token with the same fingerprint is a replay."""
    typed = {k: _as_text(v) for k, v in dataclasses.asdict(details).items()}
    said: list[Any] = [typed, answers.as_mapping()]
    if psychosocial_screen is not None:
        said.append(psychosocial_screen)
    body = json.dumps(said, sort_keys=True, default=str)
    return hashlib.sha256(body.encode()).hexdigest()


def submit_intake(
    *,
    details: PatientDetails,
    answers: rules.Answers,
    entered_by: User | None,
    submission_token: uuid.UUID | None = None,
    source: str = Intake.Source.RECEPTION,
    confirmation: Confirmation | None = None,
    psychosocial_screen: dict[str, Any] | None = None,
    patient: Patient | None = None,
) -> Intake:
    """Store an intake as given, triage it and queue the case, all or nothing.

    `psychosocial_screen` is the questionnaire behind the answers' psychosocial risk category
    (psychosocial.intake), stored beside the answers; None when none was asked.

    `patient`: the patient the intake is for, already known (a self-intake's link names them,
    and they confirmed their date of birth). It is filed under them as they are on record, with
    no matching by the typed details (which could find an older record with the same name and
    birthday) and no change to their record; `details` are then theirs, for the fingerprint.

    The same submission token with the same details and answers (a double click, a browser
    retry) gives back the first intake; the same token with anything else is a new intake.
    Raises `NeedsConfirmation` (nothing saved) when reception must first say which patient
    this is, or whether their record should change.
    """
    token = submission_token or uuid.uuid4()
    print_ = fingerprint(details, answers, psychosocial_screen)
    for attempt in range(SUBMIT_ATTEMPTS):
        try:
            return _submit_intake(
                details=details,
                answers=answers,
                entered_by=entered_by,
                token=token,
                fingerprint=print_,
                source=source,
                confirmation=confirmation or Confirmation(),
                psychosocial_screen=psychosocial_screen,
                patient=patient,
            )
        except IntegrityError:
            existing = Intake.objects.filter(submission_token=token).first()
            if existing is not None:
                if existing.fingerprint == print_ and existing.entered_by_id == (
                    entered_by.pk if entered_by else None
                ):
                    return existing
                token = uuid.uuid4()  # a reused token with other answers: a new intake
            if attempt == SUBMIT_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


@transaction.atomic
def _submit_intake(
    *,
    details: PatientDetails,
    answers: rules.Answers,
    entered_by: User | None,
    token: uuid.UUID,
    fingerprint: str,
    source: str,
    confirmation: Confirmation,
    psychosocial_screen: dict[str, Any] | None,
    patient: Patient | None,
) -> Intake:
    from triage.services import assess_intake

    now = timezone.now()
    _lock_identities(details)
    if patient is None:
        filed, changes = _file_under(details=details, confirmation=confirmation)
    else:
        filed, changes = Filed(Patient.objects.get(pk=patient.pk), is_new=False), []
    patient = filed.patient
    # The answers describe the patient the intake is filed under: age from their date of birth
    # (within the contract's bounds) and their recorded sex.
    age = min(max(patient.age_on(timezone.localdate(now)), 0), MAX_AGE)
    stored: dict[str, Any] = dataclasses.replace(answers, age=age, sex=patient.sex).as_mapping()
    # A token seen before fails the unique insert; submit_intake then decides what it was.
    intake = Intake.objects.create(
        patient=patient,
        answers=stored,
        psychosocial_screen=psychosocial_screen,
        contract_version=rules.CONTRACT_VERSION,
        source=source,
        entered_by=entered_by,
        submission_token=token,
        fingerprint=fingerprint,
    )
    # Who entered the intake and when is the intake row itself (never edited): the patient's
    # access report reads it from there (audit.views), so a submit writes no audit row of its own.
    if changes:
        _record_changes(
            patient=patient,
            changes=changes,
            by=entered_by,
            at=now,
            via=PatientDetailChange.Via.INTAKE,
            intake=intake,
        )
    assess_intake(intake=intake, new_patient=filed.is_new)
    return intake
