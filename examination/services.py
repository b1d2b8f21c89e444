"""Every write the examination room makes: recording an examination (or a correction of one).

The examination is stored as given and triage reads it at once (`triage.services.
assess_examination`): the case gets a new assessment, is raised if the findings say so, and the
clinicians on duty are alerted as for an intake. Writes to the case go through triage's services
only.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Mapping
from typing import Any

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from examination.models import Examination, OrthopaedicTest
from triage.rules.exam import EXAM_CONTRACT_VERSION, Findings, TestSpec
from triage.services import ExaminationRefused, assess_examination, lock_for_examination

# How many times a submission that lost a race (its token inserted meanwhile) is tried again.
SUBMIT_ATTEMPTS = 3


def fingerprint(
    findings: Mapping[str, Any], corrects_id: int | None, correction_reason: str
) -> str:
    """What a submission said, hashed: the same token with the same fingerprint is a replay."""
    body = json.dumps([findings, corrects_id, correction_reason], sort_keys=True, default=str)
    return hashlib.sha256(body.encode()).hexdigest()


def active_library() -> dict[str, TestSpec]:
    """The active tests an examination may choose from, as the contract reads them."""
    return OrthopaedicTest.objects.active().specs()


def record_examination(
    *,
    case_id: int,
    clinician: User,
    findings: Mapping[str, Any],
    submission_token: uuid.UUID | None = None,
    corrects_id: int | None = None,
    correction_reason: str = "",
    library: Mapping[str, TestSpec] | None = None,
) -> Examination:
    """Store an examination of the case's patient as given, by the clinician who holds the
    case, and let triage read it (a new assessment, the case raised, alerts): all or nothing.

    `findings`: the examination contract's mapping (`exam/1`); refused with
    `ExamContractError` (nothing saved) when it breaks the contract. `corrects_id`: an earlier
    examination of this case that this one corrects, with `correction_reason`. The same
    submission token with the same findings by the same clinician (a double click, a browser
    retry) gives back the first examination; the same token with anything else is a new one.
    """
    library = dict(library if library is not None else active_library())
    checked = Findings.from_mapping(findings, tests=library)  # raises ExamContractError
    reason = correction_reason.strip()
    if corrects_id is not None and not reason:
        raise ExaminationRefused(gettext("Say what the correction corrects."))
    token = submission_token or uuid.uuid4()
    print_ = fingerprint(findings, corrects_id, reason)
    used = {test.test.code: library[test.test.code].as_json() for test in checked.tests}
    for attempt in range(SUBMIT_ATTEMPTS):
        try:
            return _record(
                case_id=case_id,
                clinician=clinician,
                findings=findings,
                used=used,
                token=token,
                fingerprint=print_,
                corrects_id=corrects_id,
                reason=reason,
            )
        except IntegrityError:
            existing = Examination.objects.filter(submission_token=token).first()
            if existing is not None:
                if existing.fingerprint == print_ and existing.examiner_id == clinician.pk:
                    return existing
                token = uuid.uuid4()  # a reused token with other findings: a new examination
            if attempt == SUBMIT_ATTEMPTS - 1:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


@transaction.atomic
def _record(
    *,
    case_id: int,
    clinician: User,
    findings: Mapping[str, Any],
    used: dict[str, Any],
    token: uuid.UUID,
    fingerprint: str,
    corrects_id: int | None,
    reason: str,
) -> Examination:
    case = lock_for_examination(case_id=case_id, clinician=clinician)
    corrects = None
    if corrects_id is not None:
        corrects = Examination.objects.filter(pk=corrects_id, case=case).first()
        if corrects is None:
            raise ExaminationRefused(gettext("That examination is not one of this case's."))
        if Examination.objects.filter(corrects=corrects).exists():
            raise ExaminationRefused(
                gettext("That examination has been corrected already: correct the correction.")
            )
    # A token seen before fails the unique insert; record_examination decides what it was.
    examination = Examination.objects.create(
        case=case,
        examiner=clinician,
        examined_at=timezone.now(),
        contract_version=EXAM_CONTRACT_VERSION,
        findings=dict(findings),
        test_library=used,
        corrects=corrects,
        correction_reason=reason,
        submission_token=token,
        fingerprint=fingerprint,
    )
    assess_examination(examination=examination)
    return examination
