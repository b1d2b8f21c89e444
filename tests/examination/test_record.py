"""An examination is stored as given and never edited: save() refuses an update, and on
PostgreSQL the database refuses UPDATE and DELETE however Django asks. A correction is a new
examination naming the one it corrects, with a reason."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction

from examination.models import Examination
from tests.examination.helpers import findings, make_case, stored_examination
from tests.patients.helpers import make_user

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


@pytest.fixture
def examination() -> Examination:
    return stored_examination(case=make_case(), examiner=make_user(role="clinician"))


def test_the_findings_are_stored_exactly_as_given(examination: Examination) -> None:
    examination.refresh_from_db()
    assert examination.findings == findings()
    assert examination.contract_version == "exam/1"


def test_saving_a_stored_examination_again_is_refused(examination: Examination) -> None:
    examination.findings = {}
    with pytest.raises(ValueError, match="never edited"):
        examination.save()


def test_postgresql_refuses_to_update_or_delete_an_examination(examination: Examination) -> None:
    if connection.vendor != "postgresql":
        pytest.fail("this test needs PostgreSQL (the trigger is PostgreSQL's)")
    with pytest.raises(DatabaseError, match="never edited"), transaction.atomic():
        Examination.objects.filter(pk=examination.pk).update(findings={})
    with pytest.raises(DatabaseError, match="never edited"), transaction.atomic():
        Examination.objects.filter(pk=examination.pk).delete()
    examination.refresh_from_db()
    assert examination.findings == findings()


def test_a_correction_names_the_examination_it_corrects_and_why(
    examination: Examination,
) -> None:
    correction = stored_examination(
        case=examination.case,
        examiner=examination.examiner,
        corrects=examination,
        correction_reason="Left and right rotation were swapped",
    )
    assert examination.corrected_by == correction
    assert list(Examination.objects.current()) == [correction]
    with pytest.raises(IntegrityError), transaction.atomic():
        stored_examination(
            case=examination.case, examiner=examination.examiner, corrects=correction
        )
