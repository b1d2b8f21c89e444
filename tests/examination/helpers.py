"""Examinations for the page and service tests: a claimed case to examine, and the findings of an
unremarkable examination as the form or the contract takes them."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User

from examination.models import Examination, OrthopaedicTest
from tests.patients.helpers import make_intake, make_user
from tests.rules.exam_findings import exam_mapping
from triage.models import Case
from triage.rules.exam import EXAM_CONTRACT_VERSION


def make_case(*, entered_by: User | None = None, **answers: Any) -> Case:
    """A case opened by an intake with `answers` (no flags unless given)."""
    intake = make_intake(entered_by=entered_by or make_user(role="reception"), **answers)
    return Case.objects.get(pk=intake.assessment.case_id)


def findings(changes: dict[str, Any] | None = None) -> dict[str, Any]:
    """An unremarkable examination's findings, changed by contract path."""
    result: dict[str, Any] = exam_mapping(changes)
    return result


def library_snapshot(*codes: str) -> dict[str, Any]:
    return {
        test.code: test.spec().as_json() for test in OrthopaedicTest.objects.filter(code__in=codes)
    }


def stored_examination(*, case: Case, examiner: User, **fields: Any) -> Examination:
    """An examination row as stored (without the service: for the record's own tests)."""
    return Examination.objects.create(
        case=case,
        examiner=examiner,
        contract_version=EXAM_CONTRACT_VERSION,
        findings=fields.pop("findings", findings()),
        **fields,
    )
