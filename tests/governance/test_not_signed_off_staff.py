"""Staff are told, as a monitoring problem on every page's banner, while production has no
signed-off rule set chosen: every intake is refused, patients' own included."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from governance import active, services
from health.services import problems

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


@pytest.fixture(autouse=True)
def production(settings) -> None:  # type: ignore[no-untyped-def]
    settings.TRIAGE_UNSIGNED_RULESET_ALLOWED = False


def test_no_signed_off_rule_set_is_a_monitoring_problem_on_every_staff_page(
    reception_client: Client,
) -> None:
    [problem] = [p for p in problems() if p.code == "ruleset"]
    assert problem.severity == "danger"
    assert "every intake is refused" in problem.message
    assert "self-intakes" in problem.message and "FHIR" in problem.message

    page = reception_client.get(reverse("patients:patient_search")).content.decode()

    assert 'data-problem="ruleset"' in page


def test_a_signed_off_rule_set_chosen_is_no_problem(officer: User) -> None:
    trial = services.run_trial("2026.1", by=officer)
    services.sign_off(
        version="2026.1", trial=trial, reason="Read it", lowered_reviewed=True, by=officer
    )
    services.choose(version="2026.1", reason="Go live", by=officer)
    active.forget()

    assert [p.code for p in problems() if p.code == "ruleset"] == []
