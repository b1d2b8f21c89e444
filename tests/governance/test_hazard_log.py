"""The hazard log read against the code: every hazard the issue names is there in DCB0129's
shape, and every control's code, name and test exist (this fails when one disappears)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from governance import hazards

TITLES = {
    "Missed emergency",
    "Under-triage by a rule change",
    "The wrong patient's record",
    "A lost or duplicated alert",
    "An unseen escalation",
    "An exercise given against a contraindication",
    "A patient not told what to do",
    "A link reaching the wrong person",
}


def test_the_log_holds_every_hazard_with_cause_effect_controls_risks_and_review() -> None:
    log = hazards.hazard_log()
    assert {h.title for h in log.hazards} == TITLES
    assert log.standard == "DCB0129" and log.reviewed_by and log.reviewed_on
    for hazard in log.hazards:
        assert hazard.cause and hazard.effect and hazard.controls
        assert hazard.residual_risk.rating <= hazard.initial_risk.rating
    assert len({h.id for h in log.hazards}) == len(log.hazards)


def test_every_control_points_to_code_and_a_test_that_exist() -> None:
    assert hazards.evidence_problems() == []


def test_a_control_whose_test_or_code_is_gone_is_named(tmp_path: Path) -> None:
    text = hazards.LOG.read_text(encoding="utf-8")
    gone = text.replace(
        "tests/patients/test_races.py::test_twenty_desks_typing_one_nhs_number_for_two_people_never_misfile",
        "tests/patients/test_races.py::test_that_was_deleted",
    ).replace('symbol = "clashes_for"', 'symbol = "clashes_renamed"')
    problems = hazards.evidence_problems(hazards.parse(gone))
    assert problems == [
        "H3: tests/patients/test_races.py::test_that_was_deleted is gone",
        "H6: programmes/core/caution.py no longer defines clashes_renamed",
    ]


def test_a_rating_off_the_dcb0129_matrix_is_refused() -> None:
    text = hazards.LOG.read_text(encoding="utf-8").replace(
        '{ severity = "catastrophic", likelihood = "medium", rating = 4 }',
        '{ severity = "catastrophic", likelihood = "medium", rating = 1 }',
        1,
    )
    with pytest.raises(ValueError, match="not the matrix's"):
        hazards.parse(text)


@pytest.mark.django_db
def test_the_log_is_shown_in_the_app(officer_client: Client) -> None:
    page = officer_client.get(reverse("governance:hazards")).content.decode()
    for title in TITLES:
        assert title.replace("'", "&#x27;") in page
    assert (
        "tests/governance/test_active.py::test_an_unsigned_rule_set_never_triages_in_production"
        in page
    )
