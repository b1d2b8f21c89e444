"""Every write of the integrations room: registering a client, its tokens, revoking it, and an
intake submitted from another system as a FHIR QuestionnaireResponse."""

from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from audit import services as audit
from audit.models import AuditEvent
from interop import tokens
from interop.models import ApiClient
from patients import services as patients
from patients.models import Intake, Patient

# The submission tokens of intakes made through the API: one per client and idempotency key.
IDEMPOTENCY_NAMESPACE = uuid.UUID("6b1f9d2e-4c1a-4f0e-9a57-2f8f3f1c0b7d")


@transaction.atomic
def register_client(
    *,
    name: str,
    can_read_patients: bool,
    can_submit_intakes: bool,
    by: User | None,
) -> tuple[ApiClient, str]:
    """A new client and its first token (returned once; only its digest is kept)."""
    client = ApiClient(
        name=name, can_read_patients=can_read_patients, can_submit_intakes=can_submit_intakes
    )
    token = prepare_client(client)
    client.save()
    audit.record_change(
        by=by,
        record=audit.record_of(client),
        changes={
            "name": (None, name),
            "may read patients": (None, can_read_patients),
            "may submit intakes": (None, can_submit_intakes),
            "token": (None, "issued"),
        },
        action=AuditEvent.Action.CREATE,
    )
    return client, token


def prepare_client(client: ApiClient) -> str:
    """Give a client not yet saved its account and first token (the admin's add saves it)."""
    token = tokens.new_token()
    account = User(username=_account_name(client.name), is_active=False)
    account.set_unusable_password()
    account.save()
    client.user = account
    client.token_hash = tokens.digest(token)
    client.token_hint = tokens.hint(token)
    client.token_issued_at = timezone.now()
    return token


def _account_name(name: str) -> str:
    base = "api-" + "".join(c if c.isalnum() else "-" for c in name.lower()).strip("-")[:100]
    candidate, n = base, 1
    while User.objects.filter(username=candidate).exists():
        n += 1
        candidate = f"{base}-{n}"
    return candidate


@transaction.atomic
def issue_token(*, client: ApiClient, by: User | None) -> str:
    """A new token for `client`; the old one stops working at once. Returned once."""
    token = tokens.new_token()
    ApiClient.objects.filter(pk=client.pk).update(
        token_hash=tokens.digest(token),
        token_hint=tokens.hint(token),
        token_issued_at=timezone.now(),
        revoked_at=None,
        updated_at=timezone.now(),
    )
    audit.record_change(
        by=by, record=audit.record_of(client), changes={"token": (client.token_hint, "reissued")}
    )
    client.refresh_from_db()
    return token


@transaction.atomic
def revoke_client(*, client: ApiClient, by: User | None) -> None:
    """Refuse every call with `client`'s token from now on."""
    if client.revoked_at is not None:
        return
    now = timezone.now()
    ApiClient.objects.filter(pk=client.pk).update(revoked_at=now, updated_at=now)
    audit.record_change(by=by, record=audit.record_of(client), changes={"revoked at": (None, now)})
    client.refresh_from_db()


def client_for_token(token: str) -> ApiClient | None:
    """The client holding `token` (revoked or not), or None."""
    if not token or len(token) > 200:
        return None
    found: ApiClient | None = (
        ApiClient.objects.select_related("user").filter(token_hash=tokens.digest(token)).first()
    )
    return found


# --- An intake from another system ---------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Submission:
    """A QuestionnaireResponse read against the intake contract (interop.fhir.intake)."""

    answers: Any  # triage.rules.Answers
    details: patients.PatientDetails | None  # the contained Patient, to match as reception does
    patient: Patient | None  # or the Patient the response's subject names


class KeyReused(Exception):
    """The idempotency key was used before by this client for another request."""


def submission_token(*, client: ApiClient, key: str) -> uuid.UUID:
    return uuid.uuid5(IDEMPOTENCY_NAMESPACE, f"{client.pk}\x1f{key}")


def submit_intake(
    *, client: ApiClient, submission: Submission, idempotency_key: str
) -> tuple[Intake, bool]:
    """Store, triage and queue the intake exactly as reception's intake is (alerts included):
    `patients.services.submit_intake`. Returns (intake, created): the same key with the same
    request gives the first intake back; with another request it raises KeyReused.

    Raises `patients.services.IdentityMismatch` (nothing saved) when the contained Patient's NHS
    number belongs to somebody with another name or date of birth: reception settles that, not
    another system. Contact details that differ from the record are left as the record has them.
    """
    if submission.patient is not None:
        patient = submission.patient
        details = patients.PatientDetails(
            given_name=patient.given_name,
            family_name=patient.family_name,
            date_of_birth=patient.date_of_birth,
            sex=patient.sex,
            nhs_number=patient.nhs_number,
        )
    else:
        assert submission.details is not None
        details = submission.details
    token = submission_token(client=client, key=idempotency_key)
    fingerprint = patients.fingerprint(details, submission.answers)
    existing = Intake.objects.filter(submission_token=token).first()
    if existing is not None:
        if existing.fingerprint != fingerprint or existing.entered_by_id != client.user_id:
            raise KeyReused(idempotency_key)
        return existing, False
    confirmation = patients.Confirmation()
    while True:
        try:
            intake = patients.submit_intake(
                details=details,
                answers=submission.answers,
                entered_by=client.user,
                submission_token=token,
                source=Intake.Source.IMPORT,
                confirmation=confirmation,
                patient=submission.patient,
            )
        except patients.DetailsDiffer as differ:
            if confirmation.details is not None:
                raise
            confirmation = dataclasses.replace(
                confirmation, details_key=differ.key, details=patients.DetailsChoice.KEEP
            )
            continue
        return intake, True


def fresh_key() -> str:
    """The key of a request that named none: never seen before, so it makes a new intake."""
    return f"fresh:{uuid.uuid4()}"
